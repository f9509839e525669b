import path from 'node:path';
import type pg from 'pg';
import {
  recordTables,
  type LayerDefinition,
  type RecordTableDefinition,
} from '../../layers/index.js';
import type { RecordSeedSources } from '../../seeds/types/seed-source.js';
import { countRecords, insertRecords } from '../db/queries/records.js';
import type { LayerSeedReport } from './seed-service.js';

async function seedRecordTable(
  pool: pg.Pool,
  table: RecordTableDefinition,
  read: RecordSeedSources[string],
  seedDir: string,
): Promise<LayerSeedReport> {
  const report: LayerSeedReport = {
    layerId: table.id,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
  };
  // Records have no key the seeds could be matched by, so a table is seeded only while empty.
  if ((await countRecords(pool, table)) > 0)
    return { ...report, skipped: 'the record table already holds records' };

  const batch = await read(seedDir);
  report.rejected = batch.rejected;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    report.inserted = await insertRecords(client, table, batch.records);
    await client.query(
      `INSERT INTO simpul_seed_log (layer_id, seed_dir, inserted, updated, rejected)
       VALUES ($1, $2, $3, 0, $4)`,
      [table.id, path.basename(seedDir), report.inserted, JSON.stringify(report.rejected)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return report;
}

/**
 * Loads the seeded records of every record table that has a source and whose parent layer is
 * among `layers` (those layers must be seeded first: records refer to their features by key).
 * The reports carry the table id in `layerId`.
 */
export async function seedRecordTables(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  sources: RecordSeedSources,
  seedDir: string,
) {
  const layerIds = new Set(layers.map((layer) => layer.id));
  const reports: LayerSeedReport[] = [];
  for (const table of recordTables) {
    const read = sources[table.id];
    if (!read || (table.parent && !layerIds.has(table.parent.layerId))) continue;
    reports.push(await seedRecordTable(pool, table, read, seedDir));
  }
  return reports;
}
