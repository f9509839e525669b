import { layerDefinitions } from '../../layers/index.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/pool.js';
import { exitAfterFailedStart } from '../startup.js';

/** `npm run migrate`: brings the database to the layer declarations and prints what changed. */
const database = await openDatabase().catch(exitAfterFailedStart);
try {
  const report = await migrate(database.pool, layerDefinitions);
  const changed =
    report.coreApplied.length + report.layersMigrated.length + report.recordTablesMigrated.length;
  console.log(changed === 0 ? 'Database already current.' : JSON.stringify(report, null, 2));
} finally {
  await database.close();
}
