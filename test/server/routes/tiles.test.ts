import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import pg from 'pg';
import { startTime } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerAccess } from '../../../layers/types.js';
import { createRequestListener } from '../../../server/app.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import {
  renderTile,
  resolveTileLayers,
  TileService,
} from '../../../server/services/tile-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { tileAt } from '../../support/road-tiles.js';
import { startTileServer, type TileTestServer } from '../../support/tile-server.js';

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

/** Each feature's id and MVT geometry type, in id order. */
function featureKinds(tile: VectorTile, layerId: string): string[] {
  const layer = tile.layers[layerId]!;
  return Array.from({ length: layer.length }, (_, i) => layer.feature(i))
    .map((feature) => `${feature.id}:${feature.type}`)
    .sort();
}

describe('vector tiles', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('carry a road segment code from its declared zoom on, its status at every zoom', async () => {
    const { rows } = await server.testDatabase.database.pool.query<{
      id: string;
      x: number;
      y: number;
    }>(
      `SELECT id::text, ST_X(p) AS x, ST_Y(p) AS y
       FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM road_segment ORDER BY id LIMIT 1) r`,
    );
    const road = rows[0]!;
    const propertiesAt = async (z: number) => {
      const { x, y } = tileAt(road.x, road.y, z);
      const response = await fetch(`${server.baseUrl}/tiles/road_segment/${z}/${x}/${y}.mvt`);
      const layer = decode(await response.arrayBuffer()).layers.road_segment!;
      const features = Array.from({ length: layer.length }, (_, i) => layer.feature(i));
      return features.find((f) => String(f.id) === road.id)!.properties;
    };

    const far = await propertiesAt(12);
    const near = await propertiesAt(14);

    expect(far).toHaveProperty('status');
    expect(far).not.toHaveProperty('segment_code');
    expect(far).not.toHaveProperty('road_number');
    expect(near).toHaveProperty('status');
    expect(near).toHaveProperty('segment_code');
    expect(near).toHaveProperty('road_number');
  });

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
      expect(featureKinds(fromServer, layerId)).toEqual(featureKinds(fromDatabase, layerId));
    }
    expect(featureNames(fromServer, 'desa').length).toBeGreaterThan(5);
  });

  // The eastern column of zooms 1 and 2: its buffered envelope reaches past 180° east.
  it.each([
    ['database', true, { z: 1, x: 1, y: 1 }],
    ['server encoder', false, { z: 2, x: 3, y: 2 }],
  ])('draw the regency in a tile at the edge of the grid (%s)', async (_path, hasAsMvt, tile) => {
    const { database } = server.testDatabase;
    const capabilities = { ...database.capabilities, hasAsMvt };

    const bytes = await renderTile(database.pool, capabilities, resolveTileLayers('regency'), tile);

    expect(bytes.length).toBeGreaterThan(0);
    expect(decode(bytes).layers.regency?.length).toBe(1);
  });

  it('answer 204 for a tile far from the regency', async () => {
    const response = await fetch(`${server.baseUrl}/tiles/kecamatan/12/0/0.mvt`);

    expect(response.status).toBe(204);
  });

  it.each([
    ['/tiles/kecamatan/40/0/0.mvt', 400],
    ['/tiles/kecamatan/3/8/0.mvt', 400],
    ['/tiles/kecamatan/a/0/0.mvt', 400],
    ['/tiles/kecamatan/012/3288/2136.mvt', 400],
    ['/tiles/kecamatan/12/03288/2136.mvt', 400],
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

/** A polygon feature's rings as WKT in tile units; exterior rings have positive area (MVT 2.1). */
function polygonWkt(feature: ReturnType<VectorTile['layers'][string]['feature']>): string {
  const polygons: string[][] = [];
  for (const ring of feature.loadGeometry()) {
    let area = 0;
    for (let i = 0; i < ring.length - 1; i += 1) {
      area += ring[i]!.x * ring[i + 1]!.y - ring[i + 1]!.x * ring[i]!.y;
    }
    const closed = [...ring, ring[0]!].map((p) => `${p.x} ${p.y}`).join(', ');
    if (area > 0 || polygons.length === 0) polygons.push([`(${closed})`]);
    else polygons.at(-1)!.push(`(${closed})`);
  }
  return `MULTIPOLYGON(${polygons.map((rings) => `(${rings.join(', ')})`).join(', ')})`;
}

describe('the tile documents and methods', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it.each([
    ['/tiles?f=csv', 'invalid-format'],
    ['/tiles?layer=kecamatan', 'unknown-parameter'],
    ['/tiles/kecamatan.json?minzoom=12', 'unknown-parameter'],
    ['/collections/kecamatan/schema?properties=name', 'unknown-parameter'],
  ])('answer %s with a 400 %s instead of ignoring it', async (path, type) => {
    const response = await fetch(`${server.baseUrl}${path}`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json()).type).toBe(`/problems/${type}`);
  });

  it('answer a tile set list asked as HTML with a 400, since it is JSON only', async () => {
    const response = await fetch(`${server.baseUrl}/tiles?f=html`);

    expect(response.status).toBe(400);
  });

  it('answer OPTIONS on a tile with the methods a GET of it takes', async () => {
    const tile = `${server.baseUrl}/tiles/kecamatan/${cityTile}.mvt`;

    const options = await fetch(tile, { method: 'OPTIONS' });
    const post = await fetch(tile, { method: 'POST' });

    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('cached vector tiles', () => {
  let server: TileTestServer;
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    server = await startTileServer(plain.testDatabase.url);
  });
  afterAll(async () => {
    await server.close();
    await plain.close();
  });

  const cityPath = () => `${server.baseUrl}/tiles/kecamatan/${cityTile}.mvt`;

  it('carry an ETag and Cache-Control, and answer 304 to If-None-Match', async () => {
    const first = await fetch(cityPath(), { headers: { 'Accept-Encoding': 'identity' } });
    const etag = first.headers.get('etag')!;

    const again = await fetch(cityPath(), { headers: { 'If-None-Match': etag } });
    const changed = await fetch(cityPath(), { headers: { 'If-None-Match': '"something-else"' } });

    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBeTruthy();
    expect(changed.status).toBe(200);
  });

  it('send gzip bytes to a client that accepts them, raw bytes to one that does not', async () => {
    await fetch(cityPath());

    const zipped = await fetch(cityPath(), { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    const plainResponse = await fetch(cityPath(), { headers: { 'Accept-Encoding': 'gzip;q=0' } });

    const zippedLength = Number(zipped.headers.get('content-length'));
    const plainBytes = await plainResponse.arrayBuffer();
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(zipped.headers.get('etag')).toMatch(/-gzip"$/);
    expect(featureNames(decode(await zipped.arrayBuffer()), 'kecamatan')).toContain(
      'Cilacap Tengah',
    );
    expect(plainResponse.headers.get('content-encoding')).toBeNull();
    expect(zippedLength).toBeLessThan(plainBytes.byteLength);
    expect(featureNames(decode(plainBytes), 'kecamatan')).toContain('Cilacap Tengah');
  });

  it.each([
    ['gzip;q=0, *', null],
    ['*;q=0.5, gzip;q=0.000', null],
    ['*', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br, identity', null],
  ])('honour Accept-Encoding "%s" (%s)', async (acceptEncoding, expected) => {
    await fetch(cityPath());

    const response = await fetch(cityPath(), { headers: { 'Accept-Encoding': acceptEncoding } });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe(expected);
  });

  it('refuse a zoom with a leading zero also once the tile is cached', async () => {
    await fetch(cityPath());

    const response = await fetch(`${server.baseUrl}/tiles/kecamatan/0${cityTile}.mvt`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answer a cached tile with a query string or to HEAD like any other', async () => {
    const first = await fetch(cityPath(), { headers: { 'Accept-Encoding': 'gzip' } });
    const body = await first.arrayBuffer();

    const queried = await fetch(`${cityPath()}?v=2`, { headers: { 'Accept-Encoding': 'gzip' } });
    const head = await fetch(cityPath(), {
      method: 'HEAD',
      headers: { 'Accept-Encoding': 'gzip' },
    });

    expect(queried.status).toBe(200);
    expect(queried.headers.get('etag')).toBe(first.headers.get('etag'));
    expect((await queried.arrayBuffer()).byteLength).toBe(body.byteLength);
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(first.headers.get('content-length'));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('combine the layers of a list and of a theme in one tile, each with its TileJSON', async () => {
    const combined = await fetch(`${server.baseUrl}/tiles/kecamatan,desa/${cityTile}.mvt`);
    const theme = await fetch(`${server.baseUrl}/tiles/theme:administrative/${cityTile}.mvt`);
    const tileJson = await (
      await fetch(`${server.baseUrl}/tiles/theme:administrative.json`)
    ).json();

    const combinedLayers = Object.keys(decode(await combined.arrayBuffer()).layers);
    const themeLayers = Object.keys(decode(await theme.arrayBuffer()).layers);
    expect(combinedLayers).toEqual(['kecamatan', 'desa']);
    expect(themeLayers).toEqual(expect.arrayContaining(['regency', 'kecamatan', 'desa']));
    expect(tileJson.tiles[0]).toMatch(/\/tiles\/theme:administrative\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
    expect(tileJson.vector_layers.map((l: { id: string }) => l.id)).toEqual(
      expect.arrayContaining(['regency', 'kecamatan', 'desa']),
    );
  });

  it('list every layer and theme as a tile set', async () => {
    const sets = await (await fetch(`${server.baseUrl}/tiles`)).json();

    expect(sets.layers.map((s: { id: string }) => s.id)).toContain('kecamatan');
    expect(sets.themes.map((s: { id: string }) => s.id)).toContain('theme:roads');
  });

  it('answer 404 naming the themes for an unknown theme', async () => {
    const response = await fetch(`${server.baseUrl}/tiles/theme:parks/${cityTile}.mvt`);

    const problem = await response.json();
    expect(response.status).toBe(404);
    expect(problem.detail).toContain('theme:roads');
  });

  it('carry a line crossing a tile edge in both tiles, into the buffer', async () => {
    const { pool } = plain.testDatabase.database;
    const z = 14;
    const edgeLon = (13154 / 2 ** z) * 360 - 180;
    await pool.query(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-EDGE', '993', 'Jalan tepi', 'kabupaten')`,
      [`MULTILINESTRING((${edgeLon - 0.002} -7.7001, ${edgeLon + 0.002} -7.7002))`],
    );

    const xs = [];
    for (const x of [13153, 13154]) {
      const response = await fetch(`${server.baseUrl}/tiles/road_segment/14/${x}/8543.mvt`);
      const layer = decode(await response.arrayBuffer()).layers.road_segment!;
      const index = Array.from({ length: layer.length }, (_, i) => i).find(
        (i) => layer.feature(i).properties.segment_code === 'T-EDGE',
      );
      xs.push(
        layer
          .feature(index!)
          .loadGeometry()[0]!
          .map((p) => p.x),
      );
    }

    expect(Math.max(...xs[0]!)).toBe(4096 + 64);
    expect(Math.min(...xs[1]!)).toBe(-64);
  });

  it.each([
    ['database', true],
    ['server encoder', false],
  ])('keep generalised polygons valid at low zoom (%s)', async (_path, hasAsMvt) => {
    const { database } = plain.testDatabase;
    const capabilities = { ...database.capabilities, hasAsMvt };
    const bytes = await renderTile(database.pool, capabilities, resolveTileLayers('desa'), {
      z: 10,
      x: 822,
      y: 533,
    });

    const layer = decode(bytes).layers.desa!;
    const wkts = Array.from({ length: layer.length }, (_, i) => polygonWkt(layer.feature(i)));
    const checked = await database.pool.query<{ valid: boolean; reason: string }>(
      `SELECT ST_IsValid(ST_GeomFromText(w)) AS valid, ST_IsValidReason(ST_GeomFromText(w)) AS reason
       FROM unnest($1::text[]) AS w`,
      [wkts],
    );

    expect(layer.length).toBeGreaterThan(50);
    expect(checked.rows.filter((row) => !row.valid).map((row) => row.reason)).toEqual([]);
  });
});

describe('tiles before the app', () => {
  let testDatabase: TestDatabase;
  let tiles: TileService;
  let server: http.Server;
  let baseUrl: string;
  /** Per finished answer, the time the request log gives it (as pino-http measures it). */
  const loggedMs: number[] = [];
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    tiles = await TileService.start(testDatabase.database, { timeoutMs: 300 });
    const listener = createRequestListener({ database: testDatabase.database, tiles });
    server = http.createServer((req, res) => {
      res.on('finish', () => loggedMs.push(Date.now() - res[startTime]));
      listener(req, res);
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await tiles.close();
    await testDatabase.drop();
  });

  it('log a tile that failed with its whole time, its rendering included', async () => {
    const locker = new pg.Client({ connectionString: testDatabase.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE kecamatan IN ACCESS EXCLUSIVE MODE');
    loggedMs.length = 0;

    const started = performance.now();
    const response = await fetch(`${baseUrl}/tiles/kecamatan/${cityTile}.mvt`);
    const waitedMs = performance.now() - started;
    await locker.query('ROLLBACK');
    await locker.end();

    expect(response.status).toBe(503);
    expect((await response.json()).type).toBe('/problems/tile-timeout');
    expect(waitedMs).toBeGreaterThanOrEqual(300);
    expect(loggedMs).toHaveLength(1);
    expect(loggedMs[0]).toBeGreaterThanOrEqual(waitedMs - 50);
  });

  it('serve a visitor no tile of a restricted layer, cached or not', async () => {
    const desa = findLayer('desa')!;
    const desaAccess = desa.access;
    (desa as { access: LayerAccess }).access = { ...desaAccess, read: ['admin'] };
    try {
      const desaPath = `${baseUrl}/tiles/desa/${cityTile}.mvt`;
      const hidden = await fetch(desaPath);
      const encoded = await fetch(`${baseUrl}/tiles/kecamatan%2Cdesa/${cityTile}.mvt`);
      const withCookie = await fetch(desaPath, { headers: { Cookie: 'simpul_session=made-up' } });
      const theme = await fetch(`${baseUrl}/tiles/theme:administrative/${cityTile}.mvt`);

      expect(hidden.status).toBe(404);
      expect(encoded.status).toBe(404);
      expect(withCookie.status).toBe(404);
      expect(theme.status).toBe(200);
      expect(Object.keys(decode(await theme.arrayBuffer()).layers)).not.toContain('desa');
    } finally {
      (desa as { access: LayerAccess }).access = desaAccess;
    }
  });
});
