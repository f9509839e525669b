import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** Waits until a session of the database at `url` waits for a lock. */
async function waitForLockWaiter(url: string) {
  // A client of its own: inside a transaction pg_stat_activity would not change.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await expect
    .poll(
      async () => {
        const waiting = await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.rows[0].n as number;
      },
      { timeout: 30000, interval: 50 },
    )
    .toBeGreaterThan(0)
    .finally(() => client.end());
}

describe('npm run seed', { timeout: 90000 }, () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase.drop();
  });

  it('stops on SIGTERM once the layer it loads is done, closing the database', async () => {
    // The regency, seeded first, waits behind this lock while the signal comes.
    const locker = new pg.Client({ connectionString: testDatabase.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    const env = { ...process.env, DATABASE_URL: testDatabase.url, LOG_LEVEL: 'info' };
    const seed = spawn(process.execPath, ['--import', 'tsx', 'server/cli/seed.ts'], { env });
    let stdout = '';
    let stderr = '';
    seed.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    seed.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = new Promise<number | null>((resolve) => seed.on('exit', resolve));

    try {
      await waitForLockWaiter(testDatabase.url);
      seed.kill('SIGTERM');
      await expect.poll(() => stdout, { timeout: 10000 }).toContain('"until"');
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    const code = await exitCode;

    expect(code).toBe(1);
    expect(stdout).toContain('"msg":"stopped by a signal"');
    expect(stdout).not.toMatch(/^kecamatan: /m);
    expect(stderr).toBe('');
  });
});

describe('npm run migrate and npm run seed, asked for help or given a wrong argument', () => {
  /** The command's exit code and output, its database a port where nothing listens. */
  const run = (script: string, args: string[]) => {
    const env = { ...process.env, DATABASE_URL: 'postgres://simpul@127.0.0.1:1/simpul' };
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
  };

  it.each([
    ['migrate', 'Usage: npm run migrate'],
    ['seed', 'Usage: npm run seed'],
  ])('%s prints its usage for --help and -h, opening no database', async (name, usage) => {
    const script = `server/cli/${name}.ts`;
    const [long, short] = await Promise.all([run(script, ['--help']), run(script, ['-h'])]);

    expect([long.code, short.code]).toEqual([0, 0]);
    expect(long.stdout.startsWith(usage)).toBe(true);
    expect(short.stdout).toBe(long.stdout);
    expect(long.stderr + short.stderr).toBe('');
  });

  it.each(['migrate', 'seed'])('%s refuses an unknown option or argument', async (name) => {
    const script = `server/cli/${name}.ts`;
    const [option, argument] = await Promise.all([
      run(script, ['--dry-run']),
      run(script, ['road_segment']),
    ]);

    expect([option.code, argument.code]).toEqual([2, 2]);
    expect(option.stderr).toMatch(new RegExp(`^${name}: unknown option --dry-run\\n`));
    const unexpected = `^${name}: unexpected argument "road_segment"\\n`;
    expect(argument.stderr).toMatch(new RegExp(unexpected));
    expect(option.stderr + argument.stderr).not.toContain('cannot connect');
    expect(option.stdout + argument.stdout).toBe('');
  });
});
