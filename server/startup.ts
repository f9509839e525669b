import { layerDefinitions } from '../layers/index.js';
import { config, ConfigError } from './config.js';
import { ListenError } from './listen-address.js';
import { DataDirLockedError, DataDirUnusableError } from './db/embedded.js';
import { TileCacheDirUnusableError } from './tiles/tile-disk-cache.js';
import { migrate } from './db/migrate.js';
import { DatabaseUnavailableError, openDatabase, type Database } from './db/pool.js';
import { log } from './log.js';
import { SeedFolderError, seedNewDatabase } from './services/seed-service.js';

/** What `prepareDatabase` does beyond opening and migrating. */
interface PrepareOptions {
  /** Seed a new database (default `SIMPUL_AUTO_SEED`). */
  seed?: boolean;
  /** Stops the start between steps: what was opened is closed, and the reason is thrown. */
  signal?: AbortSignal;
}

/**
 * Opens the database, logs what it is, runs the migrations and seeds a new database (or
 * finishes the seeding a stopped start began), so that `npm start` on a new machine ends with
 * a working platform. A failure or an abort closes the database (PGlite's folder unlocked).
 */
export async function prepareDatabase(options: PrepareOptions = {}): Promise<Database> {
  const { seed = config.autoSeed, signal } = options;
  const database = await openDatabase(config.databaseUrl, signal);
  const { capabilities } = database;
  log.info(
    { ...capabilities, tileEncoder: capabilities.hasAsMvt ? 'database' : 'server' },
    'database ready',
  );

  try {
    signal?.throwIfAborted();
    const migration = await migrate(database.pool, layerDefinitions);
    log.info(migration, 'migrations applied');

    signal?.throwIfAborted();
    const reports = seed
      ? await seedNewDatabase(database.pool, layerDefinitions, config.seedDir, signal)
      : null;
    for (const report of reports ?? []) log.info(report, 'layer seeded');
  } catch (error) {
    await database.close().catch((closeError: unknown) => {
      log.warn({ err: closeError }, 'database not closed after a failed start');
    });
    throw error;
  }
  return database;
}

/** The reason work is aborted with when a stop signal comes (`abortOnStopSignals`). */
const stopSignalled = new Error('a stop signal came');

/**
 * Until `release`, SIGTERM or SIGINT aborts the returned signal rather than end the process at
 * once: killed while creating or writing the embedded database, PGlite left its folder locked
 * and maybe half written. The work aborted closes what it opened, then `exitIfStopped` ends
 * the process. `until` names what ends this in the log line ("the server listens").
 */
export function abortOnStopSignals(until: string) {
  const controller = new AbortController();
  const abort = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    log.info({ signal, until }, 'stopping; closing the database first');
    controller.abort(stopSignalled);
  };
  process.on('SIGTERM', abort);
  process.on('SIGINT', abort);
  const release = () => {
    process.off('SIGTERM', abort);
    process.off('SIGINT', abort);
  };
  return { signal: controller.signal, release };
}

/**
 * Ends the process with `exitCode` when `error` is the abort of `abortOnStopSignals` (what was
 * opened is closed by then); rethrows anything else.
 */
export function exitIfStopped(error: unknown, exitCode = 0): never {
  if (error !== stopSignalled) throw error;
  log.info({ exitCode }, 'stopped by a signal');
  process.exit(exitCode);
}

const expectedFailures = [
  ConfigError,
  TileCacheDirUnusableError,
  DataDirLockedError,
  DataDirUnusableError,
  DatabaseUnavailableError,
  ListenError,
  SeedFolderError,
];

/**
 * Ends a server or command that could not start. A failure the operator can fix (a setting,
 * the data folder in use or unusable, the database unreachable or without PostGIS, the port
 * taken) is one line without a stack trace; anything else is logged whole, and said in one
 * line on standard error too (a migration the database refused said nothing there).
 */
export function exitAfterFailedStart(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (expectedFailures.some((type) => error instanceof type)) {
    log.fatal(`cannot start: ${message}`);
    console.error(`Simpul cannot start: ${message}`);
  } else {
    log.fatal({ err: error }, 'cannot start');
    const line = message.replace(/\s+/g, ' ');
    console.error(`Simpul cannot start: ${line} (the log's fatal entry has the details)`);
  }
  process.exit(1);
}
