import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, recordTables } from '../../../layers/index.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validValue } from '../../support/valid-feature.js';

/** A record table kept per feature whose parent carries its newest values (surveys). */
const table = recordTables.find(
  (t) =>
    t.parent &&
    t.timeAttribute &&
    layerDefinitions.some((l) =>
      l.attributes.some((a) => a.computed === 'latest_record' && a.latestRecord?.tableId === t.id),
    ),
)!;
const parentLayer = layerDefinitions.find((l) => l.id === table.parent!.layerId)!;
const latest = parentLayer.attributes.find(
  (a) => a.computed === 'latest_record' && a.latestRecord?.tableId === table.id,
)!;

/** A day relative to today (UTC) as YYYY-MM-DD: records may not be dated in the future. */
function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
const today = day(0);
const yesterday = day(-1);

/** A POST without a body, Content-Length or Transfer-Encoding, as curl -X POST sends it. */
function postWithoutLength(url: string, headers: Record<string, string>) {
  const { hostname, port, pathname } = new URL(url);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const request = [`POST ${pathname} HTTP/1.1`, `Host: ${hostname}`, 'Connection: close', ...lines];
  return new Promise<{ status: number; text: string }>((done, fail) => {
    let answer = '';
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(`${request.join('\r\n')}\r\n\r\n`),
    );
    socket.on('data', (part) => (answer += part));
    socket.on('error', fail);
    socket.on('end', () => {
      const [head = '', text = ''] = answer.split('\r\n\r\n');
      done({ status: Number(head.split(' ')[1]), text });
    });
  });
}

describe(`records of ${table.id}`, () => {
  let server: TestServer;
  let editorToken: string;
  let otherToken: string;
  let parentKey: string;
  let parentId: number;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const role = `${table.theme}:editor`;
    editorToken = (
      await createApiToken(pool, { name: 'surveyor', roles: [role], write: true }, 't')
    ).secret;
    const otherTheme = layerDefinitions.find((l) => l.theme !== table.theme)!.theme;
    const otherRequest = { name: 'other', roles: [`${otherTheme}:editor`], write: true };
    otherToken = (await createApiToken(pool, otherRequest, 't')).secret;
    const key = table.parent!.attribute;
    const { rows } = await pool.query(
      `SELECT id, "${key}"::text AS key FROM ${parentLayer.id} ORDER BY id LIMIT 1`,
    );
    parentKey = rows[0].key;
    parentId = rows[0].id;
  });
  afterAll(() => server.close());

  function record(date: string) {
    const properties: Record<string, unknown> = {};
    for (const attribute of table.attributes) {
      if (attribute.required) properties[attribute.name] = validValue(attribute);
    }
    const recorded = latest.latestRecord!.attribute;
    const source = table.attributes.find((a) => a.name === recorded)!;
    properties[recorded] = source.domain ? source.domain.at(-1)!.code : validValue(source);
    return { ...properties, [table.parent!.attribute]: parentKey, [table.timeAttribute!]: date };
  }
  const post = (properties: unknown, token = editorToken) =>
    fetch(`${server.baseUrl}/records/${table.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties }),
    });

  it('adds a record, updates the feature it describes, and records that update in its history', async () => {
    const sent = record(today);

    const response = await post(sent);

    expect(response.status).toBe(201);
    const feature = await (
      await fetch(`${server.baseUrl}/collections/${parentLayer.id}/items/${parentId}`)
    ).json();
    expect(feature.properties[latest.name]).toEqual(sent[latest.latestRecord!.attribute]);
    const history = await fetch(
      `${server.baseUrl}/collections/${parentLayer.id}/items/${parentId}/history`,
      { headers: { authorization: `Bearer ${editorToken}` } },
    );
    const versions = (await history.json()).versions;
    expect(versions.at(-1)).toMatchObject({ operation: 'update', changedBy: 'token:surveyor' });
  });

  it('lists the records of a feature newest first', async () => {
    await post(record(yesterday));

    const response = await fetch(`${server.baseUrl}/records/${table.id}?parent=${parentKey}`);
    const { records } = await response.json();

    const dates = records.map(
      (r: { properties: Record<string, string> }) => r.properties[table.timeAttribute!],
    );
    expect(dates.slice(0, 2)).toEqual([today, yesterday]);
  });

  it('pages every record of the table by next links, each record once', async () => {
    const { rows } = await server.testDatabase.database.pool.query(
      `SELECT count(*)::int AS n FROM ${table.id}`,
    );
    const seen: number[] = [];
    let path: string | undefined = `/records/${table.id}?limit=${Math.ceil(rows[0].n / 3)}`;
    while (path) {
      const response: Response = await fetch(`${server.baseUrl}${path}`);
      const body = (await response.json()) as {
        records: { id: number }[];
        links: { rel: string; href: string }[];
      };
      seen.push(...body.records.map((r) => r.id));
      const next = body.links.find((l) => l.rel === 'next');
      path = next && new URL(next.href).pathname + new URL(next.href).search;
    }

    expect(rows[0].n).toBeGreaterThan(3);
    expect(seen).toHaveLength(rows[0].n);
    expect(new Set(seen).size).toBe(rows[0].n);
  });

  it('refuses a parent holding a NUL character as invalid, not with a failure', async () => {
    const response = await fetch(`${server.baseUrl}/records/${table.id}?parent=a%00b`);

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/invalid-parent');
  });

  it('refuses a record of a feature that does not exist, naming the field', async () => {
    const response = await post({
      ...record('2001-01-01'),
      [table.parent!.attribute]: 'no-such-key',
    });

    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].field).toBe(table.parent!.attribute);
  });

  it('refuses a record breaking the declaration, and one from another department', async () => {
    const invalid = await post({ [table.parent!.attribute]: parentKey });
    const forbidden = await post(record('2001-01-02'), otherToken);

    expect(invalid.status).toBe(422);
    expect((await invalid.json()).errors.map((e: { code: string }) => e.code)).toContain(
      'required',
    );
    expect(forbidden.status).toBe(403);
  });

  it('refuses values sent without their properties object, naming what it got', async () => {
    const send = (body: unknown) =>
      fetch(`${server.baseUrl}/records/${table.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${editorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const flat = await send(record('2001-01-03'));
    const listed = await send([record('2001-01-03')]);
    const key = table.parent!.attribute;

    expect(flat.status).toBe(400);
    expect(flat.headers.get('content-type')).toContain('application/problem+json');
    const problem = await flat.json();
    expect(problem.type).toBe('/problems/bad-record');
    expect(problem.detail).toContain(`{"properties": {`);
    expect(problem.detail).toContain(key);
    expect(listed.status).toBe(400);
  });

  // curl -X POST without -d sends no Content-Length: that body was 415 'Send a record as
  // application/json; got application/json'
  it('refuses an empty body with 400 saying what to send, not as another media type', async () => {
    const headers = { authorization: `Bearer ${editorToken}`, 'content-type': 'application/json' };
    const url = `${server.baseUrl}/records/${table.id}`;
    const withoutLength = await postWithoutLength(url, headers);
    const lengthZero = await fetch(url, { method: 'POST', headers });
    const problems = [JSON.parse(withoutLength.text), await lengthZero.json()];

    expect([withoutLength.status, lengthZero.status]).toEqual([400, 400]);
    expect(problems.map((p) => p.type)).toEqual(['/problems/empty-body', '/problems/empty-body']);
    expect(problems[0].detail).toContain('{"properties": {');
  });

  it('refuses a record sent as other than JSON with 415, adding none', async () => {
    const properties = record('2001-01-04');
    const send = (type?: string) =>
      fetch(`${server.baseUrl}/records/${table.id}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${editorToken}`,
          ...(type && { 'content-type': type }),
        },
        body: JSON.stringify({ properties }),
      });

    const answers = [await send('text/plain'), await send('application/x-www-form-urlencoded')];
    const untyped = await send();
    const listed = await fetch(`${server.baseUrl}/records/${table.id}?parent=${parentKey}`);
    const dates = (await listed.json()).records.map(
      (r: { properties: Record<string, unknown> }) => r.properties[table.timeAttribute!],
    );

    expect(answers.map((a) => a.status)).toEqual([415, 415]);
    expect(untyped.status).toBe(415);
    expect(answers[0]!.headers.get('content-type')).toContain('application/problem+json');
    expect((await answers[0]!.json()).detail).toContain('application/json');
    expect(dates).not.toContain('2001-01-04');
  });

  it('refuses a record whose body is not UTF-8 with 400, adding none', async () => {
    const text = table.attributes.find((a) => a.type === 'text' && !a.domain && !a.required)!;
    const properties = { ...record('2001-01-05'), [text.name]: 'Tim Kal\u00e9' };
    const latin1 = Buffer.from(JSON.stringify({ properties }), 'latin1');

    const response = await fetch(`${server.baseUrl}/records/${table.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorToken}`, 'content-type': 'application/json' },
      body: latin1,
    });
    const listed = await fetch(`${server.baseUrl}/records/${table.id}?parent=${parentKey}`);
    const dates = (await listed.json()).records.map(
      (r: { properties: Record<string, unknown> }) => r.properties[table.timeAttribute!],
    );

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/body-not-utf8');
    expect(dates).not.toContain('2001-01-05');
  });

  it('refuses a record posted with an unknown query parameter, adding none', async () => {
    const response = await fetch(`${server.baseUrl}/records/${table.id}?dryRun=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: record('2001-01-05') }),
    });
    const listed = await fetch(`${server.baseUrl}/records/${table.id}?parent=${parentKey}`);
    const dates = (await listed.json()).records.map(
      (r: { properties: Record<string, unknown> }) => r.properties[table.timeAttribute!],
    );

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/unknown-parameter');
    expect(dates).not.toContain('2001-01-05');
  });

  it('refuses a record dated in the future, naming its time attribute', async () => {
    const response = await post(record(day(3)));

    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.errors).toEqual([expect.objectContaining({ field: table.timeAttribute })]);
    expect(body.errors[0].code).toBe('in-the-future');
  });

  it('refuses an unknown query parameter instead of listing every record', async () => {
    const response = await fetch(`${server.baseUrl}/records/${table.id}?segment_code=266.1`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = await response.json();
    expect(body.detail).toContain('segment_code');
    expect(body.accepted).toEqual(['parent', 'limit', 'offset']);
  });

  it('refuses a parent that names no feature, instead of an empty list', async () => {
    const list = (query: string) => fetch(`${server.baseUrl}/records/${table.id}?${query}`);

    const unknown = await list('parent=abc');
    const twice = await list(`parent=${parentKey}&parent=abc`);
    const known = await list(`parent=${encodeURIComponent(parentKey)}`);

    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const body = await unknown.json();
    expect(body.type).toBe('/problems/invalid-parent');
    expect(body.detail).toContain(`parent names no feature of ${parentLayer.id}`);
    expect(twice.status).toBe(400);
    expect(known.status).toBe(200);
  });

  it('keeps the records a feature deletion took with it, and restores them with the feature', async () => {
    const pool = server.testDatabase.database.pool;
    const recordIds = async () =>
      (
        await pool.query(
          `SELECT id FROM ${table.id} WHERE "${table.parent!.attribute}" = $1 ORDER BY id`,
          [parentKey],
        )
      ).rows.map((r) => r.id as number);
    const before = await recordIds();
    const itemUrl = `${server.baseUrl}/collections/${parentLayer.id}/items/${parentId}`;
    const etag = (await fetch(itemUrl)).headers.get('etag')!;
    const auth = { authorization: `Bearer ${editorToken}` };

    await fetch(itemUrl, { method: 'DELETE', headers: { ...auth, 'if-match': etag } });
    const afterDelete = await recordIds();
    const version = Number(etag.replace(/"/g, '').split('-')[1]);
    const restore = await fetch(`${itemUrl}/history/${version}/restore`, {
      method: 'POST',
      headers: auth,
    });

    expect(before.length).toBeGreaterThan(0);
    expect(afterDelete).toEqual([]);
    expect(restore.status).toBe(200);
    expect(await recordIds()).toEqual(before);
  });

  it('restores the records of a deleted feature under the restored key', async () => {
    const pool = server.testDatabase.database.pool;
    const key = table.parent!.attribute;
    const { rows } = await pool.query(
      `SELECT p.id, p."${key}"::text AS key FROM ${parentLayer.id} p
       WHERE EXISTS (SELECT 1 FROM ${table.id} r WHERE r."${key}" = p."${key}")
       ORDER BY p.id DESC LIMIT 1`,
    );
    const { id, key: oldKey } = rows[0] as { id: number; key: string };
    const recordIds = async (value: string) =>
      (
        await pool.query(`SELECT id FROM ${table.id} WHERE "${key}" = $1 ORDER BY id`, [value])
      ).rows.map((r) => r.id as number);
    const before = await recordIds(oldKey);
    const itemUrl = `${server.baseUrl}/collections/${parentLayer.id}/items/${id}`;
    const auth = { authorization: `Bearer ${editorToken}` };
    const send = async (method: string, body?: unknown) => {
      const etag = (await fetch(itemUrl)).headers.get('etag')!;
      const headers = { ...auth, 'if-match': etag, 'content-type': 'application/json' };
      const sent = body === undefined ? undefined : JSON.stringify(body);
      await fetch(itemUrl, { method, headers, body: sent });
      return Number(etag.replace(/"/g, '').split('-')[1]);
    };

    // the key is renamed (the records follow it), then the feature deleted with its records
    const renamedFrom = await send('PATCH', { properties: { [key]: `${oldKey}-baru` } });
    await send('DELETE');
    const restore = await fetch(`${itemUrl}/history/${renamedFrom}/restore`, {
      method: 'POST',
      headers: auth,
    });

    expect(before.length).toBeGreaterThan(0);
    expect(restore.status).toBe(200);
    expect(await recordIds(oldKey)).toEqual(before);
  });
});
