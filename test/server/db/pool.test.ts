import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/**
 * Checks out a connection, has PostgreSQL end it (as a restart or a failover does) while the
 * connection is held between two queries, and says whether the process lived on. It runs in a
 * process of its own: an 'error' event nobody listens for ends the process it is emitted in.
 */
const heldConnectionEnded = `
  const { openDatabase } = await import('./server/db/pool.ts');
  const database = await openDatabase(process.env.DATABASE_URL);
  const held = await database.pool.connect();
  const { rows } = await held.query('SELECT pg_backend_pid() AS pid');
  await database.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const next = await held.query('SELECT 1').then(() => 'answered', () => 'refused');
  held.release(true);
  await database.close();
  console.log('lived on; the next query on the held connection was ' + next);
`;

function runScript(script: string, env: Record<string, string>) {
  const args = ['--import', 'tsx', '--input-type=module', '--eval', script];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  );
}

describe('the database pool', { timeout: 60000 }, () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('survives a checked-out connection that the database ends between queries', async () => {
    const result = await runScript(heldConnectionEnded, { DATABASE_URL: testDatabase.url });

    const livedOn = 'lived on; the next query on the held connection was refused';
    expect(result.output).toContain(livedOn);
    expect(result.code).toBe(0);
  });
});
