import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** `npm start` with SIMPUL_IMPORT_DIR `importDir`: its exit code and standard error. */
function start(databaseUrl: string, importDir: string) {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SIMPUL_IMPORT_DIR: importDir,
    SIMPUL_AUTO_SEED: '0',
    PORT: '0',
    LOG_LEVEL: 'silent',
  };
  const child = spawn(process.execPath, ['server/cli/launch.mjs', 'server'], { env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // a server that started after all is stopped, and its exit code then shows it
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe('an import folder that cannot hold uploads', { timeout: 90000 }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-import-dir-'));
  let database: TestDatabase | undefined;
  afterAll(async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    await database?.drop();
  });

  it('stops start-up in one line naming it, where every upload failed', async () => {
    database = await createTestDatabase();
    const file = path.join(scratch, 'a-file');
    fs.writeFileSync(file, '');
    // under a file, and under /proc, where Node's recursive mkdir never returns
    const [underFile, underProc] = await Promise.all([
      start(database.url, path.join(file, 'imports')),
      start(database.url, '/proc/simpul-imports'),
    ]);

    expect([underFile.code, underProc.code]).toEqual([1, 1]);
    expect(underFile.stderr).toBe(
      `Simpul cannot start: the import folder ${path.join(file, 'imports')} ` +
        '(SIMPUL_IMPORT_DIR, else imports in SIMPUL_DATA_DIR) cannot hold uploads ' +
        '(EEXIST); set it to a writable folder\n',
    );
    expect(underProc.stderr).toMatch(/^Simpul cannot start: the import folder \/proc\/simpul/);
  });
});
