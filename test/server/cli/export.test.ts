import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGdal } from '../../../server/formats/gdal.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFreezableRelay } from '../../support/database-relay.js';
import {
  addPointsFailingFilterLate,
  filterFailingLate,
  setSortForNewConnections,
} from '../../support/late-failing-filter.js';

const root = path.resolve(import.meta.dirname, '../../..');
/** What `npm run export -- …` runs: the sources through tsx. */
const exportCommand = [process.execPath, '--import', 'tsx', 'server/cli/export.ts'] as const;

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runExportCommand(args: string[], env: Record<string, string> = {}) {
  const commandEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  // room for an export streamed to stdout
  const options = { cwd: root, env: commandEnv, maxBuffer: 64 * 1024 * 1024 };
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

  const freshFolder = () => fs.mkdtempSync(path.join(folder, 'out-'));

  it('writes a relative --out into the folder it was typed in, and names the path', async () => {
    const callerFolder = freshFolder();
    const name = `relative-${path.basename(callerFolder)}.geojson`;

    const result = await runExportCommand(['--layer', 'kecamatan', '--out', name], {
      DATABASE_URL: database.url,
      INIT_CWD: callerFolder,
    });

    const written = path.join(callerFolder, name);
    const inRoot = path.join(root, name);
    const wroteInRoot = fs.existsSync(inRoot);
    fs.rmSync(inRoot, { force: true });
    expect(result.code).toBe(0);
    expect(wroteInRoot).toBe(false);
    expect(JSON.parse(fs.readFileSync(written, 'utf8')).type).toBe('FeatureCollection');
    expect(result.stderr).toContain(`Wrote ${written} `);
  });

  it('writes its default file name into the folder it was typed in', async () => {
    const callerFolder = freshFolder();

    const result = await runExportCommand(['--layer', 'kecamatan'], {
      DATABASE_URL: database.url,
      INIT_CWD: callerFolder,
    });

    expect(result.code).toBe(0);
    expect(fs.readdirSync(callerFolder)).toEqual(['kecamatan.geojson']);
  });

  it('names UTM 49S in a CSV it writes in that CRS, as GDAL reads a CRS', async () => {
    const callerFolder = freshFolder();
    const args = ['--layer', 'desa', '--format', 'csv', '--crs', 'EPSG:32749', '--out', 'd.csv'];

    const result = await runExportCommand(args, {
      DATABASE_URL: database.url,
      INIT_CWD: callerFolder,
    });

    const written = path.join(callerFolder, 'd.csv');
    const summary = await runGdal('ogrinfo', ['-so', '-al', written]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(desa, EPSG:32749)');
    expect(fs.readFileSync(written, 'utf8').split('\n')[0]).toMatch(
      /,_WKTgeom_EPSG_32749_MULTIPOLYGON$/,
    );
    expect(summary).toContain('UTM zone 49S');
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

  it.each([
    [['--layer', 'kecamatan', '--filter', 'name ='], 'CQL2 text syntax error'],
    [['--layer', 'jalan'], 'No layer "jalan"'],
    [['--layer', 'kecamatan', '--crs', 'EPSG:999999'], 'EPSG:999999'],
  ])(
    'answers an option the server refuses, %j, in one line with exit code 2',
    async (args, says) => {
      const result = await runExportCommand(args, { DATABASE_URL: database.url });

      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(says);
      expect(result.stderr).not.toMatch(stackFrame);
    },
  );

  it('reports a missing --out folder in one line, without a stack trace', async () => {
    const target = path.join(folder, 'no-such-folder', 'x.geojson');

    const result = await runExportCommand(['--layer', 'kecamatan', '--out', target], {
      DATABASE_URL: database.url,
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(path.dirname(target));
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('says /proc takes no files, not that the folder is missing', async () => {
    const env = { DATABASE_URL: database.url };
    const file = path.join(freshFolder(), 'berkas.txt');
    fs.writeFileSync(file, '');

    const inProc = await runExportCommand(
      ['--layer', 'kecamatan', '--format', 'csv', '--out', '/proc/x.csv'],
      env,
    );
    const underFile = await runExportCommand(
      ['--layer', 'kecamatan', '--format', 'csv', '--out', path.join(file, 'x.csv')],
      env,
    );

    expect(inProc.code).not.toBe(0);
    expect(inProc.stderr.trim()).toBe(
      'export: cannot write /proc/x.csv: the folder /proc takes no files ' +
        '(not a regular file system)',
    );
    expect(underFile.stderr.trim()).toBe(
      `export: cannot write ${file}/x.csv: ${file} is not a folder`,
    );
  });

  it('refuses a Shapefile export to a .shp name, naming the .zip it writes', async () => {
    const callerFolder = freshFolder();
    const target = path.join(callerFolder, 'road.shp');

    const result = await runExportCommand(
      ['--layer', 'road_segment', '--format', 'shp', '--out', target],
      { DATABASE_URL: database.url },
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('road.zip');
    expect(fs.readdirSync(callerFolder)).toEqual([]);
  });

  it('suggests the format an --out extension names when --format says another', async () => {
    const callerFolder = freshFolder();

    const args = ['--layer', 'kecamatan', '--out', 'kecamatan.gpkg'];
    const result = await runExportCommand(args, { INIT_CWD: callerFolder });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format geopackage');
    expect(fs.readdirSync(callerFolder)).toEqual([]);
  });

  it('refuses an option given twice, where the last one silently won', async () => {
    const callerFolder = freshFolder();

    const layers = ['--layer', 'kecamatan', '--layer', 'desa'];
    const filters = ['--layer', 'desa', '--filter', "name = 'x'", '--filter', 'TRUE'];
    const env = { DATABASE_URL: database.url, INIT_CWD: callerFolder };
    const twoLayers = await runExportCommand(layers, env);
    const twoFilters = await runExportCommand(filters, env);

    expect([twoLayers.code, twoFilters.code]).toEqual([2, 2]);
    expect(twoLayers.stderr).toContain('export: --layer is given twice ("kecamatan", "desa")');
    expect(twoFilters.stderr).toContain('export: --filter is given twice');
    expect(fs.readdirSync(callerFolder)).toEqual([]);
  });

  it('leaves no file, partial or complete, when interrupted while writing', async () => {
    // ten read batches: far more than the command holds when its first bytes reach the disk
    await database.database.pool.query(
      `INSERT INTO evacuation_point (name, type, capacity, geom)
       SELECT 'Titik uji ' || i, 'titik_kumpul', 10,
              ST_SetSRID(ST_MakePoint(109.0 + i * 1e-7, -7.7), 4326)
       FROM generate_series(1, 10000) AS i`,
    );
    const callerFolder = freshFolder();
    const target = path.join(callerFolder, 'evacuation.geojson');
    const holdsBytes = () =>
      fs.readdirSync(callerFolder).some((name) => {
        const size = fs.statSync(path.join(callerFolder, name), { throwIfNoEntry: false })?.size;
        return (size ?? 0) > 0;
      });
    // Once the file holds its first rows, the database's answers stop: the command is then
    // still writing when interrupted, however slowly either side runs.
    const relay = await startFreezableRelay(database.url, 0, holdsBytes);
    const [node, ...nodeArgs] = exportCommand;
    const args = [...nodeArgs, '--layer', 'evacuation_point', '--out', target];
    const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: relay.url };
    const child = spawn(node, args, { cwd: root, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    try {
      await Promise.race([relay.frozen, exited]);
      child.kill('SIGINT');
      const code = await exited;

      expect(code).toBe(130);
      expect(fs.readdirSync(callerFolder)).toEqual([]);
    } finally {
      relay.close();
    }
  });

  it('ends quietly with 0 when the reader of stdout closes it (| head)', async () => {
    await database.database.pool.query(
      `INSERT INTO evacuation_point (name, type, capacity, geom)
       SELECT 'Titik pipa ' || i, 'titik_kumpul', 10,
              ST_SetSRID(ST_MakePoint(109.0 + i * 1e-7, -7.71), 4326)
       FROM generate_series(1, 20000) AS i`,
    );
    /** Reads the first chunk of the export, then closes the pipe, as `head -c 100` does. */
    const readHead = (format: string) => {
      const [node, ...nodeArgs] = exportCommand;
      const args = [...nodeArgs, '--layer', 'evacuation_point', '--out', '-', '-f', format];
      const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
      const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let head = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', (chunk: Buffer) => {
        head = chunk.toString().slice(0, 100);
        child.stdout.destroy();
      });
      return new Promise<{ code: number | null; stderr: string; head: string }>((resolve) =>
        child.on('exit', (code) => resolve({ code, stderr, head })),
      );
    };

    const csv = await readHead('csv');
    const geojson = await readHead('geojson');

    expect(csv).toMatchObject({ code: 0, stderr: '' });
    expect(csv.head).toContain('name');
    expect(geojson).toMatchObject({ code: 0, stderr: '' });
    expect(geojson.head).toContain('FeatureCollection');
  });

  it('leaves no scratch folder when interrupted while preparing a Shapefile', async () => {
    const callerFolder = freshFolder();
    // the command's own temporary folder, so that only its scratch can appear there
    const scratch = freshFolder();
    const target = path.join(callerFolder, 'evacuation.zip');
    const isScratch = (name: string) => name.startsWith('simpul-export-');
    const writing = () => fs.readdirSync(scratch).some(isScratch);
    // Once the scratch folder exists, the database's answers stop: the command is then still
    // filling it when interrupted, however fast or slow the machine is.
    const relay = await startFreezableRelay(database.url, 0, writing);
    const [node, ...nodeArgs] = exportCommand;
    const args = [...nodeArgs, '--layer', 'evacuation_point', '--format', 'shp', '--out', target];
    const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: relay.url, TMPDIR: scratch };
    const child = spawn(node, args, { cwd: root, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    try {
      await Promise.race([relay.frozen, exited]);
      expect(writing()).toBe(true);
      child.kill('SIGINT');
      const code = await exited;

      expect(code).toBe(130);
      expect(fs.readdirSync(callerFolder)).toEqual([]);
      expect(fs.readdirSync(scratch).filter(isScratch)).toEqual([]);
    } finally {
      relay.close();
    }
  });
});

describe('npm run export with a filter failing on a later row', () => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    await addPointsFailingFilterLate(database.database.pool);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-export-cli-late-'));
  });
  afterAll(async () => {
    await setSortForNewConnections(database.database.pool, 'on');
    await database.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('exits 2 naming the failure and the features written, and leaves no file', async () => {
    const target = path.join(folder, 'evacuation.geojson');

    const args = ['--layer', 'evacuation_point', '--filter', filterFailingLate, '--out', target];
    const result = await runExportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('The filter computes a division by zero');
    expect(result.stderr).toMatch(/stopped after \d+ features? and /);
    expect(result.stderr).toContain(`and ${target} was not written.`);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('says what it streamed to stdout is incomplete', async () => {
    const args = ['--layer', 'evacuation_point', '--filter', filterFailingLate, '--out', '-'];
    const result = await runExportCommand(args, { DATABASE_URL: database.url });

    expect(result.code).toBe(2);
    expect(result.stdout.length).toBeGreaterThan(100000);
    expect(result.stderr).toMatch(
      /stopped after \d+ features? and what went to stdout is incomplete/,
    );
  });
});
