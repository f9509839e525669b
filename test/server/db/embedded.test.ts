import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirLockedError,
  DataDirUnusableError,
  lockDataDir,
  startEmbeddedDatabase,
} from '../../../server/db/embedded.js';

/** A process that lives until killed, to stand for another Simpul holding the folder. */
function startLiveProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  return { pid: child.pid!, stop: () => child.kill() };
}

/** A pid that no process has: one that ran and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the embedded database folder lock', () => {
  let dataDir: string;
  let lockPath: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-lock-'));
    lockPath = path.join(dataDir, 'simpul.lock');
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a second process while the first one lives, saying what to do', async () => {
    const holder = startLiveProcess();
    fs.writeFileSync(lockPath, String(holder.pid));

    const opening = startEmbeddedDatabase(dataDir);

    await expect(opening).rejects.toThrow(DataDirLockedError);
    await expect(opening).rejects.toThrow(
      new RegExp(`in use by process ${holder.pid} .*stop that process, then run this again`),
    );
    expect(fs.readFileSync(lockPath, 'utf8')).toBe(String(holder.pid));
    holder.stop();
  });

  it.each([
    ['a process that died', async () => String(await deadPid())],
    ['no process (an empty file)', async () => ''],
    ['no process (process group 0)', async () => '0'],
    ['no process (text)', async () => 'simpul'],
  ])('takes over a lock left by %s, and releases it', async (_case, content) => {
    fs.writeFileSync(lockPath, await content());

    const release = lockDataDir(dataDir);
    const heldBy = fs.readFileSync(lockPath, 'utf8');
    release();

    expect(heldBy).toBe(String(process.pid));
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('refuses a data folder that is a file, naming the variable to change', async () => {
    const notAFolder = path.join(dataDir, 'data');
    fs.writeFileSync(notAFolder, '');

    const opening = startEmbeddedDatabase(notAFolder);

    await expect(opening).rejects.toThrow(DataDirUnusableError);
    await expect(opening).rejects.toThrow(/cannot hold the embedded database .*SIMPUL_DATA_DIR/);
  });
});

describe('the embedded engine', () => {
  // Guards the FIXME in server/db/pool.ts: when PGlite starts honouring the timeout, this
  // fails, and the embedded pool can be given QUERY_TIMEOUT_MS like a real server.
  it('does not honour statement_timeout, so QUERY_TIMEOUT_MS cannot bound it', async () => {
    const db = await PGlite.create();
    await db.exec('SET statement_timeout = 100');

    const started = Date.now();
    const sleeping = db.query('SELECT pg_sleep(0.5)');

    await expect(sleeping).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    await db.close();
  });
});
