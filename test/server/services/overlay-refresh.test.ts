import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshHazardExposure } from '../../../server/services/hazard-exposure-service.js';
import { insertRow } from '../../support/analysis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** Kroya: its hazard zones are enough overlay work for these tests, and quick to compute. */
const kecamatanKept = '33.01.06';

let testDatabase: TestDatabase;

/** Every stored overlay row, in a fixed order, with measures rounded to a millimetre. */
async function storedOverlays(pool: pg.Pool) {
  const areas = await pool.query(`SELECT overlay, zone_id, unit_id, round(area_m2::numeric, 3)
    FROM simpul_overlay_area ORDER BY 1, 2, 3`);
  const measures = await pool.query(`SELECT overlay, zone_id, unit_id, feature_id,
      round(amount::numeric, 3)
    FROM simpul_overlay_measure ORDER BY 1, 2, 3, 4`);
  return { areas: areas.rows, measures: measures.rows };
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  await testDatabase.database.pool.query(
    `DELETE FROM hazard_zone
     WHERE NOT geom && (SELECT geom FROM kecamatan WHERE code = $1)`,
    [kecamatanKept],
  );
});

afterAll(() => testDatabase?.drop());

describe('stored exposure overlays', () => {
  it('are computed once, then refreshed only for the rows an edit touched', async () => {
    const { pool } = testDatabase.database;
    const first = await refreshHazardExposure(pool);

    const unchanged = await refreshHazardExposure(pool);
    await pool.query(
      `UPDATE road_segment SET geom = ST_Multi(ST_Translate(geom, 0.001, 0))
       WHERE id = (SELECT min(id) FROM road_segment WHERE geom && (SELECT ST_Union(geom)
         FROM hazard_zone))`,
    );
    const afterEdit = await refreshHazardExposure(pool);

    expect(first.storedPieces).toBeGreaterThan(100);
    expect(unchanged).toEqual({ changedRows: 0, storedPieces: 0 });
    // One road, in the road overlay only, stored again in the few zones it crosses.
    expect(afterEdit.changedRows).toBe(1);
    expect(afterEdit.storedPieces).toBeGreaterThan(0);
    expect(afterEdit.storedPieces).toBeLessThan(first.storedPieces / 10);
  });

  it('after edits, inserts and deletes hold what a computation from scratch holds', async () => {
    const { pool } = testDatabase.database;
    await refreshHazardExposure(pool);
    await pool.query(`UPDATE hazard_zone SET geom = ST_Multi(ST_Buffer(geom, -0.002))
      WHERE id = (SELECT min(id) FROM hazard_zone)`);
    await pool.query(
      `UPDATE desa SET geom = ST_Multi(ST_Buffer(geom, 0.001))
      WHERE kecamatan_code = $1 AND id = (SELECT min(id) FROM desa WHERE kecamatan_code = $1)`,
      [kecamatanKept],
    );
    await pool.query('DELETE FROM bridge WHERE id = (SELECT min(id) FROM bridge)');
    await insertRow(
      pool,
      'hazard_zone',
      { hazard_type: 'banjir', hazard_class: 'tinggi', source: 'uji' },
      {
        type: 'Polygon',
        coordinates: [
          [
            [109.2, -7.65],
            [109.25, -7.65],
            [109.25, -7.6],
            [109.2, -7.65],
          ],
        ],
      },
    );

    await refreshHazardExposure(pool);
    const incremental = await storedOverlays(pool);
    await pool.query('DELETE FROM simpul_overlay_source');
    await refreshHazardExposure(pool);
    const fromScratch = await storedOverlays(pool);

    expect(incremental.areas.length).toBeGreaterThan(0);
    expect(incremental).toEqual(fromScratch);
  });

  it('serialises concurrent refreshes, so an edit is computed once', async () => {
    const { pool } = testDatabase.database;
    await refreshHazardExposure(pool);
    await pool.query(`UPDATE hazard_zone SET geom = ST_Multi(ST_Buffer(geom, 0.001))
      WHERE id = (SELECT max(id) FROM hazard_zone)`);

    const reports = await Promise.all([refreshHazardExposure(pool), refreshHazardExposure(pool)]);

    const changed = reports.map((r) => r.changedRows).sort((a, b) => a - b);
    expect(changed[0]).toBe(0);
    expect(changed[1]).toBeGreaterThan(0);
  });
});
