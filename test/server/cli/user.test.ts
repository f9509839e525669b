import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../support/database.js';

const run = promisify(execFile);

describe('npm run user', { timeout: 60000 }, () => {
  it('says in one line, without a stack trace, that the data folder is in use', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-user-cli-'));
    // this test's own process holds the folder, as a running server would
    fs.writeFileSync(path.join(dataDir, 'simpul.lock'), String(process.pid));
    try {
      const env = { ...process.env, SIMPUL_DATA_DIR: dataDir, DATABASE_URL: '' };
      const failed = await run(
        process.execPath,
        ['--import', 'tsx', 'server/cli/user.ts', 'list'],
        {
          env,
        },
      ).catch((error) => error);

      expect(failed.code).toBe(1);
      expect(failed.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(`is in use by process ${process.pid} (one process at a time)`),
      ]);
      expect(failed.stderr).not.toMatch(/^\s+at /m);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names an unknown option in one line with the usage, without a stack trace', async () => {
    const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const args = ['--import', 'tsx', 'server/cli/user.ts', 'add', 'budi', '--Role', 'admin'];

    const failed = await run(process.execPath, args, { env }).catch((error) => error);

    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^user: unknown option --Role; did you mean --role\?\n/);
    expect(failed.stderr).toContain('Usage: npm run user -- <command> [options]');
    expect(failed.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a wrong command line with exit 2 before opening the database', async () => {
    // nothing listens there: a command line checked only once connected would say so instead
    const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const user = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'server/cli/user.ts', ...args], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );

    const failures = await Promise.all(
      [
        [],
        ['frob'],
        ['add'],
        ['add', 'budi'],
        ['add', 'budi', '--role', 'roads:editr'],
        ['revoke-token', 'abc'],
        ['revoke-token'],
      ].map(async (args) => {
        const { code, stderr } = await user(args);
        return [code, stderr.split('\n')[0]];
      }),
    );

    expect(failures).toEqual([
      [2, 'user: name a command'],
      [2, 'user: unknown command frob'],
      [2, 'user: name the user'],
      [2, 'user: give at least one --role'],
      [2, expect.stringMatching(/^user: unknown role roads:editr; roles are: admin, .*\.$/)],
      [2, 'user: revoke-token takes the id of a token (a number, see tokens); got "abc"'],
      [2, 'user: revoke-token takes the id of a token (a number, see tokens)'],
    ]);
  });

  it('says a user does not exist before asking for a new password', async () => {
    const database = await createTestDatabase();
    try {
      const env = { ...process.env, DATABASE_URL: database.url, SIMPUL_USER_PASSWORD: '' };
      const args = ['--import', 'tsx', 'server/cli/user.ts', 'passwd', 'tidak-ada'];
      const running = run(process.execPath, args, { env });
      // standard input empty, as a script's: a password read from it would be too short
      running.child.stdin?.end();
      const failed = await running.catch((error) => error);

      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe('No user named tidak-ada.\n');
    } finally {
      await database.drop();
    }
  });

  it('refuses a token asked to write whose roles edit none of its layers', async () => {
    const database = await createTestDatabase();
    const user = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'server/cli/user.ts', ...args], {
        env: { ...process.env, DATABASE_URL: database.url },
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    const jalan = ['token', 'jalan', '--role', 'roads:editor', '--write', '--layer'];
    try {
      const useless = await user([...jalan, 'kecamatan']);
      const useful = await user([...jalan, 'bridge']);
      const listed = await user(['tokens']);

      expect('code' in useless && useless.code).toBe(1);
      expect(useless.stderr).toBe(
        '"write": true asks for a token that writes, but its roles (roads:editor) may not ' +
          'edit its layers (kecamatan); roles that may: admin, administrative:editor. ' +
          'Give it one of those roles, or leave "write" out for a token that reads.\n',
      );
      expect(useful.stdout).toMatch(/^Token \d+ for jalan/);
      expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      await database.drop();
    }
  });

  it('makes a writing token skip If-Match, lists it, refuses it read-only', async () => {
    const database = await createTestDatabase();
    const user = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'server/cli/user.ts', ...args], {
        env: { ...process.env, DATABASE_URL: database.url },
      });
    try {
      const qgis = ['token', 'qgis', '--role', 'roads:editor', '--without-if-match'];

      const refused = await user(qgis).catch((error) => error);
      const made = await user([...qgis, '--write']);
      const listed = await user(['tokens']);

      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--write');
      expect(refused.stderr).not.toMatch(/^\s+at /m);
      expect(made.stdout).toMatch(/^Token \d+ for qgis/);
      expect(made.stdout).toContain('without If-Match');
      expect(listed.stdout).toMatch(/\tqgis\troads:editor\tall\twrite\twithout If-Match\n/);
    } finally {
      await database.drop();
    }
  });
});
