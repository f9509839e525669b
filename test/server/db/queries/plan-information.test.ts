import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planZone } from '../../../../layers/spatial-plan/plan-zone.js';
import {
  selectOverlapShares,
  selectPlaceValidity,
} from '../../../../server/db/queries/plan-information.js';

/**
 * Two adjacent plan zones of the Cilacap seed (kept at full precision) whose union GEOS cannot
 * compute in floating point: it falls back inside GEOS, which the embedded engine's build
 * cannot do, and that engine then answers no row and no error.
 */
const fixtureDir = path.join(import.meta.dirname, '../../../fixtures/geometry');
const zonesFloatingOverlayFails = JSON.parse(
  fs.readFileSync(path.join(fixtureDir, 'zones-floating-overlay-fails.geojson'), 'utf8'),
) as { features: { geometry: unknown }[] };

/** A parcel holding both zones whole. */
const parcelAroundBothZones = {
  type: 'Polygon',
  coordinates: [
    [
      [108.89, -7.64],
      [108.94, -7.64],
      [108.94, -7.58],
      [108.89, -7.58],
      [108.89, -7.64],
    ],
  ],
};

describe('the overlap of a place with a layer, on the embedded engine', () => {
  let db: PGlite;
  beforeEach(async () => {
    db = await PGlite.create({ extensions: { postgis } });
    await db.exec(`CREATE EXTENSION postgis;
      CREATE TABLE plan_zone (zone_code text, geom geometry(MultiPolygon, 4326))`);
    for (const zone of zonesFloatingOverlayFails.features) {
      await db.query(
        `INSERT INTO plan_zone VALUES ('tanaman_pangan',
          ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)))`,
        [JSON.stringify(zone.geometry)],
      );
    }
  });
  afterEach(() => db.close());

  it('measures a group whose zones GEOS cannot union in floating point', async () => {
    const expected = await db.query<{ ha: number }>(
      'SELECT sum(ST_Area(geom::geography)) / 10000 AS ha FROM plan_zone',
    );

    const { place } = await selectPlaceValidity(
      db as never,
      JSON.stringify(parcelAroundBothZones),
      100,
    );
    const rows = await selectOverlapShares(db as never, planZone, ['zone_code'], place!);

    expect(rows).toHaveLength(1);
    expect(rows[0]!.values).toEqual({ zone_code: 'tanaman_pangan' });
    expect(rows[0]!.areaHa).toBeCloseTo(expected.rows[0]!.ha, 1);
  });
});
