import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLayer } from '../../../server/services/layer-registry.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validFeature } from '../../support/valid-feature.js';

const roadSegment = findLayer('road_segment')!;
const planZone = findLayer('plan_zone')!;

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

  it('says which rule an older feature breaks when a survey updates it', async () => {
    const pool = server.testDatabase.database.pool;
    const constraint = 'road_segment_chainage_from_m_chainage_to_m_check';
    const { rows } = await pool.query<{ code: string }>(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText('MULTILINESTRING((109 -7.7, 109.001 -7.701))', 4326),
         'T-OLD', '995', 'Jalan lama', 'kabupaten') RETURNING segment_code AS code`,
    );
    // A feature stored before the rule was declared: the rule's CHECK is NOT VALID.
    await pool.query(`ALTER TABLE road_segment DROP CONSTRAINT ${constraint}`);
    await pool.query(
      `UPDATE road_segment SET chainage_from_m = 9000, chainage_to_m = 10
       WHERE segment_code = 'T-OLD'`,
    );
    await pool.query(`ALTER TABLE road_segment ADD CONSTRAINT ${constraint}
      CHECK (chainage_from_m <= chainage_to_m) NOT VALID`);

    const response = await fetch(`${server.baseUrl}/records/road_condition_survey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        properties: {
          segment_code: rows[0]!.code,
          survey_date: '2026-01-05',
          condition_class: 'baik',
        },
      }),
    });
    const body = await response.json();

    expect(response.status).toBe(422);
    expect(body.errors[0]).toMatchObject({
      field: 'chainage_from_m',
      otherField: 'chainage_to_m',
      code: 'above-other',
    });
    expect(body.detail).toMatch(/stored before the rule/);
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

    await expect(update).rejects.toMatchObject({ code: '23514' });
  });
});
