import { layerDefinitions } from '../../layers/index.js';
import { config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/pool.js';
import { seedLayers } from '../services/seed-service.js';
import { abortOnStopSignals, exitAfterFailedStart, exitIfStopped } from '../startup.js';
import { readHelpOnly } from './command-line.js';

const usage = `Usage: npm run seed

Loads the regency's seeds (SIMPUL_SEED_DIR, else seeds/<SIMPUL_REGENCY>) into the database,
migrating it first: rows already there are updated or left unchanged, so running it again is
safe. Prints per layer what was inserted, updated and unchanged, and every row not loaded.
Ctrl-C or SIGTERM stops it once the layer it loads is done (exit 1); run it again to finish.
Uses DATABASE_URL, or the embedded database in SIMPUL_DATA_DIR (stop the server first).

  -h, --help  this help`;

readHelpOnly('seed', usage);

async function seedAndReport(database: Database, signal: AbortSignal) {
  await migrate(database.pool, layerDefinitions);
  const reports = await seedLayers(database.pool, layerDefinitions, config.seedDir, signal);
  for (const r of reports) {
    const outcome =
      r.skipped ?? `${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`;
    console.log(`${r.layerId}: ${outcome}`);
    for (const rejection of r.rejected)
      console.log(`  not loaded: ${rejection.row}: ${rejection.reason}`);
  }
}

/**
 * `npm run seed`: loads the regency's seeds (idempotent) and reports every rejected row. Ctrl-C
 * or SIGTERM stops it before the next layer, the database closed, with exit code 1; running it
 * again finishes the seeding.
 */
const stopping = abortOnStopSignals('the layer being seeded is loaded');
const database = await openDatabase(config.databaseUrl, stopping.signal)
  .catch((error: unknown) => exitIfStopped(error, 1))
  .catch(exitAfterFailedStart);
await seedAndReport(database, stopping.signal)
  .finally(() => database.close())
  .catch((error: unknown) => exitIfStopped(error, 1));
