/**
 * The server's entry point (`npm start`): one process, or with `SIMPUL_PROCESSES` a primary
 * that prepares the database through a short-lived process, then forks the serving ones. The
 * serving code is imported only where it runs: the primary holds none of it.
 */
import { runServerProcesses } from './processes.js';

async function failedStart(error: unknown): Promise<never> {
  const { exitAfterFailedStart } = await import('./startup.js');
  return exitAfterFailedStart(error);
}

runServerProcesses(async (seed) => (await import('./serve.js')).serve(seed)).catch(failedStart);
