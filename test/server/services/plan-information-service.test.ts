import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getPlanInformation,
  getPlanInformationMap,
  listPlanActivities,
} from '../../../server/services/plan-information-service.js';
import { parsePlace } from '../../../server/services/place-input.js';
import { insertRow } from '../../support/analysis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { rectangle, rectangleAreaHa, type LonLatBox } from '../../support/ellipsoid.js';

// Hand-made zones at sea south of the regency, 0.01° (about 1.1 km) wide, side by side.
const settlementCell: LonLatBox = [108.8, -8.11, 108.81, -8.1];
const forestCell: LonLatBox = [108.81, -8.11, 108.82, -8.1];
const farmCell: LonLatBox = [108.82, -8.11, 108.83, -8.1];
const industryCell: LonLatBox = [108.83, -8.11, 108.84, -8.1];

/** A parcel with its western half in the settlement zone and its eastern half in the forest. */
const parcelAcrossTwoZones: LonLatBox = [108.805, -8.108, 108.815, -8.102];
/** A tsunami zone covering the northern half of that parcel. */
const tsunamiOverNorthHalf: LonLatBox = [108.8, -8.105, 108.82, -8.1];

const regulation = 'Perda Kabupaten Uji Nomor 1 Tahun 2020';

function centre([west, south, east, north]: LonLatBox) {
  return parsePlace({ type: 'Point', coordinates: [(west + east) / 2, (south + north) / 2] });
}

let testDatabase: TestDatabase;

async function insertZone(cell: LonLatBox, zoneCode: string, kind: string, namobj: string) {
  const values = {
    zone_code: zoneCode,
    kind,
    namobj,
    regulation,
    period_start: 2020,
    period_end: 2040,
  };
  return insertRow(testDatabase.database.pool, 'plan_zone', values, rectangle(cell));
}

async function insertRule(zoneCode: string, rule: string, condition?: string) {
  const values = { zone_code: zoneCode, activity: 'perumahan', rule, condition: condition ?? null };
  await insertRow(testDatabase.database.pool, 'plan_activity_rule', values);
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { pool } = testDatabase.database;
  await pool.query('DELETE FROM plan_zone');
  await pool.query('DELETE FROM plan_activity_rule');
  await pool.query('DELETE FROM hazard_zone');

  await insertZone(settlementCell, 'permukiman_perdesaan', 'budidaya', 'Permukiman Perdesaan');
  await insertZone(forestCell, 'hutan_lindung', 'lindung', 'Hutan Lindung');
  await insertZone(farmCell, 'tanaman_pangan', 'budidaya', 'Tanaman Pangan');
  await insertZone(industryCell, 'peruntukan_industri', 'budidaya', 'Peruntukan Industri');
  await insertRule('permukiman_perdesaan', 'I');
  await insertRule('tanaman_pangan', 'T', 'Paling banyak 10% dari luas lahan');
  await insertRule('peruntukan_industri', 'B', 'Dengan izin khusus bupati');
  await insertRule('hutan_lindung', 'X');
  const hazard = { hazard_type: 'tsunami', hazard_class: 'tinggi', source: 'uji' };
  await insertRow(pool, 'hazard_zone', hazard, rectangle(tsunamiOverNorthHalf));
});

afterAll(() => testDatabase?.drop());

describe('plan information of a place', () => {
  it('splits a parcel across two zones into two rows of 50% with their hectares', async () => {
    const place = parsePlace(rectangle(parcelAcrossTwoZones));

    const info = await getPlanInformation(testDatabase.database.pool, place);

    const [west, south, east, north] = parcelAcrossTwoZones;
    const halfHa = rectangleAreaHa([west, south, (west + east) / 2, north]);
    expect(info.zones.map((z) => z.zoneCode).sort()).toEqual([
      'hutan_lindung',
      'permukiman_perdesaan',
    ]);
    for (const zone of info.zones) {
      expect(zone.share).toBeCloseTo(0.5, 4);
      expect(zone.areaHa).toBeCloseTo(halfHa, 2);
    }
    expect(info.place.areaHa).toBeCloseTo(2 * halfHa, 2);
    expect(info.outsideZonesShare).toBe(0);
  });

  it('counts the common part of two overlapping zones of one plan zone once', async () => {
    const { pool } = testDatabase.database;
    // The same settlement zone drawn twice: once whole, once over its eastern part.
    const overlapCell: LonLatBox = [108.803, -8.11, 108.81, -8.1];
    const settlement = ['permukiman_perdesaan', 'budidaya', 'Permukiman Perdesaan'] as const;
    const id = await insertZone(overlapCell, ...settlement);
    const hazard = { hazard_type: 'tsunami', hazard_class: 'tinggi', source: 'uji' };
    const hazardId = await insertRow(pool, 'hazard_zone', hazard, rectangle(tsunamiOverNorthHalf));

    try {
      const place = parsePlace(rectangle(parcelAcrossTwoZones));
      const info = await getPlanInformation(pool, place);

      const [west, south, east, north] = parcelAcrossTwoZones;
      const halfHa = rectangleAreaHa([west, south, (west + east) / 2, north]);
      const zone = info.zones.find((z) => z.zoneCode === 'permukiman_perdesaan')!;
      expect(info.zones).toHaveLength(2);
      expect(zone.share).toBeCloseTo(0.5, 4);
      expect(zone.areaHa).toBeCloseTo(halfHa, 2);
      expect(info.outsideZonesShare).toBe(0);
      const tsunami = info.warnings.find((w) => w.kind === 'hazard');
      expect(tsunami?.share).toBeCloseTo(0.5, 4);
    } finally {
      await pool.query('DELETE FROM plan_zone WHERE id = $1', [id]);
      await pool.query('DELETE FROM hazard_zone WHERE id = $1', [hazardId]);
    }
  });

  it('gives the zone code, name, regulation and period of the zone at a point', async () => {
    const info = await getPlanInformation(testDatabase.database.pool, centre(farmCell));

    expect(info.zones).toHaveLength(1);
    expect(info.zones[0]).toMatchObject({
      zoneCode: 'tanaman_pangan',
      name: 'Tanaman Pangan',
      regulation,
      periodStart: 2020,
      periodEnd: 2040,
      share: null,
      protected: false,
    });
    expect(info.zones[0]!.zoneLabel.id).toContain('Tanaman Pangan');
  });

  it.each([
    [settlementCell, 'I', 'Diizinkan', null],
    [farmCell, 'T', 'Terbatas', 'Paling banyak 10% dari luas lahan'],
    [industryCell, 'B', 'Bersyarat', 'Dengan izin khusus bupati'],
    [forestCell, 'X', 'Tidak diizinkan', null],
  ])(
    'answers the activity matrix rule of the zone (%#: %s)',
    async (cell, rule, label, condition) => {
      const info = await getPlanInformation(
        testDatabase.database.pool,
        centre(cell as LonLatBox),
        'perumahan',
      );

      expect(info.activity?.overall).toBe(rule);
      expect(info.activity?.overallLabel.id).toContain(label as string);
      expect(info.activity?.answers[0]?.condition?.id ?? null).toBe(condition);
      expect(info.activity?.activityLabel).toEqual({ id: 'Perumahan', en: 'Housing' });
    },
  );

  it('answers a parcel across zones with the strictest rule and each zone its own', async () => {
    const place = parsePlace(rectangle(parcelAcrossTwoZones));

    const info = await getPlanInformation(testDatabase.database.pool, place, 'perumahan');

    expect(info.activity?.overall).toBe('X');
    const rules = Object.fromEntries(info.activity!.answers.map((a) => [a.zoneCode, a.rule]));
    expect(rules).toEqual({ permukiman_perdesaan: 'I', hutan_lindung: 'X' });
  });

  it('warns of the protected and hazard zones with the share of the parcel in each', async () => {
    const place = parsePlace(rectangle(parcelAcrossTwoZones));

    const info = await getPlanInformation(testDatabase.database.pool, place);

    const protectedWarning = info.warnings.find((w) => w.kind === 'protected');
    const hazardWarning = info.warnings.find((w) => w.kind === 'hazard');
    expect(protectedWarning).toMatchObject({ code: 'hutan_lindung' });
    expect(protectedWarning!.share).toBeCloseTo(0.5, 4);
    expect(hazardWarning).toMatchObject({ code: 'tsunami:tinggi' });
    expect(hazardWarning!.share).toBeCloseTo(0.5, 4);
    expect(hazardWarning!.message.id).toContain('Tsunami');
  });

  it('refuses an activity the matrix does not know, naming the known ones', async () => {
    const lookup = getPlanInformation(testDatabase.database.pool, centre(farmCell), 'kasino');

    await expect(lookup).rejects.toMatchObject({ status: 400, type: 'invalid-activity' });
    await expect(lookup).rejects.toThrow(/perumahan/);
  });

  it('lists no zone for a point outside every zone and says all of it is outside', async () => {
    // in kecamatan Kroya: in the regency, where this test's zones (at sea) are not
    const kroya = parsePlace({ type: 'Point', coordinates: [109.2239, -7.6301] });
    const info = await getPlanInformation(testDatabase.database.pool, kroya);

    expect(info.zones).toEqual([]);
    expect(info.outsideZonesShare).toBe(1);
  });

  it('refuses a place that nothing of the regency reaches, its outline included', async () => {
    const atSea = centre([108.9, -8.2, 108.91, -8.19] as LonLatBox);

    await expect(getPlanInformation(testDatabase.database.pool, atSea)).rejects.toMatchObject({
      status: 422,
      type: 'place-outside-regency',
    });
  });

  it('answers a place past the statement timeout with a 422, for data and map', async () => {
    // 3,600 parcels over the regency (18,000 vertices): each overlay far past 1 ms
    const parcels = Array.from({ length: 3600 }, (_, i) => {
      const [west, south] = [108.6 + (i % 60) * 0.015, -7.8 + Math.floor(i / 60) * 0.008];
      return rectangle([west, south, west + 0.005, south + 0.005]).coordinates;
    });
    const place = parsePlace({ type: 'MultiPolygon', coordinates: parcels });
    const impatient = new pg.Pool({ connectionString: testDatabase.url, statement_timeout: 1 });

    const errors = [
      await getPlanInformation(impatient, place).catch((error: unknown) => error),
      await getPlanInformationMap(impatient, place).catch((error: unknown) => error),
    ];
    await impatient.end();

    for (const error of errors) {
      expect(error).toMatchObject({ status: 422, type: 'place-too-complex' });
      expect((error as Error).message).toMatch(/ran past the \d+ ms limit/);
    }
  });

  it('answers from the current data: a changed zone code shows in the next answer', async () => {
    const { pool } = testDatabase.database;
    const extraCell: LonLatBox = [108.84, -8.11, 108.85, -8.1];
    const id = await insertZone(extraCell, 'tanaman_pangan', 'budidaya', 'Sawah');
    const before = await getPlanInformation(pool, centre(extraCell), 'perumahan');

    await pool.query(
      "UPDATE plan_zone SET zone_code = 'hutan_lindung', kind = 'lindung' WHERE id = $1",
      [id],
    );
    const after = await getPlanInformation(pool, centre(extraCell), 'perumahan');

    expect(before.activity?.overall).toBe('T');
    expect(after.activity?.overall).toBe('X');
  });

  it('lists the activities of the matrix with their labels', async () => {
    const activities = await listPlanActivities(testDatabase.database.pool);

    expect(activities).toEqual([
      { code: 'perumahan', label: { id: 'Perumahan', en: 'Housing' }, zones: 4 },
    ]);
  });

  it('draws the map frame around the parcel in UTM 49S with the zones it shows', async () => {
    const place = parsePlace(rectangle(parcelAcrossTwoZones));

    const map = await getPlanInformationMap(testDatabase.database.pool, place);

    const [x0, y0, x1, y1] = map.frame;
    expect((x1 - x0) / (y1 - y0)).toBeCloseTo(2, 5);
    // UTM 49S: eastings near 200 km west of the 111° E central meridian, northings near 9,100 km.
    expect(x0).toBeGreaterThan(100000);
    expect(y0).toBeGreaterThan(9000000);
    expect(map.legend.zones.map((z) => z.code)).toEqual(
      expect.arrayContaining(['hutan_lindung', 'permukiman_perdesaan']),
    );
    expect(map.place.svgPath).toMatch(/^M /);
  });
});
