import type pg from 'pg';
import {
  recordTables,
  type LayerDefinition,
  type RecordTableDefinition,
} from '../../layers/index.js';
import { coreMigrations } from './migrations/core.js';
import { layerSchemaStatements, schemaChecksum } from './migrations/layer-schema.js';
import { recordSchemaChecksum, recordTableStatements } from './migrations/record-schema.js';

/** What a migration run changed; empty lists mean the database was already current. */
export interface MigrationReport {
  coreApplied: string[];
  layersMigrated: { layerId: string; version: number }[];
  recordTablesMigrated: { tableId: string; version: number }[];
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function applyCoreMigrations(pool: pg.Pool): Promise<string[]> {
  await pool.query(`CREATE TABLE IF NOT EXISTS simpul_migration (
    id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = await pool.query<{ id: string }>('SELECT id FROM simpul_migration');
  const doneIds = new Set(done.rows.map((row) => row.id));

  const applied: string[] = [];
  for (const migration of coreMigrations.filter((m) => !doneIds.has(m.id))) {
    await inTransaction(pool, async (client) => {
      await client.query(migration.sql);
      await client.query('INSERT INTO simpul_migration (id) VALUES ($1)', [migration.id]);
    });
    applied.push(migration.id);
  }
  return applied;
}

async function migrateLayer(pool: pg.Pool, layer: LayerDefinition): Promise<number | undefined> {
  const checksum = schemaChecksum(layer);
  const current = await pool.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM simpul_layer_schema WHERE layer_id = $1',
    [layer.id],
  );
  const recorded = current.rows[0];
  if (recorded?.checksum === checksum) return undefined;

  const version = (recorded?.version ?? 0) + 1;
  await inTransaction(pool, async (client) => {
    for (const statement of layerSchemaStatements(layer)) await client.query(statement);
    await client.query(
      `INSERT INTO simpul_layer_schema (layer_id, version, checksum, definition)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (layer_id) DO UPDATE
       SET version = $2, checksum = $3, definition = $4, applied_at = now()`,
      [layer.id, version, checksum, JSON.stringify(layer)],
    );
  });
  return version;
}

async function migrateRecordTable(
  pool: pg.Pool,
  table: RecordTableDefinition,
  parent?: LayerDefinition,
): Promise<number | undefined> {
  const checksum = recordSchemaChecksum(table, parent);
  const current = await pool.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM simpul_record_table_schema WHERE table_id = $1',
    [table.id],
  );
  const recorded = current.rows[0];
  if (recorded?.checksum === checksum) return undefined;

  const version = (recorded?.version ?? 0) + 1;
  await inTransaction(pool, async (client) => {
    for (const statement of recordTableStatements(table, parent)) await client.query(statement);
    await client.query(
      `INSERT INTO simpul_record_table_schema (table_id, version, checksum, definition)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (table_id) DO UPDATE
       SET version = $2, checksum = $3, definition = $4, applied_at = now()`,
      [table.id, version, checksum, JSON.stringify(table)],
    );
  });
  return version;
}

/** The record tables that can be migrated with these layers: their parent is among them. */
function recordTablesOf(layers: readonly LayerDefinition[]) {
  const layersById = new Map(layers.map((layer) => [layer.id, layer]));
  return recordTables
    .filter((table) => !table.parent || layersById.has(table.parent.layerId))
    .map((table) => ({ table, parent: table.parent && layersById.get(table.parent.layerId) }));
}

/**
 * Brings the database to the code: the numbered core migrations, then each layer's table to
 * its declaration, then the record tables whose parent layer is among `layers` (and those
 * without a parent). A layer whose declaration checksum is recorded is left alone, so a second
 * run changes nothing. Each step runs in its own transaction.
 */
export async function migrate(pool: pg.Pool, layers: readonly LayerDefinition[]) {
  const report: MigrationReport = {
    coreApplied: await applyCoreMigrations(pool),
    layersMigrated: [],
    recordTablesMigrated: [],
  };
  for (const layer of layers) {
    const version = await migrateLayer(pool, layer);
    if (version !== undefined) report.layersMigrated.push({ layerId: layer.id, version });
  }
  for (const { table, parent } of recordTablesOf(layers)) {
    const version = await migrateRecordTable(pool, table, parent);
    if (version !== undefined) report.recordTablesMigrated.push({ tableId: table.id, version });
  }
  return report;
}
