import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

const themeLayers = layerDefinitions.filter((layer) => layer.theme !== 'administrative');

/** The XYZ tile holding a longitude and latitude at a zoom. */
function tileAt(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const radians = (lat * Math.PI) / 180;
  const y = Math.floor(
    ((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * n,
  );
  return { z, x, y };
}

describe('the layers of the roads, irrigation, spatial plan and disaster risk themes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it.each(themeLayers.map((layer) => [layer.id]))('serve %s items as GeoJSON', async (layerId) => {
    const response = await fetch(`${server.baseUrl}/collections/${layerId}/items?limit=2`, {
      headers: { accept: 'application/geo+json' },
    });

    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.numberMatched).toBeGreaterThan(0);
    expect(body.features[0].properties.source).toMatch(/^CONTOH \/ SAMPLE/);
  });

  it.each(themeLayers.map((layer) => [layer.id, layer.zoom.min]))(
    'serve %s in a vector tile over one of its features',
    async (layerId, minZoom) => {
      const { pool } = server.testDatabase.database;
      const sample = await pool.query(
        `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
           SELECT ST_PointOnSurface(geom) AS p FROM ${quoteIdentifier(layerId)} ORDER BY id LIMIT 1) s`,
      );
      const { z, x, y } = tileAt(sample.rows[0].lon, sample.rows[0].lat, Math.max(minZoom, 13));

      const response = await fetch(`${server.baseUrl}/tiles/${layerId}/${z}/${x}/${y}.mvt`);

      const tile = new VectorTile(new Pbf(new Uint8Array(await response.arrayBuffer())));
      expect(response.status).toBe(200);
      expect(tile.layers[layerId]?.length).toBeGreaterThan(0);
    },
  );

  it('describe the road segment collection as sample data', async () => {
    const response = await fetch(`${server.baseUrl}/collections/road_segment`, {
      headers: { accept: 'application/json' },
    });

    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toMatch(/CONTOH \/ SAMPLE/);
  });
});
