import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFreezableRelay } from '../../support/database-relay.js';
import { startTileServer, type TileTestServer } from '../../support/tile-server.js';
import {
  firstLayerOfType,
  geometryInCilacapCity,
  validFeature,
} from '../../support/valid-feature.js';

const layer =
  firstLayerOfType(layerDefinitions, 'MultiLineString') ??
  firstLayerOfType(layerDefinitions, 'Point')!;

/** The XYZ tile holding a lon/lat at zoom z. */
function tileOf(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z, x, y };
}

describe('edits appear at once in items and tiles', () => {
  let testDatabase: TestDatabase;
  let server: TileTestServer;
  let token: string;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    server = await startTileServer(testDatabase.url);
    const request = { name: 'visibility', roles: [`${layer.theme}:editor`], write: true };
    token = (await createApiToken(testDatabase.database.pool, request, 't')).secret;
  });
  afterAll(async () => {
    await server.close();
    await testDatabase.drop();
  });

  const zoom = Math.max(layer.zoom.min, 14);
  const { z, x, y } = tileOf(109.0025, -7.7025, zoom);
  const tilePath = `/tiles/${layer.id}/${z}/${x}/${y}.mvt`;
  const featureIdsInTile = async (target = server) => {
    const response = await fetch(`${target.baseUrl}${tilePath}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const tileLayer = new VectorTile(new Pbf(bytes)).layers[layer.id];
    return Array.from({ length: tileLayer?.length ?? 0 }, (_, i) => tileLayer!.feature(i).id);
  };
  const write = (method: string, path: string, body: unknown, etag?: string) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/geo+json',
        ...(etag ? { 'if-match': etag } : {}),
      },
      body: JSON.stringify(body),
    });

  it('shows a saved change in the very next item request', async () => {
    const created = await write('POST', `/collections/${layer.id}/items`, validFeature(layer));
    const { id } = await created.json();
    const moved = structuredClone(geometryInCilacapCity[layer.geometry.type]) as {
      coordinates: unknown;
    };
    moved.coordinates = JSON.parse(
      JSON.stringify(moved.coordinates).replace(/109\.005/g, '109.004'),
    );

    await write(
      'PATCH',
      `/collections/${layer.id}/items/${id}`,
      { geometry: moved },
      created.headers.get('etag')!,
    );
    const item = await fetch(`${server.baseUrl}/collections/${layer.id}/items/${id}`);

    expect(item.headers.get('etag')).toBe(`"${id}-2"`);
    expect(JSON.stringify((await item.json()).geometry)).toContain('109.004');
  });

  it('shows a new feature in its cached tile at once, and says how long that took', async () => {
    const before = await featureIdsInTile();

    const sent = performance.now();
    const created = await write('POST', `/collections/${layer.id}/items`, validFeature(layer));
    const saved = performance.now();
    const { id } = await created.json();

    const nextRequest = await featureIdsInTile();
    let seen = nextRequest;
    while (!seen.includes(id) && performance.now() - saved < 5000) seen = await featureIdsInTile();
    const elapsedMs = performance.now() - saved;
    const totalMs = performance.now() - sent;
    console.log(`edit sent to tile showing it: ${totalMs.toFixed(1)} ms`);
    console.log(
      `saved edit to tile: ${elapsedMs.toFixed(1)} ms (next request ${nextRequest.includes(id) ? 'showed it' : 'was stale'})`,
    );

    expect(before).not.toContain(id);
    expect(nextRequest).toContain(id);
  });

  it('answers an edit only once a process that hears the database late shows it too', async () => {
    // Every byte from the database reaches this second process 30 ms late.
    const relay = await startFreezableRelay(testDatabase.url, 30);
    const late = await startTileServer(relay.url);
    try {
      const before = await featureIdsInTile(late);
      const created = await write('POST', `/collections/${layer.id}/items`, validFeature(layer));
      const { id } = await created.json();
      const nextRequest = await featureIdsInTile(late);

      expect(before).not.toContain(id);
      expect(nextRequest).toContain(id);
    } finally {
      await late.close();
      relay.close();
    }
  });
});
