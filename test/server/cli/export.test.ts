import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const root = path.resolve(import.meta.dirname, '../../..');
/** What `npm run export -- …` runs: the sources through tsx. */
const exportCommand = [process.execPath, '--import', 'tsx', 'server/cli/export.ts'] as const;

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runExportCommand(args: string[], env: Record<string, string> = {}) {
  const options = { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env } };
  const [node, ...nodeArgs] = exportCommand;
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [...nodeArgs, ...args], options);
    return { code: 0, stdout, stderr } satisfies CommandResult;
  } catch (error) {
    const { code, stdout, stderr } = error as CommandResult;
    return { code, stdout, stderr };
  }
}

/** A stack trace's first frame line, which a mistake of the user must never print. */
const stackFrame = /^\s+at /m;

describe('npm run export', () => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-export-cli-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it.each([
    [['--layer', 'kecamatan', '--bogus'], 'export: unknown option --bogus'],
    [['--layer', 'kecamatan', '--Out', 'x.geojson'], 'unknown option --Out; did you mean --out?'],
    [['--layer'], 'export: --layer needs a value'],
    [['--layer', 'kecamatan', 'extra'], 'export: unexpected argument "extra"'],
  ])('answers %j with one line, the usage and exit code 2', async (args, message) => {
    const result = await runExportCommand(args);

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(result.stderr).toContain('Usage: npm run export');
    expect(result.stderr).not.toMatch(stackFrame);
  });
});
