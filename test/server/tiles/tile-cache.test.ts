import { describe, expect, it } from 'vitest';
import { TileCache, tileKey, type CachedTile } from '../../../server/tiles/tile-cache.js';
import type { TileCoord } from '../../../server/tiles/tile-grid.js';

function entryOf(layerIds: string[], tile: TileCoord, bytes = 1000): CachedTile {
  return {
    key: tileKey(layerIds, tile),
    layerIds,
    tile,
    raw: Buffer.alloc(bytes, 1),
    etag: '"x"',
  };
}

// A box of about 100 m around a point in Cilacap town, and the tiles holding it.
const townBox = [109.0, -7.701, 109.001, -7.7] as const;
const townTiles = [
  { z: 10, x: 822, y: 533 },
  { z: 14, x: 13152, y: 8543 },
];

describe('the tile cache', () => {
  it('stays within its size limit, dropping the least recently used tiles first', () => {
    const cache = new TileCache(20000);

    for (let x = 0; x < 50; x += 1) cache.set(entryOf(['desa'], { z: 14, x, y: 0 }));

    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(20000);
    expect(stats.entries).toBeGreaterThan(10);
    expect(cache.peek(tileKey(['desa'], { z: 14, x: 49, y: 0 }))).toBeDefined();
    expect(cache.peek(tileKey(['desa'], { z: 14, x: 0, y: 0 }))).toBeUndefined();
  });

  it('drops the tiles a box reaches at every zoom, in every combination holding the layer', () => {
    const cache = new TileCache(1e6);
    const neighbour = { z: 14, x: 13154, y: 8543 };
    for (const tile of [...townTiles, neighbour]) {
      cache.set(entryOf(['road_segment'], tile));
      cache.set(entryOf(['desa', 'road_segment'], tile));
      cache.set(entryOf(['desa'], tile));
    }

    const removed = cache.invalidateBoxes('road_segment', [townBox]);

    expect(removed).toBe(4);
    for (const tile of townTiles) {
      expect(cache.peek(tileKey(['road_segment'], tile))).toBeUndefined();
      expect(cache.peek(tileKey(['desa', 'road_segment'], tile))).toBeUndefined();
      expect(cache.peek(tileKey(['desa'], tile))).toBeDefined();
    }
    expect(cache.peek(tileKey(['road_segment'], neighbour))).toBeDefined();
  });

  it('drops a neighbouring tile when the change lies within its buffer', () => {
    const cache = new TileCache(1e6);
    const west = { z: 14, x: 13153, y: 8543 };
    cache.set(entryOf(['road_segment'], west));
    const edgeLon = (13154 / 2 ** 14) * 360 - 180;

    cache.invalidateBoxes('road_segment', [[edgeLon + 0.0002, -7.7, edgeLon + 0.0003, -7.7]]);

    expect(cache.peek(tileKey(['road_segment'], west))).toBeUndefined();
  });

  it('drops every tile of a layer for a whole-table change', () => {
    const cache = new TileCache(1e6);
    for (const tile of townTiles) cache.set(entryOf(['road_segment'], tile));

    expect(cache.invalidateLayer('road_segment')).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });
});
