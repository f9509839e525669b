import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../../server/db/pool.js';

/** A database of one test file: a copy of the seeded template, dropped by `drop`. */
export interface TestDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Copies the migrated, seeded template into a fresh database (about 60 ms), so each test file
 * owns its rows. On the embedded fallback there is one database, shared by every file.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (inject('databaseKind') === 'embedded') {
    const database = await openDatabase(inject('adminUrl'));
    return { url: inject('adminUrl'), database, drop: () => database.close() };
  }
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const templateName = new URL(inject('templateUrl')).pathname.slice(1);
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateName}`);
  await admin.end();

  const url = withDatabase(inject('adminUrl'), name);
  const database = await openDatabase(url);
  const drop = async () => {
    await database.close();
    const cleanup = new pg.Client({ connectionString: inject('adminUrl') });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };
  return { url, database, drop };
}

/**
 * A test database and a scratch folder (under the system's temporary folder, named from
 * `folderPrefix`) for the describe block this is called in: made before its tests, dropped
 * and removed after them. Read both from the returned object inside the tests.
 */
export function useDatabaseAndFolder(folderPrefix: string) {
  const scratch = {} as { testDatabase: TestDatabase; folder: string };
  beforeAll(async () => {
    scratch.testDatabase = await createTestDatabase();
    scratch.folder = fs.mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    await scratch.testDatabase.drop();
    fs.rmSync(scratch.folder, { recursive: true, force: true });
  });
  return scratch;
}
