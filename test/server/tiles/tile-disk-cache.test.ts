import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TileCache, tileKey, type CachedTile } from '../../../server/tiles/tile-cache.js';
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
    cache.close();
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
    expect(await filesIn(dir)).toHaveLength(1);
    cache.close();
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
    cache.close();
  });

  it('empties with the cache when changes may have been missed', async () => {
    const dir = tempDir();
    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    for (let x = 0; x < 4; x += 1) cache.set(entryOf(['desa'], { z: 14, x, y: 0 }, x));

    cache.clear();

    expect(cache.stats().disk?.entries).toBe(0);
    expect(await cache.getFromDisk(tileKey(['desa'], { z: 14, x: 0, y: 0 }))).toBeUndefined();
    expect(await filesIn(dir)).toHaveLength(0);
    cache.close();
  });

  it('removes the folders of stopped processes at start and its own at close', () => {
    const dir = tempDir();
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const stale = path.join(dir, `process-${exited.stdout.toString()}`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, '1.tile'), 'old');
    const unrelated = path.join(dir, 'notes.txt');
    fs.writeFileSync(unrelated, 'kept');

    const cache = new TileCache(5000, { dir, maxBytes: 1e6 });
    const own = path.join(dir, `process-${process.pid}`);

    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(own)).toBe(true);
    expect(fs.existsSync(unrelated)).toBe(true);
    cache.close();
    expect(fs.existsSync(own)).toBe(false);
  });

  it('refuses a folder it cannot write in one clear error', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');

    expect(() => new TileCache(5000, { dir: file, maxBytes: 1e6 })).toThrow(
      TileCacheDirUnusableError,
    );
    expect(() => new TileCache(5000, { dir: file, maxBytes: 1e6 })).toThrow(/TILE_CACHE_DIR/);
  });
});
