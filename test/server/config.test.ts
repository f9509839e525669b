import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** The config a fresh process reads from this environment (config is read once, at import). */
async function configUnder(env: Record<string, string>) {
  const script = "import('./server/config.ts').then((m) => console.log(JSON.stringify(m.config)))";
  const options = { env: { ...process.env, ...env } };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], options);
  return JSON.parse(stdout) as { dataDir: string; importDir: string };
}

describe('configuration', { timeout: 30000 }, () => {
  it('keeps uploads under SIMPUL_DATA_DIR unless SIMPUL_IMPORT_DIR says otherwise', async () => {
    const dataDir = path.resolve('simpul-elsewhere');
    const importDir = path.resolve('uploads-apart');

    const defaulted = await configUnder({ SIMPUL_DATA_DIR: dataDir, SIMPUL_IMPORT_DIR: '' });
    const chosen = await configUnder({ SIMPUL_DATA_DIR: dataDir, SIMPUL_IMPORT_DIR: importDir });

    expect(defaulted.importDir).toBe(path.join(dataDir, 'imports'));
    expect(chosen.importDir).toBe(importDir);
  });
});
