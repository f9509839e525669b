import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** GET with the path sent as written: fetch would resolve `..` and decode nothing. */
async function getRaw(baseUrl: string, rawPath: string) {
  const { request } = await import('node:http');
  const url = new URL(baseUrl);
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: rawPath }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes as they are and reads whatever comes back until the server closes. */
async function sendBytes(baseUrl: string, bytes: string) {
  const net = await import('node:net');
  const url = new URL(baseUrl);
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('the routes of the foundation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers headers over 16 KB and malformed requests with problem details', async () => {
    const huge = await fetch(`${server.baseUrl}/collections`, {
      headers: { 'x-filler': 'a'.repeat(20000) },
    });
    const malformed = await sendBytes(server.baseUrl, 'NOT HTTP AT ALL\r\n\r\n');

    expect(huge.status).toBe(431);
    expect(huge.headers.get('content-type')).toBe('application/problem+json');
    expect(await huge.json()).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
    expect(malformed).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(malformed).toContain('application/problem+json');
    expect(JSON.parse(malformed.split('\r\n\r\n')[1]!)).toMatchObject({
      type: '/problems/malformed-request',
    });
  });

  it('serves the web map to browsers and the landing page to other clients at /', async () => {
    const browser = await fetch(`${server.baseUrl}/`, { headers: { accept: 'text/html' } });
    const client = await fetch(`${server.baseUrl}/`, { headers: { accept: '*/*' } });

    expect(browser.headers.get('content-type')).toContain('text/html');
    expect(await browser.text()).toContain('<div id="map"');
    expect(client.headers.get('content-type')).toContain('application/json');
    expect((await client.json()).links.length).toBeGreaterThan(3);
  });

  it.each([
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/../../package.json',
    '/assets',
    '/assets/',
  ])('answers %s with a 404 problem, never a file or a redirect', async (rawPath) => {
    const response = await getRaw(server.baseUrl, rawPath);

    expect(response.status).toBe(404);
    expect(response.type).toContain('application/problem+json');
    expect(response.body).not.toMatch(/root:|"dependencies"/);
  });

  it('says which method nothing answers, and lists the methods a path takes on OPTIONS', async () => {
    const post = await fetch(`${server.baseUrl}/no-such-path`, { method: 'POST' });
    const options = await fetch(`${server.baseUrl}/`, { method: 'OPTIONS' });

    expect(post.status).toBe(404);
    expect((await post.json()).detail).toContain('Nothing answers POST at /no-such-path');
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    ['DELETE', '/collections', 'GET, HEAD, OPTIONS'],
    ['POST', '/health', 'GET, HEAD, OPTIONS'],
    ['POST', '/tiles/desa/12/3263/2174.mvt', 'GET, HEAD, OPTIONS'],
    ['POST', '/collections/desa/items/1', 'GET, HEAD, OPTIONS, PUT, PATCH, DELETE'],
    ['PUT', '/collections/desa/items', 'GET, HEAD, OPTIONS, POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await fetch(`${server.baseUrl}${path}`, { method });
    const body = await response.json();

    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('allow')).toBe(allow);
    expect(body).toMatchObject({ type: '/problems/method-not-allowed', status: 405 });
    expect(body.detail).toBe(`${path} does not take ${method}; it takes ${allow}.`);
  });

  it('lets a web map on another origin read features, tiles and problems (CORS)', async () => {
    const layer = layerDefinitions.find((l) => l.access.read === 'public')!;
    const origin = { origin: 'https://peta.example.go.id' };
    const tile = `/tiles/${layer.id}/${layer.zoom.min}/0/0.mvt`;
    const reads = [`/collections/${layer.id}/items?limit=1`, tile, tile, '/collections/nosuch'];

    const answers = await Promise.all(
      reads.map((path) => fetch(`${server.baseUrl}${path}`, { headers: origin })),
    );
    const preflight = await fetch(`${server.baseUrl}/collections/${layer.id}/items/1`, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers':
          'authorization, content-type, if-match, content-crs, content-encoding',
      },
    });

    expect(answers.map((a) => a.headers.get('access-control-allow-origin'))).toEqual(
      Array(reads.length).fill('*'),
    );
    const exposed = answers[0]!.headers.get('access-control-expose-headers')!.toLowerCase();
    expect(exposed).toContain('etag');
    expect(exposed).toContain('content-crs');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    const allowedHeaders = preflight.headers.get('access-control-allow-headers')!.toLowerCase();
    // a gzip-compressed body, which the server inflates: a batch of thousands of features
    for (const name of [
      'authorization',
      'content-type',
      'if-match',
      'content-crs',
      'content-encoding',
    ]) {
      expect(allowedHeaders).toContain(name);
    }
  });

  it('still answers HEAD where GET is taken', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, { method: 'HEAD' });

    expect(response.status).toBe(200);
  });

  it('reports the database and its PostGIS at /health', async () => {
    const response = await fetch(`${server.baseUrl}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });
});
