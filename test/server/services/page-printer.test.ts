import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../../server/http/problem.js';
import {
  maxPrintsAtOnce,
  maxPrintsWaiting,
  printPage,
} from '../../../server/services/page-printer.js';

const page = '<!doctype html><html><body><p>Informasi Tata Ruang</p></body></html>';

describe('printing pages with Chromium', { timeout: 120000 }, () => {
  it('runs a few browsers at once, queues a few more and refuses the rest with a 503', async () => {
    // each print starts a browser of about 500 MB: a burst of requests started them all at once
    const burst = maxPrintsAtOnce + maxPrintsWaiting + 2;

    const outcomes = await Promise.allSettled(
      Array.from({ length: burst }, () => printPage(page, 'pdf')),
    );

    const printed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as HttpProblem] : [],
    );
    expect(printed).toHaveLength(maxPrintsAtOnce + maxPrintsWaiting);
    for (const outcome of printed) {
      expect((outcome as PromiseFulfilledResult<Buffer>).value.subarray(0, 5).toString()).toBe(
        '%PDF-',
      );
    }
    expect(refused).toHaveLength(2);
    for (const problem of refused) {
      expect(problem).toMatchObject({ status: 503, type: 'print-busy' });
      expect(problem.headers['Retry-After']).toBe('10');
    }
  });
});
