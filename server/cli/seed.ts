import { layerDefinitions } from '../../layers/index.js';
import { config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/pool.js';
import { seedLayers } from '../services/seed-service.js';
import { exitAfterFailedStart } from '../startup.js';

/** `npm run seed`: loads the regency's seeds (idempotent) and reports every rejected row. */
const database = await openDatabase().catch(exitAfterFailedStart);
try {
  await migrate(database.pool, layerDefinitions);
  const reports = await seedLayers(database.pool, layerDefinitions, config.seedDir);
  for (const r of reports) {
    const outcome =
      r.skipped ?? `${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`;
    console.log(`${r.layerId}: ${outcome}`);
    for (const rejection of r.rejected)
      console.log(`  not loaded: ${rejection.row}: ${rejection.reason}`);
  }
} finally {
  await database.close();
}
