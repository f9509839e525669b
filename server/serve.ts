/**
 * One server process: opens the database, starts the tile service and listens. Imported by
 * `main.ts` only in a process that serves, so a primary of several processes stays small.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { createRequestListener } from './app.js';
import { config, describeConfig } from './config.js';
import { answerClientErrors, answerInFlight } from './http/client-error.js';
import { continueWhenBodyRead } from './http/expect-continue.js';
import { log } from './log.js';
import { warmHazardExposure } from './services/hazard-exposure-service.js';
import { stopLocalImports } from './services/import-service.js';
import { prepareImportDir } from './services/upload-store.js';
import { closeAll } from './close-all.js';
import { TileService } from './services/tile-service.js';
import {
  checkListenAddress,
  describeListenFailure,
  listeningUrl,
  ListenError,
} from './listen-address.js';
import { abortOnStopSignals, exitIfStopped, prepareDatabase } from './startup.js';

// Requests still running this long after SIGTERM are cut, so that a stop never hangs.
const shutdownGraceMs = 10000;
// While stopping, a kept-alive connection idle this long is closed: no request is on its way.
const idleCloseMs = 500;

/** Listens on HOST:PORT; a port in use or an address not on this machine is a ListenError. */
function listen(listener: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(listener);
  answerClientErrors(server);
  continueWhenBodyRead(server);
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      reject(new ListenError(describeListenFailure(error)));
    };
    server.once('error', fail);
    server.listen(config.port, config.host, () => {
      server.off('error', fail);
      resolve(server);
    });
  });
}

/**
 * On SIGTERM or SIGINT: take no new connection, let the requests in flight finish (cut after
 * the grace period), let running imports finish within what is left of it (the rest end as
 * stopped, their layers untouched), then close the tile service and the database.
 *
 * Requests in flight are found at that moment, through the open connections, rather than
 * tracked one by one: a set of every response and a listener on each, kept on the hot tile
 * path, made V8 promote most of each waiting request to its old generation (measured: 1,283
 * bytes promoted per cached tile instead of 32, 9% fewer tiles per second, and tens of MB of
 * heap per process between full collections).
 *
 * A kept-alive connection is not closed the moment it is idle: its client may have sent the
 * next request already, which would meet a reset (measured: 4 to 10 of 16 clients looping on
 * `/health` lost one). Every answer from the signal on says `Connection: close`, and an idle
 * connection is closed once it has stayed idle for `idleCloseMs`. Returns that stop.
 */
function stopOnSignals(
  server: http.Server,
  closeResources: (importDeadlineMs: number) => Promise<void>,
) {
  let stopping = false;
  const connections = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const inFlight = () => [...connections].map(answerInFlight).filter((res) => res !== undefined);

  const closeIfStillIdle = (socket: Duplex) => {
    const check = () => {
      if (!answerInFlight(socket)) socket.destroy();
    };
    setTimeout(check, idleCloseMs).unref();
  };
  // An answer whose headers are out kept its connection alive: it waits once that answer ends.
  const closeWhenAnswered = (socket: Duplex) => {
    const res = answerInFlight(socket);
    if (!res) closeIfStillIdle(socket);
    else if (!res.headersSent) res.setHeader('Connection', 'close');
    else res.once('finish', () => closeIfStillIdle(socket));
  };

  const stop = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C or systemd signal the whole group, so a worker of
    // SIMPUL_PROCESSES hears its primary too) must neither cut the drain nor close twice.
    if (stopping) return;
    stopping = true;
    const graceEndMs = Date.now() + shutdownGraceMs;
    log.info({ signal, inFlight: inFlight().length, graceMs: shutdownGraceMs }, 'shutting down');
    // Before the app's listener, which may answer a cached tile at once.
    server.prependListener('request', (_req, res: http.ServerResponse) => {
      res.setHeader('Connection', 'close');
    });
    connections.forEach(closeWhenAnswered);
    const cut = setTimeout(() => {
      log.warn({ inFlight: inFlight().length }, 'requests still running at shutdown; cutting them');
      server.closeAllConnections();
    }, shutdownGraceMs);
    // net.Server's close: stops listening and waits for the connections to end. http.Server's
    // would also close every idle connection at once.
    net.Server.prototype.close.call(server, () => {
      clearTimeout(cut);
      closeResources(graceEndMs).then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
    setTimeout(() => process.exit(1), shutdownGraceMs + 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return stop;
}

/** Starts serving in this process: the database, the tile service, the listener. */
export async function serve(seed: boolean) {
  const started = Date.now();
  log.info({ config: describeConfig() }, 'starting');
  // a process of SIMPUL_PROCESSES shares the port its primary checked
  if (cluster.isPrimary) await checkListenAddress();
  const starting = abortOnStopSignals('the server listens');
  const database = await prepareDatabase({ seed, signal: starting.signal }).catch(exitIfStopped);
  // after the database: the embedded one says first that SIMPUL_DATA_DIR cannot hold it
  try {
    prepareImportDir();
  } catch (error) {
    await database.close();
    throw error;
  }
  const tiles = await TileService.start(database).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const listener = createRequestListener({ database, tiles });
  // Imports run in the background, on the pool: they get what is left of the grace period.
  const closeResources = (importDeadlineMs = Date.now()) =>
    closeAll([
      () => stopLocalImports(importDeadlineMs),
      () => tiles.close(),
      () => database.close(),
    ]);

  const server = await listen(listener).catch(async (error: unknown) => {
    await closeResources();
    throw error;
  });
  // Node ends a request after 300 s by default, too short to upload a large import file.
  server.requestTimeout = config.uploadTimeoutMin * 60000;
  const rssMb = Math.round(process.memoryUsage().rss / 1048576);
  // the port bound, which PORT=0 leaves to the system
  const { port } = server.address() as net.AddressInfo;
  const url = listeningUrl(config.host, port);
  log.info({ url, startMs: Date.now() - started, rssMb }, 'listening');
  warmHazardExposure(database.pool);

  const stop = stopOnSignals(server, closeResources);
  starting.release();
  // a signal heard after the database was prepared: the server stops as soon as it started
  if (starting.signal.aborted) stop('SIGTERM');
}
