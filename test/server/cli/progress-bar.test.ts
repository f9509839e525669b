import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../../server/cli/progress-bar.js';

describe('the command line progress bar', () => {
  it('names the step of an import before its counts', () => {
    const text = describeProgress({
      fraction: 1,
      counts: { read: 300000, valid: 299990, rejected: 10 },
      step: 'checking geometries',
    });

    expect(text).toBe('checking geometries | read 300,000 | valid 299,990 | rejected 10');
  });

  it('shows the counts alone when no step is given', () => {
    expect(describeProgress({ fraction: null, counts: { features: 12 } })).toBe('features 12');
  });
});
