import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFreezableRelay } from '../support/database-relay.js';

type LogLine = Record<string, unknown> & { msg?: string };

/** The server as `npm start` runs it with SIMPUL_PROCESSES, and its JSON log lines so far. */
function startProcesses(env: Record<string, string>) {
  const child = spawn(process.execPath, ['server/cli/launch.mjs', 'server'], {
    env: { ...process.env, LOG_LEVEL: 'info', SIMPUL_AUTO_SEED: '0', PORT: '0', ...env },
  });
  const lines: string[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
  });
  const exitCode = new Promise<number | null>((resolve) => child.on('exit', resolve));

  // Each line as written, and as JSON.parse reads it (the last of two equal keys wins).
  const logged = (msg: string) =>
    lines
      .filter((line) => line.includes(`"msg":"${msg}"`))
      .map((line) => ({ line, parsed: JSON.parse(line) as LogLine }));
  const waitForLines = async (msg: string, count: number) => {
    await expect
      .poll(() => logged(msg).length, { timeout: 60000, interval: 100 })
      .toBeGreaterThanOrEqual(count);
    return logged(msg);
  };
  return { child, exitCode, logged, waitForLines };
}

describe('several server processes', { timeout: 120000 }, () => {
  let testDatabase: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'simpul-processes-'));
  });
  afterAll(async () => {
    await testDatabase.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('replace a process that dies, naming it apart from the primary in the log', async () => {
    const env = { DATABASE_URL: testDatabase.url, SIMPUL_PROCESSES: '2', SIMPUL_DATA_DIR: dataDir };
    const server = startProcesses(env);
    try {
      const listening = await server.waitForLines('listening', 2);
      const victim = listening[0]!.parsed.pid as number;
      // A process younger than 5 s is not restarted (it would only crash again).
      await new Promise((resolve) => setTimeout(resolve, 5500));

      process.kill(victim, 'SIGKILL');
      const [died] = await server.waitForLines('server process died', 1);
      await server.waitForLines('listening', 3);
      server.child.kill('SIGTERM');

      expect(await server.exitCode).toBe(0);
      expect(died!.line.match(/"pid":/g)).toHaveLength(1);
      expect(died!.parsed).toMatchObject({ pid: server.child.pid, workerPid: victim });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('retry a replacement, waits doubling, while the database is down', async () => {
    const relay = await startFreezableRelay(testDatabase.url);
    const env = { DATABASE_URL: relay.url, SIMPUL_PROCESSES: '2', SIMPUL_DATA_DIR: dataDir };
    const server = startProcesses(env);
    try {
      const listening = await server.waitForLines('listening', 2);
      const [victim, survivor] = listening.map((line) => line.parsed.pid as number);
      const url = listening[0]!.parsed.url as string;
      // Past 5 s, so the victim itself is replaced at once: the waits are its replacements'.
      await new Promise((resolve) => setTimeout(resolve, 5500));

      relay.cut();
      process.kill(victim!, 'SIGKILL');
      const died = await server.waitForLines('server process died', 3);
      const answeredMeanwhile = await fetch(`${url}/health`).then((response) => response.status);
      relay.restore();
      await server.waitForLines('listening', 3);
      server.child.kill('SIGTERM');

      expect(await server.exitCode).toBe(0);
      const waits = died.slice(0, 3).map((line) => line.parsed.restartInMs);
      expect(waits).toEqual([0, 1000, 2000]);
      expect(died.map((line) => line.parsed.workerPid)).not.toContain(survivor);
      expect(answeredMeanwhile).toBe(503);
    } finally {
      server.child.kill('SIGKILL');
      relay.close();
    }
  });

  it('exit 1 once no process has listened for SIMPUL_DOWN_EXIT_S, saying why', async () => {
    const relay = await startFreezableRelay(testDatabase.url);
    const env = {
      DATABASE_URL: relay.url,
      SIMPUL_PROCESSES: '2',
      SIMPUL_DATA_DIR: dataDir,
      // long enough for a first start on a busy machine, which the count includes
      SIMPUL_DOWN_EXIT_S: '20',
    };
    const server = startProcesses(env);
    try {
      const listening = await server.waitForLines('listening', 2);
      // Past 5 s, so both are replaced at once: only their replacements die young.
      await new Promise((resolve) => setTimeout(resolve, 5500));

      relay.cut();
      const lastDown = Date.now();
      for (const line of listening) process.kill(line.parsed.pid as number, 'SIGKILL');
      const exitCode = await server.exitCode;
      const downMs = Date.now() - lastDown;

      expect(exitCode).toBe(1);
      expect(downMs).toBeGreaterThanOrEqual(20000);
      expect(downMs).toBeLessThan(35000);
      const [gaveUp] = server.logged('no server process listening; exiting');
      expect(gaveUp?.parsed).toMatchObject({ level: 60, downS: 20 });
      // the two killed, and as many replacements as died within the 20 s on this machine
      const died = server.logged('server process died').length;
      expect(gaveUp!.parsed.diedSince).toBe(died);
      expect(died).toBeGreaterThanOrEqual(2);
      expect(server.logged('listening')).toHaveLength(2);
    } finally {
      server.child.kill('SIGKILL');
      relay.close();
    }
  });

  it('stop on SIGTERM as soon as every process has drained, starting none anew', async () => {
    const env = { DATABASE_URL: testDatabase.url, SIMPUL_PROCESSES: '2', SIMPUL_DATA_DIR: dataDir };
    const server = startProcesses(env);
    try {
      await server.waitForLines('listening', 2);
      // Past the 5 s under which a dead process is not replaced, so a replacement would show.
      await new Promise((resolve) => setTimeout(resolve, 5500));

      const signalled = Date.now();
      server.child.kill('SIGTERM');
      const exitCode = await server.exitCode;
      const stopMs = Date.now() - signalled;

      expect(exitCode).toBe(0);
      expect(stopMs).toBeLessThan(5000);
      expect(server.logged('server process stopped')).toHaveLength(2);
      expect(server.logged('server process died')).toHaveLength(0);
      expect(server.logged('listening')).toHaveLength(2);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('stop on SIGTERM while the database is prepared, once it is closed', async () => {
    // The preparing process reads the regency to see whether to seed; it waits behind this.
    const locker = new pg.Client({ connectionString: testDatabase.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    const server = startProcesses({
      DATABASE_URL: testDatabase.url,
      SIMPUL_PROCESSES: '2',
      SIMPUL_DATA_DIR: dataDir,
      SIMPUL_AUTO_SEED: '1',
    });
    try {
      await server.waitForLines('database ready', 1);
      await waitForLockWaiter(testDatabase.url);
      server.child.kill('SIGTERM');
      await server.waitForLines('stopping; closing the database first', 1);
      await locker.query('ROLLBACK');

      expect(await server.exitCode).toBe(0);
      expect(server.logged('database preparation stopped')).toHaveLength(1);
      expect(server.logged('listening')).toHaveLength(0);
    } finally {
      server.child.kill('SIGKILL');
      await locker.end();
    }
  });

  it('prepare the database in a process of its own, and start none when that fails', async () => {
    const prepared = startProcesses({
      DATABASE_URL: testDatabase.url,
      SIMPUL_PROCESSES: '2',
      SIMPUL_DATA_DIR: dataDir,
    });
    const refused = startProcesses({
      DATABASE_URL: 'postgres://simpul@127.0.0.1:1/simpul',
      SIMPUL_PROCESSES: '2',
      SIMPUL_DATA_DIR: dataDir,
    });
    try {
      const [ready] = await prepared.waitForLines('database ready', 1);
      await prepared.waitForLines('listening', 2);
      prepared.child.kill('SIGTERM');
      const refusedExit = await refused.exitCode;

      // the line comes from neither the primary nor a serving process
      const servingPids = prepared.logged('listening').map((l) => l.parsed.pid);
      expect([prepared.child.pid, ...servingPids]).not.toContain(ready!.parsed.pid);
      expect(await prepared.exitCode).toBe(0);
      expect(refusedExit).toBe(1);
      expect(refused.logged('database not prepared; not starting server processes')).toHaveLength(
        1,
      );
      expect(refused.logged('listening')).toHaveLength(0);
    } finally {
      prepared.child.kill('SIGKILL');
      refused.child.kill('SIGKILL');
    }
  });
});

/** Waits until a session of the database at `url` waits for a lock. */
async function waitForLockWaiter(url: string) {
  // A client of its own: inside a transaction pg_stat_activity would not change.
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  const waiting = async () => {
    const result = await watcher.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return result.rows[0].n as number;
  };
  await expect
    .poll(waiting, { timeout: 30000, interval: 50 })
    .toBeGreaterThan(0)
    .finally(() => watcher.end());
}
