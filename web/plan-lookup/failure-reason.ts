import { planText } from './plan-lookup-messages.js';

/**
 * Why a request of the plan sheet or a dashboard failed, in the interface language: no answer
 * (fetch rejects with a TypeError, whose 'Failed to fetch' is the browser's English), a server
 * failure that names no problem (a proxy's page), else the server's own words.
 */
export function failureReason(error: unknown): string {
  if (error instanceof TypeError) return planText('reason.offline');
  const { status, type } = error as { status?: unknown; type?: unknown };
  if (typeof status === 'number' && status >= 500 && !type)
    return planText('reason.serverFailed', { status });
  return (error as Error).message;
}
