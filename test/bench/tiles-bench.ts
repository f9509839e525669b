/**
 * Tiles at speed: the road segment tiles of a large deterministic dataset, replayed through
 * Simpul cold (no cache) and warm (cached), beside the limits measured in the same run:
 * PostGIS `ST_AsMVT` queries sent straight to PostgreSQL (cold) and nginx serving the same
 * tile bytes from tmpfs (warm). Also: memory of the server, the time from a commit to the
 * changed tile, and tile sizes. Settings: BENCH_DURATION_S (15), BENCH_CONNECTIONS (16),
 * BENCH_SQL_CONNECTIONS (2), BENCH_CACHE_MB (96), BENCH_SMALL=1 for a quick run on a small
 * dataset (the figures then mean nothing).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { layerDefinitions, type LayerDefinition } from '../../layers/index.js';
import { migrate } from '../../server/db/migrate.js';
import { selectMvtTile } from '../../server/db/queries/tiles.js';
import { createApiToken } from '../../server/services/account-service.js';
import { generalisationAt } from '../../server/tiles/generalisation.js';
import type { TileCoord } from '../../server/tiles/tile-grid.js';
import { createDatabase, prewarm, startBenchCluster } from './support/bench-cluster.js';
import { datasetLayers, fullDataset, loadDataset, type DatasetSize } from './support/dataset.js';
import { replayHttp, type HttpLoadOptions } from './support/http-load.js';
import { percentile, replaySql, round, type Measurement } from './support/measure.js';
import { startNginx, startSimpul, type RunningProcess } from './support/processes.js';
import { benchTileList } from './support/tile-list.js';

/** Commands this benchmark runs besides Node (checked by `npm run bench` before it starts). */
export const tools = ['wrk', 'nginx'];

const settings = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 15),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  sqlConnections: Number(process.env.BENCH_SQL_CONNECTIONS ?? 2),
  cacheMb: Number(process.env.BENCH_CACHE_MB ?? 96),
  small: process.env.BENCH_SMALL === '1',
};

const smallDataset: DatasetSize = { roads: 5000, points: 1000, zones: { columns: 20, rows: 10 } };

function tilePath(layer: LayerDefinition, tile: TileCoord) {
  return `/tiles/${layer.id}/${tile.z}/${tile.x}/${tile.y}.mvt`;
}

/** The harness's reference query: every row reprojected to 3857, nothing generalised. */
function referenceQuery(layer: LayerDefinition) {
  const attributes = layer.attributes.filter((a) => a.inTiles).map((a) => `"${a.name}"`);
  const text = `SELECT ST_AsMVT(q, '${layer.id}', 4096, 'geom') AS mvt FROM (
      SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true)
        AS geom, ${attributes.join(', ')}
      FROM "${layer.id}"
      WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)) q`;
  return async (client: pg.Client, tile: TileCoord) => {
    const result = await client.query({
      name: 'reference',
      text,
      values: [tile.z, tile.x, tile.y],
    });
    return (result.rows[0]?.mvt as Buffer | null)?.length ?? 0;
  };
}

/** Simpul's own tile SQL (generalised), run without the server around it. */
function simpulQuery(layer: LayerDefinition) {
  return async (client: pg.Client, tile: TileCoord) => {
    const options = { generalisation: generalisationAt(tile), maxBytes: 1 << 30, prepared: true };
    return (await selectMvtTile(client, [layer], tile, options)).bytes;
  };
}

/**
 * Fetches every tile once, `concurrency` at a time (filling a cache), and keeps the decoded
 * bytes for nginx; sizes are those on the wire.
 */
async function fetchAll(baseUrl: string, paths: string[], encoding: string, concurrency = 1) {
  const sizes: number[] = [];
  const bodies = new Map<string, Buffer>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const tilePathname = paths[next++]!;
      const response = await fetch(`${baseUrl}${tilePathname}`, {
        headers: { 'Accept-Encoding': encoding },
      });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status === 200) {
        sizes.push(Number(response.headers.get('content-length') ?? body.length));
        bodies.set(tilePathname, body);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const mean = sizes.reduce((sum, n) => sum + n, 0) / Math.max(1, sizes.length);
  return { bodies, meanBytes: Math.round(mean), tiles: sizes.length };
}

/**
 * Replays the list five seconds at a time until two rounds in a row gain less than 10 % on
 * the best so far (at most twelve rounds): every process's cache then holds the tiles. One
 * pass of `fetchAll` is not enough with several processes, each with a cache of its own,
 * since a request reaches whichever process took its connection.
 */
async function warmUp(baseUrl: string, paths: string[], workDir: string, options: HttpLoadOptions) {
  let best = 0;
  let flat = 0;
  for (let round = 0; round < 12 && flat < 2; round += 1) {
    const { perSecond } = await replayHttp('warm-up', baseUrl, paths, workDir, {
      ...options,
      durationS: 5,
    });
    flat = perSecond < best * 1.1 ? flat + 1 : 0;
    best = Math.max(best, perSecond);
  }
}

/** The tiles as files, raw and gzipped (level 6, as Simpul stores them) for gzip_static. */
function writeStaticTiles(bodies: Map<string, Buffer>, root: string) {
  for (const [pathname, body] of bodies) {
    const file = path.join(root, pathname);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, body, { mode: 0o644 });
    fs.writeFileSync(`${file}.gz`, gzipSync(body, { level: 6 }), { mode: 0o644 });
  }
}

/** Bytes of the same tiles from the reference SQL and from Simpul's, one connection. */
async function compareSizes(url: string, layer: LayerDefinition, tiles: TileCoord[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const reference = referenceQuery(layer);
  const simpul = simpulQuery(layer);
  let referenceBytes = 0;
  let simpulBytes = 0;
  for (const tile of tiles) {
    referenceBytes += await reference(client, tile);
    simpulBytes += await simpul(client, tile);
  }
  await client.end();
  return {
    tiles: tiles.length,
    referenceMeanBytes: Math.round(referenceBytes / tiles.length),
    simpulMeanBytes: Math.round(simpulBytes / tiles.length),
  };
}

/** The tile edits are timed on, a feature in it and a text attribute it shows. */
const editTile = { z: 14, x: 13152, y: 8543 };

async function editTarget(client: pg.Client, layer: LayerDefinition) {
  const found = await client.query<{ id: number }>(
    `SELECT id FROM "${layer.id}"
     WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) ORDER BY id LIMIT 1`,
    [editTile.z, editTile.x, editTile.y],
  );
  const column = layer.attributes.find(
    (a) => a.inTiles && a.type === 'text' && !a.domain && !a.unique,
  );
  return { id: found.rows[0]?.id, column };
}

/** The ETag of a tile, over a new connection (with several processes, any of them answers). */
function tileEtag(tileUrl: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get(tileUrl, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers.etag));
      })
      .on('error', reject);
  });
}

/**
 * Edits through the Feature API, as the editors in the browser make them: from the edit's
 * answer, the tile is asked for `askings` times over new connections (so each process of a
 * cluster answers some). Every answer must show the edit: stale answers are counted.
 */
async function measureApiEditVisibility(
  url: string,
  server: RunningProcess,
  layer: LayerDefinition,
  askings: number,
) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  const { id, column } = await editTarget(client, layer);
  client.release();
  const request = { name: 'bench-edits', roles: [`${layer.theme}:editor`], write: true };
  const token = (await createApiToken(pool, request, 'bench')).secret;
  const item = `${server.baseUrl}/collections/${layer.id}/items/${id}`;
  const tileUrl = `${server.baseUrl}${tilePath(layer, editTile)}`;
  const answerMs: number[] = [];
  let stale = 0;
  for (let edit = 0; id !== undefined && column && edit < 20; edit += 1) {
    const before = await tileEtag(tileUrl);
    const etag = (await fetch(item)).headers.get('etag')!;
    const sent = performance.now();
    const patched = await fetch(item, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/merge-patch+json',
        'if-match': etag,
      },
      body: JSON.stringify({ properties: { [column.name]: `A${edit}` } }),
    });
    answerMs.push(performance.now() - sent);
    if (!patched.ok) throw new Error(`bench edit answered ${patched.status}`);
    for (let i = 0; i < askings; i += 1) if ((await tileEtag(tileUrl)) === before) stale += 1;
  }
  await pool.end();
  return { answerP50Ms: round(percentile(answerMs, 50)), staleAnswers: stale };
}

/**
 * Times from an UPDATE committed outside Simpul (psql, another tool), which waits for no
 * cache, to the first tile request that shows it, in ms; the answers before are counted.
 */
async function measureEditVisibility(url: string, server: RunningProcess, layer: LayerDefinition) {
  const tile = editTile;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { id, column } = await editTarget(client, layer);
  const delays: number[] = [];
  let stale = 0;
  for (let round = 0; id !== undefined && column && round < 20; round += 1) {
    const url = `${server.baseUrl}${tilePath(layer, tile)}`;
    const before = (await fetch(url)).headers.get('etag');
    await client.query(`UPDATE "${layer.id}" SET "${column.name}" = $1 WHERE id = $2`, [
      `E${round}`,
      id,
    ]);
    const committed = performance.now();
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await fetch(url)).headers.get('etag') !== before) break;
      stale += 1;
    }
    delays.push(performance.now() - committed);
  }
  await client.end();
  return {
    p50Ms: round(percentile(delays, 50)),
    maxMs: round(Math.max(0, ...delays)),
    staleAnswers: stale,
  };
}

function printTable(rows: Measurement[], base: { cold: number; warm: number }) {
  const ratio = (row: Measurement) => {
    if (row.label.startsWith('Simpul cold') || row.label.startsWith('limit: Simpul SQL')) {
      return `${Math.round((row.perSecond / base.cold) * 100)}% of ST_AsMVT limit`;
    }
    if (row.label.startsWith('Simpul warm'))
      return `${Math.round((row.perSecond / base.warm) * 100)}% of nginx`;
    return '';
  };
  console.log('\n| run | tiles/s | p50 ms | p95 ms | p99 ms | mean bytes | ratio | notes |');
  console.log('|---|--:|--:|--:|--:|--:|---|---|');
  for (const row of rows) {
    const cells = [
      row.label,
      row.perSecond,
      row.p50Ms,
      row.p95Ms,
      row.p99Ms,
      row.meanBytes ?? '',
      ratio(row),
      row.note ?? '',
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

/** The whole tile benchmark; prints a table and writes JSON beside it. */
export async function run() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-bench-'));
  const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const staticRoot = fs.mkdtempSync(path.join(shm, 'simpul-tiles-'));
  fs.chmodSync(staticRoot, 0o755);
  const cluster = await startBenchCluster();
  const running: RunningProcess[] = [];
  try {
    const url = await createDatabase(cluster.url, 'simpul_bench');
    const setup = new pg.Pool({ connectionString: url, max: 2 });
    await setup.query('CREATE EXTENSION postgis');
    await migrate(setup, layerDefinitions);
    console.log('loading the dataset…');
    const dataset = await loadDataset(
      setup,
      layerDefinitions,
      settings.small ? smallDataset : fullDataset,
    );
    await setup.end();
    await prewarm(url);
    console.log(JSON.stringify(dataset));

    const { roads } = datasetLayers(layerDefinitions);
    const tiles = benchTileList();
    const inRange = tiles.filter((t) => t.z >= roads.zoom.min && t.z <= roads.zoom.max);
    const paths = tiles.map((tile) => tilePath(roads, tile));
    const sqlOptions = { connections: settings.sqlConnections, durationS: settings.durationS };
    const httpOptions = { connections: settings.connections, durationS: settings.durationS };
    // Warm runs ask for gzip, as browsers do; nginx then serves the .gz files (gzip_static).
    const warmOptions = { ...httpOptions, headers: { 'Accept-Encoding': 'gzip' } };
    const rows: Measurement[] = [];

    console.log('limits: SQL straight to PostgreSQL…');
    const reference = await replaySql(
      'limit: reference ST_AsMVT SQL',
      url,
      tiles,
      referenceQuery(roads),
      sqlOptions,
    );
    rows.push(reference);
    const referenceInRange = await replaySql(
      'limit: reference ST_AsMVT SQL, same tiles',
      url,
      inRange,
      referenceQuery(roads),
      sqlOptions,
    );
    referenceInRange.note += `, the ${inRange.length} tiles in ${roads.id}'s zoom range`;
    rows.push(referenceInRange);
    // The same session setting as the server's tile pool.
    const generic = { ...sqlOptions, sessionOptions: '-c plan_cache_mode=force_generic_plan' };
    const simpulSql = await replaySql(
      'limit: Simpul SQL',
      url,
      inRange,
      simpulQuery(roads),
      generic,
    );
    simpulSql.note += `, ${inRange.length} tiles in ${roads.id}'s zoom range`;
    rows.push(simpulSql);

    console.log('Simpul cold (no cache)…');
    const serverLog = path.join(workDir, 'server.log');
    const env = { DATABASE_URL: url, LOG_LEVEL: 'warn' };
    const cold = await startSimpul({ ...env, TILE_CACHE_MB: '0' }, serverLog);
    running.push(cold);
    const coldRow = await replayHttp(
      'Simpul cold (cache off)',
      cold.baseUrl,
      paths,
      workDir,
      httpOptions,
    );
    coldRow.note += `, RSS peak ${cold.memory().peakMb} MB`;
    rows.push(coldRow);
    await cold.stop();

    console.log('Simpul warm…');
    const warm = await startSimpul({ ...env, TILE_CACHE_MB: String(settings.cacheMb) }, serverLog);
    running.push(warm);
    const identity = await fetchAll(warm.baseUrl, paths, 'identity', 4);
    const gzip = await fetchAll(warm.baseUrl, paths, 'gzip');
    await warmUp(warm.baseUrl, paths, workDir, warmOptions);
    const warmRow = await replayHttp(
      'Simpul warm (cached)',
      warm.baseUrl,
      paths,
      workDir,
      warmOptions,
    );
    const warmMemory = warm.memory();
    warmRow.note += `, TILE_CACHE_MB=${settings.cacheMb}, RSS peak ${warmMemory.peakMb} MB`;
    rows.push(warmRow);
    const edit = await measureEditVisibility(url, warm, roads);
    await warm.stop();

    console.log('nginx serving the same bytes from tmpfs…');
    writeStaticTiles(identity.bodies, staticRoot);
    const nginx = await startNginx(staticRoot, workDir);
    running.push(nginx);
    await warmUp(nginx.baseUrl, paths, workDir, warmOptions);
    const nginxRow = await replayHttp(
      'nginx static (warm limit)',
      nginx.baseUrl,
      paths,
      workDir,
      warmOptions,
    );
    rows.push(nginxRow);
    await nginx.stop();

    console.log('Simpul warm, 2 processes…');
    const pair = await startSimpul(
      { ...env, TILE_CACHE_MB: String(settings.cacheMb), SIMPUL_PROCESSES: '2' },
      serverLog,
    );
    running.push(pair);
    await warmUp(pair.baseUrl, paths, workDir, warmOptions);
    const pairRow = await replayHttp(
      'Simpul warm, 2 processes',
      pair.baseUrl,
      paths,
      workDir,
      warmOptions,
    );
    const pairMemory = pair.memory();
    const pairEdits = await measureApiEditVisibility(url, pair, roads, 4);
    pairRow.note +=
      `, memory peak ${pairMemory.peakTogetherMb} MB (all processes, pages they share once;` +
      ` RSS summed ${pairMemory.peakMb} MB)`;
    rows.push(pairRow);
    await pair.stop();

    printTable(rows, { cold: reference.perSecond, warm: nginxRow.perSecond });
    const sample = inRange.filter((_, i) => i % 10 === 0);
    const sizes = {
      ...(await compareSizes(url, roads, sample)),
      servedMeanBytes: identity.meanBytes,
      servedGzipMeanBytes: gzip.meanBytes,
      tilesWithContent: identity.tiles,
    };
    const summary = {
      coldVsLimit: round(coldRow.perSecond / reference.perSecond),
      coldVsLimitSameTiles: round(coldRow.perSecond / referenceInRange.perSecond),
      coldVsSimpulSql: round(coldRow.perSecond / simpulSql.perSecond),
      warmVsNginx: round(warmRow.perSecond / nginxRow.perSecond),
      // nginx runs two workers: two Simpul processes is the like-for-like comparison.
      warmTwoProcessesVsNginx: round(pairRow.perSecond / nginxRow.perSecond),
      warmP99Ms: warmRow.p99Ms,
      editVisible: edit,
      apiEditTwoProcesses: pairEdits,
      serverRssPeakMb: warmMemory.peakMb,
      twoProcessesMemoryPeakMb: {
        sharedPagesOnce: pairMemory.peakTogetherMb,
        rssSummed: pairMemory.peakMb,
      },
      sizes,
      msByZoom: { reference: referenceInRange.msByZoom, simpul: simpulSql.msByZoom },
    };
    console.log(`\n${JSON.stringify(summary, null, 2)}`);
    const resultFile = path.join(workDir, 'tiles-bench.json');
    fs.writeFileSync(resultFile, JSON.stringify({ settings, dataset, rows, summary }, null, 2));
    console.log(`results: ${resultFile}`);
  } finally {
    for (const process of running) await process.stop().catch(() => undefined);
    cluster.stop();
    fs.rmSync(staticRoot, { recursive: true, force: true });
  }
}
