import { layerDefinitions } from '../../layers/index.js';
import { config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/pool.js';
import { abortOnStopSignals, exitAfterFailedStart, exitIfStopped } from '../startup.js';
import { readHelpOnly } from './command-line.js';

const usage = `Usage: npm run migrate

Brings the database's tables to the layer declarations (core migrations, then each layer and
record table) and prints what changed, or "Database already current.". Start-up does the
same; this runs it alone, say after an upgrade. Ctrl-C or SIGTERM lets the migrations end.
Uses DATABASE_URL, or the embedded database in SIMPUL_DATA_DIR (stop the server first).

  -h, --help  this help`;

readHelpOnly('migrate', usage);

/**
 * `npm run migrate`: brings the database to the layer declarations and prints what changed.
 * Ctrl-C or SIGTERM lets the migrations end, then closes the database (PGlite's folder whole).
 */
const stopping = abortOnStopSignals('the migrations end');
const database = await openDatabase(config.databaseUrl, stopping.signal)
  .catch((error: unknown) => exitIfStopped(error, 1))
  .catch(exitAfterFailedStart);
try {
  const report = await migrate(database.pool, layerDefinitions);
  const changed =
    report.coreApplied.length + report.layersMigrated.length + report.recordTablesMigrated.length;
  console.log(changed === 0 ? 'Database already current.' : JSON.stringify(report, null, 2));
} finally {
  await database.close();
}
