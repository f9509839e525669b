import { layerDefinitions } from '../layers/index.js';
import { config } from './config.js';
import { migrate } from './db/migrate.js';
import { openDatabase, type Database } from './db/pool.js';
import { log } from './log.js';
import { isDatabaseEmpty, seedLayers } from './services/seed-service.js';

/**
 * Opens the database, logs what it is, runs the migrations and seeds an empty database, so
 * that `npm start` on a new machine ends with a working platform.
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

  if (options.seed && (await isDatabaseEmpty(database.pool, layerDefinitions))) {
    const reports = await seedLayers(database.pool, layerDefinitions, config.seedDir);
    for (const report of reports) log.info(report, 'layer seeded');
  }
  return database;
}
