import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../support/database.js';

const root = path.resolve(import.meta.dirname, '../../..');

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run report -- …` as npm runs it: the sources through tsx, in the package root. */
async function runReportCommand(args: string[], env: Record<string, string> = {}) {
  const options = { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env } };
  const nodeArgs = ['--import', 'tsx', 'server/cli/report.ts', ...args];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, nodeArgs, options);
    return { code: 0, stdout, stderr } satisfies CommandResult;
  } catch (error) {
    const { code, stdout, stderr } = error as CommandResult;
    return { code, stdout, stderr };
  }
}

/** A stack trace's first frame line, which a mistake of the user must never print. */
const stackFrame = /^\s+at /m;

/** A database URL nothing answers at. */
const unreachable = 'postgres://nobody@127.0.0.1:1/none';

describe('npm run report', { timeout: 60000 }, () => {
  it('answers an unknown option with one line, the usage and exit code 2', async () => {
    const result = await runReportCommand(['--Year', '2016'], { DATABASE_URL: unreachable });

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'report: unknown option --Year; did you mean --year?',
    );
    expect(result.stderr).toContain('npm run report -- [--out DIR]');
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('answers a --year that is not a number with one line, the usage and exit 2', async () => {
    const result = await runReportCommand(['--year', 'abc'], { DATABASE_URL: unreachable });

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'report: --year takes a year in four digits, such as 2024, not "abc"',
    );
    expect(result.stderr).toContain('npm run report -- [--out DIR]');
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('prints its usage for -h as for --help, without opening the database', async () => {
    const env = { DATABASE_URL: unreachable };
    const [long, short] = await Promise.all([
      runReportCommand(['--help'], env),
      runReportCommand(['-h'], env),
    ]);

    expect([long.code, short.code]).toEqual([0, 0]);
    expect(long.stdout).toMatch(/^Usage: npm run report -- \[--out DIR\]/);
    expect(short.stdout).toBe(long.stdout);
  });

  it('answers a road status or a year the data lacks with exit 2, writing nothing', async () => {
    const database = await createTestDatabase();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-report-refused-'));
    try {
      const env = { DATABASE_URL: database.url };
      const status = await runReportCommand(['--status', 'tol', '--out', out], env);
      const year = await runReportCommand(['--year', '1901', '--out', out], env);

      expect([status.code, year.code]).toEqual([2, 2]);
      expect(status.stderr).toMatch(/^report: Unknown road status tol\. Known statuses: /);
      expect(year.stderr).toMatch(/^report: .*1901/);
      expect(status.stderr + year.stderr).not.toMatch(stackFrame);
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      await database.drop();
    }
  });

  it('says in one line, with exit code 1, that the database does not answer', async () => {
    const result = await runReportCommand([], { DATABASE_URL: unreachable });

    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('cannot connect to postgres://nobody@127.0.0.1:1/none'),
    ]);
  });

  it('says in one line, with exit code 1, that its folder cannot be made', async () => {
    const database = await createTestDatabase();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-report-cli-'));
    const aFile = path.join(folder, 'a-file');
    fs.writeFileSync(aFile, '');
    try {
      const out = path.join(aFile, 'report');

      const result = await runReportCommand(['--out', out], { DATABASE_URL: database.url });

      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^report: cannot write .*ENOTDIR/),
      ]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
      await database.drop();
    }
  });

  it('refuses an empty --out and one naming a file with exit 2, naming --out', async () => {
    const callerFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-report-cli-'));
    fs.writeFileSync(path.join(callerFolder, 'laporan.csv'), 'tetap');
    const env = { DATABASE_URL: unreachable, INIT_CWD: callerFolder };
    try {
      const empty = await runReportCommand(['--out', ''], env);
      const aFile = await runReportCommand(['--out', 'laporan.csv'], env);

      expect(empty.code).toBe(2);
      expect(empty.stderr.split('\n')[0]).toBe(
        'report: --out is empty; name the folder to write into, such as --out laporan-2026-01',
      );
      expect(aFile.code).toBe(2);
      expect(aFile.stderr.split('\n')[0]).toBe(
        `report: --out ${path.join(callerFolder, 'laporan.csv')} is a file; ` +
          'name a folder, new or existing, to write into',
      );
      expect(aFile.stderr).not.toContain('EEXIST');
      expect(fs.readdirSync(callerFolder)).toEqual(['laporan.csv']);
      expect(fs.readFileSync(path.join(callerFolder, 'laporan.csv'), 'utf8')).toBe('tetap');
    } finally {
      fs.rmSync(callerFolder, { recursive: true, force: true });
    }
  });

  it('writes a relative --out into the folder it was typed in', async () => {
    const database = await createTestDatabase();
    const callerFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-report-cli-'));
    const name = `report-${path.basename(callerFolder)}`;
    try {
      const result = await runReportCommand(['--out', name], {
        DATABASE_URL: database.url,
        INIT_CWD: callerFolder,
      });

      const inRoot = fs.existsSync(path.join(root, name));
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
      expect(result.code).toBe(0);
      expect(inRoot).toBe(false);
      expect(fs.readdirSync(path.join(callerFolder, name))).toContain('summary.html');
    } finally {
      fs.rmSync(callerFolder, { recursive: true, force: true });
      await database.drop();
    }
  });
});
