import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerSchemaStatements } from '../../../server/db/migrations/layer-schema.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validFeature } from '../../support/valid-feature.js';

const roadSegment = findLayer('road_segment')!;
const planZone = findLayer('plan_zone')!;
const ruleName = 'road_segment_chainage_from_m_chainage_to_m_check';

describe('rules across two attributes through the feature API', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const roles = ['roads:editor', 'spatial-plan:editor'];
    token = (await createApiToken(pool, { name: 'rules', roles, write: true }, 't')).secret;
  });
  afterAll(() => server.close());

  const send = async (method: string, path: string, body: unknown, etag?: string) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/geo+json',
    };
    if (etag) headers['if-match'] = etag;
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers,
      body: JSON.stringify(body),
    });
    return { response, body: await response.json() };
  };

  it('refuses a road segment whose chainage runs backwards, naming both fields', async () => {
    const feature = validFeature(roadSegment, { chainage_from_m: 1200, chainage_to_m: 800 });

    const { response, body } = await send('POST', '/collections/road_segment/items', feature);

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.errors).toEqual([
      expect.objectContaining({
        field: 'chainage_from_m',
        otherField: 'chainage_to_m',
        code: 'above-other',
        message: expect.stringMatching(/chainage_from_m.*chainage_to_m/),
      }),
    ]);
    expect(body.detail).toContain('chainage_to_m');
  });

  /**
   * A road stored before the chainage rule was declared, its chainage backwards (9000 to 10):
   * written with the rule's constraint and triggers out of the way, then the layer's schema
   * statements are run again, as a migration adding the rule would.
   */
  async function insertRoadStoredBeforeTheRule(code: string): Promise<number> {
    const pool = server.testDatabase.database.pool;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`ALTER TABLE road_segment DROP CONSTRAINT IF EXISTS ${ruleName}`);
      await client.query('SET LOCAL session_replication_role = replica');
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO road_segment (geom, segment_code, road_number, name, status,
           chainage_from_m, chainage_to_m)
         VALUES (ST_GeomFromText('MULTILINESTRING((109 -7.7, 109.001 -7.701))', 4326),
           $1, '995', 'Jalan lama', 'kabupaten', 9000, 10) RETURNING id`,
        [code],
      );
      await client.query('COMMIT');
      for (const statement of layerSchemaStatements(roadSegment)) await pool.query(statement);
      return rows[0]!.id;
    } finally {
      client.release();
    }
  }

  const readItem = async (id: number) => {
    const response = await fetch(`${server.baseUrl}/collections/road_segment/items/${id}`, {
      headers: { authorization: `Bearer ${token}`, 'cache-control': 'no-store' },
    });
    return { etag: response.headers.get('etag')!, feature: await response.json() };
  };

  it('records a survey on a road stored with its chainage backwards before the rule', async () => {
    const id = await insertRoadStoredBeforeTheRule('T-OLD-1');

    const response = await fetch(`${server.baseUrl}/records/road_condition_survey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        properties: { segment_code: 'T-OLD-1', survey_date: '2026-01-05', condition_class: 'baik' },
      }),
    });
    const { feature } = await readItem(id);

    expect(response.status).toBe(201);
    expect(feature.properties).toMatchObject({
      condition_class: 'baik',
      chainage_from_m: 9000,
      chainage_to_m: 10,
    });
  });

  it('saves a patch or a replace of such a road that leaves both chainages as stored', async () => {
    const id = await insertRoadStoredBeforeTheRule('T-OLD-2');
    const item = `/collections/road_segment/items/${id}`;

    const patched = await send(
      'PATCH',
      item,
      { properties: { name: 'Jalan lama baru' } },
      (await readItem(id)).etag,
    );
    const read = await readItem(id);
    const properties = { ...read.feature.properties, name: 'Jalan lama ganti' };
    const body = { type: 'Feature', geometry: read.feature.geometry, properties };
    const replaced = await send('PUT', item, body, read.etag);
    const { feature } = await readItem(id);

    expect(patched.response.status).toBe(200);
    expect(replaced.response.status).toBe(200);
    expect(feature.properties).toMatchObject({ name: 'Jalan lama ganti', chainage_from_m: 9000 });
  });

  it('holds an edit that changes either chainage of such a road to the rule', async () => {
    const pool = server.testDatabase.database.pool;
    const id = await insertRoadStoredBeforeTheRule('T-OLD-3');
    const item = `/collections/road_segment/items/${id}`;
    const { etag } = await readItem(id);

    const stillBackwards = await send('PATCH', item, { properties: { chainage_to_m: 20 } }, etag);
    const bySql = await pool
      .query('UPDATE road_segment SET chainage_to_m = 20 WHERE id = $1', [id])
      .catch((error: unknown) => error);
    const inOrder = { properties: { chainage_from_m: 0, chainage_to_m: 20 } };
    const corrected = await send('PATCH', item, inOrder, etag);

    expect(stillBackwards.response.status).toBe(422);
    expect(stillBackwards.body.errors[0]).toMatchObject({
      field: 'chainage_from_m',
      otherField: 'chainage_to_m',
      code: 'above-other',
    });
    expect(bySql).toMatchObject({ code: '23514', constraint: ruleName });
    expect(corrected.response.status).toBe(200);
  });

  it('refuses a plan zone whose period ends before it starts', async () => {
    const feature = validFeature(planZone, { period_start: 2031, period_end: 2011 });

    const { response, body } = await send('POST', '/collections/plan_zone/items', feature);

    expect(response.status).toBe(422);
    expect(body.errors[0]).toMatchObject({ field: 'period_start', otherField: 'period_end' });
  });

  it('refuses a patch of one chainage that falls below the stored other one', async () => {
    const feature = validFeature(roadSegment, { chainage_from_m: 1000, chainage_to_m: 2000 });
    const created = await send('POST', '/collections/road_segment/items', feature);
    const item = `/collections/road_segment/items/${created.body.id}`;
    const etag = created.response.headers.get('etag')!;

    const patch = { properties: { chainage_to_m: 500 } };
    const refused = await send('PATCH', item, patch, etag);
    const accepted = await send('PATCH', item, { properties: { chainage_to_m: 2500 } }, etag);

    expect(refused.response.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'chainage_from_m', code: 'above-other' });
    expect(refused.body.errors[0].message).toContain('1000 and 500');
    expect(accepted.response.status).toBe(200);
  });

  it('accepts equal values and a rule with one side empty', async () => {
    const equal = validFeature(roadSegment, { chainage_from_m: 700, chainage_to_m: 700 });
    const oneSided = validFeature(planZone, { period_start: 2031 });

    const first = await send('POST', '/collections/road_segment/items', equal);
    const second = await send('POST', '/collections/plan_zone/items', oneSided);

    expect(first.response.status).toBe(201);
    expect(second.response.status).toBe(201);
  });

  it('has the table refuse a row that breaks the rule, whoever writes it', async () => {
    const pool = server.testDatabase.database.pool;
    const feature = validFeature(roadSegment, { chainage_from_m: 10, chainage_to_m: 20 });
    const created = await send('POST', '/collections/road_segment/items', feature);

    const update = pool.query('UPDATE road_segment SET chainage_to_m = 5 WHERE id = $1', [
      created.body.id,
    ]);

    await expect(update).rejects.toMatchObject({ code: '23514', constraint: ruleName });
  });
});
