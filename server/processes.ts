import cluster from 'node:cluster';
import { config, ConfigError } from './config.js';
import { log } from './log.js';
import { prepareDatabase } from './startup.js';

// A worker that dies this soon after its start is not restarted again: it would only loop.
const minimumLifetimeMs = 5000;

function forkWorker() {
  const started = Date.now();
  const worker = cluster.fork();
  worker.on('exit', (code, signal) => {
    if (worker.exitedAfterDisconnect) return;
    const lifetimeMs = Date.now() - started;
    // `pid` is the primary's, in every line it logs.
    const workerPid = worker.process.pid;
    log.error({ workerPid, code, signal, lifetimeMs }, 'server process died');
    if (lifetimeMs >= minimumLifetimeMs) forkWorker();
    else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
  });
}

async function runPrimary(count: number) {
  // Migrate and seed once, before any worker exists; workers then find the schema current.
  const database = await prepareDatabase();
  await database.close();

  log.info({ processes: count }, 'starting server processes');
  for (let i = 0; i < count; i += 1) forkWorker();

  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping server processes');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    setTimeout(() => process.exit(0), 11000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
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
  return startServer(false);
}
