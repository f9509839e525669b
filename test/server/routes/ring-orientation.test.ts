import { booleanClockwise } from '@turf/turf';
import type { Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

interface PolygonFeature {
  id: number;
  geometry: { type: 'MultiPolygon'; coordinates: Position[][][] };
}

/** For each polygon of a feature: whether its outer ring runs clockwise, then its holes'. */
function windings(feature: PolygonFeature | undefined) {
  return (feature?.geometry.coordinates ?? []).map((polygon) =>
    polygon.map((ring) => booleanClockwise(ring)),
  );
}

// A Shapefile stores outer rings clockwise, and an import keeps them so; RFC 7946 (section
// 3.1.6) has GeoJSON's outer rings run counterclockwise and holes clockwise, and readers that
// follow it (d3-geo) draw a clockwise outer ring as the whole world less the polygon.
describe('GeoJSON polygons of a layer stored clockwise', () => {
  let server: TestServer;
  let id: number;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const [row] = (
      await pool.query<{ id: number }>(
        `UPDATE desa SET geom = ST_ForcePolygonCW(geom)
         WHERE id = (SELECT min(id) FROM desa) RETURNING id`,
      )
    ).rows;
    id = row!.id;
  });
  afterAll(() => server.close());

  it('serves them with outer rings counterclockwise from the feature API', async () => {
    const response = await fetch(`${server.baseUrl}/collections/desa/items/${id}`);
    const feature = (await response.json()) as PolygonFeature;

    expect(response.status).toBe(200);
    expect(windings(feature).length).toBeGreaterThan(0);
    for (const [outer, ...holes] of windings(feature)) {
      expect([outer, ...holes]).toEqual([false, ...holes.map(() => true)]);
    }
  });

  // PostGIS 3.3's ST_ForcePolygonCCW reverses a LineString too: a road is served as stored
  it('serves a line in the direction it is stored', async () => {
    const pool = server.testDatabase.database.pool;
    const line = 'MULTILINESTRING((109.0 -7.60, 109.01 -7.61, 109.02 -7.60))';
    const [road] = (
      await pool.query<{ id: number }>(
        `UPDATE road_segment SET geom = ST_GeomFromText($1, 4326)
         WHERE id = (SELECT min(id) FROM road_segment) RETURNING id`,
        [line],
      )
    ).rows;

    const response = await fetch(`${server.baseUrl}/collections/road_segment/items/${road!.id}`);
    const feature = (await response.json()) as { geometry: { coordinates: Position[][] } };

    expect(feature.geometry.coordinates[0]?.[0]).toEqual([109.0, -7.6]);
  });

  it('exports them with outer rings counterclockwise as GeoJSON', async () => {
    const response = await fetch(`${server.baseUrl}/exports/desa?format=geojson`);
    const body = (await response.json()) as { features: PolygonFeature[] };
    const feature = body.features.find((f) => f.id === id);

    expect(response.status).toBe(200);
    expect(windings(feature).length).toBeGreaterThan(0);
    for (const [outer, ...holes] of windings(feature)) {
      expect([outer, ...holes]).toEqual([false, ...holes.map(() => true)]);
    }
  });
});
