import cluster, { type Worker } from 'node:cluster';
import { config, ConfigError } from './config.js';
import { log } from './log.js';

// A worker that dies this soon after its start is replaced only after a wait (see below).
const minimumLifetimeMs = 5000;
// The first wait before replacing a worker that died young, doubled at each young death in a
// row up to the last: a database that is down is retried every 30 s, not in a tight loop.
const firstRestartDelayMs = 1000;
const maxRestartDelayMs = 30000;
// Past a worker's own shutdown deadline (10 s grace, forced exit 5 s later): kill what is left.
const stopDeadlineMs = 16000;

const workers = new Set<Worker>();
// Serving processes that have started listening; none for SIMPUL_DOWN_EXIT_S ends the primary.
const listening = new Set<Worker>();
// Set while no process listens: when it fires, the primary exits 1 (see `watchForDown`).
let downTimer: NodeJS.Timeout | undefined;
// Serving processes that died since the last time one listened, for the line that gives up.
let diedSince = 0;
// Replacements waiting for their delay, cancelled by a stop.
const pendingRestarts = new Set<NodeJS.Timeout>();
let stopping = false;

/** Forks a replacement after `delayMs`; it waits `nextDelayMs` in turn if it dies young. */
function restartLater(delayMs: number, nextDelayMs: number) {
  const timer = setTimeout(() => {
    pendingRestarts.delete(timer);
    forkWorker(nextDelayMs);
  }, delayMs);
  pendingRestarts.add(timer);
}

/** A serving process, when it started and how long its replacement waits if it dies young. */
interface ServingProcess {
  worker: Worker;
  started: number;
  restartDelayMs: number;
}

/**
 * A worker that ran `minimumLifetimeMs` is replaced at once. One that died younger (the
 * database down, say) is replaced after its `restartDelayMs`, a replacement that dies young in
 * turn after twice that, and so on: the others keep serving meanwhile, and the first
 * replacement that lives ends the waits.
 */
function onWorkerExit(serving: ServingProcess, code: number | null, signal: string) {
  const { worker, started, restartDelayMs } = serving;
  workers.delete(worker);
  listening.delete(worker);
  // `pid` is the primary's, in every line it logs.
  const workerPid = worker.process.pid;
  if (stopping) {
    log.info({ workerPid, code, signal }, 'server process stopped');
    if (workers.size === 0) process.exit(0);
    return;
  }
  if (worker.exitedAfterDisconnect) return;

  const lifetimeMs = Date.now() - started;
  const young = lifetimeMs < minimumLifetimeMs;
  const restartInMs = young ? restartDelayMs : 0;
  const running = workers.size;
  const fields = { workerPid, code, signal, lifetimeMs, restartInMs, running };
  log.error(fields, 'server process died');
  diedSince += 1;
  watchForDown();
  if (!young) return forkWorker(firstRestartDelayMs);
  restartLater(restartInMs, Math.min(restartDelayMs * 2, maxRestartDelayMs));
}

function forkWorker(restartDelayMs: number) {
  const serving = { worker: cluster.fork(), started: Date.now(), restartDelayMs };
  workers.add(serving.worker);
  serving.worker.on('exit', (code, signal) => onWorkerExit(serving, code, signal));
  serving.worker.on('listening', () => {
    listening.add(serving.worker);
    clearTimeout(downTimer);
    downTimer = undefined;
    diedSince = 0;
  });
}

/**
 * Starts the count once no serving process listens. Retrying forever would hide a server
 * that serves no one behind a main process that looks alive: past SIMPUL_DOWN_EXIT_S with none
 * listening, the main process says why and exits 1, so that the service manager restarts it
 * (systemd `Restart=on-failure`) or, restarts failing too, alerts someone. Processes that
 * listen but answer 503 (the database down under them) keep the server up: that is for its
 * health check to report.
 */
function watchForDown() {
  if (downTimer || stopping || listening.size > 0) return;
  const downS = config.serverDownExitS;
  downTimer = setTimeout(() => {
    if (stopping) return;
    stopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    for (const worker of workers) worker.process.kill('SIGKILL');
    const fields = { downS, diedSince, starting: workers.size };
    log.fatal(fields, 'no server process listening; exiting');
    process.exit(1);
  }, downS * 1000);
}

/** Passes the signal to every worker and exits once they have all drained their requests. */
function stopWorkers(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  clearTimeout(downTimer);
  log.info({ signal, processes: workers.size }, 'stopping server processes');
  for (const timer of pendingRestarts) clearTimeout(timer);
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
 * that process) stops the primary too. A stop signal meanwhile is passed on like to a serving
 * process: the preparer closes the database, then the primary exits.
 */
function prepareInOwnProcess(): Promise<void> {
  const preparer = cluster.fork({ [roleVariable]: 'prepare' });
  workers.add(preparer);
  return new Promise((resolve) => {
    preparer.on('exit', (code, signal) => {
      workers.delete(preparer);
      if (stopping) {
        const workerPid = preparer.process.pid;
        log.info({ workerPid, code, signal }, 'database preparation stopped');
        process.exit(0);
      }
      if (code === 0) return resolve();
      log.fatal({ code, signal }, 'database not prepared; not starting server processes');
      process.exit(1);
    });
  });
}

async function prepareAndExit(): Promise<never> {
  const { abortOnStopSignals, exitIfStopped, prepareDatabase } = await import('./startup.js');
  const stop = abortOnStopSignals('the database is prepared');
  const database = await prepareDatabase({ signal: stop.signal }).catch((error: unknown) =>
    exitIfStopped(error, 1),
  );
  await database.close();
  process.exit(0);
}

async function runPrimary(count: number) {
  const { checkListenAddress } = await import('./listen-address.js');
  await checkListenAddress();
  // `on`, not `once`: a second signal would otherwise end the primary before its workers.
  process.on('SIGTERM', () => stopWorkers('SIGTERM'));
  process.on('SIGINT', () => stopWorkers('SIGINT'));
  // Workers then find the schema current and the seeds in place.
  await prepareInOwnProcess();

  log.info({ processes: count }, 'starting server processes');
  for (let i = 0; i < count; i += 1) forkWorker(firstRestartDelayMs);
  watchForDown();
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
