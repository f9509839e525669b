/**
 * Imports at speed: 100,000 road segments from GeoJSON and from a zipped Shapefile, loaded by
 * `npm run import` beside GDAL's ogr2ogr (Debian gdal-bin) loading the same file into the same
 * PostgreSQL in the same run, then 1,000,000 points from newline-delimited GeoJSON, whose peak
 * memory must stay that of the 100,000-row files. ogr2ogr runs as a GIS officer would run it:
 * its defaults (COPY, a GiST index built after the load) into a new table. Simpul appends to
 * its emptied layer, validating every row and keeping its history. Each run is timed as a
 * whole process, start-up included; rounds interleave the two tools and the best of each is
 * kept. Settings: BENCH_ROADS (100000), BENCH_POINTS (1000000; 0 leaves that case out),
 * BENCH_ROUNDS (2).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { layerDefinitions } from '../../layers/index.js';
import { migrate } from '../../server/db/migrate.js';
import { quoteIdentifier } from '../../server/db/sql.js';
import { seedLayers } from '../../server/services/seed-service.js';
import { createDatabase, startBenchCluster } from './support/bench-cluster.js';
import { writeImportFiles } from './support/import-files.js';
import { round } from './support/measure.js';

/** Commands this benchmark runs besides Node (checked by `npm run bench` before it starts). */
export const tools = ['ogr2ogr', '/usr/bin/time'];

const settings = {
  roads: Number(process.env.BENCH_ROADS ?? 100000),
  points: Number(process.env.BENCH_POINTS ?? 1000000),
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
};

const seedFolder = path.resolve('seeds/cilacap');

/** One timed process: wall seconds and peak resident memory. */
interface Timing {
  seconds: number;
  peakRssMb: number;
}

/** Runs a command under GNU time and returns its wall time and peak RSS; throws if it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Timing {
  const result = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const match = /BENCH ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) {
    const output = `${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`;
    throw new Error(`${path.basename(command)} failed:\n${output}`);
  }
  return { seconds: Number(match[1]), peakRssMb: Math.round(Number(match[2]) / 1024) };
}

/** The command `npm run import` runs, without npm's own start-up. */
const importCommand = [path.resolve('server/cli/launch.mjs'), 'import'];

/** `npm run import` of the whole file into the layer, as its own process. */
function importWithSimpul(url: string, file: string, layerId: string): Timing {
  const args = [...importCommand, file, '--layer', layerId];
  return timed(process.execPath, args, { DATABASE_URL: url, LOG_LEVEL: 'warn' });
}

/** Compiles the import command once before the timed runs, as its first use after a change. */
function buildImportCommand() {
  timed(process.execPath, [...importCommand, '--help']);
}

/** ogr2ogr with its defaults into a new table (a zip is read through GDAL's /vsizip/). */
function importWithOgr2ogr(url: string, file: string, table: string): Timing {
  const target = new URL(url);
  const connection =
    `PG:host=${target.hostname} port=${target.port} user=${target.username} ` +
    `dbname=${target.pathname.slice(1)}`;
  const source = file.endsWith('.zip') ? `/vsizip/${file}` : file;
  const args = ['-f', 'PostgreSQL', connection, source, '-nln', table, '-overwrite'];
  return timed('ogr2ogr', [...args, '-lco', 'GEOMETRY_NAME=geom', '-nlt', 'PROMOTE_TO_MULTI']);
}

/** A new database on the cluster with PostGIS, Simpul's tables and the regency seeds. */
async function createBenchDatabase(adminUrl: string) {
  const url = await createDatabase(adminUrl, 'simpul_import_bench');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await migrate(pool, layerDefinitions);
  await seedLayers(pool, layerDefinitions, seedFolder);
  await pool.end();
  return url;
}

/** Empties the layer and the feature history, so each run starts as the one before it. */
async function emptyLayer(url: string, layerId: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`TRUNCATE ${quoteIdentifier(layerId)} CASCADE`);
  await client.query('TRUNCATE simpul_feature_history');
  await client.query('VACUUM ANALYZE');
  await client.end();
}

/** One file of the benchmark, the layer it goes to and ogr2ogr's table for it. */
interface BenchCase {
  label: string;
  file: string;
  features: number;
  layerId: string;
  ogrTable: string;
}

interface CaseResult {
  benchCase: BenchCase;
  simpul: Timing;
  ogr2ogr: Timing;
}

const best = (a: Timing | undefined, b: Timing) => (a && a.seconds <= b.seconds ? a : b);

/** Runs one case `rounds` times, Simpul then ogr2ogr each round, keeping the best of each. */
async function measure(url: string, benchCase: BenchCase): Promise<CaseResult> {
  let simpul: Timing | undefined;
  let ogr2ogr: Timing | undefined;
  for (let i = 1; i <= settings.rounds; i += 1) {
    await emptyLayer(url, benchCase.layerId);
    const ours = importWithSimpul(url, benchCase.file, benchCase.layerId);
    const theirs = importWithOgr2ogr(url, benchCase.file, benchCase.ogrTable);
    const ratio = round(ours.seconds / theirs.seconds);
    const times = `Simpul ${ours.seconds} s, ogr2ogr ${theirs.seconds} s (×${ratio})`;
    console.log(`round ${i}: ${benchCase.label}: ${times}`);
    simpul = best(simpul, ours);
    ogr2ogr = best(ogr2ogr, theirs);
  }
  return { benchCase, simpul: simpul!, ogr2ogr: ogr2ogr! };
}

function printTable(results: CaseResult[]) {
  const columns = ['file', 'features', 'Simpul s', 'ogr2ogr s', 'Simpul / ogr2ogr'];
  columns.push('Simpul peak RSS MB', 'ogr2ogr peak RSS MB');
  console.log(`\n| ${columns.join(' | ')} |`);
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const { benchCase, simpul, ogr2ogr } of results) {
    const ratio = round(simpul.seconds / ogr2ogr.seconds);
    const cells = [benchCase.label, benchCase.features, simpul.seconds, ogr2ogr.seconds, ratio];
    console.log(`| ${[...cells, simpul.peakRssMb, ogr2ogr.peakRssMb].join(' | ')} |`);
  }
}

/** Writes the files, then times each of them with both tools and prints the table. */
export async function run() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-import-bench-'));
  const cluster = await startBenchCluster();
  try {
    const url = await createBenchDatabase(cluster.url);
    console.log(`writing ${settings.roads} road segments and ${settings.points} points…`);
    const files = await writeImportFiles(folder, seedFolder, settings);
    const roads = { features: settings.roads, layerId: 'road_segment' };
    buildImportCommand();
    const cases: BenchCase[] = [
      { label: 'roads, GeoJSON', file: files.roadsGeoJson, ...roads, ogrTable: 'ogr_roads' },
      {
        label: 'roads, zipped Shapefile',
        file: files.roadsShapefileZip,
        ...roads,
        ogrTable: 'ogr_roads_shp',
      },
    ];
    if (settings.points > 0) {
      cases.push({
        label: 'points, GeoJSONSeq',
        file: files.points,
        features: settings.points,
        layerId: 'evacuation_point',
        ogrTable: 'ogr_points',
      });
    }
    const results: CaseResult[] = [];
    for (const benchCase of cases) results.push(await measure(url, benchCase));
    printTable(results);
    console.log(
      '\nBest of each tool over the rounds; each is a whole process from start to exit. Both ' +
        'share the machine with whatever else runs; load average at the end: ' +
        `${os
          .loadavg()
          .map((n) => n.toFixed(1))
          .join(' ')}.`,
    );
  } finally {
    cluster.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
