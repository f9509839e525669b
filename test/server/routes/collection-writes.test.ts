import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { createApiToken, revokeApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { crs84Spellings, epsgSpellings } from '../../support/crs-spellings.js';
import { firstLayerOfType, validFeature } from '../../support/valid-feature.js';

/** A line layer to edit (roads when declared), else a polygon layer such as desa. */
const layer =
  firstLayerOfType(layerDefinitions, 'MultiLineString') ??
  firstLayerOfType(layerDefinitions, 'MultiPolygon')!;
const optionalText = layer.attributes.find(
  (a) => a.type === 'text' && !a.required && !a.domain && !a.computed && !a.unique,
);

describe(`writes to ${layer.id} through the feature API`, () => {
  let server: TestServer;
  let editorToken: string;
  let otherEditorToken: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const role = `${layer.theme}:editor`;
    editorToken = (await createApiToken(pool, { name: 'sync', roles: [role], write: true }, 't'))
      .secret;
    const otherTheme = layerDefinitions.find((l) => l.theme !== layer.theme)!.theme;
    const otherRole = `${otherTheme}:editor`;
    otherEditorToken = (
      await createApiToken(pool, { name: 'other', roles: [otherRole], write: true }, 't')
    ).secret;
  });
  afterAll(() => server.close());

  const send = async (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/geo+json';
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { response, body: text ? JSON.parse(text) : undefined };
  };
  const items = `/collections/${layer.id}/items`;
  const create = async () => {
    const { response, body } = await send('POST', items, {
      body: validFeature(layer),
      token: editorToken,
    });
    expect(response.status).toBe(201);
    return { id: body.id as number, etag: response.headers.get('etag')!, feature: body };
  };
  const historyCount = async (id: number) => {
    const { rows } = await server.testDatabase.database.pool.query(
      'SELECT count(*)::int AS n FROM simpul_feature_history ' +
        'WHERE layer_id = $1 AND feature_id = $2',
      [layer.id, id],
    );
    return rows[0].n as number;
  };

  it('declares Part 4 in the conformance classes and the OpenAPI document', async () => {
    const conformance = await send('GET', '/conformance');
    const api = await fetch(`${server.baseUrl}/api`, {
      headers: { accept: 'application/vnd.oai.openapi+json;version=3.0' },
    });
    const paths = (await api.json()).paths;

    expect(conformance.body.conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete',
        'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update',
      ]),
    );
    expect(Object.keys(paths[`/collections/${layer.id}/items`])).toEqual([
      'get',
      'post',
      'options',
    ]);
    const item = paths[`/collections/${layer.id}/items/{featureId}`];
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(['get', 'put', 'patch', 'delete', 'options']),
    );
    for (const method of ['put', 'patch', 'delete']) {
      const headers = item[method].parameters.map((p: { name?: string }) => p.name);
      expect(headers).toEqual(expect.arrayContaining(['If-Match', 'If-None-Match']));
    }
  });

  it('refuses an anonymous create with 401', async () => {
    const { response, body } = await send('POST', items, { body: validFeature(layer) });

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.type).toBe('/problems/login-required');
  });

  it('answers OPTIONS with the methods the caller may use', async () => {
    const anonymous = await send('OPTIONS', `${items}/1`);
    const editor = await send('OPTIONS', `${items}/1`, { token: editorToken });
    const collection = await send('OPTIONS', items, { token: editorToken });

    expect(anonymous.response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(editor.response.headers.get('allow')).toBe('GET, HEAD, OPTIONS, PUT, PATCH, DELETE');
    expect(collection.response.headers.get('allow')).toContain('POST');
    // RFC 5789 3.1: where PATCH is allowed, OPTIONS names the patch formats taken
    const acceptPatch = editor.response.headers.get('accept-patch');
    expect(acceptPatch).toContain('application/merge-patch+json');
    expect(anonymous.response.headers.get('accept-patch')).toBeNull();
  });

  it('names the patch formats it takes when it refuses a JSON Patch (RFC 5789)', async () => {
    const created = await send('POST', items, { body: validFeature(layer), token: editorToken });
    const response = await fetch(`${server.baseUrl}${items}/${created.body.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${editorToken}`,
        'content-type': 'application/json-patch+json',
        'if-match': created.response.headers.get('etag')!,
      },
      body: JSON.stringify([{ op: 'replace', path: '/properties/name', value: 'x' }]),
    });

    expect(response.status).toBe(415);
    expect(response.headers.get('accept-patch')).toContain('application/merge-patch+json');
  });

  it('creates a feature with 201, its Location and the ETag of version 1', async () => {
    const { response, body } = await send('POST', items, {
      body: validFeature(layer),
      token: editorToken,
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(new RegExp(`${items}/${body.id}$`));
    expect(response.headers.get('etag')).toBe(`"${body.id}-1"`);
    expect(body.geometry.type).toBe(layer.geometry.type);
  });

  it('refuses an editor of another theme with 403', async () => {
    const { response, body } = await send('POST', items, {
      body: validFeature(layer),
      token: otherEditorToken,
    });

    expect(response.status).toBe(403);
    expect(body.detail).toContain(`${layer.theme}:editor`);
  });

  it('answers 400 to a FeatureCollection, saying to send a Feature or use /batch', async () => {
    const collection = { type: 'FeatureCollection', features: [validFeature(layer)] };

    const options = { body: collection, token: editorToken };
    const { response, body } = await send('POST', items, options);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.detail).toMatch(/one GeoJSON Feature/);
    expect(body.detail).toMatch(/POST \/batch/);
  });

  it('answers 400 to a bare geometry or another type, saying to send a Feature', async () => {
    const feature = validFeature(layer);
    const { id, etag } = await create();
    const pool = server.testDatabase.database.pool;
    const count = async () => (await pool.query(`SELECT 1 FROM ${layer.id}`)).rowCount;
    const before = await count();
    const historyBefore = await historyCount(id);

    const headers = { 'if-match': etag };
    const answers = await Promise.all([
      send('POST', items, { body: feature.geometry, token: editorToken }),
      send('PUT', `${items}/${id}`, { body: feature.geometry, token: editorToken, headers }),
      send('POST', items, { body: { ...feature, type: 'Fitur' }, token: editorToken }),
    ]);

    expect(answers.map(({ response }) => response.status)).toEqual([400, 400, 400]);
    expect(answers.map(({ body }) => body.type)).toEqual(
      Array(3).fill('/problems/not-one-feature'),
    );
    expect(answers[0]!.body.detail).toMatch(new RegExp(`a ${feature.geometry.type} geometry`));
    expect(answers[2]!.body.detail).toMatch(/"Fitur"/);
    expect(await count()).toBe(before);
    expect(await historyCount(id)).toBe(historyBefore);
  });

  it('answers 400 to a body not in UTF-8 rather than store U+FFFD for its letters', async () => {
    const feature = validFeature(layer);
    const text = JSON.stringify({
      ...feature,
      properties: { ...feature.properties, [optionalText!.name]: 'Kal\u00e9' },
    });
    // Windows-1252 (or Latin-1), as a legacy system writes it: é is the one byte 0xE9
    const latin1 = Buffer.from(text, 'latin1');
    const pool = server.testDatabase.database.pool;
    const count = async () => (await pool.query(`SELECT 1 FROM ${layer.id}`)).rowCount;
    const before = await count();

    const response = await fetch(`${server.baseUrl}${items}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorToken}`, 'content-type': 'application/geo+json' },
      body: latin1,
    });
    const body = await response.json();

    expect(response.status).toBe(400);
    expect(body.type).toBe('/problems/body-not-utf8');
    expect(body.detail).toMatch(/UTF-8/);
    expect(await count()).toBe(before);
  });

  it('answers 400 to a write whose body is empty, changing nothing', async () => {
    const { id, etag } = await create();
    const auth = { authorization: `Bearer ${editorToken}`, 'if-match': etag };
    const json = { 'content-type': 'application/merge-patch+json' };
    const writes: [string, string, Record<string, string>][] = [
      ['POST', items, { ...json, ...auth }],
      ['PUT', `${items}/${id}`, { ...json, ...auth }],
      ['PATCH', `${items}/${id}`, { ...json, ...auth }],
      ['PATCH', `${items}/${id}`, auth],
      ['POST', '/batch', { ...json, ...auth }],
    ];
    const historyBefore = await historyCount(id);

    const answers = await Promise.all(
      writes.map(async ([method, path, headers]) => {
        const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body: '' });
        const body = (await response.json()) as { type: string; detail: string };
        return [response.status, body.type, /empty/.test(body.detail)];
      }),
    );

    expect(answers).toEqual(Array(writes.length).fill([400, '/problems/empty-body', true]));
    expect(await historyCount(id)).toBe(historyBefore);
  });

  it('refuses a batch create of a FeatureCollection, writing nothing', async () => {
    const collection = { type: 'FeatureCollection', features: [validFeature(layer)] };
    const edits = [
      { op: 'create', collection: layer.id, feature: validFeature(layer) },
      { op: 'create', collection: layer.id, feature: collection },
    ];
    const pool = server.testDatabase.database.pool;
    const count = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM ${layer.id}`)).rows[0].n as number;
    const before = await count();

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: { edits },
    });

    expect(response.status).toBe(400);
    expect(body.detail).toMatch(/one GeoJSON Feature/);
    expect(await count()).toBe(before);
  });

  it('answers 401, not 400, to an anonymous FeatureCollection', async () => {
    const collection = { type: 'FeatureCollection', features: [validFeature(layer)] };

    const { response } = await send('POST', items, { body: collection });

    expect(response.status).toBe(401);
  });

  it('answers 422 listing every problem with its field', async () => {
    const feature = validFeature(layer, { no_such_attribute: 1 });
    feature.geometry = { type: 'Point', coordinates: [109, -7.7, 5] };

    const { response, body } = await send('POST', items, { body: feature, token: editorToken });

    expect(response.status).toBe(422);
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['geometry', 'no_such_attribute']),
    );
  });

  it('answers 428 to a replace without If-Match, 412 when its version is stale', async () => {
    const { id } = await create();
    const path = `${items}/${id}`;

    const missing = await send('PUT', path, { body: validFeature(layer), token: editorToken });
    const stale = await send('PUT', path, {
      body: validFeature(layer),
      token: editorToken,
      headers: { 'if-match': `"${id}-0"` },
    });

    expect(missing.response.status).toBe(428);
    expect(stale.response.status).toBe(412);
    expect(stale.body).toMatchObject({ currentVersion: 1, currentETag: `"${id}-1"` });
    expect(stale.body.current.id).toBe(id);
  });

  it('answers 412, not 422, to a stale If-Match sent with an invalid body', async () => {
    const { id } = await create();
    const path = `${items}/${id}`;
    const staleEtag = `"${id}-0"`;
    const invalid = validFeature(layer, { no_such_attribute: 1 });
    const stale = { token: editorToken, headers: { 'if-match': staleEtag } };
    const edit = { op: 'replace', collection: layer.id, featureId: id, etag: staleEtag };

    const replace = await send('PUT', path, { ...stale, body: invalid });
    const patch = await send('PATCH', path, { ...stale, body: { properties: { x: 1 } } });
    const batch = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ ...edit, feature: invalid }] },
    });

    expect(replace.response.status).toBe(412);
    expect(replace.body).toMatchObject({ type: '/problems/stale-version', currentVersion: 1 });
    expect(patch.response.status).toBe(412);
    expect(patch.body.type).toBe('/problems/stale-version');
    expect(batch.response.status).toBe(412);
    expect(batch.body.edits[0]).toMatchObject({ outcome: 'failed', status: 412 });
  });

  it('answers 422 to an invalid batch edit whose ETag an earlier edit makes', async () => {
    if (!optionalText) return;
    const { id, etag } = await create();
    const edit = { op: 'patch', collection: layer.id, featureId: id };
    const patch = { properties: { [optionalText.name]: 'Satu' } };

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { ...edit, etag, patch },
          { ...edit, etag: `"${id}-2"`, patch: { properties: { no_such_attribute: 1 } } },
        ],
      },
    });

    expect(response.status).toBe(422);
    expect(body.edits[1]).toMatchObject({ outcome: 'failed', status: 422 });
  });

  it('counts the one edit of a failed batch of one in the singular', async () => {
    const { id, etag } = await create();
    const patch = { properties: { no_such_attribute: 1 } };

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ op: 'patch', collection: layer.id, featureId: id, etag, patch }] },
    });

    expect(response.status).toBe(422);
    expect(body.detail).toMatch(/^1 of 1 edit failed; nothing was changed\. First: /);
  });

  it('answers 400 to a batch etag that is not a string, naming the edit', async () => {
    const { id } = await create();

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ op: 'delete', collection: layer.id, featureId: id, etag: 1 }] },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.type).toBe('/problems/bad-batch');
    expect(body.detail).toContain('Edit 0 has etag 1; an etag must be a string');
  });

  it.each([
    ['a missing collection', { featureId: 1 }, 'bad-batch', 'Edit 1 has collection null'],
    ['a collection list', { collection: ['jalan'], featureId: 1 }, 'bad-batch', '["jalan"]'],
    ['a featureId list', { collection: 'x', featureId: [1] }, 'bad-feature-id', '[1]'],
    ['a featureId object', { collection: 'x', featureId: {} }, 'bad-feature-id', 'featureId {}'],
  ])('answers 400 to a batch edit with %s, naming it, and deletes nothing', async (...c) => {
    const [, shape, type, named] = c;
    const { id } = await create();

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { op: 'delete', collection: layer.id, featureId: id },
          { op: 'delete', ...shape },
        ],
      },
    });

    expect(response.status).toBe(400);
    expect(body.type).toBe(`/problems/${type}`);
    expect(body.detail).toContain(named);
    expect(await historyCount(id)).toBe(1);
  });

  it('refuses a batch or an edit with a member it does not take, deleting nothing', async () => {
    const { id, etag } = await create();
    const edit = { op: 'delete', collection: layer.id, featureId: id, etag };

    const dryRun = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [edit], dryRun: true },
    });
    const test = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ ...edit, test: true }] },
    });
    const notAnEdit = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [edit, 5] },
    });

    expect([dryRun, test, notAnEdit].map((answer) => answer.response.status)).toEqual([
      400, 400, 400,
    ]);
    expect(dryRun.body.detail).toBe(
      'Unknown member "dryRun" in the batch; a batch takes "edits" only.',
    );
    expect(test.body.detail).toBe(
      'Edit 0 has an unknown member "test"; a delete takes op, collection, featureId, etag.',
    );
    expect(notAnEdit.body.detail).toBe('Edit 1 is 5; an edit is an object with an op.');
    expect(await historyCount(id)).toBe(1);
  });

  it('refuses a write with a query parameter it does not take (?dryRun=1)', async () => {
    const { id, etag, feature } = await create();
    const path = `${items}/${id}?dryRun=1`;
    const headers = { 'if-match': etag };

    const patch = await send('PATCH', path, { token: editorToken, headers, body: {} });
    const replace = await send('PUT', path, { token: editorToken, headers, body: feature });
    const remove = await send('DELETE', path, { token: editorToken, headers });
    const created = await send('POST', `${items}?dryRun=1`, {
      token: editorToken,
      body: validFeature(layer),
    });
    const batch = await send('POST', '/batch?dryRun=1', {
      token: editorToken,
      body: { edits: [{ op: 'delete', collection: layer.id, featureId: id, etag }] },
    });

    const answers = [patch, replace, remove, created, batch].map(({ response, body }) => [
      response.status,
      body.type,
    ]);
    expect(answers).toEqual(Array(5).fill([400, '/problems/unknown-parameter']));
    expect(remove.body.detail).toBe(
      'Unknown query parameter "dryRun". This request takes no query parameters.',
    );
    expect(await historyCount(id)).toBe(1);
  });

  it('lists the layer ids there are for a batch edit without collection', async () => {
    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ op: 'create', feature: validFeature(layer) }] },
    });

    expect(response.status).toBe(400);
    expect(body.detail).toMatch(
      /^Edit 0 has collection null; give a layer id as a string, one of: /,
    );
    expect(body.detail).toContain(layer.id);
    expect(body.detail).not.toContain('jalan_kabupaten');
  });

  it('refuses a batch edit naming two layers (collection, layerId), writing none', async () => {
    const { id, etag } = await create();
    const other = layerDefinitions.find((l) => l.id !== layer.id)!;
    const count = async () => {
      const sql = `SELECT count(*)::int AS n FROM ${layer.id}`;
      return (await server.testDatabase.database.pool.query(sql)).rows[0].n as number;
    };
    const before = await count();
    const twoLayers = { collection: layer.id, layerId: other.id };
    const oneLayer = { collection: layer.id, layerId: layer.id };

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { op: 'delete', collection: layer.id, featureId: id, etag },
          { op: 'create', ...twoLayers, feature: validFeature(layer) },
        ],
      },
    });
    const same = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [{ op: 'delete', ...oneLayer, featureId: id }] },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.type).toBe('/problems/bad-batch');
    expect(body.detail).toContain(`"${layer.id}"`);
    expect(body.detail).toContain(`"${other.id}"`);
    expect(await count()).toBe(before);
    expect(await historyCount(id)).toBe(1);
    expect(same.response.status).toBe(428);
  });

  it('answers 400 to an If-Match that is no entity tag, and changes nothing', async () => {
    const { id } = await create();
    const path = `${items}/${id}`;

    const unquoted = await send('PUT', path, {
      body: validFeature(layer),
      token: editorToken,
      headers: { 'if-match': `${id}-1` },
    });

    expect(unquoted.response.status).toBe(400);
    expect(unquoted.body).toMatchObject({ type: '/problems/invalid-if-match' });
    expect(unquoted.body.detail).toContain(`"${id}-1" is not one`);
    expect(await historyCount(id)).toBe(1);
  });

  it('answers 412 to the weak form of the current ETag, saying to send it strong', async () => {
    const { id, etag } = await create();

    const weak = await send('PUT', `${items}/${id}`, {
      body: validFeature(layer),
      token: editorToken,
      headers: { 'if-match': `W/${etag}` },
    });

    expect(weak.response.status).toBe(412);
    expect(weak.body.detail).toBe(
      `If-Match named W/${etag}, a weak entity tag, which If-Match never matches; send ${etag} ` +
        'as ETag gave it (a proxy that compresses answers may have weakened it).',
    );
    expect(await historyCount(id)).toBe(1);
  });

  it('answers 412 with the feature to a write whose If-None-Match names it', async () => {
    const { id, etag } = await create();
    const path = `${items}/${id}`;
    const patch = { properties: {} as Record<string, unknown> };
    if (optionalText) patch.properties[optionalText.name] = 'Z';
    const withHeaders = (headers: Record<string, string>) => ({ token: editorToken, headers });

    const answers = [
      await send('PATCH', path, {
        ...withHeaders({ 'if-match': etag, 'if-none-match': etag }),
        body: patch,
      }),
      await send('PATCH', path, {
        ...withHeaders({ 'if-match': etag, 'if-none-match': `"x", W/${etag}` }),
        body: patch,
      }),
      await send('PUT', path, {
        ...withHeaders({ 'if-match': etag, 'if-none-match': '*' }),
        body: validFeature(layer),
      }),
      await send('PUT', path, {
        ...withHeaders({ 'if-none-match': '*' }),
        body: validFeature(layer),
      }),
      await send('DELETE', path, withHeaders({ 'if-none-match': '*' })),
      await send('DELETE', path, withHeaders({ 'if-match': etag, 'if-none-match': etag })),
    ];

    for (const { response, body } of answers) {
      expect(response.status).toBe(412);
      expect(body).toMatchObject({ currentVersion: 1, currentETag: etag });
      expect(body.current.id).toBe(id);
    }
    expect(answers[3]!.body.detail).toContain('If-None-Match');
    expect(await historyCount(id)).toBe(1);
  });

  it('applies a write with If-None-Match of an old version; 428 without If-Match', async () => {
    const { id, etag } = await create();
    const path = `${items}/${id}`;
    const other = { 'if-none-match': `"${id}-0"` };

    const missing = await send('PUT', path, {
      token: editorToken,
      headers: other,
      body: validFeature(layer),
    });
    const applied = await send('PUT', path, {
      token: editorToken,
      headers: { ...other, 'if-match': etag },
      body: validFeature(layer),
    });

    expect(missing.response.status).toBe(428);
    expect(applied.response.status).toBe(200);
    expect(await historyCount(id)).toBe(2);
  });

  it('replaces with the right ETag, answers the next ETag, and records both versions', async () => {
    const { id, etag } = await create();

    const { response } = await send('PUT', `${items}/${id}`, {
      body: validFeature(layer),
      token: editorToken,
      headers: { 'if-match': etag },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${id}-2"`);
    expect(await historyCount(id)).toBe(2);
  });

  it('merges a patch: sent attributes change, others stay, null unsets', async () => {
    if (!optionalText) return;
    const { id, etag, feature } = await create();
    const name = optionalText.name;

    const set = await send('PATCH', `${items}/${id}`, {
      body: { properties: { [name]: 'Baru' } },
      token: editorToken,
      headers: { 'if-match': etag },
    });
    const unset = await send('PATCH', `${items}/${id}`, {
      body: { properties: { [name]: null } },
      token: editorToken,
      headers: { 'if-match': set.response.headers.get('etag')! },
    });

    expect(set.body.properties[name]).toBe('Baru');
    expect(set.body.geometry).toEqual(feature.geometry);
    expect(unset.body.properties[name]).toBeNull();
    expect(unset.response.headers.get('etag')).toBe(`"${id}-3"`);
  });

  it('refuses a patch of members a feature lacks, such as a flat attribute', async () => {
    const { id, etag } = await create();
    const attribute = layer.attributes.find((a) => !a.computed)!.name;

    const flat = await send('PATCH', `${items}/${id}`, {
      body: { [attribute]: 'x' },
      token: editorToken,
      headers: { 'if-match': etag },
    });
    const misspelt = await send('POST', '/batch', {
      body: {
        edits: [
          {
            op: 'patch',
            collection: layer.id,
            featureId: id,
            etag,
            patch: { propertes: { [attribute]: 'x' } },
          },
        ],
      },
      token: editorToken,
    });
    const after = await send('GET', `${items}/${id}`, { token: editorToken });

    expect(flat.response.status).toBe(422);
    expect(flat.body).toMatchObject({
      type: '/problems/unknown-patch-member',
      members: [attribute],
    });
    expect(flat.body.detail).toContain('Attributes go inside properties');
    expect(misspelt.response.status).toBe(422);
    expect(after.response.headers.get('etag')).toBe(etag);
  });

  it('deletes with the right ETag, and the delete is in the history', async () => {
    const { id, etag } = await create();

    const { response } = await send('DELETE', `${items}/${id}`, {
      token: editorToken,
      headers: { 'if-match': etag },
    });
    const again = await send('DELETE', `${items}/${id}`, {
      token: editorToken,
      headers: { 'if-match': etag },
    });

    expect(response.status).toBe(204);
    expect(again.response.status).toBe(404);
    expect(await historyCount(id)).toBe(2);
  });

  it('lets exactly one of 20 concurrent updates with the same ETag win', async () => {
    const { id, etag } = await create();
    const before = await historyCount(id);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        send('PUT', `${items}/${id}`, {
          body: validFeature(layer),
          token: editorToken,
          headers: { 'if-match': etag },
        }),
      ),
    );

    const statuses = answers.map((a) => a.response.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    expect(await historyCount(id)).toBe(before + 1);
  });

  it('applies a batch across layers all together', async () => {
    const polygonLayer = firstLayerOfType(
      layerDefinitions.filter((l) => !l.regencyOutline),
      'MultiPolygon',
    )!;
    const { id, etag } = await create();

    const { response, body } = await send('POST', '/batch', {
      token: (
        await createApiToken(
          server.testDatabase.database.pool,
          { name: 'admin-sync', roles: ['admin'], write: true },
          't',
        )
      ).secret,
      body: {
        edits: [
          { op: 'create', collection: polygonLayer.id, feature: validFeature(polygonLayer) },
          {
            op: 'replace',
            collection: layer.id,
            featureId: id,
            etag,
            feature: validFeature(layer),
          },
        ],
      },
    });

    expect(response.status).toBe(200);
    expect(body.edits.map((e: { outcome: string }) => e.outcome)).toEqual(['applied', 'applied']);
    expect(body.edits[1].etag).toBe(`"${id}-2"`);
  });

  it('changes nothing when one edit of a batch is invalid, and reports each edit', async () => {
    const pool = server.testDatabase.database.pool;
    const count = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM ${layer.id}`)).rows[0].n as number;
    const { id, etag } = await create();
    const before = await count();

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { op: 'create', collection: layer.id, feature: validFeature(layer) },
          { op: 'delete', collection: layer.id, featureId: id, etag },
          { op: 'create', collection: layer.id, feature: { type: 'Feature', geometry: null } },
        ],
      },
    });

    expect(response.status).toBe(422);
    expect(body.edits.map((e: { outcome: string }) => e.outcome)).toEqual([
      'not-applied',
      'not-applied',
      'failed',
    ]);
    expect(body.errors[0]).toMatchObject({ index: 2, field: 'geometry' });
    expect(await count()).toBe(before);
  });

  it('rolls a batch back when a later edit meets a stale ETag', async () => {
    const pool = server.testDatabase.database.pool;
    const { id: first } = await create();
    const { id: second } = await create();
    const before = await historyCount(first);

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { op: 'delete', collection: layer.id, featureId: first, etag: `"${first}-1"` },
          { op: 'delete', collection: layer.id, featureId: second, etag: `"${second}-7"` },
        ],
      },
    });

    expect(response.status).toBe(412);
    expect(body.edits[1]).toMatchObject({ outcome: 'failed', status: 412 });
    const still = await pool.query(`SELECT id FROM ${layer.id} WHERE id = $1`, [first]);
    expect(still.rowCount).toBe(1);
    expect(await historyCount(first)).toBe(before);
  });

  it('names the earlier edit of a batch that made a later edit of its feature stale', async () => {
    if (!optionalText) return;
    const { id, etag } = await create();
    const patch = (value: string) => ({
      op: 'patch',
      collection: layer.id,
      featureId: id,
      etag,
      patch: { properties: { [optionalText.name]: value } },
    });

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: { edits: [patch('Satu'), patch('Dua')] },
    });

    expect(response.status).toBe(412);
    expect(body.edits[1].problem.detail).toBe(
      `Edit 0 of this batch changes feature ${id} of ${layer.id} before this one, ` +
        `to ETag "${id}-2"; send that ETag with this edit.`,
    );
  });

  it('answers 409 naming the field when two edits of a batch take one unique value', async () => {
    const unique = layer.attributes.find((a) => a.unique && !a.computed);
    if (!unique) return;
    const twin = validFeature(layer);

    const { response, body } = await send('POST', '/batch', {
      token: editorToken,
      body: {
        edits: [
          { op: 'create', collection: layer.id, feature: twin },
          { op: 'create', collection: layer.id, feature: twin },
        ],
      },
    });

    expect(response.status).toBe(409);
    expect(body.errors[0]).toMatchObject({ index: 1, field: unique.name, code: 'not-unique' });
  });

  it('stops a revoked token at once', async () => {
    const pool = server.testDatabase.database.pool;
    const token = await createApiToken(
      pool,
      { name: 'short-lived', roles: [`${layer.theme}:editor`], write: true },
      't',
    );
    const before = await send('OPTIONS', items, { token: token.secret });

    await revokeApiToken(pool, token.id);
    const after = await send('POST', items, { body: validFeature(layer), token: token.secret });

    expect(before.response.headers.get('allow')).toContain('POST');
    expect(after.response.status).toBe(401);
    expect(after.body.type).toBe('/problems/bad-token');
  });

  it('refuses writes with a read-only token even for an editor role', async () => {
    const pool = server.testDatabase.database.pool;
    const token = await createApiToken(
      pool,
      { name: 'reader', roles: [`${layer.theme}:editor`], write: false },
      't',
    );

    const { response } = await send('POST', items, {
      body: validFeature(layer),
      token: token.secret,
    });

    expect(response.status).toBe(403);
  });

  /** The writable attributes of a feature as read: what a client sends back in a PUT. */
  const writable = (properties: Record<string, unknown>) =>
    Object.fromEntries(
      layer.attributes.filter((a) => !a.computed).map((a) => [a.name, properties[a.name]]),
    );

  /** A PUT of `properties` and `geometry` by the editor, on the version `etag` names. */
  const putBack = (id: number, etag: string, properties: unknown, geometry: unknown) =>
    send('PUT', `${items}/${id}`, {
      body: { type: 'Feature', properties, geometry },
      token: editorToken,
      headers: { 'if-match': etag },
    });

  describe('an edit that changes nothing', () => {
    /**
     * The stored geometry as other JSON text that PostGIS stores alike: decimals padded with
     * zeros, and a multi geometry of one part sent as its single part (which an edit promotes).
     */
    const sameGeometryOtherText = (geometry: { type: string; coordinates: unknown[] }) => {
      const single = geometry.type.startsWith('Multi') && geometry.coordinates.length === 1;
      const sent = single
        ? { type: geometry.type.slice('Multi'.length), coordinates: geometry.coordinates[0] }
        : geometry;
      return JSON.stringify(sent).replace(/(\d+\.\d+)/g, '$1000');
    };
    const sendText = (method: string, path: string, text: string, ifMatch: string) =>
      fetch(`${server.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${editorToken}`,
          'content-type': 'application/merge-patch+json',
          'if-match': ifMatch,
        },
        body: text,
      });
    /** The geometry moved east by `degrees`, every position. */
    const shifted = (geometry: { type: string; coordinates: unknown[] }, degrees: number) => {
      const move = (value: unknown): unknown =>
        typeof (value as number[])[0] === 'number'
          ? [(value as number[])[0]! + degrees, ...(value as number[]).slice(1)]
          : (value as unknown[]).map(move);
      return { type: geometry.type, coordinates: move(geometry.coordinates) };
    };
    /** Tile notices of this layer, in the order their transactions committed. */
    const listenForTileNotices = async () => {
      const client = new pg.Client({ connectionString: server.testDatabase.url });
      await client.connect();
      const notices: string[] = [];
      client.on('notification', (n) => {
        if (n.payload?.includes(`"${layer.id}"`)) notices.push(n.payload);
      });
      await client.query('LISTEN simpul_tile_change');
      return { notices, stop: () => client.end() };
    };

    it('answers a patch as stored: no new version, history row or tile notice', async () => {
      const { id, etag, feature } = await create();
      const before = await historyCount(id);
      const listener = await listenForTileNotices();
      const properties = JSON.stringify(writable(feature.properties));
      const geometry = sameGeometryOtherText(feature.geometry);

      const unchanged = await sendText(
        'PATCH',
        `${items}/${id}`,
        `{"properties": ${properties}, "geometry": ${geometry}}`,
        etag,
      );
      const body = await unchanged.json();
      const afterNoOp = await historyCount(id);
      // a real change afterwards: its notice arrives, so one of the no-op would have come first
      const moved = await send('PATCH', `${items}/${id}`, {
        body: { geometry: shifted(feature.geometry, 0.001) },
        token: editorToken,
        headers: { 'if-match': etag },
      });
      await vi.waitFor(() => expect(listener.notices.length).toBeGreaterThan(0));
      await listener.stop();

      expect(unchanged.status).toBe(200);
      expect(unchanged.headers.get('etag')).toBe(etag);
      expect(body).toMatchObject({
        id,
        properties: feature.properties,
        geometry: feature.geometry,
      });
      expect(afterNoOp).toBe(before);
      expect(moved.response.headers.get('etag')).toBe(`"${id}-2"`);
      expect(listener.notices).toHaveLength(1);
    });

    it('answers an empty patch without a new version', async () => {
      const { id, etag } = await create();

      const { response } = await send('PATCH', `${items}/${id}`, {
        body: {},
        token: editorToken,
        headers: { 'if-match': etag },
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(etag);
    });

    it('still answers 412 when its If-Match names an older version', async () => {
      const { id, etag, feature } = await create();
      const changed = await send('PATCH', `${items}/${id}`, {
        body: { geometry: shifted(feature.geometry, 0.001) },
        token: editorToken,
        headers: { 'if-match': etag },
      });

      const stale = await send('PATCH', `${items}/${id}`, {
        body: { geometry: changed.body.geometry },
        token: editorToken,
        headers: { 'if-match': etag },
      });

      expect(stale.response.status).toBe(412);
      expect(stale.response.headers.get('content-type')).toContain('application/problem+json');
      expect(stale.body.currentETag).toBe(`"${id}-2"`);
    });

    it('writes a new version for a geometry a thousandth of a millimetre away', async () => {
      const { id, etag, feature } = await create();
      const nudged = JSON.stringify(shifted(feature.geometry, 1e-11));

      const response = await sendText('PATCH', `${items}/${id}`, `{"geometry": ${nudged}}`, etag);

      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(`"${id}-2"`);
    });

    it('answers a replace with the feature as stored, writing no version or history', async () => {
      const { id, etag, feature } = await create();
      const before = await historyCount(id);

      const { response } = await putBack(id, etag, writable(feature.properties), feature.geometry);

      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(etag);
      expect(await historyCount(id)).toBe(before);
    });
  });

  describe('a replace sending back the feature as the API showed it', () => {
    const storedWkb = async (id: number) => {
      const { rows } = await server.testDatabase.database.pool.query(
        `SELECT encode(ST_AsEWKB(geom), 'hex') AS wkb FROM ${layer.id} WHERE id = $1`,
        [id],
      );
      return rows[0].wkb as string;
    };
    /** A feature stored with more digits than the API's 7 decimals, as drawn or reprojected. */
    const createFinelyStored = async () => {
      const { id } = await create();
      await server.testDatabase.database.pool.query(
        `UPDATE ${layer.id} SET geom = ST_Translate(geom, 1.23456789e-8, 0) WHERE id = $1`,
        [id],
      );
      const read = await send('GET', `${items}/${id}`, { token: editorToken });
      return { id, etag: read.response.headers.get('etag')!, feature: read.body };
    };

    it('keeps the version and the stored digits when nothing else changed', async () => {
      const { id, etag, feature } = await createFinelyStored();
      const stored = await storedWkb(id);

      const { response } = await putBack(id, etag, writable(feature.properties), feature.geometry);

      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(etag);
      expect(await storedWkb(id)).toBe(stored);
    });

    it('keeps the version of a feature read and sent back in UTM 49S or Web Mercator', async () => {
      const { id, etag: readETag } = await createFinelyStored();
      const stored = await storedWkb(id);

      const answers = [];
      for (const srid of [32749, 3857]) {
        const crs = `http://www.opengis.net/def/crs/EPSG/0/${srid}`;
        const read = await send('GET', `${items}/${id}?crs=${encodeURIComponent(crs)}`);
        const etag = read.response.headers.get('etag')!;
        const headers = { 'if-match': etag, 'content-crs': `<${crs}>` };
        const { properties, geometry } = read.body;
        const body = { type: 'Feature', properties: writable(properties), geometry };
        const put = await send('PUT', `${items}/${id}`, { body, token: editorToken, headers });
        const patch = await send('PATCH', `${items}/${id}`, {
          body: { geometry },
          token: editorToken,
          headers,
        });
        answers.push([put.response.status, put.response.headers.get('etag')]);
        answers.push([patch.response.status, patch.response.headers.get('etag')]);
      }

      expect(answers).toEqual(Array(4).fill([200, readETag]));
      expect(await storedWkb(id)).toBe(stored);
    });

    it('changes the attribute and leaves the stored geometry as it was', async () => {
      const { id, etag, feature } = await createFinelyStored();
      const stored = await storedWkb(id);
      const properties = { ...writable(feature.properties), [optionalText!.name]: 'changed' };

      const { response, body } = await putBack(id, etag, properties, feature.geometry);

      expect(response.status).toBe(200);
      expect(body.properties[optionalText!.name]).toBe('changed');
      expect(await storedWkb(id)).toBe(stored);
    });
  });

  it('answers 400 to a crs member naming a CRS the coordinates are not in', async () => {
    const named = (name: string) => ({ type: 'name', properties: { name } });
    const inCrs = (name: string) => {
      const feature = validFeature(layer);
      return { ...feature, geometry: { ...feature.geometry, crs: named(name) } };
    };
    const utm = { 'content-crs': '<http://www.opengis.net/def/crs/EPSG/0/32749>' };
    const lonLatName = 'urn:ogc:def:crs:OGC:1.3:CRS84';

    const asUtm = { body: inCrs('EPSG:32749'), token: editorToken };
    const utmMember = await send('POST', items, asUtm);
    const underUtm = await send('POST', items, {
      body: inCrs(lonLatName),
      token: editorToken,
      headers: utm,
    });
    const lonLat = await send('POST', items, { body: inCrs(lonLatName), token: editorToken });
    // GeoJSON 2008: a null crs says no CRS; the coordinates are read as Content-Crs says
    const nullCrs = { ...validFeature(layer), crs: null };
    const unsaid = await send('POST', items, { body: nullCrs, token: editorToken });

    expect(unsaid.response.status).toBe(201);
    expect(utmMember.response.status).toBe(400);
    expect(utmMember.response.headers.get('content-type')).toContain('application/problem+json');
    expect(utmMember.body.detail).toContain('EPSG:32749');
    expect(underUtm.response.status).toBe(400);
    expect(underUtm.body.detail).toContain('Content-Crs');
    expect(lonLat.response.status).toBe(201);
  });

  it('accepts geometry in UTM zone 49S named by Content-Crs', async () => {
    const { rows } = await server.testDatabase.database.pool.query<{ g: unknown }>(
      `SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 32749))::json
         AS g`,
      [JSON.stringify(validFeature(layer).geometry)],
    );
    const feature = { ...validFeature(layer), geometry: rows[0]!.g };

    const { response, body } = await send('POST', items, {
      body: feature,
      token: editorToken,
      headers: { 'content-crs': '<http://www.opengis.net/def/crs/EPSG/0/32749>' },
    });

    expect(response.status).toBe(201);
    expect(body.geometry.coordinates.flat(3)[0]).toBeCloseTo(109.0, 5);
  });

  it('reads every spelling of a CRS in Content-Crs and in a crs member alike', async () => {
    const feature = validFeature(layer);
    const lonLat = feature.geometry.coordinates;
    const swap = (value: unknown): unknown =>
      Array.isArray(value) && typeof value[0] === 'number'
        ? [value[1], value[0]]
        : (value as unknown[]).map(swap);
    const { rows } = await server.testDatabase.database.pool.query<{ g: { coordinates: [] } }>(
      `SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 32749))::json
         AS g`,
      [JSON.stringify(feature.geometry)],
    );
    const utm = rows[0]!.g.coordinates;
    const utmNames = epsgSpellings(32749);
    const cases = [
      // a crs member of WGS 84 with no Content-Crs: longitude first, as GeoJSON 2008 meant
      ...[...crs84Spellings, ...epsgSpellings(4326)].map((name) => ({
        header: undefined,
        member: name,
        coordinates: lonLat,
      })),
      ...crs84Spellings.map((name) => ({ header: name, member: name, coordinates: lonLat })),
      ...epsgSpellings(4326).map((name) => ({
        header: name,
        member: name,
        coordinates: swap(lonLat),
      })),
      // the header and the member may spell the same CRS differently
      ...utmNames.map((name, i) => ({
        header: name,
        member: utmNames[(i + 1) % utmNames.length]!,
        coordinates: utm,
      })),
    ];

    for (const { header, member, coordinates } of cases) {
      const crs = { type: 'name', properties: { name: member } };
      const geometry = { ...feature.geometry, coordinates, crs };
      const { response, body } = await send('POST', items, {
        body: { ...validFeature(layer), geometry },
        token: editorToken,
        headers: header ? { 'content-crs': `<${header}>` } : {},
      });

      const said = `${header} / ${member}`;
      expect(response.status, `${said}: ${body.detail}`).toBe(201);
      const [lon, lat] = body.geometry.coordinates.flat(3);
      expect([lon, lat], said).toEqual([expect.closeTo(109, 5), expect.closeTo(-7.7, 5)]);
    }
    // CRS84 runs longitude first, EPSG:4326 of the API latitude first: they do not agree
    const crs84Member = { type: 'name', properties: { name: 'CRS84' } };
    const latFirst = { ...feature.geometry, coordinates: swap(lonLat), crs: crs84Member };
    const crossed = await send('POST', items, {
      body: { ...validFeature(layer), geometry: latFirst },
      token: editorToken,
      headers: { 'content-crs': '<urn:ogc:def:crs:EPSG::4326>' },
    });
    expect(crossed.response.status).toBe(400);
    expect(crossed.body.type).toBe('/problems/crs-mismatch');
  });

  it('answers 422 or 400, not 500, to coordinates or a crs member 100,000 deep', async () => {
    const deep = (inner: string) => '['.repeat(100_000) + inner + ']'.repeat(100_000);
    const feature = JSON.stringify(validFeature(layer));
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${server.baseUrl}${items}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${editorToken}`,
          'content-type': 'application/geo+json',
          ...headers,
        },
        body,
      });
    const geometry = `{"type": "${layer.geometry.type}", "coordinates": ${deep('109, -7.7')}}`;
    const withoutGeometry = Object.fromEntries(
      Object.entries(validFeature(layer)).filter(([name]) => name !== 'geometry'),
    );
    const start = JSON.stringify(withoutGeometry).slice(0, -1);
    const withGeometry = `${start}, "geometry": ${geometry}}`;
    const withCrs = `${feature.slice(0, -1)}, "crs": ${deep('')}}`;

    const latitudeFirst = await post(withGeometry, { 'content-crs': '<EPSG:4326>' });
    const crsMember = await post(withCrs, {});

    expect(latitudeFirst.status).toBe(422);
    expect(latitudeFirst.headers.get('content-type')).toContain('application/problem+json');
    expect(crsMember.status).toBe(400);
    expect((await crsMember.json()).type).toBe('/problems/crs-mismatch');
  });
});
