import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayStoreSql } from '../../../../server/db/migrations/overlays.js';
import {
  insertOverlayAreas,
  insertOverlayMeasures,
} from '../../../../server/db/queries/overlays.js';
import {
  openEmbeddedEngine,
  zonesFloatingOverlayFails,
} from '../../../support/floating-overlay-zones.js';

/** A kecamatan holding both fixture zones whole. */
const kecamatanAroundBothZones = `ST_MakeEnvelope(108.89, -7.64, 108.94, -7.58, 4326)`;

describe('stored overlays, on the embedded engine', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await openEmbeddedEngine();
    await db.exec(`${overlayStoreSql}
      CREATE TABLE hazard_zone (id bigint, geom geometry(MultiPolygon, 4326));
      CREATE TABLE desa (id bigint, geom geometry(MultiPolygon, 4326));
      CREATE TABLE kecamatan (id bigint, geom geometry(MultiPolygon, 4326));
      CREATE TABLE road_segment (id bigint, geom geometry(MultiLineString, 4326));
      INSERT INTO kecamatan VALUES (1, ST_Multi(${kecamatanAroundBothZones}));`);
    for (const [index, zone] of zonesFloatingOverlayFails.entries()) {
      const geom = 'ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326))';
      await db.query(`INSERT INTO hazard_zone VALUES ($1, ${geom})`, [index + 1, zone]);
      await db.query(`INSERT INTO desa VALUES ($1, ${geom})`, [index + 1, zone]);
    }
  });
  afterAll(() => db.close());

  it('stores the area of zones in desa that GEOS cannot cut in floating point', async () => {
    const overlay = { key: 'hazard_zone/desa', zoneTable: 'hazard_zone', unitTable: 'desa' };

    await insertOverlayAreas(db as never, overlay, [1, 2], [1, 2]);

    const stored = await db.query(`SELECT zone_id, unit_id,
        a.area_m2 / ST_Area(d.geom::geography) AS share
      FROM simpul_overlay_area AS a JOIN desa AS d ON d.id = a.unit_id ORDER BY 1, 2`);
    expect(stored.rows).toEqual([
      { zone_id: 1, unit_id: 1, share: 1 },
      { zone_id: 2, unit_id: 2, share: 1 },
    ]);
  });

  it('stores the length of a road along a zone edge GEOS cannot cut in floats', async () => {
    // The road follows the outline of the first zone: part of it is the second zone's edge.
    await db.exec(`INSERT INTO road_segment
      SELECT 1, ST_Multi(ST_Boundary(geom)) FROM desa WHERE id = 1`);
    const overlay = {
      key: 'hazard_zone/kecamatan/road_segment',
      zoneTable: 'hazard_zone',
      unitTable: 'kecamatan',
      featureTable: 'road_segment',
      kind: 'length' as const,
    };

    await insertOverlayMeasures(db as never, overlay, [1, 2], [1], [1]);

    // What each zone's outline shares with the road, cut line by line (on a grid too: GEOS
    // cannot do it in floating point either).
    const stored = await db.query<{ zone_id: number; m: number; shared_m: number }>(
      `SELECT m.zone_id, m.amount AS m,
        ST_Length(ST_Intersection(ST_Boundary(z.geom), r.geom, 1e-9)::geography) AS shared_m
      FROM simpul_overlay_measure AS m
      JOIN hazard_zone AS z ON z.id = m.zone_id
      JOIN road_segment AS r ON r.id = m.feature_id
      ORDER BY 1`,
    );
    expect(stored.rows.map((row) => row.zone_id)).toEqual([1, 2]);
    for (const row of stored.rows) expect(row.m).toBeCloseTo(row.shared_m, 3);
    expect(stored.rows[1]!.m).toBeGreaterThan(1000);
  });

  it('stores the area of a zone stored invalid as ST_MakeValid repairs it', async () => {
    // A bow tie, as a direct write to the database could store it: no grid makes GEOS cut it,
    // and on this engine the failed cut ended the statement with no row and no error.
    await db.exec(`INSERT INTO hazard_zone VALUES (3, ST_Multi(ST_SetSRID(
      'POLYGON((108.90 -7.62, 108.93 -7.59, 108.93 -7.62, 108.90 -7.59, 108.90 -7.62))'
        ::geometry,
      4326)))`);
    const overlay = {
      key: 'hazard_zone/kecamatan',
      zoneTable: 'hazard_zone',
      unitTable: 'kecamatan',
    };

    const pairs = await insertOverlayAreas(db as never, overlay, [3], []);

    const stored = await db.query<{ area_m2: number; repaired_m2: number }>(
      `SELECT a.area_m2, ST_Area(ST_MakeValid(z.geom)::geography) AS repaired_m2
      FROM simpul_overlay_area AS a JOIN hazard_zone AS z ON z.id = a.zone_id
      WHERE a.overlay = 'hazard_zone/kecamatan' AND a.zone_id = 3`,
    );
    expect(pairs).toBe(1);
    // the kecamatan holds the whole bow tie: two triangles, half the 3.3 km square they span
    expect(stored.rows[0]!.area_m2).toBeCloseTo(stored.rows[0]!.repaired_m2, -1);
    expect(stored.rows[0]!.area_m2).toBeGreaterThan(5e6);
  });
});
