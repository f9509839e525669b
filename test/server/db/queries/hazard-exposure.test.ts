import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayStoreSql } from '../../../../server/db/migrations/overlays.js';
import {
  exposureOverlays,
  selectHazardExposure,
  type ExposureSource,
} from '../../../../server/db/queries/hazard-exposure.js';
import {
  insertOverlayAreas,
  insertOverlayMeasures,
  upsertSourceRows,
} from '../../../../server/db/queries/overlays.js';
import {
  openEmbeddedEngine,
  zonesFloatingOverlayFails,
} from '../../../support/floating-overlay-zones.js';

const source: ExposureSource = {
  hazardTable: 'hazard_zone',
  hazardTypeColumn: 'hazard_type',
  hazardClassColumn: 'hazard_class',
  unitTable: 'kecamatan',
  unitCodeColumn: 'code',
  people: {
    table: 'desa',
    reportingUnitCodeColumn: 'kecamatan_code',
    populationColumn: 'population',
    reportingTable: 'kecamatan',
    reportingCodeColumn: 'code',
    reportingPopulationColumn: 'population',
  },
  measures: [{ name: 'road_km', table: 'road_segment', kind: 'length_km' }],
};

/** One desa and its kecamatan, holding both fixture zones whole. */
const aroundBothZones = 'ST_Multi(ST_MakeEnvelope(108.89, -7.64, 108.94, -7.58, 4326))';

/**
 * Three flood zones of one class: the two fixture zones, and a small one inside the first, so
 * the class's pieces are dissolved, and the neighbours with them.
 */
async function loadZones(db: PGlite) {
  await db.exec(`${overlayStoreSql}
    CREATE TABLE hazard_zone (id bigint PRIMARY KEY, hazard_type text, hazard_class text,
      geom geometry(MultiPolygon, 4326));
    CREATE TABLE desa (id bigint PRIMARY KEY, kecamatan_code text, population float8,
      geom geometry(MultiPolygon, 4326));
    CREATE TABLE kecamatan (id bigint PRIMARY KEY, code text, population float8,
      geom geometry(MultiPolygon, 4326));
    CREATE TABLE road_segment (id bigint PRIMARY KEY, geom geometry(MultiLineString, 4326));
    INSERT INTO desa VALUES (1, '33.01.01', 1000, ${aroundBothZones});
    INSERT INTO kecamatan VALUES (1, '33.01.01', 1000, ${aroundBothZones});`);
  for (const [index, zone] of zonesFloatingOverlayFails.entries()) {
    await db.query(
      `INSERT INTO hazard_zone VALUES ($1, 'banjir', 'tinggi',
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)))`,
      [index + 1, zone],
    );
  }
  await db.exec(`
    INSERT INTO hazard_zone SELECT 3, 'banjir', 'tinggi',
      ST_Multi(ST_Buffer(ST_PointOnSurface(geom), 0.001)) FROM hazard_zone WHERE id = 1;
    -- The road follows the first zone's outline: part of it is the second zone's edge.
    INSERT INTO road_segment
      SELECT 1, ST_Multi(ST_Boundary(geom)) FROM hazard_zone WHERE id = 1`);
}

async function storeOverlays(db: PGlite) {
  const { areas, measures } = exposureOverlays(source);
  await insertOverlayAreas(db as never, areas[0]!, [1, 2, 3], [1]);
  await upsertSourceRows(db as never, areas[0]!.key, 'desa', [1], true);
  await insertOverlayMeasures(db as never, measures[0]!, [1, 2, 3], [1], [1]);
}

describe('hazard exposure, on the embedded engine', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await openEmbeddedEngine();
    await loadZones(db);
    await storeOverlays(db);
  });
  afterAll(() => db.close());

  it('dissolves zones of a class that GEOS cannot union in floating point', async () => {
    const expected = await db.query<{ ha: number; km: number }>(
      `SELECT (SELECT sum(ST_Area(geom::geography)) / 10000 FROM hazard_zone WHERE id < 3) AS ha,
        (SELECT ST_Length(geom::geography) / 1000 FROM road_segment) AS km`,
    );

    const rows = await selectHazardExposure(db as never, source);

    const value = (measure: string) => rows.find((row) => row.measure === measure)?.value;
    expect(value('area_ha')).toBeCloseTo(expected.rows[0]!.ha, 2);
    expect(value('road_km')).toBeCloseTo(expected.rows[0]!.km, 4);
  });
});
