import { HttpProblem } from '../../server/http/problem.js';

/** The HttpProblem that `run` throws; any other outcome fails the test. */
export function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}
