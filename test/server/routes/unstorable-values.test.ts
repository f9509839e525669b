import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTextMaxLength } from '../../../layers/validate-attributes.js';
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

  it('answers 422 for text past the default maximum of one declaring none', async () => {
    const megabyte = 'x'.repeat(1024 * 1024);
    const created = await send('POST', items, evacuationPoint({ source: megabyte }));
    const longest = 'x'.repeat(defaultTextMaxLength);
    const stored = await send('POST', items, evacuationPoint({ source: longest }));
    const id = stored.body.id as number;
    const etag = stored.response.headers.get('etag')!;
    const tooLong = { properties: { source: `${longest}x` } };
    const patched = await send('PATCH', `${items}/${id}`, tooLong, etag);

    expect(stored.status).toBe(201);
    expect(created.status).toBe(422);
    expect(created.type).toMatch(/^application\/problem\+json/);
    expect(created.body.errors).toEqual([
      {
        index: 0,
        field: 'source',
        code: 'too-long',
        message:
          `source must be at most ${defaultTextMaxLength} characters long, the limit of text ` +
          `attributes that declare none; it has ${megabyte.length}.`,
      },
    ]);
    expect(patched.status).toBe(422);
    expect(patched.body.errors).toEqual([
      expect.objectContaining({ field: 'source', code: 'too-long' }),
    ]);
  });

  it('answers 422 naming the field when a text stored too long blocks a patch', async () => {
    const stored = await send('POST', items, evacuationPoint({ name: 'Balai Desa Slarang' }));
    const id = stored.body.id as number;
    const pool = server.testDatabase.database.pool;
    // as a table migrated over a longer value holds it: the limit added NOT VALID
    const limit = 'evacuation_point_source_text_limit';
    const table = 'evacuation_point';
    const check = 'CHECK (length(source) <= 4000) NOT VALID';
    await pool.query(`ALTER TABLE ${table} DROP CONSTRAINT ${limit}`);
    await pool.query(`UPDATE ${table} SET source = repeat('s', 5000) WHERE id = $1`, [id]);
    await pool.query(`ALTER TABLE ${table} ADD CONSTRAINT ${limit} ${check}`);
    const read = await fetch(`${server.baseUrl}${items}/${id}`);
    const etag = read.headers.get('etag')!;
    await read.arrayBuffer();

    const patch = { properties: { capacity: 50 } };
    const patched = await send('PATCH', `${items}/${id}`, patch, etag);

    expect(patched.status).toBe(422);
    expect(patched.type).toMatch(/^application\/problem\+json/);
    expect(patched.body.errors).toEqual([expect.objectContaining({ field: 'source' })]);
  });

  it('answers 422 naming the field for text holding a NUL, created or patched', async () => {
    const created = await send('POST', items, evacuationPoint({ name: 'Balai\u0000Desa' }));
    const stored = await send('POST', items, evacuationPoint({ name: 'Balai Desa Tambakreja' }));
    const id = stored.body.id as number;
    const etag = stored.response.headers.get('etag')!;
    const patched = await send(
      'PATCH',
      `${items}/${id}`,
      { properties: { source: '\u0000' } },
      etag,
    );

    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([
      expect.objectContaining({ field: 'name', code: 'nul-character' }),
    ]);
    expect(patched.status).toBe(422);
    expect(patched.body.errors).toEqual([
      expect.objectContaining({ field: 'source', code: 'nul-character' }),
    ]);
  });

  it('answers 422 for text holding half an emoji, which would be stored as U+FFFD', async () => {
    // 'Posko 🏠' cut after 7 UTF-16 units keeps the first half of the emoji's pair
    const cut = 'Posko 🏠'.slice(0, 7);
    const answer = await send('POST', items, evacuationPoint({ name: cut }));
    const whole = await send('POST', items, evacuationPoint({ name: 'Posko 🏠' }));

    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ field: 'name', code: 'unpaired-surrogate' }),
    ]);
    expect(whole.status).toBe(201);
    expect(whole.body.properties.name).toBe('Posko 🏠');
  });

  it('says a number past the double range arrives as Infinity', async () => {
    const feature = JSON.stringify(evacuationPoint({}));
    const text = feature.replace('"capacity":100', '"capacity":1e400');
    const response = await fetch(`${server.baseUrl}${items}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/geo+json' },
      body: text,
    });
    const body = await response.json();

    expect(response.status).toBe(422);
    expect(body.errors[0]).toMatchObject({ field: 'capacity', code: 'wrong-type' });
    expect(body.errors[0].message).toBe('capacity must be a whole number; got Infinity.');
  });

  it('answers 422 for a property whose name holds a NUL', async () => {
    const answer = await send('POST', items, evacuationPoint({ 'nama\u0000': 'x' }));

    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ field: 'nama\u0000', code: 'unknown-attribute' }),
    ]);
  });
});
