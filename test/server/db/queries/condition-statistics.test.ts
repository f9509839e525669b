import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectConditionLengths } from '../../../../server/db/queries/condition-statistics.js';
import {
  openEmbeddedEngine,
  zonesFloatingOverlayFails,
} from '../../../support/floating-overlay-zones.js';

/** The one session of the embedded engine, handed out as a pool's connection. */
function asPool(db: PGlite) {
  const client = {
    query: (sql: string, values?: unknown[]) => db.query(sql, values),
    release() {},
  };
  return { connect: async () => client, query: client.query } as never;
}

describe('road condition lengths, on the embedded engine', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await openEmbeddedEngine();
    await db.exec(`
      CREATE TABLE kecamatan (id bigint PRIMARY KEY, code text,
        geom geometry(MultiPolygon, 4326));
      CREATE TABLE road_segment (id bigint PRIMARY KEY, condition_class text,
        geom geometry(MultiLineString, 4326))`);
    // The two fixture zones as kecamatan, and a road along the first one's outline: part of
    // it is the second one's edge.
    for (const [index, zone] of zonesFloatingOverlayFails.entries()) {
      await db.query(
        `INSERT INTO kecamatan
          VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)))`,
        [index + 1, `33.01.0${index + 1}`, zone],
      );
    }
    await db.exec(`INSERT INTO road_segment
      SELECT 1, 'baik', ST_Multi(ST_Boundary(geom)) FROM kecamatan WHERE id = 1`);
  });
  afterAll(() => db.close());

  it('cuts a road along a kecamatan edge GEOS cannot cut in floating point', async () => {
    // What each kecamatan's outline shares with the road, cut line by line (on a grid too).
    const expected = await db.query<{ code: string; km: number }>(
      `SELECT k.code, ST_Length(ST_Intersection(ST_Boundary(k.geom), r.geom, 1e-9)::geography)
          / 1000 AS km
       FROM kecamatan AS k, road_segment AS r ORDER BY 1`,
    );

    const rows = await selectConditionLengths(asPool(db), {
      table: 'road_segment',
      conditionColumn: 'condition_class',
      unitTable: 'kecamatan',
      unitCodeColumn: 'code',
    });

    const byUnit = rows.sort((a, b) => a.unitCode.localeCompare(b.unitCode));
    expect(byUnit.map((row) => [row.unitCode, row.condition])).toEqual([
      ['33.01.01', 'baik'],
      ['33.01.02', 'baik'],
    ]);
    expect(byUnit[0]!.lengthKm).toBeCloseTo(expected.rows[0]!.km, 5);
    expect(byUnit[1]!.lengthKm).toBeCloseTo(expected.rows[1]!.km, 5);
    expect(byUnit[1]!.lengthKm).toBeGreaterThan(1);
  });
});
