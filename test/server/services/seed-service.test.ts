import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { seedLayers, seedNewDatabase } from '../../../server/services/seed-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const expectedKecamatan = [
  ['33.01.01', 'Kedungreja'],
  ['33.01.02', 'Kesugihan'],
  ['33.01.03', 'Adipala'],
  ['33.01.04', 'Binangun'],
  ['33.01.05', 'Nusawungu'],
  ['33.01.06', 'Kroya'],
  ['33.01.07', 'Maos'],
  ['33.01.08', 'Jeruklegi'],
  ['33.01.09', 'Kawunganten'],
  ['33.01.10', 'Gandrungmangu'],
  ['33.01.11', 'Sidareja'],
  ['33.01.12', 'Karangpucung'],
  ['33.01.13', 'Cimanggu'],
  ['33.01.14', 'Majenang'],
  ['33.01.15', 'Wanareja'],
  ['33.01.16', 'Dayeuhluhur'],
  ['33.01.17', 'Sampang'],
  ['33.01.18', 'Cipari'],
  ['33.01.19', 'Patimuan'],
  ['33.01.20', 'Bantarsari'],
  ['33.01.21', 'Cilacap Selatan'],
  ['33.01.22', 'Cilacap Tengah'],
  ['33.01.23', 'Cilacap Utara'],
  ['33.01.24', 'Kampung Laut'],
];

// Seeding every layer again, row by row against what is stored, takes tens of seconds on a
// busy machine.
describe('the Cilacap seeds', { timeout: 180000 }, () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('hold one regency, 24 kecamatan and 284 desa and kelurahan', async () => {
    const { pool } = testDatabase.database;

    const counts = await pool.query(`SELECT (SELECT count(*) FROM regency) AS regency,
      (SELECT count(*) FROM kecamatan) AS kecamatan, (SELECT count(*) FROM desa) AS desa,
      (SELECT count(*) FROM desa WHERE type = 'kelurahan') AS kelurahan`);

    expect(counts.rows[0]).toEqual({ regency: 1, kecamatan: 24, desa: 284, kelurahan: 15 });
  });

  it('give every kecamatan its Kemendagri code and name', async () => {
    const { pool } = testDatabase.database;

    const rows = await pool.query('SELECT code, name FROM kecamatan ORDER BY code');

    expect(rows.rows.map((r) => [r.code, r.name])).toEqual(expectedKecamatan);
  });

  it('join the BPS profile by code, keeping an unreadable figure empty', async () => {
    const { pool } = testDatabase.database;

    const kroya = await pool.query(
      "SELECT population_2014, population_2015, elevation_m, area_ha_official FROM kecamatan WHERE code = '33.01.06'",
    );

    expect(kroya.rows[0]).toEqual({
      population_2014: 103947,
      population_2015: null,
      elevation_m: 10,
      area_ha_official: 5883.39,
    });
  });

  it('compute areas on the ellipsoid in hectares', async () => {
    const { pool } = testDatabase.database;

    const regency = await pool.query(
      'SELECT area_ha, ST_Area(ST_Transform(geom, 32749)) / 10000 AS utm_ha FROM regency',
    );

    // SOURCES.md gives 2333.77 km² from turf, which measures on a sphere of the equatorial
    // radius and so reads about 0.4% high; UTM 49S is an independent check within 0.1%.
    const { area_ha: areaHa, utm_ha: utmHa } = regency.rows[0];
    expect(Math.abs(areaHa - utmHa) / utmHa).toBeLessThan(0.001);
    expect(areaHa).toBeGreaterThan(232000);
    expect(areaHa).toBeLessThan(233377);
  });

  it('load again without change and report the profile row that cannot be joined', async () => {
    const { pool } = testDatabase.database;

    const reports = await seedLayers(pool, layerDefinitions, path.resolve('seeds/cilacap'));

    const kecamatan = reports.find((r) => r.layerId === 'kecamatan')!;
    const changed = reports.filter((r) => r.inserted > 0 || r.updated > 0);
    expect(reports.slice(0, 3).map((r) => r.layerId)).toEqual(['regency', 'kecamatan', 'desa']);
    expect(changed.map((r) => r.layerId)).toEqual([]);
    expect(kecamatan.unchanged).toBe(24);
    expect(kecamatan.rejected).toEqual([
      expect.objectContaining({
        row: expect.stringContaining('Pulau Nusa Kambangan'),
      }),
    ]);
  });

  it('leave a seeded database alone at start', async () => {
    const { pool } = testDatabase.database;

    const reports = await seedNewDatabase(pool, layerDefinitions, path.resolve('seeds/cilacap'));

    expect(reports).toBeNull();
  });

  it('finish at start the seeding of a start that was stopped half-way', async () => {
    const { pool } = testDatabase.database;
    // A start stopped after the administrative layers: its marker, and the layers after empty.
    await pool.query(
      `INSERT INTO simpul_seed_log (layer_id, seed_dir, inserted, updated, seeded_at)
       VALUES ('(start-up seeding begun)', 'cilacap', 0, 0, now() - interval '1 minute')`,
    );
    await pool.query('DELETE FROM plan_zone');

    const reports = await seedNewDatabase(pool, layerDefinitions, path.resolve('seeds/cilacap'));
    const again = await seedNewDatabase(pool, layerDefinitions, path.resolve('seeds/cilacap'));
    const zones = await pool.query('SELECT count(*)::int AS n FROM plan_zone');

    const planZone = reports?.find((r) => r.layerId === 'plan_zone');
    expect(planZone?.inserted).toBeGreaterThan(100);
    expect(reports?.find((r) => r.layerId === 'kecamatan')?.unchanged).toBe(24);
    expect(zones.rows[0].n).toBe(planZone?.inserted);
    expect(again).toBeNull();
  });
});
