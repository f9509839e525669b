import cluster, { type Worker } from 'node:cluster';
import { config, ConfigError } from './config.js';
import { log } from './log.js';

// A worker that dies this soon after its start is not restarted again: it would only loop.
const minimumLifetimeMs = 5000;
// Past a worker's own shutdown deadline (10 s grace, forced exit 5 s later): kill what is left.
const stopDeadlineMs = 16000;

const workers = new Set<Worker>();
let stopping = false;

function onWorkerExit(worker: Worker, started: number, code: number | null, signal: string) {
  workers.delete(worker);
  // `pid` is the primary's, in every line it logs.
  const workerPid = worker.process.pid;
  if (stopping) {
    log.info({ workerPid, code, signal }, 'server process stopped');
    if (workers.size === 0) process.exit(0);
    return;
  }
  if (worker.exitedAfterDisconnect) return;

  const lifetimeMs = Date.now() - started;
  log.error({ workerPid, code, signal, lifetimeMs }, 'server process died');
  if (lifetimeMs >= minimumLifetimeMs) forkWorker();
  else if (workers.size === 0) process.exit(1);
}

function forkWorker() {
  const started = Date.now();
  const worker = cluster.fork();
  workers.add(worker);
  worker.on('exit', (code, signal) => onWorkerExit(worker, started, code, signal));
}

/** Passes the signal to every worker and exits once they have all drained their requests. */
function stopWorkers(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  log.info({ signal, processes: workers.size }, 'stopping server processes');
  if (workers.size === 0) process.exit(0);
  for (const worker of workers) worker.kill(signal);

  setTimeout(() => {
    log.warn({ processes: workers.size }, 'server processes still running at shutdown; killing');
    for (const worker of workers) worker.kill('SIGKILL');
    process.exit(1);
  }, stopDeadlineMs).unref();
}

/** The environment variable marking the short-lived process that prepares the database. */
const roleVariable = 'SIMPUL_PROCESS_ROLE';

/**
 * Migrates and seeds once, before any serving process exists, in a process of its own that
 * then exits: loaded into the primary, the migrations, the seeds and the modules they pull in
 * held about 100 MB of its memory for as long as the server ran. A failure there (logged by
 * that process) stops the primary too.
 */
function prepareInOwnProcess(): Promise<void> {
  const preparer = cluster.fork({ [roleVariable]: 'prepare' });
  return new Promise((resolve) => {
    preparer.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      log.fatal({ code, signal }, 'database not prepared; not starting server processes');
      process.exit(1);
    });
  });
}

async function prepareAndExit(): Promise<never> {
  const { prepareDatabase } = await import('./startup.js');
  const database = await prepareDatabase();
  await database.close();
  process.exit(0);
}

async function runPrimary(count: number) {
  const { checkListenAddress } = await import('./listen-address.js');
  await checkListenAddress();
  // Workers then find the schema current and the seeds in place.
  await prepareInOwnProcess();

  log.info({ processes: count }, 'starting server processes');
  for (let i = 0; i < count; i += 1) forkWorker();

  // `on`, not `once`: a second signal would otherwise end the primary before its workers.
  process.on('SIGTERM', () => stopWorkers('SIGTERM'));
  process.on('SIGINT', () => stopWorkers('SIGINT'));
}

/**
 * Runs the server in this process, or with `SIMPUL_PROCESSES` above 1 as that many processes
 * sharing the port (Node's cluster: one per core is the usual choice). Each process keeps its
 * own tile cache (so memory grows with the count) and hears every change through the
 * database, whichever process made it.
 */
export async function runServerProcesses(startServer: (seed: boolean) => Promise<void>) {
  const count = config.serverProcesses;
  if (count > 1 && !config.databaseUrl) {
    throw new ConfigError(
      `SIMPUL_PROCESSES=${count} needs DATABASE_URL: the embedded database serves one process`,
    );
  }
  if (count === 1) return startServer(config.autoSeed);
  if (cluster.isPrimary) return runPrimary(count);
  if (process.env[roleVariable] === 'prepare') return prepareAndExit();
  return startServer(false);
}
