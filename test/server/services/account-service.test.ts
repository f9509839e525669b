import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiToken,
  listApiTokens,
  principalFromToken,
} from '../../../server/services/account-service.js';
import { HttpProblem } from '../../../server/http/problem.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

describe('API tokens that write without If-Match', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  const create = (request: Record<string, unknown>) =>
    createApiToken(
      testDatabase.database.pool,
      { name: 'qgis-desktop', roles: ['roads:editor'], ...request },
      'test',
    );

  it('gives the opt-out to the principal of a writing token that asked for it', async () => {
    const pool = testDatabase.database.pool;
    const optedOut = await create({ write: true, withoutIfMatch: true });
    const plain = await create({ write: true });

    const principal = await principalFromToken(pool, optedOut.secret);
    const plainPrincipal = await principalFromToken(pool, plain.secret);

    expect(optedOut.withoutIfMatch).toBe(true);
    expect(principal.scope).toEqual({ layerIds: 'all', write: true, withoutIfMatch: true });
    expect(plain.withoutIfMatch).toBe(false);
    expect(plainPrincipal.scope?.withoutIfMatch).toBe(false);
  });

  it('refuses the opt-out with 400 for a token that cannot write', async () => {
    const attempt = await create({ withoutIfMatch: true }).catch((error: unknown) => error);

    expect(attempt).toBeInstanceOf(HttpProblem);
    expect((attempt as HttpProblem).status).toBe(400);
    expect((attempt as HttpProblem).type).toBe('without-if-match-read-only');
    expect((attempt as HttpProblem).detail).toContain('write');
  });

  it('refuses with 400 an opt-out that is not true or false', async () => {
    const attempt = await create({ write: true, withoutIfMatch: 'yes' }).catch(
      (error: unknown) => error,
    );

    expect((attempt as HttpProblem).status).toBe(400);
    expect((attempt as HttpProblem).detail).toBe('withoutIfMatch is true or false.');
  });

  it('lists which tokens write without If-Match', async () => {
    const created = await create({ write: true, withoutIfMatch: true });

    const listed = (await listApiTokens(testDatabase.database.pool)).find(
      (t) => t.id === created.id,
    );

    expect(listed?.withoutIfMatch).toBe(true);
  });
});
