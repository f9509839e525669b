import { createApp } from './app.js';
import { config, ConfigError, describeConfig } from './config.js';
import { DataDirLockedError } from './db/embedded.js';
import { DatabaseUnavailableError } from './db/pool.js';
import { log } from './log.js';
import { runServerProcesses } from './processes.js';
import { warmHazardExposure } from './services/hazard-exposure-service.js';
import { TileService } from './services/tile-service.js';
import { prepareDatabase } from './startup.js';

const expectedFailures = [ConfigError, DataDirLockedError, DatabaseUnavailableError];

async function start(seed: boolean) {
  const started = Date.now();
  log.info({ config: describeConfig() }, 'starting');
  const database = await prepareDatabase({ seed });
  const tiles = await TileService.start(database);
  const app = createApp({ database, tiles });

  const server = app.listen(config.port, config.host, () => {
    const rssMb = Math.round(process.memoryUsage().rss / 1048576);
    log.info(
      { url: `http://${config.host}:${config.port}`, startMs: Date.now() - started, rssMb },
      'listening',
    );
  });
  // Node ends a request after 300 s by default, too short to upload a large import file.
  server.requestTimeout = config.uploadTimeoutMin * 60000;
  warmHazardExposure(database.pool);

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close(
      () =>
        void tiles
          .close()
          .then(() => database.close())
          .then(() => process.exit(0)),
    );
    server.closeAllConnections();
    setTimeout(() => process.exit(1), 10000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

runServerProcesses(start).catch((error: Error) => {
  if (expectedFailures.some((type) => error instanceof type)) {
    // One clear line for the operator, no stack trace.
    log.fatal(`cannot start: ${error.message}`);
    console.error(`Simpul cannot start: ${error.message}`);
  } else {
    log.fatal({ err: error }, 'cannot start');
  }
  process.exit(1);
});
