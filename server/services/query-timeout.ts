import { config } from '../config.js';
import { HttpProblem } from '../http/problem.js';

/**
 * True for a query the statement timeout ended: PostgreSQL's cancel (57014), or, when it
 * interrupted a GEOS overlay, GEOS's own "Interrupted" error, which PostGIS reports as XX000.
 */
export function isQueryTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '57014' || String(message).includes('InterruptedException');
}

/** `work`, with a query the statement timeout ended thrown as `problem()` instead of a 500. */
export async function answeredWithin<T>(
  work: () => Promise<T>,
  problem: () => HttpProblem,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isQueryTimeout(error) ? problem() : error;
  }
}

/**
 * 503 for a report (hazard exposure, road or irrigation condition) whose queries ran past the
 * statement timeout: no parameter of the caller's makes it cheaper, so it says to try later.
 */
export function reportTimedOut(): HttpProblem {
  const problem = new HttpProblem(
    503,
    'analysis-timeout',
    'Analysis took too long',
    `The analysis ran past the ${config.queryTimeoutMs} ms limit of one request ` +
      '(QUERY_TIMEOUT_MS); try again in a minute, or ask the administrator to raise it.',
    { limit: 'queryTimeoutMs', maximum: config.queryTimeoutMs },
  );
  problem.headers['Retry-After'] = '60';
  return problem;
}
