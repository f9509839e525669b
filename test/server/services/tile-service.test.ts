import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTileLayers } from '../../../server/services/tile-service.js';
import { untilTileCachesHeard } from '../../../server/tiles/tile-changes.js';
import type { TileCoord } from '../../../server/tiles/tile-grid.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFreezableRelay } from '../../support/database-relay.js';
import {
  nearCilacap,
  nearMajenang,
  roadIds,
  segmentCodes,
  shortRoadAt,
  tileAt,
} from '../../support/road-tiles.js';
import { startTileServer, type TileTestServer } from '../../support/tile-server.js';

// A road is added at one place and moved to the other.
const zooms = [10, 13, 16];

/** What tells the road features of a tile apart: their codes (zoom 14 on), or their ids. */
async function fetchRoads(server: TileTestServer, tile: TileCoord, read = segmentCodes) {
  const response = await fetch(
    `${server.baseUrl}/tiles/road_segment/${tile.z}/${tile.x}/${tile.y}.mvt`,
  );
  return response.status === 204 ? [] : read(await response.arrayBuffer());
}

const fetchCodes = (server: TileTestServer, tile: TileCoord) => fetchRoads(server, tile);
const fetchIds = (server: TileTestServer, tile: TileCoord) => fetchRoads(server, tile, roadIds);

describe('the tile service', () => {
  let testDatabase: TestDatabase;
  let server: TileTestServer;
  let second: TileTestServer;
  let writer: pg.Client;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    server = await startTileServer(testDatabase.url);
    second = await startTileServer(testDatabase.url);
    writer = new pg.Client({ connectionString: testDatabase.url });
    await writer.connect();
  });
  afterAll(async () => {
    await writer.end();
    await second.close();
    await server.close();
    await testDatabase.drop();
  });

  /** A write from outside the servers, as Simpul's own writers make it: waiting for the caches. */
  const commit = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
    const result = await writer.query<Row>(sql, values);
    expect(await untilTileCachesHeard(writer)).toBe(true);
    return result;
  };

  const cached = (target: TileTestServer, tile: TileCoord) =>
    target.tiles.peekTile(['road_segment'], tile) !== undefined;

  it('drops exactly the cached tiles an insert, an update and a delete reach, at every zoom', async () => {
    const here = zooms.map((z) => tileAt(nearCilacap.lon, nearCilacap.lat, z));
    const there = zooms.map((z) => tileAt(nearMajenang.lon, nearMajenang.lat, z));
    const beside = { ...here[2]!, x: here[2]!.x + 3 };
    for (const tile of [...here, ...there, beside]) await fetchIds(server, tile);

    const inserted = await commit<{ id: number }>(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-MOVE', '990', 'Jalan uji', 'kabupaten')
       RETURNING id`,
      [shortRoadAt(nearCilacap)],
    );
    const afterInsert = await Promise.all(here.map((tile) => fetchIds(server, tile)));
    const keptAfterInsert = [...there, beside].map((tile) => cached(server, tile));

    await commit('UPDATE road_segment SET geom = ST_GeomFromText($1, 4326) WHERE id = $2', [
      shortRoadAt(nearMajenang),
      inserted.rows[0]!.id,
    ]);
    const hereAfterUpdate = await Promise.all(here.map((tile) => fetchIds(server, tile)));
    const thereAfterUpdate = await Promise.all(there.map((tile) => fetchIds(server, tile)));

    await commit('DELETE FROM road_segment WHERE id = $1', [inserted.rows[0]!.id]);
    const hereStillCached = here.map((tile) => cached(server, tile));
    const thereAfterDelete = await Promise.all(there.map((tile) => fetchIds(server, tile)));

    const id = String(inserted.rows[0]!.id);
    for (const ids of afterInsert) expect(ids).toContain(id);
    expect(keptAfterInsert).toEqual([true, true, true, true]);
    for (const ids of hereAfterUpdate) expect(ids).not.toContain(id);
    for (const ids of thereAfterUpdate) expect(ids).toContain(id);
    expect(hereStillCached).toEqual([true, true, true]);
    for (const ids of thereAfterDelete) expect(ids).not.toContain(id);
  });

  it('shows a commit in the next tile of a second process once the writer is told', async () => {
    const tile = tileAt(nearCilacap.lon, nearCilacap.lat, 14);
    await commit(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-BOTH', '991', 'Jalan uji', 'kabupaten')`,
      [shortRoadAt(nearCilacap)],
    );
    const before = [await fetchCodes(server, tile), await fetchCodes(second, tile)];

    await commit("UPDATE road_segment SET segment_code = 'T-BOTH-2' WHERE segment_code = 'T-BOTH'");
    const after = [await fetchCodes(server, tile), await fetchCodes(second, tile)];

    for (const codes of before) expect(codes).toContain('T-BOTH');
    for (const codes of after) {
      expect(codes).toContain('T-BOTH-2');
      expect(codes).not.toContain('T-BOTH');
    }
  });

  it('shows a commit that did not wait for the caches within 100 ms in both', async () => {
    const tile = tileAt(nearCilacap.lon, nearCilacap.lat, 14);
    await commit(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-LATE', '992', 'Jalan uji', 'kabupaten')`,
      [shortRoadAt(nearCilacap)],
    );
    const targets = [server, second];
    for (const target of targets) expect(await fetchCodes(target, tile)).toContain('T-LATE');

    // psql or another tool: the caches hear of it when PostgreSQL's notice reaches them.
    await writer.query(
      "UPDATE road_segment SET segment_code = 'T-LATE-2' WHERE segment_code = 'T-LATE'",
    );
    const committed = performance.now();
    const shownAfterMs = await Promise.all(
      targets.map(async (target) => {
        while (!(await fetchCodes(target, tile)).includes('T-LATE-2')) {
          if (performance.now() - committed > 5000) break;
        }
        return performance.now() - committed;
      }),
    );

    for (const ms of shownAfterMs) expect(ms).toBeLessThan(100);
  });

  it('serves a tile memory dropped from its disk tier, and never a changed one', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-tile-disk-'));
    // Memory for one small tile or so: every other tile goes to disk.
    const tight = await startTileServer(testDatabase.url, { cacheMb: 0.002, cacheDir });
    try {
      const tile = tileAt(nearMajenang.lon, nearMajenang.lat, 15);
      await commit(
        `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
         VALUES (ST_GeomFromText($1, 4326), 'T-DISK', '993', 'Jalan uji', 'kabupaten')`,
        [shortRoadAt(nearMajenang)],
      );
      const first = await fetchCodes(tight, tile);
      for (let x = 0; x < 12; x += 1) await fetchCodes(tight, { ...tile, x: tile.x + 10 + x });
      const renderedBefore = tight.tiles.stats().rendered;

      const fromDisk = await fetchCodes(tight, tile);
      const renderedAfterRead = tight.tiles.stats().rendered;
      await commit(
        "UPDATE road_segment SET segment_code = 'T-DISK-2' WHERE segment_code = 'T-DISK'",
      );
      for (let x = 0; x < 12; x += 1) await fetchCodes(tight, { ...tile, x: tile.x + 30 + x });
      const afterEdit = await fetchCodes(tight, tile);

      expect(first).toContain('T-DISK');
      expect(fromDisk).toEqual(first);
      expect(renderedAfterRead).toBe(renderedBefore);
      expect(tight.tiles.stats().cache?.disk?.hits).toBeGreaterThanOrEqual(1);
      expect(afterEdit).toContain('T-DISK-2');
      expect(afterEdit).not.toContain('T-DISK');
    } finally {
      await tight.close();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('renders a missing tile once for many simultaneous requests', async () => {
    const layers = resolveTileLayers('kecamatan,desa');
    const tile = { z: 11, x: 1644, y: 1067 };
    const before = server.tiles.stats();

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => server.tiles.getTile(layers, tile)),
    );

    const after = server.tiles.stats();
    expect(after.rendered - before.rendered).toBe(1);
    expect(after.coalesced - before.coalesced).toBe(7);
    expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
  });

  it('counts a tile asked for over HTTP as one miss, then as one hit', async () => {
    const tilePath = `${server.baseUrl}/tiles/desa/12/3287/2136.mvt`;
    const before = server.tiles.stats().cache!;

    await fetch(tilePath);
    const missed = server.tiles.stats().cache!;
    await fetch(tilePath);
    const hit = server.tiles.stats().cache!;

    expect([missed.misses - before.misses, missed.hits - before.hits]).toEqual([1, 0]);
    expect([hit.misses - missed.misses, hit.hits - missed.hits]).toEqual([0, 1]);
    const health = await (await fetch(`${server.baseUrl}/health`)).json();
    expect(health.tiles.cache.hits).toBe(hit.hits);
    expect(health.tiles.rendered).toBe(server.tiles.stats().rendered);
  });

  it('notifies a bulk insert in payloads under the 8000-byte limit, merged by area', async () => {
    const listener = new pg.Client({ connectionString: testDatabase.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('LISTEN simpul_tile_change');

    await writer.query(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       SELECT ST_Multi(ST_MakeLine(ST_Point(108.2 + i * 0.004, -7.5, 4326),
         ST_Point(108.2 + i * 0.004 + 0.001, -7.501, 4326))), 'BULK-' || i, '992', 'Uji', 'desa'
       FROM generate_series(1, 300) AS i`,
    );
    await listener.query('SELECT 1');
    await listener.end();

    const boxes = payloads.flatMap((p) => JSON.parse(p).boxes as number[][]);
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(boxes.length).toBeLessThan(300);
    expect(Math.min(...boxes.map((b) => b[0]!))).toBeLessThanOrEqual(108.204);
    expect(Math.max(...boxes.map((b) => b[2]!))).toBeGreaterThanOrEqual(109.401);
  });

  it('notifies where a moved feature was and is, and where a deleted one was', async () => {
    const listener = new pg.Client({ connectionString: testDatabase.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('LISTEN simpul_tile_change');
    /** Boxes of the notices after the first `count`, to 0.00001° (they round outwards). */
    const boxesSince = async (count: number) => {
      await listener.query('SELECT 1');
      const boxes = payloads.slice(count).flatMap((p) => JSON.parse(p).boxes as number[][]);
      return boxes.map((box) => box.map((n) => Number(n.toFixed(5))));
    };
    const line = (lon: number) =>
      `ST_Multi(ST_MakeLine(ST_Point(${lon}, -7.6, 4326), ST_Point(${lon + 0.001}, -7.601, 4326)))`;

    await writer.query(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (${line(108.9)}, 'MOVE-1', '993', 'Uji', 'desa')`,
    );
    const inserted = await boxesSince(0);
    const count = payloads.length;
    await writer.query(
      `UPDATE road_segment SET geom = ${line(109.1)} WHERE segment_code = 'MOVE-1'`,
    );
    const moved = await boxesSince(count);
    const countAfterMove = payloads.length;
    await writer.query("DELETE FROM road_segment WHERE segment_code = 'MOVE-1'");
    const deleted = await boxesSince(countAfterMove);
    await listener.end();

    expect(inserted).toEqual([[108.9, -7.601, 108.901, -7.6]]);
    expect(moved).toHaveLength(2);
    expect(moved).toEqual(
      expect.arrayContaining([
        [108.9, -7.601, 108.901, -7.6],
        [109.1, -7.601, 109.101, -7.6],
      ]),
    );
    expect(deleted).toEqual([[109.1, -7.601, 109.101, -7.6]]);
  });

  it('answers a tile over the size limit with the declared problem, and logs it once', async () => {
    const small = await startTileServer(testDatabase.url, { maxTileBytes: 4096 });
    try {
      const path = `${small.baseUrl}/tiles/desa,kecamatan/10/822/533.mvt`;

      const first = await fetch(path);
      const again = await fetch(path);

      const problem = await first.json();
      expect(first.status).toBe(422);
      expect(first.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.type).toBe('/problems/tile-too-large');
      expect(problem.detail).toMatch(/above the 4 KB limit/);
      expect(again.status).toBe(422);
      expect(small.tiles.stats().rendered).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('renders a refused tile once per request when nothing is cached', async () => {
    const uncached = await startTileServer(testDatabase.url, { maxTileBytes: 4096, cacheMb: 0 });
    try {
      const path = `${uncached.baseUrl}/tiles/desa,kecamatan/10/822/533.mvt`;

      const first = await fetch(path);
      const again = await fetch(path);

      expect(first.status).toBe(422);
      expect(first.headers.get('content-type')).toContain('application/problem+json');
      expect((await first.json()).type).toBe('/problems/tile-too-large');
      expect(again.status).toBe(422);
      expect(uncached.tiles.stats().rendered).toBe(2);
    } finally {
      await uncached.close();
    }
  });

  it('gives up on a tile whose connection went silent, then renders on a new one', async () => {
    const relay = await startFreezableRelay(testDatabase.url);
    const cut = await startTileServer(relay.url, { timeoutMs: 300, cacheMb: 0, poolSize: 1 });
    try {
      const tilePath = (x: number) => `${cut.baseUrl}/tiles/desa,kecamatan/12/${x}/2136.mvt`;
      expect((await fetch(tilePath(3288))).status).toBe(200);
      relay.freeze();

      const started = performance.now();
      const stuck = await fetch(tilePath(3289), { signal: AbortSignal.timeout(5000) });
      const waitedMs = performance.now() - started;
      const after = await fetch(tilePath(3288), { signal: AbortSignal.timeout(5000) });

      expect(stuck.status).toBe(503);
      expect((await stuck.json()).type).toBe('/problems/tile-timeout');
      expect(waitedMs).toBeLessThan(3000);
      expect(after.status).toBe(200);
    } finally {
      await cut.close();
      relay.close();
    }
  });

  it('abandons a tile query past the time limit with a 503 problem', async () => {
    const hasty = await startTileServer(testDatabase.url, { timeoutMs: 1 });
    try {
      const response = await fetch(`${hasty.baseUrl}/tiles/desa,kecamatan/10/822/533.mvt`);

      const problem = await response.json();
      expect(response.status).toBe(503);
      expect(problem.type).toBe('/problems/tile-timeout');
    } finally {
      await hasty.close();
    }
  });
});
