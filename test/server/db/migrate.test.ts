import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { migrate } from '../../../server/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

describe('migrations derived from the layer declarations', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('change nothing when run again on a current database', async () => {
    const { pool } = testDatabase.database;

    const first = await migrate(pool, layerDefinitions);
    const second = await migrate(pool, layerDefinitions);

    const unchanged = { coreApplied: [], layersMigrated: [], recordTablesMigrated: [] };
    expect(first).toEqual(unchanged);
    expect(second).toEqual(unchanged);
  });

  it('enforce a coded-value domain with a check constraint', async () => {
    const { pool } = testDatabase.database;

    const attempt = pool.query("UPDATE desa SET type = 'kota' WHERE code = '33.01.01.2001'");

    await expect(attempt).rejects.toThrow(/desa_type_check/);
  });

  it('migrate a changed declaration to a new version, then rest', async () => {
    const { pool } = testDatabase.database;
    const desa = layerDefinitions.find((l) => l.id === 'desa')!;
    const extra = { name: 'note', type: 'text', titleId: 'Catatan', titleEn: 'Note' } as const;
    const changed = { ...desa, attributes: [...desa.attributes, extra] };

    const report = await migrate(pool, [changed]);
    const again = await migrate(pool, [changed]);
    const columns = await pool.query(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'desa' AND column_name = 'note'",
    );

    expect(report.layersMigrated).toEqual([{ layerId: 'desa', version: 2 }]);
    expect(again.layersMigrated).toEqual([]);
    expect(columns.rowCount).toBe(1);
  });

  it('replace a length computed by an older expression, keeping the metres', async () => {
    const { pool } = testDatabase.database;
    const roads = layerDefinitions.find((l) => l.id === 'road_segment')!;
    const older = 'ST_Length(geom::geography)';
    await pool.query('ALTER TABLE road_segment DROP COLUMN length_m');
    await pool.query(
      `ALTER TABLE road_segment ADD COLUMN length_m double precision
         GENERATED ALWAYS AS (${older}) STORED`,
    );
    await pool.query("UPDATE simpul_layer_schema SET checksum = 'older' WHERE layer_id = $1", [
      roads.id,
    ]);
    const expression = async () =>
      (
        await pool.query<{ expression: string }>(
          `SELECT pg_get_expr(d.adbin, d.adrelid) AS expression
           FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
           WHERE d.adrelid = 'road_segment'::regclass AND a.attname = 'length_m'`,
        )
      ).rows[0]!.expression;
    const before = await expression();

    await migrate(pool, [roads]);

    const after = await expression();
    const drift = await pool.query<{ rows: number; worst: number }>(
      `SELECT count(*)::int AS rows, max(abs(length_m - ${older})) AS worst FROM road_segment`,
    );
    expect(before).toMatch(/geography/);
    expect(after).toMatch(/st_lengthspheroid/);
    expect(drift.rows[0]!.rows).toBeGreaterThan(0);
    expect(drift.rows[0]!.worst).toBeLessThan(1e-6);
  });
});
