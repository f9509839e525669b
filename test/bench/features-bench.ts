/**
 * Features at speed: 100-item bbox pages and filtered pages of the benchmark dataset (road
 * segments, point assets, plan zones), replayed through Simpul over HTTP with fixed
 * concurrency, beside the limit measured in the same run: the very SQL Simpul sends for each
 * request (built by the same functions), sent straight to PostgreSQL. Prints requests per
 * second, p50/p95/p99 and Simpul's share of the limit, then the latency of bbox pages at low
 * concurrency (at 16 connections on 2 cores, p50 is mostly queueing). Settings:
 * BENCH_DURATION_S (15), BENCH_CONNECTIONS (16), BENCH_SQL_CONNECTIONS (2,4,8), BENCH_ROUNDS (2),
 * BENCH_LATENCY_CONNECTIONS (2), BENCH_SMALL=1 for a quick run on a small dataset (the figures
 * then mean nothing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { layerDefinitions, type LayerDefinition } from '../../layers/index.js';
import { migrate } from '../../server/db/migrate.js';
import { featurePageSql } from '../../server/db/queries/features.js';
import { parseItemsQuery } from '../../server/http/items-query.js';
import { itemsPageQuery } from '../../server/services/feature-service.js';
import { createDatabase, prewarm, startBenchCluster } from './support/bench-cluster.js';
import { datasetLayers, loadDataset, townCentres, type DatasetSize } from './support/dataset.js';
import { replayHttp } from './support/http-load.js';
import { percentile, round, type Measurement } from './support/measure.js';
import { startSimpul, type RunningProcess } from './support/processes.js';

/** Commands this benchmark runs besides Node (checked by `npm run bench` before it starts). */
export const tools = ['wrk'];

const settings = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 15),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  sqlConnections: (process.env.BENCH_SQL_CONNECTIONS ?? '2,4,8').split(',').map(Number),
  /** Connections of the latency run: p50 of a page without a queue in front of it. */
  latencyConnections: Number(process.env.BENCH_LATENCY_CONNECTIONS ?? 2),
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
  small: process.env.BENCH_SMALL === '1',
};

const smallDataset: DatasetSize = { roads: 5000, points: 1000, zones: { columns: 20, rows: 10 } };

/** A small deterministic generator, so every run replays the same requests. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** A 1280×800-pixel map view at zoom z around a town, as [west, south, east, north]. */
function viewport(random: () => number, zoom: number): number[] {
  const [x, y] = townCentres[Math.floor(random() * townCentres.length)]!;
  const degreesPerPixel = 360 / (256 * 2 ** zoom);
  const [cx, cy] = [x + (random() - 0.5) * 0.05, y + (random() - 0.5) * 0.05];
  const [halfW, halfH] = [640 * degreesPerPixel, 400 * degreesPerPixel];
  return [cx - halfW, cy - halfH, cx + halfW, cy + halfH].map((v) => Number(v.toFixed(6)));
}

/** A filter on the layer's first coded attribute, as a planner's query would look. */
function codedFilter(layer: LayerDefinition, random: () => number): string | undefined {
  const attribute = layer.attributes.find((a) => a.domain && a.domain.length > 1);
  if (!attribute) return undefined;
  const codes = attribute.domain!.map((v) => v.code);
  const picked = codes.filter(() => random() < 0.5).slice(0, 3);
  const chosen = picked.length > 0 ? picked : [codes[0]!];
  return `${attribute.name} IN (${chosen.map((c) => `'${c}'`).join(', ')})`;
}

/** The request lists: bbox pages (z12–17 views) and filtered pages, 100 items each. */
function requestLists(layers: LayerDefinition[]) {
  const random = seededRandom(20261204);
  const pick = () => {
    const r = random();
    return r < 0.6 ? layers[0]! : r < 0.85 ? layers[1]! : layers[2]!;
  };
  const bbox: string[] = [];
  const filtered: string[] = [];
  for (let i = 0; i < 500; i += 1) {
    const layer = pick();
    const box = viewport(random, 12 + Math.floor(random() * 6)).join(',');
    bbox.push(`/collections/${layer.id}/items?${new URLSearchParams({ bbox: box, limit: '100' })}`);
  }
  for (let i = 0; i < 200; i += 1) {
    const layer = pick();
    const filter = codedFilter(layer, random);
    const box = viewport(random, 11 + Math.floor(random() * 4)).join(',');
    const query: Record<string, string> = { bbox: box, limit: '100' };
    if (filter) query.filter = filter;
    filtered.push(`/collections/${layer.id}/items?${new URLSearchParams(query)}`);
  }
  return { bbox, filtered };
}

/** Simpul's SQL of one request path, built by the same functions the server uses. */
function sqlOf(requestPath: string) {
  const url = new URL(requestPath, 'http://bench');
  const layerId = url.pathname.split('/')[2]!;
  const layer = layerDefinitions.find((l) => l.id === layerId)!;
  const query = parseItemsQuery(Object.fromEntries(url.searchParams), layer);
  return featurePageSql(layer, itemsPageQuery(layer, query));
}

/** Replays the SQL closed loop over `connections` clients for `durationS` seconds. */
async function replayFeatureSql(
  label: string,
  url: string,
  statements: { sql: string; values: unknown[] }[],
  connections: number,
): Promise<Measurement> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  let [next, bytes, errors] = [0, 0, 0];
  const started = performance.now();
  const deadline = started + settings.durationS * 1000;

  await Promise.all(
    clients.map(async (client, i) => {
      next = Math.max(next, i * 97);
      while (performance.now() < deadline) {
        const statement = statements[next++ % statements.length]!;
        const sent = performance.now();
        try {
          const result = await client.query<{ features: string }>(statement.sql, statement.values);
          bytes += result.rows[0]!.features.length;
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.end()));
  return {
    label,
    requests: latencies.length,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors,
    meanBytes: Math.round(bytes / Math.max(1, latencies.length)),
    note: `SQL only, N=${connections}`,
  };
}

/** Checks a sample of answers: a FeatureCollection with as many features as the SQL gives. */
async function verify(baseUrl: string, url: string, paths: string[]) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    for (const requestPath of paths.filter((_, i) => i % 25 === 0)) {
      const response = await fetch(`${baseUrl}${requestPath}`);
      const body = (await response.json()) as { features?: unknown[] };
      const { sql, values } = sqlOf(requestPath);
      const expected = Math.min(
        100,
        (await pool.query<{ fetched: number }>(sql, values)).rows[0]!.fetched,
      );
      if (response.status !== 200 || body.features?.length !== expected)
        throw new Error(
          `${requestPath}: ${response.status}, ${body.features?.length} of ${expected}`,
        );
    }
  } finally {
    await pool.end();
  }
}

function printTable(rows: Measurement[], limits: Record<string, Measurement>) {
  console.log('\n| run | req/s | p50 ms | p95 ms | p99 ms | mean bytes | of limit | notes |');
  console.log('|---|--:|--:|--:|--:|--:|--:|---|');
  for (const row of rows) {
    const kind = row.label.split(': ')[1]!;
    const limit = limits[kind];
    const share =
      !row.label.startsWith('limit') && limit
        ? `${Math.round((row.perSecond / limit.perSecond) * 100)}%`
        : '';
    const cells = [row.label, row.perSecond, row.p50Ms, row.p95Ms, row.p99Ms, row.meanBytes ?? ''];
    console.log(`| ${cells.join(' | ')} | ${share} | ${row.note ?? ''} |`);
  }
}

/** Loads the dataset, measures the limit and Simpul for both lists, prints the table. */
export async function run() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-features-bench-'));
  const cluster = await startBenchCluster();
  const running: RunningProcess[] = [];
  try {
    const url = await createDatabase(cluster.url, 'simpul_features_bench');
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrate(pool, layerDefinitions);
    console.log('loading the dataset…');
    const dataset = await loadDataset(
      pool,
      layerDefinitions,
      settings.small ? smallDataset : undefined,
    );
    await pool.end();
    await prewarm(url);
    console.log(`dataset: ${JSON.stringify(dataset.rows)} in ${dataset.loadS} s`);

    const { roads, points, zones } = datasetLayers(layerDefinitions);
    const lists = Object.entries(requestLists([roads, points, zones]));
    const serverLog = path.join(workDir, 'server.log');
    const env = { DATABASE_URL: url, LOG_LEVEL: 'warn' };
    const servers = {
      Simpul: await startSimpul(env, serverLog),
      // Two processes share the port: on 2 cores one Node thread is the first thing to saturate.
      'Simpul ×2': await startSimpul({ ...env, SIMPUL_PROCESSES: '2' }, serverLog),
    };
    running.push(...Object.values(servers));
    for (const [, paths] of lists) await verify(servers.Simpul.baseUrl, url, paths);

    // Rounds interleave the limit and Simpul, and the best of each is kept: on a shared
    // machine the load moves during a run, and a ratio of two quiet moments is the fair one.
    const best: Record<string, Measurement> = {};
    const keep = (row: Measurement) => {
      if (!best[row.label] || row.perSecond > best[row.label]!.perSecond) best[row.label] = row;
    };
    const replay = (label: string, server: RunningProcess, paths: string[], connections: number) =>
      replayHttp(label, server.baseUrl, paths, workDir, {
        connections,
        durationS: settings.durationS,
        headers: { Accept: 'application/geo+json' },
      });
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const [kind, paths] of lists) {
        const statements = paths.map(sqlOf);
        for (const connections of settings.sqlConnections) {
          console.log(`round ${round}: limit, ${kind}, N=${connections}…`);
          keep(await replayFeatureSql(`limit: ${kind}`, url, statements, connections));
        }
        for (const [name, server] of Object.entries(servers)) {
          console.log(`round ${round}: ${name}, ${kind}…`);
          const row = await replay(`${name}: ${kind}`, server, paths, settings.connections);
          row.note += `, RSS peak ${server.memory().peakMb} MB`;
          keep(row);
        }
      }
    }
    const labels = (kind: string) => [
      `limit: ${kind}`,
      ...Object.keys(servers).map((n) => `${n}: ${kind}`),
    ];
    const rows = lists.flatMap(([kind]) => labels(kind).map((label) => best[label]!));
    const [, bboxPaths] = lists[0]!;
    console.log(`Simpul, bbox, ${settings.latencyConnections} connections…`);
    const latencyLabel = 'Simpul: bbox latency';
    rows.push(await replay(latencyLabel, servers.Simpul, bboxPaths, settings.latencyConnections));
    const limits = Object.fromEntries(lists.map(([kind]) => [kind, best[`limit: ${kind}`]!]));
    printTable(rows, limits);
    console.log(
      '\nThe limit is the SQL Simpul sends for each request, run closed loop from a Node pg ' +
        'client without HTTP (best N shown); Simpul runs the same SQL behind HTTP with ' +
        `${settings.connections} keep-alive connections. Both share the machine's cores; ` +
        `load average at the end: ${os
          .loadavg()
          .map((n) => n.toFixed(1))
          .join(' ')}.`,
    );
  } finally {
    for (const process of running) await process.stop();
    cluster.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
