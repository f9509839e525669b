/**
 * `npm run bench:import`: times Simpul's import beside GDAL's ogr2ogr loading the same files
 * into the same PostgreSQL, and measures peak memory. Files: 100,000 road segments as GeoJSON
 * and as a Shapefile, and 1,000,000 points as newline-delimited GeoJSON. Uses DATABASE_URL
 * (a database it may create tables in) or starts a throwaway local PostGIS cluster.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bbox, booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import pg from 'pg';
import { layerDefinitions } from '../../layers/index.js';
import { startLocalCluster } from '../../test/support/local-cluster.js';
import { migrate } from '../db/migrate.js';
import { seedLayers } from '../services/seed-service.js';

const roadCount = Number(process.env.BENCH_ROADS ?? 100000);
const pointCount = Number(process.env.BENCH_POINTS ?? 1000000);
/** The regency outline: features are drawn inside it, so every one of them validates. */
const outline = (
  JSON.parse(fs.readFileSync('seeds/cilacap/regency.geojson', 'utf8')) as FeatureCollection
).features[0] as Feature<MultiPolygon>;
const [minLon, minLat, maxLon, maxLat] = bbox(outline);

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeLines(file: string, count: number, line: (i: number) => string) {
  const descriptor = fs.openSync(file, 'w');
  for (let i = 0; i < count; i += 10000) {
    const chunk: string[] = [];
    for (let j = i; j < Math.min(count, i + 10000); j += 1) chunk.push(line(j));
    fs.writeSync(descriptor, chunk.join(''));
  }
  fs.closeSync(descriptor);
}

/** A random position inside the regency, 7 decimals (about 1 cm). */
function placeInside(next: () => number): number[] {
  for (;;) {
    const lon = Number((minLon + next() * (maxLon - minLon)).toFixed(7));
    const lat = Number((minLat + next() * (maxLat - minLat)).toFixed(7));
    if (booleanPointInPolygon([lon, lat], outline)) return [lon, lat];
  }
}

/** A line of five vertices wandering about 200 m per step, all inside the regency. */
function wanderInside(next: () => number): number[][] {
  for (;;) {
    const line = [placeInside(next)];
    for (let v = 0; v < 4; v += 1) {
      const [lon, lat] = line[v]!;
      line.push(
        [lon! + (next() - 0.5) * 0.004, lat! + (next() - 0.5) * 0.004].map((n) =>
          Number(n.toFixed(7)),
        ),
      );
    }
    if (line.every((p) => booleanPointInPolygon(p, outline))) return line;
  }
}

function roadFeature(next: () => number, i: number) {
  const line = wanderInside(next);
  const properties = {
    segment_code: `B${String(i).padStart(7, '0')}`,
    road_number: `R${i % 900}`,
    name: `Jalan Contoh ${i}`,
    status: 'kabupaten',
    width_m: 3 + (i % 5),
  };
  return { type: 'Feature', properties, geometry: { type: 'LineString', coordinates: line } };
}

function pointFeature(next: () => number, i: number) {
  const properties = { name: `Titik ${i}`, type: 'titik_kumpul', capacity: i % 1000 };
  const coordinates = placeInside(next);
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
}

function makeFiles(folder: string) {
  const roads = path.join(folder, 'roads.geojson');
  const nextRoad = random(7);
  writeLines(roads, roadCount, (i) => {
    const prefix = i === 0 ? '{"type":"FeatureCollection","features":[\n' : ',\n';
    const suffix = i === roadCount - 1 ? '\n]}\n' : '';
    return prefix + JSON.stringify(roadFeature(nextRoad, i)) + suffix;
  });
  const shapefile = path.join(folder, 'roads.shp');
  spawnSync('ogr2ogr', ['-f', 'ESRI Shapefile', shapefile, roads, '-lco', 'ENCODING=UTF-8'], {
    stdio: 'inherit',
  });
  const points = path.join(folder, 'points.geojsonl');
  const nextPoint = random(11);
  writeLines(points, pointCount, (i) => `${JSON.stringify(pointFeature(nextPoint, i))}\n`);
  return { roads, shapefile, points };
}

interface Measure {
  seconds: number;
  peakRssMb: number;
  ok: boolean;
}

/** Runs a command under /usr/bin/time: wall seconds and peak resident memory. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Measure {
  const result = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const match = /BENCH ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0) console.error(result.stderr.slice(-2000), result.stdout.slice(-2000));
  return {
    seconds: Number(match?.[1] ?? NaN),
    peakRssMb: Math.round(Number(match?.[2] ?? NaN) / 1024),
    ok: result.status === 0,
  };
}

function simpulImport(url: string, file: string, layerId: string): Measure {
  const cli = path.resolve('server/cli/import.ts');
  const args = ['--import', 'tsx', cli, file, '--layer', layerId, '--replace'];
  return timed(process.execPath, args, { DATABASE_URL: url, LOG_LEVEL: 'warn' });
}

function ogrImport(url: string, file: string, table: string): Measure {
  const target = new URL(url);
  const connection =
    `PG:host=${target.hostname} port=${target.port} user=${target.username} ` +
    `dbname=${target.pathname.slice(1)}`;
  const args = ['-f', 'PostgreSQL', connection, file, '-nln', table, '-overwrite'];
  return timed('ogr2ogr', [...args, '-lco', 'GEOMETRY_NAME=geom', '-nlt', 'PROMOTE_TO_MULTI']);
}

async function prepareDatabase(adminUrl: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS simpul_bench_import');
  await admin.query('CREATE DATABASE simpul_bench_import');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/simpul_bench_import';
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await migrate(pool, layerDefinitions);
  await seedLayers(pool, layerDefinitions, path.resolve('seeds/cilacap'));
  await pool.end();
  return url.toString();
}

async function main() {
  const cluster = process.env.DATABASE_URL ? undefined : await startLocalCluster();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-bench-import-'));
  try {
    const url = await prepareDatabase(process.env.DATABASE_URL ?? cluster!.url);
    console.log(`files: ${roadCount} road segments, ${pointCount} points in ${folder}`);
    const files = makeFiles(folder);
    const runs = [
      ['roads GeoJSON', files.roads, 'road_segment', 'ogr_roads_geojson'],
      ['roads Shapefile', files.shapefile, 'road_segment', 'ogr_roads_shp'],
      ['points GeoJSONSeq', files.points, 'evacuation_point', 'ogr_points'],
    ] as const;
    console.log(
      '| file | features | Simpul s | Simpul peak RSS MB | ogr2ogr s | ogr2ogr peak RSS MB | Simpul/ogr2ogr |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, file, layerId, table] of runs) {
      const simpul = simpulImport(url, file, layerId);
      const ogr = ogrImport(url, file, table);
      const count = layerId === 'road_segment' ? roadCount : pointCount;
      const ratio = (simpul.seconds / ogr.seconds).toFixed(2);
      const failed = simpul.ok && ogr.ok ? '' : ' (a run failed, see above)';
      console.log(
        `| ${name} | ${count} | ${simpul.seconds} | ${simpul.peakRssMb} | ${ogr.seconds} | ${ogr.peakRssMb} | ${ratio}${failed} |`,
      );
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    cluster?.stop();
  }
}

await main();
