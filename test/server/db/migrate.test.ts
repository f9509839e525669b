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
});
