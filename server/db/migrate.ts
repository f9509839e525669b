import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import { coreMigrations } from './migrations/core.js';
import { layerSchemaStatements, schemaChecksum } from './migrations/layer-schema.js';

/** What a migration run changed; empty lists mean the database was already current. */
export interface MigrationReport {
  coreApplied: string[];
  layersMigrated: { layerId: string; version: number }[];
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

/**
 * Brings the database to the code: the numbered core migrations, then each layer's table to
 * its declaration. A layer whose declaration checksum is recorded is left alone, so a second
 * run changes nothing. Each step runs in its own transaction.
 */
export async function migrate(pool: pg.Pool, layers: readonly LayerDefinition[]) {
  const report: MigrationReport = {
    coreApplied: await applyCoreMigrations(pool),
    layersMigrated: [],
  };
  for (const layer of layers) {
    const version = await migrateLayer(pool, layer);
    if (version !== undefined) report.layersMigrated.push({ layerId: layer.id, version });
  }
  return report;
}
