import { layerDefinitions } from '../layers/index.js';
import { config, ConfigError } from './config.js';
import { ListenError } from './listen-address.js';
import { DataDirLockedError, DataDirUnusableError } from './db/embedded.js';
import { TileCacheDirUnusableError } from './tiles/tile-disk-cache.js';
import { migrate } from './db/migrate.js';
import { DatabaseUnavailableError, openDatabase, type Database } from './db/pool.js';
import { log } from './log.js';
import { SeedFolderError, seedNewDatabase } from './services/seed-service.js';

/**
 * Opens the database, logs what it is, runs the migrations and seeds a new database (or
 * finishes the seeding a stopped start began), so that `npm start` on a new machine ends with
 * a working platform.
 */
export async function prepareDatabase(options = { seed: config.autoSeed }): Promise<Database> {
  const database = await openDatabase();
  const { capabilities } = database;
  log.info(
    { ...capabilities, tileEncoder: capabilities.hasAsMvt ? 'database' : 'server' },
    'database ready',
  );

  const migration = await migrate(database.pool, layerDefinitions);
  log.info(migration, 'migrations applied');

  const reports = options.seed
    ? await seedNewDatabase(database.pool, layerDefinitions, config.seedDir)
    : null;
  for (const report of reports ?? []) log.info(report, 'layer seeded');
  return database;
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
 * taken) is one line without a stack trace; anything else is logged whole.
 */
export function exitAfterFailedStart(error: unknown): never {
  if (expectedFailures.some((type) => error instanceof type)) {
    const { message } = error as Error;
    log.fatal(`cannot start: ${message}`);
    console.error(`Simpul cannot start: ${message}`);
  } else {
    log.fatal({ err: error }, 'cannot start');
  }
  process.exit(1);
}
