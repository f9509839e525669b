/**
 * One server process: opens the database, starts the tile service and listens. Imported by
 * `main.ts` only in a process that serves, so a primary of several processes stays small.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequestListener } from './app.js';
import { config, describeConfig } from './config.js';
import { answerClientErrors, answerInFlight } from './http/client-error.js';
import { log } from './log.js';
import { warmHazardExposure } from './services/hazard-exposure-service.js';
import { TileService } from './services/tile-service.js';
import { ListenError, prepareDatabase } from './startup.js';

// Requests still running this long after SIGTERM are cut, so that a stop never hangs.
const shutdownGraceMs = 10000;

function describeListenFailure(error: NodeJS.ErrnoException): string {
  const { host, port } = config;
  if (error.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is in use by another process; stop it or set PORT`;
  }
  if (error.code === 'EACCES') {
    return `port ${port} needs privileges this process lacks; set PORT to 1024 or above`;
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return `HOST ${host} is not an address of this machine; set HOST (default 127.0.0.1)`;
  }
  return `cannot listen on ${host}:${port}: ${error.message}`;
}

/** Listens on HOST:PORT; a port in use or an address not on this machine is a ListenError. */
function listen(listener: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(listener);
  answerClientErrors(server);
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
 * On SIGTERM or SIGINT: take no new connection, close the idle ones, let the requests in
 * flight finish (cut after the grace period), then close the tile service and the database.
 *
 * Requests in flight are found at that moment, through the open connections, rather than
 * tracked one by one: a set of every response and a listener on each, kept on the hot tile
 * path, made V8 promote most of each waiting request to its old generation (measured: 1,283
 * bytes promoted per cached tile instead of 32, 9% fewer tiles per second, and tens of MB of
 * heap per process between full collections).
 */
function stopOnSignals(server: http.Server, closeResources: () => Promise<void>) {
  let stopping = false;
  const connections = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const inFlight = () => [...connections].map(answerInFlight).filter((res) => res !== undefined);

  // Once stopping: an answer ends its connection, and a connection left idle is closed.
  const closeAfter = (res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    res.once('finish', () => server.closeIdleConnections());
  };

  const stop = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C or systemd signal the whole group, so a worker of
    // SIMPUL_PROCESSES hears its primary too) must neither cut the drain nor close twice.
    if (stopping) return;
    stopping = true;
    const running = inFlight();
    log.info({ signal, inFlight: running.length, graceMs: shutdownGraceMs }, 'shutting down');
    running.forEach(closeAfter);
    // a request still arriving on a kept-alive connection is answered, then the connection ends
    server.on('request', (_req, res: http.ServerResponse) => closeAfter(res));
    const cut = setTimeout(() => {
      log.warn({ inFlight: inFlight().length }, 'requests still running at shutdown; cutting them');
      server.closeAllConnections();
    }, shutdownGraceMs);
    server.close(() => {
      clearTimeout(cut);
      closeResources().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), shutdownGraceMs + 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Starts serving in this process: the database, the tile service, the listener. */
export async function serve(seed: boolean) {
  const started = Date.now();
  log.info({ config: describeConfig() }, 'starting');
  const database = await prepareDatabase({ seed });
  const tiles = await TileService.start(database);
  const listener = createRequestListener({ database, tiles });
  const closeResources = async () => {
    await tiles.close();
    await database.close();
  };

  const server = await listen(listener).catch(async (error: unknown) => {
    await closeResources();
    throw error;
  });
  // Node ends a request after 300 s by default, too short to upload a large import file.
  server.requestTimeout = config.uploadTimeoutMin * 60000;
  const rssMb = Math.round(process.memoryUsage().rss / 1048576);
  const url = `http://${config.host}:${config.port}`;
  log.info({ url, startMs: Date.now() - started, rssMb }, 'listening');
  warmHazardExposure(database.pool);

  stopOnSignals(server, closeResources);
}
