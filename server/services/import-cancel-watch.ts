/**
 * Stops an import's long statements (the checks over the whole load table, the final insert)
 * within a second of a cancel, instead of at their end, minutes later: while one runs, the job
 * row is read for a cancel asked by any server instance and this process's signal is watched;
 * once either says stop, the statement is cancelled from another session of the pool.
 */
import type pg from 'pg';
import { cancelBackendStatement, updateImportHeartbeat } from '../db/queries/import-jobs.js';
import { log } from '../log.js';

/** How often the job row is read for a cancel while a long statement runs. */
const pollIntervalMs = 250;

/** A watch over one connection's statements; stop it before the connection runs anything else. */
export interface CancelWatch {
  /** True once a cancel was seen: the statements watched end in an error, or are to be undone. */
  readonly cancelled: boolean;
  /** Stops watching; resolves once no cancel sent by this watch can reach the session any more. */
  stop(): Promise<void>;
}

/** The server process of a node-postgres connection (`pg` sets it but does not type it). */
export function backendPidOf(client: pg.PoolClient): number | undefined {
  const pid = (client as pg.PoolClient & { processID?: number | null }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Watches for a cancel of job `jobId` while `backendPid`'s session runs its statements. A
 * cancel is sent again at each poll until the watch stops, since one that lands between two
 * statements is ignored by PostgreSQL. Without a `backendPid` (the embedded database: one
 * session, no pg_cancel_backend) only the signal is watched and nothing is cancelled.
 */
export function watchForCancel(
  pool: pg.Pool,
  jobId: string,
  signal: AbortSignal,
  backendPid: number | undefined,
): CancelWatch {
  let cancelled = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pending = Promise.resolve();

  const check = async () => {
    if (stopped) return;
    // With the one session of the embedded database a query here would wait for the watched
    // statement, and stop() for that query: the signal is all that can be watched there.
    if (!cancelled && backendPid !== undefined) {
      cancelled = await updateImportHeartbeat(pool, jobId);
    }
    cancelled ||= signal.aborted;
    if (cancelled && backendPid !== undefined) await cancelBackendStatement(pool, backendPid);
  };
  const enqueue = () => {
    pending = pending
      .then(check)
      .catch((error: unknown) => log.warn({ err: error, jobId }, 'import cancel check failed'))
      .then(() => {
        clearTimeout(timer);
        if (!stopped && backendPid !== undefined) timer = setTimeout(enqueue, pollIntervalMs);
      });
  };
  signal.addEventListener('abort', enqueue);
  enqueue();

  return {
    get cancelled() {
      return cancelled || signal.aborted;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', enqueue);
      await pending;
    },
  };
}
