import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getIrrigationCondition,
  getRoadCondition,
  type RoadConditionReport,
} from '../../../server/services/condition-statistics-service.js';
import { insertRow, line } from '../../support/analysis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { meridianLengthM, rectangle, type LonLatBox } from '../../support/ellipsoid.js';

// Two hand-made kecamatan at sea, one north of the other.
const southKecamatan = { code: '33.99.02', cell: [108.6, -8.42, 108.62, -8.4] as LonLatBox };
const northKecamatan = { code: '33.99.03', cell: [108.6, -8.4, 108.62, -8.38] as LonLatBox };

/** Road A crosses from the southern kecamatan into the northern one along a meridian. */
const roadA = { code: 'UJI-A', from: -8.418, to: -8.39, lon: 108.605, status: 'kabupaten' };
const roadB = { code: 'UJI-B', from: -8.418, to: -8.402, lon: 108.61, status: 'kabupaten' };
const roadC = { code: 'UJI-C', from: -8.418, to: -8.405, lon: 108.615, status: 'desa' };

const kmOf = (south: number, north: number) => meridianLengthM(south, north) / 1000;
const aSouthKm = kmOf(roadA.from, -8.4);
const aNorthKm = kmOf(-8.4, roadA.to);
const bKm = kmOf(roadB.from, roadB.to);
const cKm = kmOf(roadC.from, roadC.to);

let testDatabase: TestDatabase;

async function insertRoad(road: typeof roadA, surveys: [string, string][]) {
  const { pool } = testDatabase.database;
  const values = {
    segment_code: road.code,
    road_number: road.code,
    name: road.code,
    status: road.status,
  };
  await insertRow(pool, 'road_segment', values, line([road.lon, road.from], [road.lon, road.to]));
  for (const [date, condition] of surveys) {
    const survey = { segment_code: road.code, survey_date: date, condition_class: condition };
    await insertRow(pool, 'road_condition_survey', survey);
  }
}

async function insertIrrigationFixtures() {
  const { pool } = testDatabase.database;
  const area = {
    code: 'DI-UJI',
    name: 'DI Uji',
    authority: 'kabupaten',
    potential_area_ha: 500,
    functional_area_ha: 400,
  };
  await insertRow(pool, 'irrigation_area', area, rectangle([108.7, -8.42, 108.72, -8.4]));

  for (const [code, lon, condition] of [
    ['UJI-C1', 108.705, 'baik'],
    ['UJI-C2', 108.71, 'rusak_berat'],
  ] as const) {
    const canal = {
      code,
      name: code,
      canal_class: 'sekunder',
      flow_type: 'supply',
      irrigation_area_code: 'DI-UJI',
    };
    await insertRow(pool, 'irrigation_canal', canal, line([lon, -8.418], [lon, -8.408]));
    await insertRow(pool, 'irrigation_canal_inspection', {
      code,
      inspection_date: '2024-03-01',
      condition_class: condition,
    });
  }
  for (const [code, condition, iksi] of [
    ['UJI-S1', 'baik', 80],
    ['UJI-S2', 'rusak_ringan', 60],
    ['UJI-S3', null, null],
  ] as const) {
    const structure = { code, name: code, structure_type: 'pintu', irrigation_area_code: 'DI-UJI' };
    await insertRow(pool, 'irrigation_structure', structure, {
      type: 'Point',
      coordinates: [108.71, -8.41],
    });
    if (condition) {
      const inspection = {
        code,
        inspection_date: '2024-03-01',
        condition_class: condition,
        iksi_score: iksi,
      };
      await insertRow(pool, 'irrigation_structure_inspection', inspection);
    }
  }
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { pool } = testDatabase.database;
  for (const unit of [southKecamatan, northKecamatan]) {
    await insertRow(
      pool,
      'kecamatan',
      { code: unit.code, name: `Uji ${unit.code}` },
      rectangle(unit.cell),
    );
  }
  await insertRoad(roadA, [
    ['2022-05-01', 'baik'],
    ['2023-05-01', 'rusak_ringan'],
  ]);
  await insertRoad(roadB, [['2023-07-01', 'sedang']]);
  await insertRoad(roadC, [['2022-08-01', 'rusak_berat']]);
  await insertIrrigationFixtures();
});

afterAll(() => testDatabase?.drop());

function unitIn(report: RoadConditionReport, year: number | null, code: string) {
  const period = report.periods.find((p) => p.year === year);
  const unit = period?.units.find((u) => u.code === code);
  if (!unit) throw new Error(`no figures for ${code} in ${year}`);
  return unit;
}

describe('condition statistics past the statement timeout', () => {
  it('answer 503 with Retry-After, for roads and irrigation, not a 500', async () => {
    const impatient = new pg.Pool({ connectionString: testDatabase.url, statement_timeout: 1 });

    const errors = [
      await getRoadCondition(impatient).catch((e: unknown) => e),
      await getIrrigationCondition(impatient).catch((e: unknown) => e),
    ];
    await impatient.end();

    for (const error of errors) {
      expect(error).toMatchObject({ status: 503, type: 'analysis-timeout' });
      expect((error as { headers: Record<string, string> }).headers['Retry-After']).toBe('60');
    }
  });
});

describe('road condition statistics', () => {
  it('matches road length per condition class with a sum done independently, cut at kecamatan edges', async () => {
    const report = await getRoadCondition(testDatabase.database.pool);

    const south = unitIn(report, null, southKecamatan.code);
    const north = unitIn(report, null, northKecamatan.code);
    expect(south.lengthKmByCondition.rusak_ringan).toBeCloseTo(aSouthKm, 3);
    expect(south.lengthKmByCondition.sedang).toBeCloseTo(bKm, 3);
    expect(south.lengthKmByCondition.rusak_berat).toBeCloseTo(cKm, 3);
    expect(south.totalKm).toBeCloseTo(aSouthKm + bKm + cKm, 3);
    expect(north.lengthKmByCondition).toEqual({ rusak_ringan: expect.closeTo(aNorthKm, 3) });
  });

  it('gives the kemantapan share of good and fair length', async () => {
    const report = await getRoadCondition(testDatabase.database.pool);

    const south = unitIn(report, null, southKecamatan.code);
    expect(south.mantapKm).toBeCloseTo(bKm, 3);
    expect(south.kemantapan).toBeCloseTo(bKm / (aSouthKm + bKm + cKm), 3);
    expect(unitIn(report, null, northKecamatan.code).kemantapan).toBe(0);
  });

  it('gives each survey year the latest survey up to its end, and unsurveyed length as unknown', async () => {
    const report = await getRoadCondition(testDatabase.database.pool);

    const in2022 = unitIn(report, 2022, southKecamatan.code);
    expect(in2022.lengthKmByCondition.baik).toBeCloseTo(aSouthKm, 3);
    expect(in2022.lengthKmByCondition.rusak_berat).toBeCloseTo(cKm, 3);
    expect(in2022.lengthKmByCondition.unknown).toBeCloseTo(bKm, 3);
    expect(in2022.kemantapan).toBeCloseTo(aSouthKm / (aSouthKm + cKm), 3);
    const in2023 = unitIn(report, 2023, southKecamatan.code);
    expect(in2023.lengthKmByCondition.rusak_ringan).toBeCloseTo(aSouthKm, 3);
    expect(in2023.lengthKmByCondition.unknown).toBeUndefined();
  });

  it('counts only the asked road statuses', async () => {
    const report = await getRoadCondition(testDatabase.database.pool, 'kabupaten');

    const south = unitIn(report, null, southKecamatan.code);
    expect(report.statuses).toEqual(['kabupaten']);
    expect(south.totalKm).toBeCloseTo(aSouthKm + bKm, 3);
    expect(south.lengthKmByCondition.rusak_berat).toBeUndefined();
  });

  it('refuses an unknown road status, naming the known ones', async () => {
    const statistics = getRoadCondition(testDatabase.database.pool, 'jalan_tol');

    await expect(statistics).rejects.toMatchObject({ status: 400, type: 'invalid-status' });
    await expect(statistics).rejects.toThrow(/kabupaten/);
  });

  it('sums the regency as the sum of its kecamatan', async () => {
    const report = await getRoadCondition(testDatabase.database.pool);

    for (const period of report.periods) {
      const unitsKm = period.units.reduce((sum, unit) => sum + unit.totalKm, 0);
      expect(period.regency.totalKm).toBeCloseTo(unitsKm, 1);
    }
  });
});

describe('irrigation condition statistics', () => {
  it('gives canal length per condition and the good share of each irrigation area', async () => {
    const report = await getIrrigationCondition(testDatabase.database.pool);

    const area = report.areas.find((a) => a.code === 'DI-UJI');
    const canalKm = kmOf(-8.418, -8.408);
    expect(area).toMatchObject({ name: 'DI Uji', potentialAreaHa: 500, functionalAreaHa: 400 });
    expect(area!.canalKmByCondition.baik).toBeCloseTo(canalKm, 3);
    expect(area!.canalKmByCondition.rusak_berat).toBeCloseTo(canalKm, 3);
    expect(area!.canalGoodShare).toBeCloseTo(0.5, 3);
  });

  it('counts structures per condition and averages the IKSI scores recorded', async () => {
    const report = await getIrrigationCondition(testDatabase.database.pool);

    const area = report.areas.find((a) => a.code === 'DI-UJI')!;
    expect(area.structures).toBe(3);
    expect(area.structuresByCondition).toEqual({ baik: 1, rusak_ringan: 1, unknown: 1 });
    expect(area.iksiMean).toBe(70);
    expect(area.iksiCount).toBe(2);
  });
});
