import express from 'express';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import type { LayerAccess } from '../../../layers/types.js';
import { sendProblem } from '../../../server/http/problem.js';
import { createCollectionsRouter } from '../../../server/routes/collections.js';
import type { Principal } from '../../../server/services/access.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { crs84Spellings, epsgSpellings } from '../../support/crs-spellings.js';

interface Feature {
  id: number;
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown>;
}

interface FeaturePage {
  features: Feature[];
  numberMatched?: number;
  numberReturned: number;
  links: { rel: string; href: string }[];
}

const epsg = (code: number) => `http://www.opengis.net/def/crs/EPSG/0/${code}`;
const crs84Uri = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

function firstPosition(coordinates: unknown): number[] {
  let value = coordinates;
  while (Array.isArray(value) && Array.isArray(value[0])) value = value[0];
  return value as number[];
}

describe('the feature API (Parts 1, 2 and 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const get = async (path: string, accept = 'application/json') => {
    const response = await fetch(`${server.baseUrl}${path}`, { headers: { accept } });
    const text = await response.text();
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    return { response, text, body: isJson ? JSON.parse(text) : undefined };
  };
  const items = async (layerId: string, parameters: Record<string, string>) => {
    const query = new URLSearchParams(parameters).toString();
    const { response, body } = await get(`/collections/${layerId}/items?${query}`);
    return { response, page: body as FeaturePage };
  };
  const idsWhere = async (table: string, where: string, values: unknown[] = []) => {
    const sql = `SELECT id FROM ${table} WHERE ${where} ORDER BY id`;
    const result = await server.testDatabase.database.pool.query<{ id: number }>(sql, values);
    return result.rows.map((r) => r.id);
  };

  it('declares the classes of Parts 1, 2 and 3 and of CQL2 it implements', async () => {
    const { body } = await get('/conformance');

    expect(body.conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
        'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
        'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
        'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
        'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
        'http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions',
        'http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions',
      ]),
    );
    expect(body.conformsTo.join(' ')).not.toMatch(/accent-insensitive|array-functions/);
  });

  it('serves a valid OpenAPI 3.0 document of every layer, and an HTML view of it', async () => {
    const { response, body } = await get('/api', 'application/vnd.oai.openapi+json;version=3.0');
    const html = await get('/api?f=html', 'text/html');

    const validation = await new Validator().validate(body);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(response.headers.get('content-type')).toContain('application/vnd.oai.openapi+json');
    for (const layer of layerDefinitions) {
      expect(body.paths[`/collections/${layer.id}/items`].get.operationId).toBe(`list_${layer.id}`);
      expect(body.paths[`/collections/${layer.id}/items/{featureId}`].get).toBeDefined();
    }
    const limit = body.components.parameters.limit.schema;
    expect(limit).toMatchObject({ minimum: 1, maximum: 10000, default: 10 });
    expect(html.text).toContain('GET /collections/kecamatan/items');
  });

  it('links the landing page to the OpenAPI document and its HTML view', async () => {
    const { body } = await get('/');

    const rels = Object.fromEntries(
      body.links.map((l: { rel: string; href: string }) => [l.rel, l]),
    );
    expect(rels['service-desc'].type).toBe('application/vnd.oai.openapi+json;version=3.0');
    expect(rels['service-doc'].href).toMatch(/\/api\?f=html$/);
  });

  it('describes each collection with its CRSs, queryables and schema links', async () => {
    const { body } = await get('/collections/kecamatan');

    expect(body.crs).toEqual([
      'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
      epsg(4326),
      epsg(3857),
      epsg(32749),
    ]);
    expect(body.storageCrs).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
    const rels = body.links.map((l: { rel: string }) => l.rel);
    expect(rels).toEqual(
      expect.arrayContaining(['describedby', 'http://www.opengis.net/def/rel/ogc/1.0/queryables']),
    );
  });

  it('publishes coded domains in the queryables as oneOf codes with both titles', async () => {
    const { response, body } = await get('/collections/desa/queryables');

    expect(response.headers.get('content-type')).toContain('application/schema+json');
    expect(body.properties.type.oneOf).toEqual([
      { const: 'desa', title: 'Desa / Village (desa)' },
      { const: 'kelurahan', title: 'Kelurahan / Urban village' },
    ]);
    expect(body.properties.geometry).toMatchObject({ format: 'geometry-multipolygon' });
    for (const layer of layerDefinitions) {
      const { body: queryables } = await get(`/collections/${layer.id}/queryables`);
      for (const attribute of layer.attributes.filter((a) => a.domain)) {
        expect(queryables.properties[attribute.name].oneOf).toHaveLength(attribute.domain!.length);
      }
    }
  });

  it.each([
    ["name = 'Kroya'", 'kecamatan', `name = 'Kroya'`],
    ['population_2016 > 100000', 'kecamatan', 'population_2016 > 100000'],
    ["name LIKE 'Cilacap%'", 'kecamatan', `name LIKE 'Cilacap%'`],
    ["NOT name LIKE 'K%'", 'kecamatan', `NOT name LIKE 'K%'`],
    ["CASEI(name) = CASEI('KROYA')", 'kecamatan', `lower(name) = 'kroya'`],
    ["code IN ('33.01.06', '33.01.07')", 'kecamatan', `code IN ('33.01.06', '33.01.07')`],
    ['desa_count BETWEEN 10 AND 15', 'kecamatan', 'desa_count BETWEEN 10 AND 15'],
    ['kelurahan_count > desa_count', 'kecamatan', 'kelurahan_count > desa_count'],
    [
      'population_2016 - population_2012 > 5000',
      'kecamatan',
      'population_2016 - population_2012 > 5000',
    ],
    ["type = 'kelurahan' OR kecamatan IS NULL", 'desa', `type = 'kelurahan' OR kecamatan IS NULL`],
    [
      'S_INTERSECTS(geometry, POINT(109.0 -7.7))',
      'kecamatan',
      'ST_Intersects(geom, ST_SetSRID(ST_Point(109.0, -7.7), 4326))',
    ],
    [
      'S_WITHIN(geometry, BBOX(108.9, -7.8, 109.2, -7.6))',
      'desa',
      'ST_Within(geom, ST_MakeEnvelope(108.9, -7.8, 109.2, -7.6, 4326))',
    ],
    [
      'S_CONTAINS(geometry, POINT(109.0 -7.7))',
      'desa',
      'ST_Contains(geom, ST_SetSRID(ST_Point(109.0, -7.7), 4326))',
    ],
    [
      'S_DISJOINT(geometry, LINESTRING(109.0 -7.7, 109.1 -7.6))',
      'kecamatan',
      "ST_Disjoint(geom, ST_GeomFromText('LINESTRING(109.0 -7.7, 109.1 -7.6)', 4326))",
    ],
    [
      'S_TOUCHES(geometry, POLYGON((109 -7.7, 109.05 -7.7, 109.05 -7.65, 109 -7.7)))',
      'kecamatan',
      'ST_Touches(geom, ST_GeomFromText(' +
        "'POLYGON((109 -7.7, 109.05 -7.7, 109.05 -7.65, 109 -7.7))', 4326))",
    ],
  ])('filters with CQL2 text %s on %s like the SQL %s', async (filter, layerId, where) => {
    const expected = await idsWhere(layerId, where);

    const { response, page } = await items(layerId, { filter, limit: '1000' });

    expect(response.status).toBe(200);
    expect(page.features.map((f) => f.id)).toEqual(expected);
    expect(page.numberMatched).toBe(expected.length);
  });

  it('compares dates with an interval of which the operator reads one end', async () => {
    const interval = "INTERVAL('2020-01-01', '2022-01-01')";
    const later = await idsWhere('road_segment', 'survey_date > $1', ['2022-01-01']);
    const earlier = await idsWhere('road_segment', 'survey_date < $1', ['2020-01-01']);

    const after = await items('road_segment', {
      filter: `T_AFTER(survey_date, ${interval})`,
      limit: '1000',
    });
    const before = await items('road_segment', {
      filter: `T_BEFORE(survey_date, ${interval})`,
      limit: '1000',
    });

    expect(after.response.status).toBe(200);
    expect(before.response.status).toBe(200);
    expect(after.page.features.map((f) => f.id)).toEqual(later);
    expect(before.page.features.map((f) => f.id)).toEqual(earlier);
  });

  it('reads the same filter in CQL2 JSON', async () => {
    const filter = JSON.stringify({
      op: 'and',
      args: [
        { op: '=', args: [{ property: 'name' }, 'Kroya'] },
        { op: 's_intersects', args: [{ property: 'geometry' }, { bbox: [108, -8, 110, -7] }] },
      ],
    });

    const { page } = await items('kecamatan', { filter, 'filter-lang': 'cql2-json' });

    expect(page.features.map((f) => f.properties.name)).toEqual(['Kroya']);
  });

  it('reads geometry literals in filter-crs: UTM 49S and latitude-first EPSG:4326', async () => {
    const [utm] = (
      await server.testDatabase.database.pool.query<{ x: number; y: number }>(
        'SELECT ST_X(p) AS x, ST_Y(p) AS y ' +
          'FROM ST_Transform(ST_SetSRID(ST_Point(109.0, -7.7), 4326), 32749) p',
      )
    ).rows;
    const crs84 = await items('kecamatan', { filter: 'S_INTERSECTS(geometry, POINT(109.0 -7.7))' });

    const projected = await items('kecamatan', {
      filter: `S_INTERSECTS(geometry, POINT(${utm!.x} ${utm!.y}))`,
      'filter-crs': epsg(32749),
    });
    const latFirst = await items('kecamatan', {
      filter: 'S_INTERSECTS(geometry, POINT(-7.7 109.0))',
      'filter-crs': epsg(4326),
    });

    const ids = (p: FeaturePage) => p.features.map((f) => f.id);
    expect(ids(crs84.page)).toHaveLength(1);
    expect(ids(projected.page)).toEqual(ids(crs84.page));
    expect(ids(latFirst.page)).toEqual(ids(crs84.page));
  });

  it('answers hostile and malformed filters with 400 and a reason', async () => {
    for (const filter of [
      "name='x';DROP TABLE kecamatan",
      'name) OR 1=1--',
      "'",
      'S_INTERSECTS(geometry',
      'nosuchfield=1',
      'name LIKE',
      '1=1 AND pg_sleep(5)=0',
    ]) {
      const { response, page } = await items('kecamatan', { filter });

      expect(response.status, filter).toBe(400);
      expect((page as unknown as { detail: string }).detail.length).toBeGreaterThan(10);
    }
    const { page } = await items('kecamatan', { limit: '100' });
    expect(page.numberMatched).toBe(24);
  });

  it('returns geometries in the asked CRS with Content-Crs, axis order and precision', async () => {
    const [expected] = (
      await server.testDatabase.database.pool.query<{ utm: string; merc: string }>(
        `SELECT ST_AsGeoJSON(ST_Transform(geom, 32749), 2, 0) AS utm,
          ST_AsGeoJSON(ST_Transform(geom, 3857), 2, 0) AS merc FROM kecamatan WHERE id = 1`,
      )
    ).rows;
    const fetchItem = async (crs?: string) => {
      const query = crs ? `?crs=${encodeURIComponent(crs)}` : '';
      return get(`/collections/kecamatan/items/1${query}`, 'application/geo+json');
    };

    const lonLat = await fetchItem();
    const latLon = await fetchItem(epsg(4326));
    const utm = await fetchItem(epsg(32749));
    const mercator = await fetchItem(epsg(3857));

    expect(lonLat.response.headers.get('content-crs')).toBe(
      '<http://www.opengis.net/def/crs/OGC/1.3/CRS84>',
    );
    expect(latLon.response.headers.get('content-crs')).toBe(`<${epsg(4326)}>`);
    const [lon, lat] = firstPosition(lonLat.body.geometry.coordinates);
    expect(firstPosition(latLon.body.geometry.coordinates)).toEqual([lat, lon]);
    expect(utm.body.geometry).toEqual(JSON.parse(expected!.utm));
    expect(mercator.body.geometry).toEqual(JSON.parse(expected!.merc));
    expect(lon!.toString().split('.')[1]!.length).toBeLessThanOrEqual(7);
  });

  it('reads bbox in bbox-crs: a box in CRS84, EPSG:4326 or EPSG:3857 selects alike', async () => {
    const crs84 = await items('desa', { bbox: '109.0,-7.74,109.03,-7.71', limit: '100' });
    const latLon = await items('desa', {
      bbox: '-7.74,109.0,-7.71,109.03',
      'bbox-crs': epsg(4326),
      limit: '100',
    });
    const [box] = (
      await server.testDatabase.database.pool.query<{ b: string }>(
        `SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) AS b
        FROM ST_Transform(ST_MakeEnvelope(109.0, -7.74, 109.03, -7.71, 4326), 3857) e`,
      )
    ).rows;
    const mercator = await items('desa', { bbox: box!.b, 'bbox-crs': epsg(3857), limit: '100' });

    const ids = (p: FeaturePage) => p.features.map((f) => f.id);
    expect(ids(crs84.page).length).toBeGreaterThan(2);
    expect(ids(latLon.page)).toEqual(ids(crs84.page));
    expect(ids(mercator.page)).toEqual(ids(crs84.page));
  });

  it('reads each spelling of CRS84 and EPSG:4326 in crs, bbox-crs and filter-crs', async () => {
    const crs84Box = '109.0,-7.74,109.03,-7.71';
    const latFirstBox = '-7.74,109.0,-7.71,109.03';
    const touching = (point: string) => `S_INTERSECTS(geometry, POINT(${point}))`;
    const ids = (p: FeaturePage) => p.features.map((f) => f.id);
    const expected = ids((await items('desa', { bbox: crs84Box, limit: '100' })).page);
    const filtered = ids((await items('desa', { filter: touching('109.01 -7.72') })).page);
    const spelled = [
      ...crs84Spellings.map((name) => ({ name, uri: crs84Uri, box: crs84Box, latFirst: false })),
      ...epsgSpellings(4326).map((name) => ({
        name,
        uri: epsg(4326),
        box: latFirstBox,
        latFirst: true,
      })),
    ];

    for (const { name, uri, box, latFirst } of spelled) {
      const asked = { crs: name, 'bbox-crs': name, bbox: box, limit: '100' };
      const { response, page } = await items('desa', asked);

      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-crs'), name).toBe(`<${uri}>`);
      expect(ids(page), name).toEqual(expected);
      const [x, y] = firstPosition(page.features[0]!.geometry.coordinates);
      expect(latFirst ? [y, x] : [x, y], name).toEqual([
        expect.closeTo(109, 0),
        expect.closeTo(-7.7, 0),
      ]);
      const filter = touching(latFirst ? '-7.72 109.01' : '109.01 -7.72');
      const selected = await items('desa', { filter, 'filter-crs': name });
      expect(ids(selected.page), name).toEqual(filtered);
    }
    expect(filtered).toHaveLength(1);
  });

  it('says EPSG:4326 takes latitude first when its bbox is given longitude first', async () => {
    const lonFirst = { bbox: '109.2,-7.7,109.3,-7.6', 'bbox-crs': epsg(4326) };

    const { response, page } = await items('desa', lonFirst);

    expect(response.status).toBe(400);
    expect((page as unknown as { detail: string }).detail).toContain(
      'takes latitude first (minLat,minLon,maxLat,maxLon); for longitude first, give no bbox-crs',
    );
  });

  it('answers an unknown CRS with 400 listing the supported ones', async () => {
    const { response, page } = await items('kecamatan', { crs: epsg(2154) });

    expect(response.status).toBe(400);
    expect(JSON.stringify(page)).toContain(epsg(32749));
  });

  it('returns only the properties asked, sorted as asked, paging without repeats', async () => {
    const { page } = await items('kecamatan', {
      properties: 'name,population_2016',
      sortby: '-population_2016',
      limit: '100',
    });
    const seen: number[] = [];
    let url: string | undefined = `/collections/desa/items?sortby=kecamatan,-name&limit=37`;
    while (url) {
      const next: FeaturePage = (await get(url.replace(server.baseUrl, ''))).body;
      seen.push(...next.features.map((f) => f.id));
      url = next.links.find((l) => l.rel === 'next')?.href;
    }

    expect(Object.keys(page.features[0]!.properties)).toEqual(['name', 'population_2016']);
    const populations = page.features.map((f) => f.properties.population_2016 as number | null);
    const known = populations.filter((p): p is number => p !== null);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(seen).toHaveLength(284);
    expect(new Set(seen).size).toBe(284);
  });

  it('takes queryables as query parameters, typed by the declaration', async () => {
    const { page } = await items('kecamatan', { code: '33.01.06' });
    const { response } = await items('kecamatan', { desa_count: 'many' });

    expect(page.features.map((f) => f.properties.name)).toEqual(['Kroya']);
    expect(response.status).toBe(400);
  });

  it('reads a coded queryable given a label as its code, in either language', async () => {
    const byCode = await items('road_segment', { status: 'kabupaten', limit: '1000' });
    const byLabel = await items('road_segment', { status: 'Jalan Kabupaten', limit: '1000' });
    const english = await items('road_segment', { status: 'Regency road', limit: '1000' });

    expect(byLabel.response.status).toBe(200);
    expect(byLabel.page.features.length).toBeGreaterThan(0);
    expect(byLabel.page.features).toEqual(byCode.page.features);
    expect(english.page.features).toEqual(byCode.page.features);
  });

  it('refuses a coded queryable given a code its domain lacks, listing the codes', async () => {
    const known = await items('road_segment', { status: 'kabupaten', limit: '1' });
    const mistyped = await items('road_segment', { status: 'nasionall' });

    expect(known.response.status).toBe(200);
    expect(mistyped.response.status).toBe(400);
    expect(mistyped.page).toMatchObject({
      type: '/problems/invalid-parameter',
      detail: expect.stringContaining('status takes one of its codes: nasional, provinsi,'),
    });
  });

  it.each([
    [{ limt: '10' }, 'unknown-parameter'],
    [{ limit: '0' }, 'invalid-limit'],
    [{ datetime: '2020-02-30' }, 'invalid-datetime'],
    [{ datetime: '../..' }, 'invalid-datetime'],
    [{ datetime: '2021-01-01/2020-06-30T23:59:59Z' }, 'invalid-datetime'],
    [{ 'filter-lang': 'ecql', filter: 'a=1' }, 'invalid-filter-lang'],
    [{ bbox: '109,-7,108,-8' }, 'invalid-bbox'],
    [{ bbox: '0,-95,1,1' }, 'invalid-bbox'],
    [{ bbox: '0x6c,-8,110,-7' }, 'invalid-bbox'],
    [{ bbox: '108,-8,0b1101110,-7' }, 'invalid-bbox'],
    [{ area_ha: '0x10' }, 'invalid-parameter'],
    [{ properties: 'name,password' }, 'invalid-properties'],
    [{ sortby: 'geometry' }, 'invalid-sortby'],
    [{ sortby: 'name', after: '3' }, 'invalid-after'],
  ])('answers %j with a 400 %s problem', async (parameters, type) => {
    const { response, page } = await items('kecamatan', parameters);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(page).toMatchObject({ type: `/problems/${type}` });
  });

  it('takes datetime on a layer without a time attribute, and ignores it', async () => {
    const { response, page } = await items('kecamatan', {
      datetime: '2020-01-01/..',
      limit: '100',
    });

    expect(response.status).toBe(200);
    expect(page.numberMatched).toBe(24);
  });

  it.each([
    ['road_segment', 'survey_date'],
    ['irrigation_canal', 'inspection_date'],
    ['irrigation_structure', 'inspection_date'],
  ])('filters datetime on %s by its %s, and gives its temporal extent', async (id, column) => {
    const { rows } = await server.testDatabase.database.pool.query(
      `SELECT min(${column})::text AS first, max(${column})::text AS last,
        mode() WITHIN GROUP (ORDER BY ${column})::text AS busiest FROM ${id}`,
    );
    const { first, last, busiest } = rows[0];
    const since = await items(id, { datetime: `${busiest}/..`, limit: '10000' });
    const day = await items(id, { datetime: busiest, limit: '10000' });
    const morning = await items(id, { datetime: `${busiest}T10:00:00Z`, limit: '10000' });
    const { body: collection } = await get(`/collections/${id}`);
    const all = await idsWhere(id, 'true');

    expect(since.response.status).toBe(200);
    expect(since.page.features.map((f) => f.id)).toEqual(
      await idsWhere(id, `${column} >= $1`, [busiest]),
    );
    expect(day.page.features.map((f) => f.id)).toEqual(
      await idsWhere(id, `${column} = $1`, [busiest]),
    );
    expect(morning.page.features.map((f) => f.id)).toEqual(day.page.features.map((f) => f.id));
    expect(day.page.features.length).toBeGreaterThan(0);
    expect(day.page.features.length).toBeLessThan(all.length);
    expect(collection.extent.temporal.interval[0].map((t: string) => t.slice(0, 10))).toEqual([
      first,
      last,
    ]);
  });

  it('refuses a large self-crossing filter polygon at once, not after minutes', async () => {
    const polygon = (step: number, count = 301) => {
      const ring = Array.from({ length: count }, (_, i) => {
        const angle = (2 * Math.PI * ((i * step) % count)) / count;
        const lon = (109 + 0.005 * Math.cos(angle)).toFixed(5);
        return `${lon} ${(-7.6 + 0.005 * Math.sin(angle)).toFixed(5)}`;
      });
      return `POLYGON((${[...ring, ring[0]].join(',')}))`;
    };
    const bowtie = 'POLYGON((109 -7.6,109.01 -7.59,109.01 -7.6,109 -7.59,109 -7.6))';

    const started = Date.now();
    const star = await items('kecamatan', { filter: `S_INTERSECTS(geometry,${polygon(150)})` });
    const elapsedMs = Date.now() - started;
    const circle = await items('kecamatan', { filter: `S_INTERSECTS(geometry,${polygon(1)})` });
    const small = await items('kecamatan', { filter: `S_INTERSECTS(geometry,${bowtie})` });

    expect(star.response.status).toBe(400);
    expect(star.page).toMatchObject({ type: '/problems/invalid-filter' });
    expect(elapsedMs).toBeLessThan(5000);
    expect(circle.response.status).toBe(200);
    expect(small.response.status).toBe(200);
  });

  it('names the page-size limit when the limit is no whole number from 1', async () => {
    const { page } = await items('kecamatan', { limit: '1.5' });

    expect(page).toMatchObject({ parameter: 'limit', minimum: 1, maximum: 10000 });
    expect((page as unknown as { detail: string }).detail).toContain(
      'more than 10000 reads as 10000',
    );
  });

  it('names the parameter out of range as parameter, not as a limit', async () => {
    const { page } = await items('kecamatan', { offset: '-1' });

    expect(page).toMatchObject({ type: '/problems/invalid-offset', parameter: 'offset' });
    expect(page).not.toHaveProperty('limit');
  });

  it('gives numberMatched on the last page, and omits it when counting costs a scan', async () => {
    const wide = await items('desa', { bbox: '108,-8,110,-7', limit: '10' });
    const last = await items('desa', { bbox: '108,-8,110,-7', limit: '10', offset: '280' });
    const whole = await items('desa', { limit: '10' });

    expect(wide.page.numberMatched).toBeUndefined();
    const next = wide.page.links.find((l) => l.rel === 'next')!.href;
    expect(new URL(next).searchParams.get('after')).toBe(String(wide.page.features[9]!.id));
    expect(last.page.numberMatched).toBe(284);
    expect(whole.page.numberMatched).toBe(284);
  });

  it('keeps the single-item ETag "<id>-<version>" and answers If-None-Match with 304', async () => {
    const first = await fetch(`${server.baseUrl}/collections/kecamatan/items/3`);
    const etag = first.headers.get('etag')!;

    const again = await fetch(`${server.baseUrl}/collections/kecamatan/items/3`, {
      // fetch would add `Cache-Control: no-cache` to a conditional request, which bypasses 304
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });

    expect(etag).toMatch(/^"3-\d+"$/);
    expect(again.status).toBe(304);
  });

  it('renders HTML pages with a small map for items and a single item', async () => {
    const landing = await get('/?f=html', 'text/html');
    const collections = await get('/collections', 'text/html');
    const list = await get('/collections/kecamatan/items?limit=5', 'text/html');
    const one = await get('/collections/kecamatan/items/1', 'text/html');
    const queryables = await get('/collections/desa/queryables?f=html', 'text/html');

    expect(landing.text).toContain('/api?f=html');
    expect(collections.text).toContain('/collections/kecamatan?f=html');
    expect(list.text).toContain('<svg class="map"');
    expect(
      list.text.match(/<a href="\/collections\/kecamatan\/items\/\d+\?f=html"><title>/g),
    ).toHaveLength(5);
    expect(list.text).toContain('offset=5');
    expect(one.text).toContain('<svg class="map"');
    expect(queryables.text).toContain('kelurahan: Kelurahan / Urban village');
    // the icon the pages name is served, so a browser logs no 404 for each page
    const icon = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/.exec(landing.text)![1];
    const served = await fetch(`${server.baseUrl}${icon}`);
    expect([served.status, served.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
  });
});

describe('the feature API for a caller with a narrow token', () => {
  const desa = findLayer('desa')!;
  let close: () => Promise<void>;
  let baseUrl: string;
  let server: TestServer;
  const principal: Principal = {
    kind: 'token',
    name: 'kecamatan-reader',
    roles: [],
    scope: { layerIds: ['kecamatan'], write: false },
  };
  beforeAll(async () => {
    server = await startTestServer();
    const app = express();
    app.use((_req, res, next) => {
      res.locals.principal = principal;
      next();
    });
    app.use(createCollectionsRouter({ database: server.testDatabase.database }));
    app.use(sendProblem);
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    close = async () => {
      listener.close();
      await server.close();
    };
  });
  afterAll(() => close());

  it('lists, describes and serves only the layers the caller may read', async () => {
    const desaAccess = desa.access;
    (desa as { access: LayerAccess }).access = { ...desaAccess, read: ['admin'] };
    try {
      const collections = await (await fetch(`${baseUrl}/collections`)).json();
      const api = await (await fetch(`${baseUrl}/api`)).json();
      const hidden = await fetch(`${baseUrl}/collections/desa/items`);
      const queryables = await fetch(`${baseUrl}/collections/desa/queryables`);

      const ids = collections.collections.map((c: { id: string }) => c.id);
      expect(ids).toContain('kecamatan');
      expect(ids).not.toContain('desa');
      expect(Object.keys(api.paths).filter((p) => p.includes('desa'))).toEqual([]);
      expect(hidden.status).toBe(404);
      expect(queryables.status).toBe(404);
    } finally {
      (desa as { access: LayerAccess }).access = desaAccess;
    }
  });

  it('serves public layers outside its scope, as it would to a visitor', async () => {
    const collections = await (await fetch(`${baseUrl}/collections`)).json();
    const items = await fetch(`${baseUrl}/collections/desa/items?limit=1`);

    const ids = collections.collections.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['kecamatan', 'desa', 'road_segment']));
    expect(items.status).toBe(200);
  });
});
