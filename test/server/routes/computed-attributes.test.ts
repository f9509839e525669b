import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../../server/services/account-service.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { apiSender } from '../../support/api-client.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validFeature } from '../../support/valid-feature.js';

const roadSegment = findLayer('road_segment')!;
const items = '/collections/road_segment/items';

describe('computed attributes are read-only through the feature API', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const request = { name: 'computed', roles: ['roads:editor'], write: true };
    token = (await createApiToken(pool, request, 't')).secret;
  });
  afterAll(() => server.close());

  const send = apiSender(
    () => server.baseUrl,
    () => token,
  );
  const create = async () => {
    const created = await send('POST', items, validFeature(roadSegment));
    expect(created.response.status).toBe(201);
    const id = created.body.id as number;
    return { id, etag: created.response.headers.get('etag')!, feature: created.body };
  };
  const expectReadOnly = (answer: { response: Response; body: Record<string, unknown> }) => {
    expect(answer.response.status).toBe(422);
    expect(answer.response.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        field: 'length_m',
        code: 'read-only',
        message: expect.stringContaining('length_m is read-only'),
      }),
    ]);
  };

  it('refuses a patch of length_m as read-only, and keeps the feature', async () => {
    const { id, etag, feature } = await create();

    const answer = await send('PATCH', `${items}/${id}`, { properties: { length_m: 5 } }, etag);
    const after = await send('GET', `${items}/${id}`);

    expectReadOnly(answer);
    expect(answer.body.errors[0].message).toContain(
      `or send it as stored (${feature.properties.length_m})`,
    );
    expect(after.body.properties.length_m).toBe(feature.properties.length_m);
  });

  it('refuses a patch unsetting length_m, which is a change too', async () => {
    const { id, etag } = await create();

    const answer = await send('PATCH', `${items}/${id}`, { properties: { length_m: null } }, etag);

    expectReadOnly(answer);
  });

  it('takes a patch sending length_m back as read, ignoring it and applying the rest', async () => {
    const { id, etag } = await create();
    const read = await send('GET', `${items}/${id}`);
    const { length_m: lengthM, name } = read.body.properties;

    const patch = { properties: { length_m: lengthM, name: `${name} (diperbarui)` } };
    const answer = await send('PATCH', `${items}/${id}`, patch, etag);
    const patchedETag = answer.response.headers.get('etag')!;
    const sameAgain = { properties: { length_m: lengthM } };
    const unchanged = await send('PATCH', `${items}/${id}`, sameAgain, patchedETag);

    expect(answer.response.status).toBe(200);
    expect(answer.body.properties).toMatchObject({
      name: `${name} (diperbarui)`,
      length_m: lengthM,
    });
    expect(unchanged.response.status).toBe(200);
    expect(unchanged.response.headers.get('etag')).toBe(patchedETag);
  });

  it('treats a value copied from the surveys alike in a patch and a replace', async () => {
    const { id, etag } = await create();
    const read = await send('GET', `${items}/${id}`);
    const { id: _id, links: _links, ...feature } = read.body;
    const withCondition = (conditionClass: string | null) => ({
      patch: { properties: { condition_class: conditionClass } },
      whole: { ...feature, properties: { ...feature.properties, condition_class: conditionClass } },
    });

    // no survey yet: the stored condition is empty, and sending it empty changes nothing
    const asStored = withCondition(null);
    const patchedAsStored = await send('PATCH', `${items}/${id}`, asStored.patch, etag);
    const replacedAsStored = await send('PUT', `${items}/${id}`, asStored.whole, etag);
    const changed = withCondition('baik');
    const patchedChanged = await send('PATCH', `${items}/${id}`, changed.patch, etag);
    const replacedChanged = await send('PUT', `${items}/${id}`, changed.whole, etag);

    expect(read.body.properties.condition_class).toBeNull();
    expect([patchedAsStored, replacedAsStored].map((a) => a.response.status)).toEqual([200, 200]);
    for (const answer of [patchedChanged, replacedChanged]) {
      expect(answer.response.status).toBe(422);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({
          field: 'condition_class',
          code: 'read-only',
          message: expect.stringContaining('or send it as stored (empty)'),
        }),
      ]);
    }
  });

  it('refuses length_m on create', async () => {
    const answer = await send('POST', items, validFeature(roadSegment, { length_m: 5 }));

    expectReadOnly(answer);
  });

  it('refuses a replace changing length_m, but takes a feature read and sent back', async () => {
    const { id, etag } = await create();
    const read = await send('GET', `${items}/${id}`);
    const { id: _id, links: _links, ...feature } = read.body;

    const changed = { ...feature, properties: { ...feature.properties, length_m: 5 } };
    const refused = await send('PUT', `${items}/${id}`, changed, etag);
    const sentBack = await send('PUT', `${items}/${id}`, feature, etag);

    expectReadOnly(refused);
    expect(sentBack.response.status).toBe(200);
  });

  it('refuses a batch patch of length_m and applies none of the batch', async () => {
    const { id, etag } = await create();
    const edits = [
      { op: 'create', collection: 'road_segment', feature: validFeature(roadSegment) },
      {
        op: 'patch',
        collection: 'road_segment',
        featureId: id,
        etag,
        patch: { properties: { length_m: 5 } },
      },
    ];

    const answer = await send('POST', '/batch', { edits });

    expect(answer.response.status).toBe(422);
    expect(JSON.stringify(answer.body)).toContain('length_m is read-only');
  });
});
