// Node's network errors, and the SQLSTATEs of a connection lost, refused or shut down.
const refusedOrCut = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'];
const unreachableCodes = new Set([...refusedOrCut, 'ETIMEDOUT', 'ENOTFOUND']);
const unreachableStates = new Set(['57P01', '57P02', '57P03', '53300']);
// pg and pg-pool say so in words only, without a code.
const unreachableMessage =
  /^Connection terminated|timeout exceeded when trying to connect|is not queryable/;

/** True when an error says the database cannot be reached, not that a query was wrong. */
export function isDatabaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (unreachableCodes.has(code) || unreachableStates.has(code)) return true;
    // SQLSTATE class 08: connection exception
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return typeof message === 'string' && unreachableMessage.test(message);
}
