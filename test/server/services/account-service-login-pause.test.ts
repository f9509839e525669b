import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestDatabase } from '../../support/database.js';

const password = 'rahasia-sekali-123';

describe('logins paused after failures, with a window of one minute', () => {
  let testDatabase: TestDatabase;
  let accounts: typeof import('../../../server/services/account-service.js');

  beforeAll(async () => {
    vi.stubEnv('LOGIN_WINDOW_MINUTES', '1');
    vi.stubEnv('LOGIN_MAX_FAILURES', '1');
    // The configuration is read once at import: load the service after the variables are set.
    vi.resetModules();
    accounts = await import('../../../server/services/account-service.js');
    const { createTestDatabase } = await import('../../support/database.js');
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await testDatabase.drop();
  });

  it('says to try again in 1 minute, in the singular', async () => {
    const pool = testDatabase.database.pool;
    await accounts.createUser(pool, { name: 'lupa', password, roles: ['roads:viewer'] });
    const attempt = { name: 'lupa', address: '127.0.0.1', client: 'test' };
    await accounts.logIn(pool, { ...attempt, password: 'salah-salah-salah' }).catch(() => null);

    const refusal = await accounts
      .logIn(pool, { ...attempt, password })
      .catch((error: unknown) => error);

    expect(refusal).toMatchObject({ status: 429, type: 'too-many-logins' });
    expect((refusal as Error).message).toBe('Too many failed logins; try again in 1 minute.');
  });
});
