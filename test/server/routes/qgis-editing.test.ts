import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

const items = '/collections/road_segment/items';
const crs84Json = 'application/geo+json';
const epsg4326 = 'http://www.opengis.net/def/crs/EPSG/0/4326';

type Feature = { id: number; geometry: { coordinates: number[][][] }; properties: Properties };
type Properties = Record<string, unknown>;

/**
 * The editing requests of QGIS's OGC API Features provider (3.32 and later), as it sends them:
 * a bearer token from an "API Header" authentication, no If-Match, bodies without bbox.
 */
describe('editing road_segment as QGIS desktop does', () => {
  let server: TestServer;
  let desktopToken: string;
  let scriptToken: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const token = async (name: string, withoutIfMatch: boolean) => {
      const request = { name, roles: ['roads:editor'], write: true, withoutIfMatch };
      return (await createApiToken(pool, request, 'test')).secret;
    };
    desktopToken = await token('qgis-desktop', true);
    scriptToken = await token('sync-script', false);
  });
  afterAll(() => server.close());

  const send = async (
    method: string,
    path: string,
    options: { token?: string; type?: string; body?: unknown; headers?: object } = {},
  ) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token ?? desktopToken}`,
      'user-agent': 'Mozilla/5.0 QGIS/34400/Debian GNU/Linux',
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = options.type ?? crs84Json;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return { response, body: text ? JSON.parse(text) : undefined };
  };
  /** The first page QGIS reads to learn the fields and an id to ask OPTIONS about. */
  const firstPage = async () => {
    const { body } = await send('GET', `${items}?limit=10`);
    return body.features as Feature[];
  };
  /** A feature as QGIS's JSON exporter writes it for a PUT: id, geometry and every field. */
  const asQgisWritesIt = (feature: Feature, changes: Properties) => ({
    type: 'Feature',
    id: feature.id,
    geometry: feature.geometry,
    properties: { ...feature.properties, ...changes },
  });
  const historyOf = async (featureId: number) => {
    const sql = `SELECT operation, changed_by, client FROM simpul_feature_history
      WHERE layer_id = 'road_segment' AND feature_id = $1 ORDER BY id`;
    const pool = server.testDatabase.database.pool;
    return (await pool.query(sql, [featureId])).rows;
  };

  it('finds POST on the items and PUT, PATCH and DELETE on an item with OPTIONS', async () => {
    const [first] = await firstPage();

    const collection = await send('OPTIONS', items);
    const item = await send('OPTIONS', `${items}/${first!.id}`);
    // QGIS asks about a made-up id when the layer holds no feature yet
    const madeUp = await send('OPTIONS', `${items}/unknown_id`);

    expect(collection.response.status).toBe(204);
    expect(collection.response.headers.get('allow')?.split(', ')).toContain('POST');
    for (const { response } of [item, madeUp]) {
      expect(response.status).toBe(204);
      expect(response.headers.get('allow')?.split(', ')).toEqual(
        expect.arrayContaining(['PUT', 'PATCH', 'DELETE']),
      );
    }
  });

  it('creates with every field QGIS knows, empty ones null; Location names the id', async () => {
    const [first] = await firstPage();
    const properties = Object.fromEntries(Object.keys(first!.properties).map((k) => [k, null]));
    Object.assign(properties, {
      segment_code: 'QGIS.001',
      road_number: 'Q001',
      name: 'Jalan dari QGIS',
      status: first!.properties.status,
    });

    const { response, body } = await send('POST', items, {
      body: { type: 'Feature', geometry: first!.geometry, properties },
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(new RegExp(`${items}/${body.id}$`));
    const stored = await send('GET', `${items}/${body.id}`);
    expect(stored.body.properties.name).toBe('Jalan dari QGIS');
  });

  it('replaces a feature sent back whole; the history names the token', async () => {
    const [, feature] = await firstPage();
    const before = await send('GET', `${items}/${feature!.id}`);

    const { response, body } = await send('PUT', `${items}/${feature!.id}`, {
      body: asQgisWritesIt(feature!, { name: 'Jalan diganti di QGIS' }),
    });

    expect(response.status).toBe(200);
    expect(body.properties.name).toBe('Jalan diganti di QGIS');
    expect(response.headers.get('etag')).not.toBe(before.response.headers.get('etag'));
    expect((await historyOf(feature!.id)).at(-1)).toMatchObject({
      operation: 'update',
      changed_by: 'token:qgis-desktop',
      client: expect.stringContaining('QGIS'),
    });
  });

  it('patches attributes, and a geometry sent in EPSG:4326 latitude first', async () => {
    const [, , feature] = await firstPage();
    const path = `${items}/${feature!.id}`;
    const moved = feature!.geometry.coordinates.map((line) =>
      line.map(([lon, lat]) => [lat! + 0.0001, lon!]),
    );

    const attributes = await send('PATCH', path, {
      type: 'application/merge-patch+json',
      body: { properties: { width_m: 4.5 } },
    });
    const geometry = await send('PATCH', path, {
      type: 'application/merge-patch+json',
      headers: { 'content-crs': epsg4326 },
      body: { geometry: { type: 'MultiLineString', coordinates: moved } },
    });

    expect(attributes.response.status).toBe(200);
    expect(attributes.body.properties.width_m).toBe(4.5);
    expect(geometry.response.status).toBe(200);
    const [lon, lat] = geometry.body.geometry.coordinates[0][0];
    const [firstLon, firstLat] = feature!.geometry.coordinates[0]![0]!;
    expect(lon).toBeCloseTo(firstLon!, 9);
    expect(lat).toBeCloseTo(firstLat! + 0.0001, 9);
  });

  it('deletes without If-Match', async () => {
    const [, , , feature] = await firstPage();

    const { response } = await send('DELETE', `${items}/${feature!.id}`);

    expect(response.status).toBe(204);
    expect((await send('GET', `${items}/${feature!.id}`)).response.status).toBe(404);
    expect((await historyOf(feature!.id)).at(-1)?.operation).toBe('delete');
  });

  it('still refuses a stale If-Match with 412', async () => {
    const [, , , , feature] = await firstPage();
    const path = `${items}/${feature!.id}`;
    const read = (await send('GET', path)).response.headers.get('etag')!;
    await send('PATCH', path, { body: { properties: { width_m: 5 } } });

    const { response, body } = await send('PATCH', path, {
      headers: { 'if-match': read },
      body: { properties: { width_m: 6 } },
    });

    expect(response.status).toBe(412);
    expect(body.type).toBe('/problems/stale-version');
  });

  it('documents If-Match as needed by every caller but such a token', async () => {
    const api = await fetch(`${server.baseUrl}/api`, {
      headers: { accept: 'application/vnd.oai.openapi+json;version=3.0' },
    });
    const put = (await api.json()).paths[`${items}/{featureId}`].put;

    const ifMatch = put.parameters.find((p: { name?: string }) => p.name === 'If-Match');

    expect(ifMatch.required).toBe(false);
    expect(ifMatch.description).toContain('without If-Match');
    expect(put.responses['428'].description).toContain('without If-Match');
  });

  it('keeps answering 428 to a token that did not opt out', async () => {
    const [, , , , , feature] = await firstPage();
    const path = `${items}/${feature!.id}`;

    const body = asQgisWritesIt(feature!, {});
    const put = await send('PUT', path, { token: scriptToken, body });
    const del = await send('DELETE', path, { token: scriptToken });

    expect(put.response.status).toBe(428);
    expect(put.response.headers.get('content-type')).toContain('application/problem+json');
    expect(put.body.detail).toContain('If-Match');
    expect(del.response.status).toBe(428);
  });
});
