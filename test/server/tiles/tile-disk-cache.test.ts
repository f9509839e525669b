import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TileCache, tileKey, type CachedTile } from '../../../server/tiles/tile-cache.js';
import { manifestFileName } from '../../../server/tiles/tile-cache-manifest.js';
import { TileCacheDirUnusableError } from '../../../server/tiles/tile-disk-cache.js';
import type { TileCoord } from '../../../server/tiles/tile-grid.js';

function entryOf(layerIds: string[], tile: TileCoord, fill: number): CachedTile {
  return {
    key: tileKey(layerIds, tile),
    layerIds,
    tile,
    gzip: Buffer.alloc(4000, fill),
    etag: `"tile-${fill}"`,
  };
}

// A box of about 100 m in Cilacap town, inside tile 14/13152/8543.
const townBox = [109.0, -7.701, 109.001, -7.7] as const;
const townTile = { z: 14, x: 13152, y: 8543 };

const folders: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-tile-disk-'));
  folders.push(dir);
  return dir;
}

/** Files the process folders hold, once pending writes have landed. */
async function filesIn(dir: string) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return fs.readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.tile'));
}

afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the tile cache disk tier', () => {
  it('keeps the tiles memory drops for room, and reads them back unchanged', async () => {
    const dir = tempDir();
    // Memory for about two tiles; the rest goes to disk.
    const cache = new TileCache(9000, { dir, maxBytes: 1e6 });
    const tiles = Array.from({ length: 6 }, (_, x) => entryOf(['desa'], { z: 14, x, y: 0 }, x));
    for (const tile of tiles) cache.set(tile);

    expect(cache.peek(tiles[0]!.key)).toBeUndefined();
    const back = await cache.getFromDisk(tiles[0]!.key);

    expect(back?.etag).toBe('"tile-0"');
    expect(back?.gzip?.equals(tiles[0]!.gzip!)).toBe(true);
    expect(cache.peek(tiles[0]!.key)).toBe(back);
    expect(cache.stats().disk).toMatchObject({ hits: 1 });
    expect((await filesIn(dir)).length).toBeGreaterThanOrEqual(4);
    await cache.close();
  });

  it('drops a kept tile that a change reaches, from disk too', async () => {
    const dir = tempDir();
    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    const town = entryOf(['road_segment'], townTile, 1);
    cache.set(town);
    cache.set(entryOf(['road_segment'], { z: 14, x: 0, y: 0 }, 2));
    cache.set(entryOf(['road_segment'], { z: 14, x: 1, y: 0 }, 3));
    expect(cache.peek(town.key)).toBeUndefined();
    expect(cache.stats().disk?.entries).toBe(2);

    const removed = cache.invalidateBoxes('road_segment', [townBox]);

    expect(removed).toBe(1);
    expect(await cache.getFromDisk(town.key)).toBeUndefined();
    expect(cache.stats().disk?.entries).toBe(1);
    await expect.poll(() => filesIn(dir)).toHaveLength(1);
    await cache.close();
  });

  it('does not hand back a tile a change reached while it was being read', async () => {
    const dir = tempDir();
    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    const town = entryOf(['road_segment'], townTile, 1);
    cache.set(town);
    cache.set(entryOf(['road_segment'], { z: 14, x: 0, y: 0 }, 2));
    await filesIn(dir);

    const reading = cache.getFromDisk(town.key);
    cache.invalidateBoxes('road_segment', [townBox]);

    expect(await reading).toBeUndefined();
    expect(cache.peek(town.key)).toBeUndefined();
    await cache.close();
  });

  it('empties with the cache when changes may have been missed', async () => {
    const dir = tempDir();
    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    for (let x = 0; x < 4; x += 1) cache.set(entryOf(['desa'], { z: 14, x, y: 0 }, x));

    cache.clear();

    expect(cache.stats().disk?.entries).toBe(0);
    expect(await cache.getFromDisk(tileKey(['desa'], { z: 14, x: 0, y: 0 }))).toBeUndefined();
    // each file goes once its write has landed: none is left behind, however late it lands
    await expect.poll(() => filesIn(dir)).toHaveLength(0);
    await cache.close();
  });

  it('removes the folders of stopped processes at start and its own at close', async () => {
    const dir = tempDir();
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const stale = path.join(dir, `process-${exited.stdout.toString()}`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, '1.tile'), 'old');
    const unrelated = path.join(dir, 'notes.txt');
    fs.writeFileSync(unrelated, 'kept');

    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    const own = fs.readdirSync(dir).filter((name) => name.startsWith(`process-${process.pid}-`));

    expect(fs.existsSync(stale)).toBe(false);
    expect(own).toHaveLength(1);
    expect(fs.existsSync(unrelated)).toBe(true);
    await cache.close();
    expect(fs.existsSync(path.join(dir, own[0]!))).toBe(false);
  });

  it('removes its folder at close also while tiles are still being written', async () => {
    const dir = tempDir();
    const cache = new TileCache(5000, { dir, maxBytes: 1e7 });
    for (let x = 0; x < 1000; x += 1) cache.set(entryOf(['desa'], { z: 14, x, y: 0 }, x % 256));

    await cache.close();

    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps the tiles of two caches sharing a folder in one process apart', async () => {
    const dir = tempDir();
    const first = new TileCache(5000, { dir, maxBytes: 1e6 });
    const second = new TileCache(5000, { dir, maxBytes: 1e6 });
    const tiles = [0, 1, 2].map((x) => ({ z: 14, x, y: 0 }));
    for (const tile of tiles) first.set(entryOf(['desa'], tile, 1));
    for (const tile of tiles) second.set(entryOf(['desa'], tile, 2));
    await filesIn(dir);

    const fromFirst = await first.getFromDisk(tileKey(['desa'], tiles[0]!));
    const fromSecond = await second.getFromDisk(tileKey(['desa'], tiles[0]!));

    expect(fromFirst?.gzip?.equals(Buffer.alloc(4000, 1))).toBe(true);
    expect(fromSecond?.gzip?.equals(Buffer.alloc(4000, 2))).toBe(true);
    await first.close();
    await second.close();
  });

  it('refuses a folder it cannot write in one clear error', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');

    expect(() => new TileCache(5000, { dir: file, maxBytes: 1e6 })).toThrow(
      TileCacheDirUnusableError,
    );
    expect(() => new TileCache(5000, { dir: file, maxBytes: 1e6 })).toThrow(/TILE_CACHE_DIR/);
  });

  it('never follows a link in a saved folder to a file outside it', async () => {
    const dir = tempDir();
    const outside = path.join(tempDir(), 'secret.txt');
    fs.writeFileSync(outside, 'not a tile');
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const saved = path.join(dir, `process-${exited.stdout.toString()}-saved`);
    fs.mkdirSync(saved);
    fs.symlinkSync(outside, path.join(saved, '1.tile'));
    // Its manifest keeps it from being swept as a crashed process's leftovers.
    fs.writeFileSync(path.join(saved, manifestFileName), '{}');
    const tile = { z: 14, x: 1, y: 0 };
    const listed = {
      key: tileKey(['desa'], tile),
      file: '1.tile',
      bytes: fs.statSync(outside).size,
      layerIds: ['desa'],
      tile,
      etag: '"planted"',
      gzip: false,
    };

    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    const kept = cache.adoptSaved(saved, [listed]);

    expect(kept).toBe(0);
    expect(await cache.getFromDisk(listed.key)).toBeUndefined();
    expect(fs.readFileSync(outside, 'utf8')).toBe('not a tile');
    await cache.close();
  });

  it('refuses a folder that cannot be made under /proc at once, instead of hanging', () => {
    expect(() => new TileCache(5000, { dir: '/proc/simpul-none', maxBytes: 1e6 })).toThrow(
      TileCacheDirUnusableError,
    );
  });
});
