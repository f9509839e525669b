import { describe, expect, it } from 'vitest';
import { countNoun, countTimes } from '../../server/counted-noun.js';

describe('counted English words', () => {
  it('takes the singular for one and the plural for every other count', () => {
    expect([0, 1, 2].map((count) => countNoun(count, 'feature'))).toEqual([
      '0 features',
      '1 feature',
      '2 features',
    ]);
    expect(countNoun(1, 'entry', 'entries')).toBe('1 entry');
    expect(countNoun(3, 'entry', 'entries')).toBe('3 entries');
  });

  it('says once for one time', () => {
    expect([1, 2].map(countTimes)).toEqual(['once', '2 times']);
  });
});
