import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';

/** Balai Desa Kutawaru, inside Cilacap. */
const kutawaru = [109.072089, -7.66587];

function evacuationPoint(properties: Record<string, unknown>) {
  const base = { name: 'Balai Desa Kutawaru', type: 'titik_kumpul', capacity: 100 };
  const geometry = { type: 'Point', coordinates: kutawaru };
  return { type: 'Feature', geometry, properties: { ...base, ...properties } };
}

describe('edits holding values a column cannot store', () => {
  let server: TestServer;
  let editor: string;
  beforeAll(async () => {
    server = await startTestServer();
    editor = await writeToken(server, 'disaster-risk:editor');
  });
  afterAll(() => server.close());

  const send = async (method: string, path: string, body: unknown, etag?: string) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${editor}`,
      'content-type': 'application/geo+json',
      ...(etag ? { 'if-match': etag } : {}),
    };
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers,
      body: JSON.stringify(body),
    });
    const type = response.headers.get('content-type');
    return { status: response.status, type, body: await response.json(), response };
  };
  const items = '/collections/evacuation_point/items';

  it('answers 422 naming the field and the range for a capacity past 32 bits', async () => {
    const answer = await send('POST', items, evacuationPoint({ capacity: 2147483648 }));

    expect(answer.status).toBe(422);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: '/problems/invalid-feature' });
    expect(answer.body.errors).toEqual([
      {
        index: 0,
        field: 'capacity',
        code: 'above-maximum',
        message: 'capacity must be at most 2147483647.',
      },
    ]);
  });
});
