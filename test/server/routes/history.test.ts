import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { apiSender } from '../../support/api-client.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { firstLayerOfType, validFeature } from '../../support/valid-feature.js';

const editable = layerDefinitions.filter((l) => !l.regencyOutline);
const layer =
  firstLayerOfType(editable, 'MultiPolygon') ?? firstLayerOfType(editable, 'MultiLineString')!;

/** A second shape, so a restore can be told apart from the edit it undoes. */
const movedGeometry = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [109.02, -7.7],
        [109.03, -7.7],
        [109.03, -7.71],
        [109.02, -7.7],
      ],
    ],
  ],
};

describe(`history of ${layer.id} features`, () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const request = { name: 'history-test', roles: [`${layer.theme}:editor`], write: true };
    token = (await createApiToken(pool, request, 't')).secret;
  });
  afterAll(() => server.close());

  const send = apiSender(
    () => server.baseUrl,
    () => token,
    { 'x-simpul-client': 'history-test' },
  );
  const items = `/collections/${layer.id}/items`;
  const storedState = async (id: number) => {
    const { rows } = await server.testDatabase.database.pool.query(
      `SELECT encode(ST_AsEWKB(geom), 'hex') AS wkb, to_jsonb(t) - ARRAY['geom', 'version',
        'created_at', 'updated_at', 'updated_by'] AS properties FROM ${layer.id} t WHERE id = $1`,
      [id],
    );
    return rows[0] as { wkb: string; properties: Record<string, unknown> } | undefined;
  };

  async function createAndChange() {
    const created = await send('POST', items, validFeature(layer));
    const id = created.body.id as number;
    const original = await storedState(id);
    const changed = await send(
      'PUT',
      `${items}/${id}`,
      validFeature(layer, {}),
      created.response.headers.get('etag')!,
    );
    await send(
      'PATCH',
      `${items}/${id}`,
      { geometry: movedGeometry },
      changed.response.headers.get('etag')!,
    );
    return { id, original: original! };
  }

  it('lists every edit of a feature with who, when, which client and both versions', async () => {
    const { id } = await createAndChange();

    const { response, body } = await send('GET', `${items}/${id}/history`);

    expect(response.status).toBe(200);
    expect(body.versions.map((v: { operation: string }) => v.operation)).toEqual([
      'insert',
      'update',
      'update',
    ]);
    const last = body.versions[2];
    expect(last).toMatchObject({
      versionBefore: 2,
      versionAfter: 3,
      changedBy: 'token:history-test',
      client: 'history-test',
    });
    expect(last.geometryAfter.coordinates[0][0][0]).toEqual([109.02, -7.7]);
    expect(last.geometryBefore).not.toEqual(last.geometryAfter);
  });

  it('restores a version with exactly its geometry and attributes, as a new version', async () => {
    const { id, original } = await createAndChange();

    const { response, body } = await send(
      'POST',
      `${items}/${id}/history/1/restore`,
      undefined,
      `"${id}-3"`,
    );

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ version: 4, restoredVersion: 1 });
    expect(await storedState(id)).toEqual(original);
  });

  it('refuses a restore over a changed feature without its current ETag', async () => {
    const { id } = await createAndChange();

    const missing = await send('POST', `${items}/${id}/history/1/restore`);
    const stale = await send('POST', `${items}/${id}/history/1/restore`, undefined, `"${id}-1"`);

    expect(missing.response.status).toBe(428);
    expect(stale.response.status).toBe(412);
  });

  it('restores under If-None-Match: * only a deleted feature, else answers 412', async () => {
    const { id } = await createAndChange();
    const restore = (version: number, ifMatch?: string) =>
      fetch(`${server.baseUrl}${items}/${id}/history/${version}/restore`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'if-none-match': '*',
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
      });

    const overExisting = await restore(1);
    const withIfMatch = await restore(1, `"${id}-3"`);
    await send('DELETE', `${items}/${id}`, undefined, `"${id}-3"`);
    const overDeleted = await restore(1);

    expect(overExisting.status).toBe(412);
    expect(await overExisting.json()).toMatchObject({
      type: '/problems/if-none-match-failed',
      currentETag: `"${id}-3"`,
    });
    expect(withIfMatch.status).toBe(412);
    expect(overDeleted.status).toBe(200);
    expect(await overDeleted.json()).toMatchObject({ version: 4, restoredVersion: 1 });
  });

  it('answers a version past any a feature can have as a bad request, not a failure', async () => {
    const { id } = await createAndChange();

    const { response, body } = await send('POST', `${items}/${id}/history/99999999999/restore`);

    expect(response.status).toBe(400);
    expect(body.type).toBe('/problems/bad-version');
  });

  it('answers a version not in decimal digits as a bad request', async () => {
    const { id } = await createAndChange();

    const answers = await Promise.all(
      ['0x1', '1e0', '1.0'].map((version) =>
        send('POST', `${items}/${id}/history/${version}/restore`, undefined, `"${id}-2"`),
      ),
    );

    expect(answers.map(({ response }) => response.status)).toEqual([400, 400, 400]);
    expect(answers.map(({ body }) => body.type)).toEqual(Array(3).fill('/problems/bad-version'));
  });

  it('brings a deleted feature back under its id with the next version', async () => {
    const { id } = await createAndChange();
    const beforeDelete = await storedState(id);
    await send('DELETE', `${items}/${id}`, undefined, `"${id}-3"`);

    const { response, body } = await send('POST', `${items}/${id}/history/3/restore`);

    expect(response.status).toBe(200);
    expect(body.version).toBe(4);
    expect(await storedState(id)).toEqual(beforeDelete);
    const history = await send('GET', `${items}/${id}/history`);
    expect(history.body.versions.at(-1)).toMatchObject({
      operation: 'insert',
      versionAfter: 4,
      note: 'restore of version 3',
    });
  });

  it('answers the later of two restores of a deleted feature with 412, not 409', async () => {
    const { id } = await createAndChange();
    await send('DELETE', `${items}/${id}`, undefined, `"${id}-3"`);
    // both restores find the feature absent, then wait to insert it until the lock is gone
    const locker = await server.testDatabase.database.pool.connect();
    await locker.query(`BEGIN; LOCK TABLE ${layer.id} IN SHARE ROW EXCLUSIVE MODE`);
    const racing = [2, 3].map((version) =>
      send('POST', `${items}/${id}/history/${version}/restore`),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await locker.query('COMMIT');
    locker.release();
    const answers = await Promise.all(racing);

    const statuses = answers.map((a) => a.response.status).sort();
    expect(statuses).toEqual([200, 412]);
    const loser = answers.find((a) => a.response.status === 412)!;
    expect(loser.body.type).toBe('/problems/stale-version');
    expect(loser.body.detail).toContain('restored');
  });

  it('shows the layer as it was before a feature was created and after its deletion', async () => {
    const before = new Date().toISOString();
    const { id } = await createAndChange();
    const during = new Date().toISOString();
    await send('DELETE', `${items}/${id}`, undefined, `"${id}-3"`);

    const asOf = async (at: string) => {
      const { body } = await send(
        'GET',
        `/collections/${layer.id}/history/items?at=${at}&limit=1000`,
      );
      return body.features.map((f: { id: number }) => f.id) as number[];
    };

    expect(await asOf(before)).not.toContain(id);
    expect(await asOf(during)).toContain(id);
    expect(await asOf(new Date().toISOString())).not.toContain(id);
  });

  it('keeps no copy of an inserted row, yet shows the state it made at every step', async () => {
    const created = await send('POST', items, validFeature(layer));
    const id = created.body.id as number;
    const inserted = await send('GET', `${items}/${id}`);
    const { rows } = await server.testDatabase.database.pool.query(
      `SELECT properties_after, geom_after FROM simpul_feature_history
       WHERE layer_id = $1 AND feature_id = $2 AND operation = 'insert'`,
      [layer.id, id],
    );
    const insertState = async () => (await send('GET', `${items}/${id}/history`)).body.versions[0];

    const whileStored = await insertState();
    const afterInsert = new Date().toISOString();
    await send('PATCH', `${items}/${id}`, { geometry: movedGeometry }, `"${id}-1"`);
    const afterEdit = await insertState();
    const asOf = await send(
      'GET',
      `/collections/${layer.id}/history/items?at=${afterInsert}&limit=1000`,
    );

    expect(rows).toEqual([{ properties_after: null, geom_after: null }]);
    for (const state of [whileStored, afterEdit]) {
      expect(state.propertiesAfter).toEqual(inserted.body.properties);
      expect(state.geometryAfter).toEqual(inserted.body.geometry);
    }
    const then = asOf.body.features.find((f: { id: number }) => f.id === id);
    expect(then.geometry).toEqual(inserted.body.geometry);
    expect(then.properties).toEqual(inserted.body.properties);
  });

  it('pages the layer as it was by next links, counting it on the last page', async () => {
    const asOfItems = `/collections/${layer.id}/history/items?at=${new Date().toISOString()}`;
    const whole = await send('GET', `${asOfItems}&limit=1000`);
    const limit = Math.ceil(whole.body.features.length / 3);
    const pages = [];
    for (let path: string | undefined = `${asOfItems}&limit=${limit}`; path;) {
      const { response, body } = await send('GET', path);
      expect(response.status).toBe(200);
      pages.push(body);
      const next = body.links.find((l: { rel: string }) => l.rel === 'next');
      path = next && new URL(next.href).pathname + new URL(next.href).search;
    }

    const ids = (features: { id: number }[]) => features.map((f) => f.id);
    expect(pages.flatMap((page) => ids(page.features))).toEqual(ids(whole.body.features));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.map((page) => page.numberMatched)).toEqual([
      ...Array(pages.length - 1).fill(undefined),
      whole.body.features.length,
    ]);
    expect(whole.body.numberMatched).toBe(whole.body.features.length);
    const prev = pages[1].links.find((l: { rel: string }) => l.rel === 'prev');
    expect(new URL(prev.href).searchParams.get('offset')).toBe('0');
  });

  it('refuses an after that is not a feature id, and an offset too large to be exact', async () => {
    const asOfItems = `/collections/${layer.id}/history/items?at=${new Date().toISOString()}`;

    const after = await send('GET', `${asOfItems}&after=-1`);
    const offset = await send('GET', `${asOfItems}&offset=1e20`);

    expect([after.response.status, offset.response.status]).toEqual([400, 400]);
    expect(after.body.type).toContain('bad-after');
    expect(offset.body.type).toContain('bad-offset');
  });

  it('refuses an after written other than in decimal digits, or empty', async () => {
    const asOfItems = `/collections/${layer.id}/history/items?at=${new Date().toISOString()}`;

    const answers = await Promise.all(
      ['0x2', '1e1', '', '%205'].map((after) => send('GET', `${asOfItems}&after=${after}`)),
    );

    expect(answers.map(({ response }) => response.status)).toEqual([400, 400, 400, 400]);
    expect(answers.every(({ body }) => body.type === '/problems/bad-after')).toBe(true);
  });

  it("pages a layer's edits by next links, unshifted by edits made meanwhile", async () => {
    const since = new Date().toISOString();
    for (let i = 0; i < 5; i++) await send('POST', items, validFeature(layer));
    const changes = `/collections/${layer.id}/history?since=${since}`;
    const whole = await send('GET', `${changes}&limit=1000`);
    const seen: number[] = [];
    let pages = 0;
    for (let path: string | undefined = `${changes}&limit=2`; path; pages++) {
      const { response, body } = await send('GET', path);
      expect(response.status).toBe(200);
      seen.push(...body.changes.map((c: { historyId: number }) => c.historyId));
      // an edit made between two pages must not bring one already read back
      if (pages === 0) await send('POST', items, validFeature(layer));
      const next = body.links.find((l: { rel: string }) => l.rel === 'next');
      path = next && new URL(next.href).pathname + new URL(next.href).search;
    }

    const ids = whole.body.changes.map((c: { historyId: number }) => c.historyId);
    expect(ids).toHaveLength(5);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expect(whole.body.links.map((l: { rel: string }) => l.rel)).toEqual(['self']);
  });

  it('refuses a range whose since comes after its until, instead of an empty list', async () => {
    const range = 'since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z';

    const { response, body } = await send('GET', `/collections/${layer.id}/history?${range}`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.type).toBe('/problems/bad-range');
    expect(body.detail).toContain('since (2025-02-01T00:00:00Z) is after until');
  });

  it('refuses a day the calendar lacks as a bad instant, not a server failure', async () => {
    const answers = await Promise.all([
      send('GET', `/collections/${layer.id}/history?since=2026-02-30`),
      send('GET', `/collections/${layer.id}/history?until=2025-04-31T00:00:00Z`),
      send('GET', `/collections/${layer.id}/history/items?at=2026-02-31T00:00:00Z`),
    ]);

    expect(answers.map(({ response }) => response.status)).toEqual([400, 400, 400]);
    expect(answers.every(({ body }) => body.type === '/problems/bad-instant')).toBe(true);
  });

  it('refuses a query parameter a history does not take, naming it', async () => {
    const { id } = await createAndChange();

    const item = await send('GET', `${items}/${id}/history?limit=abc`);
    const layerChanges = await send('GET', `/collections/${layer.id}/history?limt=5`);

    expect([item.response.status, layerChanges.response.status]).toEqual([400, 400]);
    expect(item.body.type).toBe('/problems/unknown-parameter');
    expect(item.body.detail).toBe(
      'Unknown query parameter "limit". This request takes no query parameters.',
    );
    expect(layerChanges.body.accepted).toEqual(['since', 'until', 'limit', 'offset', 'before']);
  });

  it('keeps history from visitors', async () => {
    const response = await fetch(`${server.baseUrl}${items}/1/history`);

    expect(response.status).toBe(401);
  });

  it('keeps history from a token scoped to other layers, though the layer is public', async () => {
    const pool = server.testDatabase.database.pool;
    const elsewhere = editable.find((l) => l.id !== layer.id)!;
    const request = {
      name: 'scoped-elsewhere',
      roles: ['admin' as const],
      layerIds: [elsewhere.id],
    };
    const scoped = (await createApiToken(pool, request, 't')).secret;
    const read = (path: string) =>
      fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${scoped}` } });

    const paths = [
      `${items}/1/history`,
      `/collections/${layer.id}/history`,
      `/collections/${layer.id}/history/items?at=${new Date().toISOString()}`,
    ];
    const answers = await Promise.all(paths.map(read));
    const inScope = await read(`/collections/${elsewhere.id}/history`);
    const features = await read(`${items}?limit=1`);

    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(answers[0]!.headers.get('content-type')).toContain('application/problem+json');
    expect(inScope.status).toBe(200);
    expect(features.status).toBe(200);
  });
  it('refuses a PUT or a PATCH whose body names another feature, and writes nothing', async () => {
    const created = await send('POST', items, validFeature(layer));
    const id = created.body.id as number;
    const etag = created.response.headers.get('etag')!;

    const patched = await send('PATCH', `${items}/${id}`, { id: id + 1000 }, etag);
    const put = await send(
      'PUT',
      `${items}/${id}`,
      { ...validFeature(layer), id: id + 1000 },
      etag,
    );
    const samePatch = await send('PATCH', `${items}/${id}`, { id, properties: {} }, etag);

    expect([patched.response.status, put.response.status]).toEqual([400, 400]);
    expect(patched.body.type).toContain('id-mismatch');
    expect(patched.response.headers.get('content-type')).toContain('application/problem+json');
    expect(samePatch.response.status).toBe(200);
    const history = await send('GET', `${items}/${id}/history`);
    // the accepted patch changes nothing, so it writes no version either
    expect(history.body.versions).toHaveLength(1);
  });
});
