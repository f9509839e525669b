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

  it('hold text declaring no maxLength to 4000 characters in its table', async () => {
    const { pool } = testDatabase.database;
    const desa = layerDefinitions.find((l) => l.id === 'desa')!;
    expect(desa.attributes.find((a) => a.name === 'name')?.maxLength).toBeUndefined();
    const rename = (length: number) => `UPDATE desa SET name = repeat('a', ${length})`;
    const client = await pool.connect();

    try {
      await client.query('BEGIN');
      await expect(client.query(rename(4000))).resolves.toBeTruthy();
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    await expect(pool.query(rename(4001))).rejects.toThrow(/desa_name_text_limit/);
  });

  it('migrate a table holding a longer text stored before, keeping it', async () => {
    const { pool } = testDatabase.database;
    const evacuation = layerDefinitions.find((l) => l.id === 'evacuation_point')!;
    const [{ id }] = (await pool.query('SELECT min(id) AS id FROM evacuation_point')).rows;
    const constraint = 'evacuation_point_name_text_limit';
    const rename = (name: string, where = 'id = $1') =>
      pool.query(`UPDATE evacuation_point SET name = ${name} WHERE ${where}`, [id]);
    const outdate = () =>
      pool.query("UPDATE simpul_layer_schema SET checksum = 'older' WHERE layer_id = $1", [
        evacuation.id,
      ]);
    const validated = async () => {
      const sql = 'SELECT convalidated FROM pg_constraint WHERE conname = $1';
      return (await pool.query(sql, [constraint])).rows[0]?.convalidated as boolean | undefined;
    };
    await pool.query(`ALTER TABLE evacuation_point DROP CONSTRAINT IF EXISTS ${constraint}`);
    await rename(`repeat('b', 5000)`);
    await outdate();

    const report = await migrate(pool, [evacuation]);
    const lengthSql = 'SELECT length(name) AS n FROM evacuation_point WHERE id = $1';
    const kept = await pool.query(lengthSql, [id]);
    const longer = await rename(`repeat('c', 4001)`, 'id <> $1').catch((error: Error) => error);
    const whileLong = await validated();
    await rename("'Titik kumpul'");
    await outdate();
    await migrate(pool, [evacuation]);

    expect(report.layersMigrated).toHaveLength(1);
    expect(kept.rows[0].n).toBe(5000);
    expect(String(longer)).toContain(constraint);
    expect(whileLong).toBe(false);
    expect(await validated()).toBe(true);
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
