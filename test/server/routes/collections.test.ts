import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

interface FeaturePage {
  features: { id: number; properties: Record<string, unknown> }[];
  numberMatched: number;
  numberReturned: number;
  links: { rel: string; href: string }[];
}

/** What a browser navigating to a page sends. */
const browserAccept =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('the feature API core', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const getJson = async (path: string) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      headers: { accept: 'application/json' },
    });
    return { response, body: await response.json() };
  };

  it('links the landing page to the API parts', async () => {
    const { response, body } = await getJson('/');

    expect(response.status).toBe(200);
    expect(body.links.map((l: { rel: string }) => l.rel)).toEqual(
      expect.arrayContaining(['self', 'conformance', 'data']),
    );
  });

  it('lists the administrative collections with their extent', async () => {
    const { body } = await getJson('/collections');

    const kecamatan = body.collections.find((c: { id: string }) => c.id === 'kecamatan');
    expect(kecamatan.extent.spatial.bbox[0][0]).toBeCloseTo(108.556, 2);
    expect(body.collections.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining(['regency', 'kecamatan', 'desa']),
    );
  });

  it('returns the 24 kecamatan with code and population as GeoJSON', async () => {
    const { response, body } = await getJson('/collections/kecamatan/items?limit=100');

    expect(response.headers.get('content-type')).toContain('application/geo+json');
    expect(body.numberMatched).toBe(24);
    expect(body.numberReturned).toBe(24);
    const kroya = body.features.find(
      (f: { properties: { code: string } }) => f.properties.code === '33.01.06',
    );
    expect(kroya.properties).toMatchObject({ name: 'Kroya', population_2016: 104648 });
  });

  it('visits every desa exactly once when following next links', async () => {
    const seen: number[] = [];
    let url: string | undefined = `${server.baseUrl}/collections/desa/items?limit=50`;

    while (url) {
      const response = await fetch(url, { headers: { accept: 'application/geo+json' } });
      const page = (await response.json()) as FeaturePage;
      seen.push(...page.features.map((f) => f.id));
      url = page.links.find((l) => l.rel === 'next')?.href;
    }

    expect(seen).toHaveLength(284);
    expect(new Set(seen).size).toBe(284);
  });

  it('sends a page gzipped to a client that accepts it, with the same features', async () => {
    const path = '/collections/desa/items?limit=100';
    const zipped = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const headers = { 'accept-encoding': 'gzip' };
        http
          .get(`${server.baseUrl}${path}`, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      },
    );
    const plain = await getJson(path);

    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    const text = gunzipSync(zipped.body).toString();
    expect(JSON.parse(text).features).toEqual(plain.body.features);
    expect(zipped.body.length).toBeLessThan(text.length / 3);
  });

  it('filters by bbox to the kecamatan around Cilacap city', async () => {
    const { body } = await getJson('/collections/kecamatan/items?bbox=109.00,-7.74,109.03,-7.71');

    const names = body.features.map((f: { properties: { name: string } }) => f.properties.name);
    expect(names).toContain('Cilacap Tengah');
    expect(names).not.toContain('Dayeuhluhur');
  });

  it('serves one feature with an ETag, and HTML to browsers', async () => {
    const { response, body } = await getJson('/collections/kecamatan/items/1');
    const html = await fetch(`${server.baseUrl}/collections/kecamatan/items/1`, {
      headers: { accept: 'text/html' },
    });

    expect(response.headers.get('etag')).toMatch(/^"1-\d+"$/);
    expect(body.properties.code).toMatch(/^33\.01\.\d\d$/);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain(String(body.properties.name));
  });

  it.each([
    '/collections',
    '/collections/kecamatan/items?limit=1',
    '/collections/kecamatan/items/1',
  ])('answers %s asked for JSON or HTML in charset=utf-8, the one it uses', async (path) => {
    const ask = (accept: string) => fetch(`${server.baseUrl}${path}`, { headers: { accept } });

    const json = await ask('application/json; charset=utf-8');
    const geoJson = await ask('application/geo+json;charset=UTF-8');
    const html = await ask('text/html; charset=utf-8');
    const latin1 = await ask('application/json; charset=iso-8859-1');

    expect([json.status, geoJson.status, html.status]).toEqual([200, 200, 200]);
    expect(json.headers.get('content-type')).toMatch(/json/);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(latin1.status).toBe(406);
  });

  it.each([
    '/',
    '/collections',
    '/collections/kecamatan/items',
    '/collections/kecamatan/schema',
    '/tiles',
    '/tiles/kecamatan.json',
    '/client/config',
    '/auth/session',
    '/auth/users',
    '/auth/tokens',
    '/imports/formats',
    '/imports?layerId=kecamatan',
    '/imports/no-such-job',
    '/admin/geoserver',
    '/admin/geoserver/plan',
  ])('answers %s asked for an image with 406 listing what it serves', async (path) => {
    const headers = { accept: 'image/png' };

    const response = await fetch(`${server.baseUrl}${path}`, { headers });

    expect(response.status).toBe(406);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = await response.json();
    expect(body.type).toBe('/problems/not-acceptable');
    expect(body.available).toContain('application/json');
    expect(body.detail).toContain('application/json');
  });

  it.each([
    ['*/*', '/collections/kecamatan/items', 'application/geo+json'],
    ['', '/tiles', 'application/json'],
    ['application/json', '/collections/kecamatan/schema', 'application/schema+json'],
    ['application/json;q=0.9, */*;q=0.1', '/collections', 'application/json'],
    [browserAccept, '/tiles/kecamatan.json', 'application/json'],
    [browserAccept, '/collections', 'text/html'],
  ])('answers Accept "%s" on %s with %s', async (accept, path, type) => {
    const headers: Record<string, string> = accept ? { accept } : {};

    const response = await fetch(`${server.baseUrl}${path}`, { headers });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
  });

  it.each([
    ['/collections/kecamatan/items?bbox=1,2,3', 400, 'invalid-bbox'],
    ['/collections/kecamatan/items?limit=-1', 400, 'invalid-limit'],
    ['/collections/kecamatan/items?limit=abc', 400, 'invalid-limit'],
    ['/collections/nope/items', 404, 'unknown-collection'],
    ['/collections/kecamatan/items/99999', 404, 'unknown-feature'],
    ['/collections/kecamatan/items/abc', 404, 'unknown-feature'],
  ])('answers %s with %i problem details', async (path, status, type) => {
    const { response, body } = await getJson(path);

    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body).toMatchObject({ status, type: `/problems/${type}` });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|SELECT/);
  });
});

describe('links built from request headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('never take a scheme other than http or https from X-Forwarded-Proto', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, {
      headers: { accept: 'application/json', 'x-forwarded-proto': 'javascript' },
    });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body.links[0].href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/collections/);
  });

  it('take the host and scheme a proxy on this machine forwards', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, {
      headers: {
        accept: 'application/json',
        'x-forwarded-host': 'peta.example.go.id',
        'x-forwarded-proto': 'https',
      },
    });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body.links[0].href).toBe('https://peta.example.go.id/collections');
  });

  it('refuse an X-Forwarded-Host that is not a host name', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, {
      headers: { accept: 'application/json', 'x-forwarded-host': 'evil.example/<script>' },
    });

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/invalid-host');
  });

  it('refuse a Host header that is not a host name', async () => {
    const { request } = await import('node:http');
    const port = new URL(server.baseUrl).port;

    const status = await new Promise<number>((resolve, reject) => {
      const headers = { host: 'evil.example/<script>', accept: 'application/json' };
      const req = request({ host: '127.0.0.1', port, path: '/collections', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

    expect(status).toBe(400);
  });

  it('say what a feature id looks like when the one asked for is not a number', async () => {
    const response = await fetch(`${server.baseUrl}/collections/kecamatan/items/abc`, {
      headers: { accept: 'application/geo+json' },
    });
    const body = await response.json();

    expect(response.status).toBe(404);
    expect(body.detail).toContain('positive integers');
    expect(body.detail).not.toContain('undefined');
  });
});
