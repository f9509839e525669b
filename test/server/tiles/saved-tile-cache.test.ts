import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tileChangeLogSql } from '../../../server/db/migrations/tile-change.js';
import { TileService } from '../../../server/services/tile-service.js';
import { manifestFileName } from '../../../server/tiles/tile-cache-manifest.js';
import type { TileCoord } from '../../../server/tiles/tile-grid.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import {
  nearCilacap,
  nearMajenang,
  segmentCodes,
  shortRoadAt,
  tileAt,
} from '../../support/road-tiles.js';
import { startTileServer, type TileTestServer } from '../../support/tile-server.js';

// Of the two places, one is edited while the server is down.
const edited = tileAt(nearCilacap.lon, nearCilacap.lat, 14);
const untouched = tileAt(nearMajenang.lon, nearMajenang.lat, 14);

async function fetchTile(server: TileTestServer, layerIds: string, tile: TileCoord) {
  const url = `${server.baseUrl}/tiles/${layerIds}/${tile.z}/${tile.x}/${tile.y}.mvt`;
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { etag: response.headers.get('etag'), bytes };
}

async function roadCodes(server: TileTestServer, tile: TileCoord) {
  return segmentCodes((await fetchTile(server, 'road_segment', tile)).bytes);
}

const folders: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-tile-saved-'));
  folders.push(dir);
  return dir;
}

/** The process folders of a cache folder, and whether each holds a manifest. */
function processFolders(dir: string) {
  return fs
    .readdirSync(dir)
    .map((name) => ({ name, saved: fs.existsSync(path.join(dir, name, manifestFileName)) }));
}

describe('a tile cache saved at a graceful stop', () => {
  let testDatabase: TestDatabase;
  let writer: pg.Client;
  const servers: TileTestServer[] = [];
  const start = async (cacheDir: string, url = testDatabase.url) => {
    const server = await startTileServer(url, { cacheDir });
    servers.push(server);
    return server;
  };
  const stop = async (server: TileTestServer) => {
    servers.splice(servers.indexOf(server), 1);
    await server.close();
  };

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    writer = new pg.Client({ connectionString: testDatabase.url });
    await writer.connect();
    await writer.query(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-SAVED', '995', 'Jalan uji', 'kabupaten'),
         (ST_GeomFromText($2, 4326), 'T-FAR', '996', 'Jalan uji', 'kabupaten')`,
      [shortRoadAt(nearCilacap), shortRoadAt(nearMajenang)],
    );
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await writer.end();
    await testDatabase.drop();
  });

  it('is adopted by the next process, minus the tiles edited while it was down', async () => {
    const cacheDir = tempDir();
    const before = await start(cacheDir);
    const kept = await fetchTile(before, 'road_segment', untouched);
    expect(await roadCodes(before, edited)).toContain('T-SAVED');
    await stop(before);

    await writer.query(
      "UPDATE road_segment SET segment_code = 'T-SAVED-2' WHERE segment_code = 'T-SAVED'",
    );
    const after = await start(cacheDir);
    const fromDisk = await fetchTile(after, 'road_segment', untouched);
    const renderedForUntouched = after.tiles.stats().rendered;
    const codes = await roadCodes(after, edited);

    expect(fromDisk.etag).toBe(kept.etag);
    expect(Buffer.from(fromDisk.bytes).equals(Buffer.from(kept.bytes))).toBe(true);
    expect(renderedForUntouched).toBe(0);
    expect(after.tiles.stats().cache?.disk?.hits).toBe(1);
    expect(codes).toContain('T-SAVED-2');
    expect(codes).not.toContain('T-SAVED');
    expect(after.tiles.stats().rendered).toBe(1);
    expect(processFolders(cacheDir)).toEqual([{ name: expect.any(String), saved: false }]);
  });

  it('drops the tiles of a transaction open during the stop that commits after it', async () => {
    const cacheDir = tempDir();
    const before = await start(cacheDir);
    expect(await roadCodes(before, edited)).toContain('T-SAVED-2');
    expect(await roadCodes(before, untouched)).toContain('T-FAR');
    const late = new pg.Client({ connectionString: testDatabase.url });
    const racing = new pg.Client({ connectionString: testDatabase.url });
    await Promise.all([late.connect(), racing.connect()]);
    try {
      for (const client of [late, racing]) await client.query('BEGIN');
      await late.query(
        "UPDATE road_segment SET segment_code = 'T-LATE' WHERE segment_code = 'T-SAVED-2'",
      );
      await racing.query(
        "UPDATE road_segment SET segment_code = 'T-RACE' WHERE segment_code = 'T-FAR'",
      );

      // One commits while the stop runs, the other once the cache is saved.
      const stopping = stop(before);
      await racing.query('COMMIT');
      await stopping;
      await late.query('COMMIT');
    } finally {
      await Promise.all([late.end(), racing.end()]);
    }
    const after = await start(cacheDir);

    const [editedCodes, untouchedCodes] = [
      await roadCodes(after, edited),
      await roadCodes(after, untouched),
    ];

    expect(editedCodes).toContain('T-LATE');
    expect(editedCodes).not.toContain('T-SAVED-2');
    expect(untouchedCodes).toContain('T-RACE');
    expect(untouchedCodes).not.toContain('T-FAR');
  });

  it('is not used for another database, and waits for a server of its own', async () => {
    const cacheDir = tempDir();
    const other = await createTestDatabase();
    try {
      const before = await start(cacheDir);
      await fetchTile(before, 'road_segment', untouched);
      await stop(before);

      const elsewhere = await start(cacheDir, other.url);
      await fetchTile(elsewhere, 'road_segment', untouched);
      const elsewhereStats = elsewhere.tiles.stats();
      await stop(elsewhere);
      const saved = processFolders(cacheDir).filter((folder) => folder.saved);
      const own = await start(cacheDir);
      await fetchTile(own, 'road_segment', untouched);

      expect(elsewhereStats.rendered).toBe(1);
      expect(elsewhereStats.cache?.disk?.hits).toBe(0);
      expect(saved).toHaveLength(2);
      expect(own.tiles.stats().rendered).toBe(0);
    } finally {
      await other.drop();
    }
  });

  it('is removed when tiles are made differently now, and the next start is cold', async () => {
    const cacheDir = tempDir();
    const before = await start(cacheDir);
    await fetchTile(before, 'road_segment', untouched);
    await stop(before);
    const [folder] = processFolders(cacheDir);
    const manifestFile = path.join(cacheDir, folder!.name, manifestFileName);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { fingerprint: string };
    manifest.fingerprint = 'made-by-an-older-release';
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));

    const after = await start(cacheDir);
    await fetchTile(after, 'road_segment', untouched);

    expect(after.tiles.stats().rendered).toBe(1);
    expect(fs.existsSync(path.join(cacheDir, folder!.name))).toBe(false);
  });

  it('is claimed by one process each when several start together', async () => {
    const cacheDir = tempDir();
    const first = await start(cacheDir);
    const second = await start(cacheDir);
    await fetchTile(first, 'road_segment', untouched);
    await fetchTile(second, 'road_segment', untouched);
    await Promise.all([stop(first), stop(second)]);

    const restarted = await Promise.all([0, 1, 2].map(() => start(cacheDir)));
    const entries = restarted.map((server) => server.tiles.stats().cache?.disk?.entries);

    expect(entries.sort()).toEqual([0, 1, 1]);
    expect(processFolders(cacheDir).filter((folder) => folder.saved)).toEqual([]);
  });

  it('is not used once a logical backup is restored, whose rows came unlogged', async () => {
    const cacheDir = tempDir();
    const before = await start(cacheDir);
    await fetchTile(before, 'road_segment', untouched);
    await stop(before);

    // As pg_restore --clean does: the rows are written before the triggers exist, and the
    // change log table is made again and filled with the backup's rows.
    await writer.query('ALTER TABLE road_segment DISABLE TRIGGER USER');
    await writer.query(
      "UPDATE road_segment SET segment_code = 'T-RESTORED' WHERE road_number = '996'",
    );
    await writer.query('ALTER TABLE road_segment ENABLE TRIGGER USER');
    await writer.query('CREATE TABLE log_backup AS SELECT * FROM simpul_tile_change_log');
    await writer.query('DROP TABLE simpul_tile_change_log');
    await writer.query(tileChangeLogSql);
    await writer.query(
      `INSERT INTO simpul_tile_change_log (xid, layer_id, boxes, at)
       SELECT xid, layer_id, boxes, at FROM log_backup`,
    );
    await writer.query('DROP TABLE log_backup');
    const after = await start(cacheDir);

    expect(await roadCodes(after, untouched)).toContain('T-RESTORED');
    expect(after.tiles.stats().cache?.disk?.hits).toBe(0);
  });

  it('loses a layer emptied by TRUNCATE while it was down, and keeps the others', async () => {
    const cacheDir = tempDir();
    const before = await start(cacheDir);
    await fetchTile(before, 'road_segment', untouched);
    await fetchTile(before, 'road_segment,desa', untouched);
    const desa = await fetchTile(before, 'desa', untouched);
    await stop(before);

    // CASCADE: the road condition surveys refer to the segments.
    await writer.query('TRUNCATE road_segment CASCADE');
    const after = await start(cacheDir);
    const desaAfter = await fetchTile(after, 'desa', untouched);
    const renderedForDesa = after.tiles.stats().rendered;
    const roads = await roadCodes(after, untouched);
    await fetchTile(after, 'road_segment,desa', untouched);

    expect(desaAfter.etag).toBe(desa.etag);
    expect(renderedForDesa).toBe(0);
    expect(roads).toEqual([]);
    expect(after.tiles.stats().rendered).toBe(2);
  });
});

describe('the tile change log', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('logs each notice of a commit, with its boxes or the whole layer', async () => {
    const { pool } = testDatabase.database;
    await pool.query('TRUNCATE simpul_tile_change_log');
    await pool.query(
      `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       VALUES (ST_GeomFromText($1, 4326), 'T-LOG', '997', 'Jalan uji', 'kabupaten')`,
      [shortRoadAt(nearCilacap)],
    );
    await pool.query('TRUNCATE road_segment CASCADE');

    const logged = await pool.query<{ layer_id: string; boxes: number[][] | null }>(
      'SELECT layer_id, boxes FROM simpul_tile_change_log ORDER BY id',
    );

    const [edit, truncate] = logged.rows;
    const box = edit?.boxes?.[0] ?? [];
    const expected = [109.0012, -7.7051, 109.0016, -7.7048];

    expect(logged.rows).toHaveLength(2);
    expect(edit).toMatchObject({ layer_id: 'road_segment', boxes: [expect.any(Array)] });
    expected.forEach((value, i) => expect(box[i]).toBeCloseTo(value, 5));
    expect(truncate).toEqual({ layer_id: 'road_segment', boxes: null });
  });

  it('is pruned of rows past the retention at start, keeping the recent ones', async () => {
    const { pool } = testDatabase.database;
    await pool.query('TRUNCATE simpul_tile_change_log');
    await pool.query(
      `INSERT INTO simpul_tile_change_log (layer_id, boxes, at)
       VALUES ('desa', NULL, now() - interval '8 days'), ('desa', NULL, now() - interval '6 days'),
         ('desa', NULL, now())`,
    );

    const tiles = await TileService.start(testDatabase.database, { cacheMb: 0 });
    await tiles.close();
    const left = await pool.query<{ days: number }>(
      'SELECT round(extract(epoch FROM now() - at) / 86400) AS days FROM simpul_tile_change_log',
    );

    expect(left.rows.map((row) => Number(row.days)).sort()).toEqual([0, 6]);
  });
});
