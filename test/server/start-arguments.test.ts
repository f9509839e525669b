import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-start-arguments-'));

/** `npm start -- <args>`: its exit code and output, its database nowhere it could open. */
function start(args: string[]) {
  const env = { ...process.env, SIMPUL_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0' };
  const child = spawn(process.execPath, ['server/cli/launch.mjs', 'server', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // a server started by mistake is stopped, and its exit code then shows it
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('npm start given arguments', { timeout: 60000 }, () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints its usage for --help and -h, and starts nothing', async () => {
    const [long, short] = await Promise.all([start(['--help']), start(['-h'])]);

    expect([long.code, short.code]).toEqual([0, 0]);
    expect(long.stdout).toMatch(/^Usage: \[VARIABLE=value \.\.\.\] npm start\n/);
    expect(long.stdout).toContain('environment variable');
    expect(short.stdout).toBe(long.stdout);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('refuses an argument with exit 2, where it started ignoring it', async () => {
    const result = await start(['--port', '4000']);

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'start: Simpul takes no arguments; got "--port 4000". Set environment variables ' +
        'instead, such as PORT=4000 npm start',
    );
    expect(result.stdout).toBe('');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
