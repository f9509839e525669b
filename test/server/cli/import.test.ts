import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packZip } from '../../../server/formats/zip-archive.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFreezableRelay } from '../../support/database-relay.js';

const root = path.resolve(import.meta.dirname, '../../..');
const launcher = path.join(root, 'server/cli/launch.mjs');
const utm49s = '+proj=utm +zone=49 +south +datum=WGS84 +units=m +no_defs';

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The launcher npm runs for `npm run import -- …`, which starts the compiled bundle. */
async function runLauncher(args: string[], env: Record<string, string> = {}) {
  const options = { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env } };
  try {
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], options);
    return { code: 0, stdout, stderr } satisfies CommandResult;
  } catch (error) {
    const { code, stdout, stderr } = error as CommandResult;
    return { code, stdout, stderr };
  }
}

const runImportCommand = (args: string[], env: Record<string, string> = {}) =>
  runLauncher(['import', ...args], env);

describe('npm run import', () => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-import-cli-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('prints its usage, naming the formats it reads', async () => {
    const result = await runImportCommand(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run import');
    expect(result.stdout).toMatch(/Shapefile.*\n[\s\S]*GeoPackage/);
  });

  /** A GeoJSON file in the test folder holding one evacuation point named `name`. */
  const writeOnePoint = (fileName: string, name: string, capacity: number) => {
    const feature = {
      type: 'Feature',
      properties: { name, type: 'titik_kumpul', capacity },
      geometry: { type: 'Point', coordinates: [109.0153, -7.7266] },
    };
    const file = path.join(folder, fileName);
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [feature] }));
    return file;
  };

  it('loads a GeoJSON file into a layer and says how many rows it wrote', async () => {
    const file = writeOnePoint('one-point.geojson', 'Titik kumpul baris perintah', 40);

    const result = await runImportCommand([file, '--layer', 'evacuation_point'], {
      DATABASE_URL: database.url,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('succeeded: 1 read, 1 written, 0 rejected.');
    const stored = await database.database.pool.query(
      'SELECT capacity FROM evacuation_point WHERE name = $1',
      ['Titik kumpul baris perintah'],
    );
    expect(stored.rows).toEqual([{ capacity: 40 }]);
  });

  it('calls the rows of a dry run valid, not written', async () => {
    const file = writeOnePoint('dry-run.geojson', 'Titik kumpul uji kering', 5);

    const result = await runImportCommand([file, '--layer', 'evacuation_point', '--dry-run'], {
      DATABASE_URL: database.url,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('checked: 1 read, 1 valid, 0 rejected.');
    const stored = await database.database.pool.query(
      'SELECT count(*)::int AS n FROM evacuation_point WHERE name = $1',
      ['Titik kumpul uji kering'],
    );
    expect(stored.rows).toEqual([{ n: 0 }]);
  });

  it('exits 1 from a dry run whose import would be refused for a rejected row', async () => {
    const file = writeOnePoint('dry-run-bad.geojson', 'Titik kumpul ditolak', -5);

    const result = await runImportCommand([file, '--layer', 'evacuation_point', '--dry-run'], {
      DATABASE_URL: database.url,
    });

    expect(result.stdout).toContain('checked: 1 read, 0 valid, 1 rejected.');
    expect(result.code).toBe(1);
  });

  it('reads a relative file name from the folder the command was typed in', async () => {
    writeOnePoint('typed-here.geojson', 'Titik kumpul folder pemanggil', 12);

    const result = await runImportCommand(['typed-here.geojson', '--layer', 'evacuation_point'], {
      DATABASE_URL: database.url,
      INIT_CWD: folder,
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('succeeded: 1 read, 1 written, 0 rejected.');
  });

  it('names a missing file and the folder it was looked in, before the database', async () => {
    const result = await runImportCommand(['tidak-ada.geojson', '--layer', 'evacuation_point'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      INIT_CWD: folder,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `import: no file tidak-ada.geojson in ${folder} (the folder the command was typed in)\n`,
    );
  });

  it('writes a --report with the columns of the web download, the code last', async () => {
    const file = writeOnePoint('report-code.geojson', 'Titik minus', -1);
    const report = path.join(folder, 'rejected-code.csv');

    const args = [file, '--layer', 'evacuation_point', '--report', report];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(1);
    const [header, row] = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(header).toBe('row,field,reason,code');
    expect(row).toMatch(/^1,capacity,.+,[a-z-]+$/);
  });

  it('refuses a --report in a missing folder before importing anything', async () => {
    const file = writeOnePoint('report-nowhere.geojson', 'Titik tanpa laporan', 13);
    const report = path.join(folder, 'no-such-folder', 'rejected.csv');

    const args = [file, '--layer', 'evacuation_point', '--report', report];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain('does not exist');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).not.toContain('succeeded');
  });

  // /proc lets root pass a permission check, then takes no file: the import ran, then the
  // report's write failed with a stack trace
  it('refuses a --report in a folder taking no files before importing anything', async () => {
    const file = writeOnePoint('report-proc.geojson', 'Titik laporan proc', 14);

    const args = [file, '--layer', 'evacuation_point', '--report', '/proc/ditolak.csv'];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'import: --report: cannot write /proc/ditolak.csv: the folder /proc takes no files ' +
        '(not a regular file system)\n',
    );
    expect(result.stdout).not.toContain('succeeded');
  });

  it.each([
    [['x.geojson', '--layer', 'evacuation_point', '--bogus'], 'import: unknown option --bogus'],
    [['x.geojson', '--layer', 'evacuation_point', '--dryrun'], 'did you mean --dry-run?'],
    [['x.geojson', '--layer'], 'import: --layer needs a value'],
    [['x.geojson', '--layer', '--dry-run'], 'import: --layer needs a value, not "--dry-run"'],
    [['x.geojson', '--layer', 'evacuation_point', '--replace=yes'], '--replace takes no value'],
  ])('answers %j with one line, the usage and exit code 2', async (args, message) => {
    const result = await runImportCommand(args);

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(result.stderr).toContain('Usage: npm run import');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a --source-layer given twice with one line and exit code 2', async () => {
    const args = ['x.gpkg', '--layer', 'evacuation_point'];
    const twice = ['--source-layer', 'titik_a', '--source-layer', 'titik_a'];

    const result = await runImportCommand([...args, ...twice]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('import: --source-layer "titik_a" is given twice; give it once\n');
  });

  it('refuses a second file with exit 2, where it was left out unsaid', async () => {
    const args = ['a.geojson', 'b.geojson', '--layer', 'evacuation_point'];

    const result = await runImportCommand(args, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'import: name one file; got 2 (a.geojson, b.geojson): import them one after another',
    );
  });

  it('reads numbers with a decimal point when --decimal-point says so', async () => {
    // its longitude makes the file look written with decimal commas, "1.000" then 1000
    const file = path.join(folder, 'titik-desimal.csv');
    const row = 'Titik desimal;titik_kumpul;1.000;109,2456;-7,6329';
    fs.writeFileSync(file, `name;type;capacity;lon;lat\n${row}\n`);
    const env = { DATABASE_URL: database.url };

    const both = await runImportCommand(
      [file, '--layer', 'evacuation_point', '--decimal-comma', '--decimal-point'],
      env,
    );
    const result = await runImportCommand(
      [file, '--layer', 'evacuation_point', '--decimal-point'],
      env,
    );

    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe(
      'import: give --decimal-comma or --decimal-point, not both',
    );
    expect(result.stdout).toContain('succeeded: 1 read, 1 written, 0 rejected.');
    const stored = await database.database.pool.query(
      'SELECT capacity FROM evacuation_point WHERE name = $1',
      ['Titik desimal'],
    );
    expect(stored.rows).toEqual([{ capacity: 1 }]);
  });

  it('refuses a wrong --mode with exit 2 before opening the database', async () => {
    const args = ['x.geojson', '--layer', 'evacuation_point', '--mode', 'valid'];

    const result = await runImportCommand(args, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('import: --mode is all-or-nothing or valid-only; got "valid"\n');
  });

  /** A GeoJSON file of one point in UTM 49S metres whose `crs` member names `crs`. */
  const writeUtmPoint = (fileName: string, crs: string) => {
    const [x, y] = proj4('EPSG:4326', utm49s, [109.0153, -7.7266]);
    const feature = {
      type: 'Feature',
      properties: { name: 'Titik UTM', type: 'titik_kumpul', capacity: 20 },
      geometry: { type: 'Point', coordinates: [x, y] },
    };
    const member = { type: 'name', properties: { name: crs } };
    const file = path.join(folder, fileName);
    fs.writeFileSync(
      file,
      JSON.stringify({ type: 'FeatureCollection', crs: member, features: [feature] }),
    );
    return file;
  };

  it('names the CRS of the file when a --crs given over it misreads the coordinates', async () => {
    const file = writeUtmPoint('utm-named.geojson', 'urn:ogc:def:crs:EPSG::32749');

    const args = [file, '--layer', 'evacuation_point', '--crs', 'EPSG:4326', '--dry-run'];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Read in EPSG:4326, as crs says, the first feature lands');
    expect(result.stderr).toContain('read in EPSG:32749, which the file names, it lands in it');
  });

  it('refuses a --crs that misplaces lon/lat features the file names as EPSG:4326', async () => {
    const feature = {
      type: 'Feature',
      properties: { name: 'Titik bujur lintang', type: 'titik_kumpul', capacity: 20 },
      geometry: { type: 'Point', coordinates: [109.0153, -7.7266] },
    };
    const crs = { type: 'name', properties: { name: 'EPSG:4326' } };
    const file = path.join(folder, 'lonlat-named.geojson');
    const collection = { type: 'FeatureCollection', crs, features: [feature] };
    fs.writeFileSync(file, JSON.stringify(collection));

    const args = [file, '--layer', 'evacuation_point', '--crs', 'EPSG:32749', '--dry-run'];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Read in EPSG:32749, as crs says, the first feature lands');
    expect(result.stderr).toContain('read in EPSG:4326, which the file names, it lands in it');
  });

  it('reads a file naming a wrong CRS in the --crs given, and says so', async () => {
    // UTM metres in a file that says longitude/latitude, as a copied .prj or crs member does
    const file = writeUtmPoint('utm-misnamed.geojson', 'EPSG:4326');

    const args = [file, '--layer', 'evacuation_point', '--crs', 'EPSG:32749', '--dry-run'];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('checked: 1 read, 1 valid, 0 rejected.');
    expect(result.stdout).toContain('read in EPSG:32749, as asked, not in EPSG:4326');
  });

  it("says nothing of the file's CRS when --crs names the same one in other words", async () => {
    // the .prj names "WGS_1984_UTM_Zone_49S" in ESRI's words: EPSG:32749 under another name
    const file = path.join(root, 'test/fixtures/import/desa-utm49s-utf8.zip');

    const args = [file, '--layer', 'desa', '--crs', 'EPSG:32749', '--dry-run'];
    const result = await runImportCommand(args, { DATABASE_URL: database.url });

    expect(result.stdout).toContain('Coordinates read in EPSG:32749, as asked.');
    expect(result.stdout).not.toContain('that the file names');
  });

  it('refuses a tool the launcher does not bundle', async () => {
    const result = await runLauncher(['seed']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no bundled tool "seed"');
  });

  it('leaves no unpacked copy in the import folder when stopped while a zip unpacks', async () => {
    const importDir = fs.mkdtempSync(path.join(folder, 'imports-'));
    const filler = path.join(folder, 'filler.txt');
    fs.writeFileSync(filler, Buffer.alloc(100 * 1024 ** 2));
    const zip = path.join(folder, 'slow-to-unpack.zip');
    await packZip([filler], zip);
    const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
    const child = spawn(process.execPath, [launcher, 'import', zip, '--layer', 'road_segment'], {
      cwd: root,
      env: { ...env, SIMPUL_IMPORT_DIR: importDir },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    while (fs.readdirSync(importDir).length === 0) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    const code = await exited;

    expect(code).not.toBe(0);
    expect(fs.readdirSync(importDir)).toEqual([]);
  });

  it('ends its job as stopped and says so when stopped with SIGTERM', async () => {
    const file = writeOnePoint('stopped.geojson', 'Titik Berhenti', 40);
    // The import's checks read the regency outline, so the job waits here when stopped.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
    const child = spawn(
      process.execPath,
      [launcher, 'import', file, '--layer', 'evacuation_point'],
      {
        cwd: root,
        env,
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const { pool } = database.database;
    while (!(await lockWaited(pool))) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const code = await exited;
    await locker.query('ROLLBACK');
    await locker.end();
    const jobId = /^Import (\S+) into/m.exec(stdout)?.[1];
    const job = await database.database.pool.query(
      'SELECT status, message_code FROM simpul_import_job WHERE id = $1',
      [jobId],
    );

    expect(code).toBe(1);
    expect(stdout).toContain('The server or command running the import stopped');
    expect(job.rows).toEqual([{ status: 'failed', message_code: 'server-stopped' }]);
  });
  it('says the database connection was lost when its database goes away a moment', async () => {
    const file = writeOnePoint('cut-off.geojson', 'Titik Terputus', 40);
    const relay = await startFreezableRelay(database.url);
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    const env = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: relay.url };
    const args = [launcher, 'import', file, '--layer', 'evacuation_point'];
    const child = spawn(process.execPath, args, { cwd: root, env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    try {
      const { pool } = database.database;
      while (!(await lockWaited(pool))) await new Promise((r) => setTimeout(r, 20));
      relay.cut();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      relay.restore();
      const code = await exited;

      expect(code).toBe(1);
      expect(stdout).toMatch(/^failed: 1 read, 0 written, 0 rejected\.$/m);
      expect(stdout).toContain('The connection to the database was lost, so the import stopped');
    } finally {
      child.kill('SIGKILL');
      await locker.query('ROLLBACK');
      await locker.end();
      relay.close();
    }
  });
});

/**
 * True when a session of the database waits for a lock (the import has reached it); asked
 * outside the locking transaction, whose view of pg_stat_activity would not change.
 */
async function lockWaited(pool: pg.Pool) {
  const waiting = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return waiting.rows[0].n > 0;
}
