import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTile, resolveTileLayers } from '../../../server/services/tile-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

const cityTile = '12/3288/2136';

function decode(bytes: ArrayBuffer | Uint8Array) {
  return new VectorTile(new Pbf(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
}

function featureNames(tile: VectorTile, layerId: string): string[] {
  const layer = tile.layers[layerId];
  if (!layer) return [];
  return Array.from({ length: layer.length }, (_, i) =>
    String(layer.feature(i).properties.name),
  ).sort();
}

describe('vector tiles', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('hold the kecamatan of Cilacap city in the city tile', async () => {
    const response = await fetch(`${server.baseUrl}/tiles/kecamatan/${cityTile}.mvt`);

    const tile = decode(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(tile.layers.kecamatan!.extent).toBe(4096);
    expect(featureNames(tile, 'kecamatan')).toEqual(
      expect.arrayContaining(['Cilacap Selatan', 'Cilacap Tengah']),
    );
  });

  it('decode to the same features from the database and from the server encoder', async () => {
    const { database } = server.testDatabase;
    const layers = resolveTileLayers('kecamatan,desa');
    const tile = { z: 12, x: 3288, y: 2136 };

    const fromDatabase = decode(
      await renderTile(database.pool, database.capabilities, layers, tile),
    );
    const serverCapabilities = { ...database.capabilities, hasAsMvt: false };
    const fromServer = decode(await renderTile(database.pool, serverCapabilities, layers, tile));

    expect(database.capabilities.hasAsMvt).toBe(true);
    for (const layerId of ['kecamatan', 'desa']) {
      expect(featureNames(fromServer, layerId)).toEqual(featureNames(fromDatabase, layerId));
    }
    expect(featureNames(fromServer, 'desa').length).toBeGreaterThan(5);
  });

  it('answer 204 for a tile far from the regency', async () => {
    const response = await fetch(`${server.baseUrl}/tiles/kecamatan/12/0/0.mvt`);

    expect(response.status).toBe(204);
  });

  it.each([
    ['/tiles/kecamatan/40/0/0.mvt', 400],
    ['/tiles/kecamatan/3/8/0.mvt', 400],
    ['/tiles/kecamatan/a/0/0.mvt', 400],
    ['/tiles/nope/12/3288/2136.mvt', 404],
    ['/tiles/kecamatan/2/1/1.mvt', 404],
  ])('answer %s with %i problem details', async (path, status) => {
    const response = await fetch(`${server.baseUrl}${path}`);

    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('describe a layer in TileJSON 3 with bounds, zooms and fields', async () => {
    const response = await fetch(`${server.baseUrl}/tiles/kecamatan.json`);
    const tileJson = await response.json();

    expect(tileJson).toMatchObject({ tilejson: '3.0.0', minzoom: 8, maxzoom: 20 });
    expect(tileJson.tiles[0]).toMatch(/\/tiles\/kecamatan\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
    expect(tileJson.bounds[0]).toBeCloseTo(108.556, 2);
    expect(tileJson.vector_layers[0].fields).toEqual({ name: 'String', code: 'String' });
  });
});
