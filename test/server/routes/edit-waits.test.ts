import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireLayer } from '../../../server/services/layer-registry.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validFeature } from '../../support/valid-feature.js';

// A short limit of one request, read once when the configuration is first imported; put back
// afterwards, as the next test file run by this worker reads the environment again.
const previousLimit = vi.hoisted(() => {
  const previous = process.env.QUERY_TIMEOUT_MS;
  process.env.QUERY_TIMEOUT_MS = '1000';
  return previous;
});

const roads = requireLayer('road_segment');

describe('an edit waiting on another open transaction', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const role = `${roads.theme}:editor`;
    token = (await createApiToken(pool, { name: 'waits', roles: [role], write: true }, 't')).secret;
  });
  afterAll(async () => {
    await server.close();
    if (previousLimit === undefined) delete process.env.QUERY_TIMEOUT_MS;
    else process.env.QUERY_TIMEOUT_MS = previousLimit;
  });

  const create = (feature: unknown) =>
    fetch(`${server.baseUrl}/collections/${roads.id}/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' },
      body: JSON.stringify(feature),
    });

  it('answers 503 to try again, saving nothing, when it times out on a unique value', async () => {
    const feature = validFeature(roads);
    const code = feature.properties.segment_code as string;
    // an import's open transaction holding the code it wrote early, not yet committed
    const importing = await server.testDatabase.database.pool.connect();
    await importing.query('BEGIN');
    await importing.query(
      'UPDATE road_segment SET segment_code = $1 WHERE id = (SELECT min(id) FROM road_segment)',
      [code],
    );

    const waited = await create(feature);
    const body = await waited.json();
    await importing.query('ROLLBACK');
    importing.release();
    const retried = await create(feature);

    expect(waited.status).toBe(503);
    expect(waited.headers.get('retry-after')).toBe('5');
    expect(body).toMatchObject({ type: '/problems/edit-timeout' });
    expect(body.detail).toMatch(/1000 ms.*nothing was saved/s);
    expect(retried.status).toBe(201);
  });
});
