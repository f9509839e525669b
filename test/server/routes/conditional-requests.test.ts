import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

// fetch adds `Cache-Control: no-cache` to a conditional request, which bypasses 304 in Express.
const revalidate = { 'cache-control': 'max-age=0' };

describe('conditional GET with If-None-Match', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** The status of each If-None-Match sent after a first read, by the header sent. */
  async function answersTo(path: string, headers: (etag: string) => string[]) {
    const first = await fetch(`${server.baseUrl}${path}`, { headers: revalidate });
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const statuses: Record<string, number> = {};
    for (const header of headers(etag)) {
      const again = await fetch(`${server.baseUrl}${path}`, {
        headers: { ...revalidate, 'if-none-match': header },
      });
      await again.arrayBuffer();
      statuses[header] = again.status;
    }
    return { etag, statuses };
  }

  const unquoted = (etag: string) => etag.replace(/^W\//, '').replace(/"/g, '');

  it('answers a feature 304 for its quoted or weak ETag and 200 for it unquoted', async () => {
    const { etag, statuses } = await answersTo('/collections/kecamatan/items/3', (tag) => [
      tag,
      `W/${tag}`,
      '*',
      unquoted(tag),
      `"${unquoted(tag)}`,
    ]);

    expect(etag).toMatch(/^"3-\d+"$/);
    expect(Object.values(statuses)).toEqual([304, 304, 304, 200, 200]);
  });

  it('gives the HTML page of a feature its own ETag, 304 for that one only', async () => {
    const path = `${server.baseUrl}/collections/kecamatan/items/3`;
    const read = async (accept: string, ifNoneMatch?: string) => {
      const headers: Record<string, string> = { ...revalidate, accept };
      if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
      const response = await fetch(path, { headers });
      await response.arrayBuffer();
      return { status: response.status, etag: response.headers.get('etag')! };
    };
    const json = await read('application/geo+json');
    const html = await read('text/html');

    expect(html.etag).not.toBe(json.etag);
    expect((await read('text/html', json.etag)).status).toBe(200);
    expect((await read('application/geo+json', html.etag)).status).toBe(200);
    expect((await read('text/html', html.etag)).status).toBe(304);
    expect((await read('application/geo+json', json.etag)).status).toBe(304);
  });

  it('answers a tile 304 for either ETag, strong or weak, and 200 for one unquoted', async () => {
    const tile = '/tiles/kecamatan/12/3288/2136.mvt';
    const { etag, statuses } = await answersTo(tile, (tag) => [
      tag,
      `W/${tag}`,
      tag.replace(/-gzip"$/, '"'),
      '*',
      unquoted(tag),
      `W/${unquoted(tag)}`,
      `${unquoted(tag)}, "other"`,
    ]);

    expect(etag).toMatch(/^"[\w-]+-gzip"$/);
    expect(Object.values(statuses)).toEqual([304, 304, 304, 304, 200, 200, 200]);
  });

  it('answers TileJSON 304 for its ETag and 200 for it unquoted', async () => {
    const { statuses } = await answersTo('/tiles/kecamatan.json', (tag) => [tag, unquoted(tag)]);

    expect(Object.values(statuses)).toEqual([304, 200]);
  });

  it('answers a feature read with a stale If-Match 412 carrying the current ETag', async () => {
    const path = `${server.baseUrl}/collections/kecamatan/items/4`;
    const etag = (await fetch(path)).headers.get('etag')!;
    const read = (ifMatch: string) => fetch(path, { headers: { 'if-match': ifMatch } });

    const current = await read(etag);
    const stale = await read('"4-999"');
    const any = await read('*');

    expect([current.status, any.status]).toEqual([200, 200]);
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.headers.get('etag')).toBe(etag);
  });
});
