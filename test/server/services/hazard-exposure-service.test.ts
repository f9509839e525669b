import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getHazardExposure,
  type HazardExposure,
} from '../../../server/services/hazard-exposure-service.js';
import { insertRow, line } from '../../support/analysis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import {
  meridianLengthM,
  rectangle,
  rectangleAreaHa,
  type LonLatBox,
} from '../../support/ellipsoid.js';

// A hand-made kecamatan at sea, of two desa of equal area side by side.
const kecamatanCell: LonLatBox = [108.6, -8.32, 108.62, -8.3];
const desaWestCell: LonLatBox = [108.6, -8.32, 108.61, -8.3];
const desaEastCell: LonLatBox = [108.61, -8.32, 108.62, -8.3];
const kecamatanCode = '33.99.01';
const population2016 = 1000;
const population2012 = 800;

/** A flood zone exactly the western desa; a tsunami zone over the western half of the eastern. */
const floodCell = desaWestCell;
const tsunamiCell: LonLatBox = [108.61, -8.32, 108.615, -8.3];

/** A road wholly in the flood zone, and one that leaves the kecamatan southwards halfway. */
const roadInside = line([108.605, -8.318], [108.605, -8.302]);
const roadHalfOut = line([108.607, -8.33], [108.607, -8.31]);
const canalInTsunamiZone = line([108.612, -8.318], [108.612, -8.302]);

let testDatabase: TestDatabase;

async function insertRoad(code: string, geometry: object, condition: string) {
  const { pool } = testDatabase.database;
  const values = { segment_code: code, road_number: code, name: code, status: 'kabupaten' };
  await insertRow(pool, 'road_segment', values, geometry);
  const survey = { segment_code: code, survey_date: '2024-06-01', condition_class: condition };
  await insertRow(pool, 'road_condition_survey', survey);
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { pool } = testDatabase.database;
  await pool.query('DELETE FROM hazard_zone');

  const kecamatan = {
    code: kecamatanCode,
    name: 'Kecamatan Uji',
    population_2016: population2016,
    population_2012: population2012,
  };
  await insertRow(pool, 'kecamatan', kecamatan, rectangle(kecamatanCell));
  for (const [code, cell] of [
    ['33.99.01.2001', desaWestCell],
    ['33.99.01.2002', desaEastCell],
  ] as const) {
    const desa = { code, name: `Desa ${code}`, type: 'desa', kecamatan_code: kecamatanCode };
    await insertRow(pool, 'desa', desa, rectangle(cell));
  }
  const flood = { hazard_type: 'banjir', hazard_class: 'tinggi', source: 'uji' };
  await insertRow(pool, 'hazard_zone', flood, rectangle(floodCell));
  const tsunami = { hazard_type: 'tsunami', hazard_class: 'sedang', source: 'uji' };
  await insertRow(pool, 'hazard_zone', tsunami, rectangle(tsunamiCell));

  await insertRoad('UJI-1', roadInside, 'baik');
  await insertRoad('UJI-2', roadHalfOut, 'rusak_berat');
  const bridge = { bridge_number: 'UJI-B1', name: 'Jembatan Uji' };
  await insertRow(pool, 'bridge', bridge, { type: 'Point', coordinates: [108.605, -8.31] });
  const structure = { code: 'UJI-S1', name: 'Bendung Uji', structure_type: 'bendung' };
  await insertRow(pool, 'irrigation_structure', structure, {
    type: 'Point',
    coordinates: [108.603, -8.31],
  });
  const canal = {
    code: 'UJI-C1',
    name: 'Saluran Uji',
    canal_class: 'sekunder',
    flow_type: 'supply',
  };
  await insertRow(pool, 'irrigation_canal', canal, canalInTsunamiZone);
  const shelter = { name: 'TES Uji', type: 'titik_kumpul', capacity: 300 };
  await insertRow(pool, 'evacuation_point', shelter, {
    type: 'Point',
    coordinates: [108.612, -8.31],
  });
});

afterAll(() => testDatabase?.drop());

function findHazard(hazards: HazardExposure[], type: string, hazardClass: string) {
  const hazard = hazards.find((h) => h.hazardType === type && h.hazardClass === hazardClass);
  if (!hazard) throw new Error(`no exposure for ${type} ${hazardClass}`);
  return hazard;
}

describe('hazard exposure', () => {
  it('answers 503 with Retry-After past the statement timeout, not a 500', async () => {
    const impatient = new pg.Pool({ connectionString: testDatabase.url, statement_timeout: 1 });

    const error = await getHazardExposure(impatient).catch((e: unknown) => e);
    await impatient.end();

    expect(error).toMatchObject({ status: 503, type: 'analysis-timeout' });
    expect((error as { headers: Record<string, string> }).headers['Retry-After']).toBe('60');
  });

  it('counts the whole population of a desa fully inside a zone', async () => {
    const report = await getHazardExposure(testDatabase.database.pool);

    const flood = findHazard(report.hazards, 'banjir', 'tinggi');
    // Each desa holds half the kecamatan's people: their areas are equal.
    expect(flood.regency.population).toBe(population2016 / 2);
    expect(flood.units).toHaveLength(1);
    expect(flood.units[0]).toMatchObject({ code: kecamatanCode, name: 'Kecamatan Uji' });
  });

  it('counts half the population of a desa half inside a zone', async () => {
    const report = await getHazardExposure(testDatabase.database.pool);

    expect(findHazard(report.hazards, 'tsunami', 'sedang').regency.population).toBe(
      population2016 / 4,
    );
  });

  it('measures road length in a zone per condition, cut at zone and kecamatan edges', async () => {
    const report = await getHazardExposure(testDatabase.database.pool);

    const flood = findHazard(report.hazards, 'banjir', 'tinggi').regency;
    const insideKm = meridianLengthM(-8.318, -8.302) / 1000;
    const halfOutKm = meridianLengthM(-8.32, -8.31) / 1000;
    expect(flood.roadKmByCondition.baik).toBeCloseTo(insideKm, 3);
    expect(flood.roadKmByCondition.rusak_berat).toBeCloseTo(halfOutKm, 3);
    expect(flood.roadKm).toBeCloseTo(insideKm + halfOutKm, 3);
  });

  it('counts bridges, irrigation structures, canal length and evacuation points', async () => {
    const report = await getHazardExposure(testDatabase.database.pool);

    const flood = findHazard(report.hazards, 'banjir', 'tinggi').regency;
    const tsunami = findHazard(report.hazards, 'tsunami', 'sedang').regency;
    expect(flood).toMatchObject({ bridges: 1, irrigationStructures: 1, evacuationPoints: 0 });
    expect(tsunami).toMatchObject({ bridges: 0, evacuationPoints: 1, evacuationCapacity: 300 });
    expect(tsunami.canalKm).toBeCloseTo(meridianLengthM(-8.318, -8.302) / 1000, 3);
  });

  it('counts the common part of two overlapping zones of one type and class once', async () => {
    const { pool } = testDatabase.database;
    // A second high flood zone over the eastern part of the western desa and the western half
    // of the eastern desa: with the first, the flood covers three quarters of the kecamatan.
    const secondFloodCell: LonLatBox = [108.604, -8.32, 108.615, -8.3];
    const flood = { hazard_type: 'banjir', hazard_class: 'tinggi', source: 'uji' };
    const id = await insertRow(pool, 'hazard_zone', flood, rectangle(secondFloodCell));

    try {
      const report = await getHazardExposure(pool);

      const figures = findHazard(report.hazards, 'banjir', 'tinggi').regency;
      const unionCell: LonLatBox = [108.6, -8.32, 108.615, -8.3];
      expect(figures.population).toBe((population2016 * 3) / 4);
      expect(figures.areaHa).toBeCloseTo(rectangleAreaHa(unionCell), 1);
      expect(figures.roadKmByCondition.baik).toBeCloseTo(meridianLengthM(-8.318, -8.302) / 1000, 3);
      expect(figures.roadKmByCondition.rusak_berat).toBeCloseTo(
        meridianLengthM(-8.32, -8.31) / 1000,
        3,
      );
      expect(figures).toMatchObject({ bridges: 1, irrigationStructures: 1 });
      expect(figures.canalKm).toBeCloseTo(meridianLengthM(-8.318, -8.302) / 1000, 3);
    } finally {
      await pool.query('DELETE FROM hazard_zone WHERE id = $1', [id]);
    }
  });

  it('uses the asked population year and states the method', async () => {
    const report = await getHazardExposure(testDatabase.database.pool, '2012');

    expect(report.populationYear).toBe(2012);
    expect(findHazard(report.hazards, 'banjir', 'tinggi').regency.population).toBe(
      population2012 / 2,
    );
    expect(report.method.en).toContain('share of the desa area inside the hazard zone');
    expect(report.method.id).toContain('2012');
  });

  it('refuses a year without population figures, naming those with', async () => {
    const exposure = getHazardExposure(testDatabase.database.pool, '1999');

    await expect(exposure).rejects.toMatchObject({ status: 400, type: 'invalid-year' });
    await expect(exposure).rejects.toThrow(/2016/);
  });

  it('answers from the current data: a grown zone shows in the next answer', async () => {
    const { pool } = testDatabase.database;
    await pool.query(
      `UPDATE hazard_zone SET geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))
       WHERE hazard_type = 'tsunami'`,
      [JSON.stringify(rectangle(desaEastCell))],
    );

    const report = await getHazardExposure(testDatabase.database.pool);

    expect(findHazard(report.hazards, 'tsunami', 'sedang').regency.population).toBe(
      population2016 / 2,
    );
  });

  it('reuses the last result while the data stay unchanged, recomputes after an edit', async () => {
    const { pool } = testDatabase.database;
    await getHazardExposure(pool);

    const repeated = await getHazardExposure(pool);
    await pool.query("UPDATE bridge SET name = 'Jembatan Uji Baru' WHERE bridge_number = 'UJI-B1'");
    const edited = await getHazardExposure(pool);

    expect(repeated.reused).toBe(true);
    expect(edited.reused).toBe(false);
  });

  it('answers from the current desa: a shrunk desa shows in the next answer', async () => {
    const { pool } = testDatabase.database;
    const westThird: LonLatBox = [108.6, -8.32, 108.605, -8.3];
    await pool.query(
      `UPDATE desa SET geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))
       WHERE code = '33.99.01.2001'`,
      [JSON.stringify(rectangle(westThird))],
    );

    const report = await getHazardExposure(pool);

    // The western desa now holds a third of the kecamatan's area, so a third of its people.
    const flood = findHazard(report.hazards, 'banjir', 'tinggi').regency;
    expect(flood.population).toBe(Math.round(population2016 / 3));
    expect(flood.areaHa).toBeCloseTo(rectangleAreaHa(westThird), 1);
  });

  it('answers from the current data: a deleted zone leaves the next answer', async () => {
    const { pool } = testDatabase.database;
    await pool.query("DELETE FROM hazard_zone WHERE hazard_type = 'tsunami'");

    const report = await getHazardExposure(pool);

    expect(report.hazards.map((h) => h.hazardType)).toEqual(['banjir']);
  });
});
