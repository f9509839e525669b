import type { TileCoord } from '../../../server/tiles/tile-grid.js';
import { cilacapExtent, townCentres } from './dataset.js';

/** Tiles per zoom in the replayed list: most at 12–15, as a map of a regency is used. */
export const tilesPerZoom: Record<number, number | 'all'> = {
  8: 'all',
  9: 'all',
  10: 'all',
  11: 'all',
  12: 136,
  13: 400,
  14: 600,
  15: 520,
  16: 280,
};

/** mulberry32: a small seeded generator, so the list is the same on every run. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tileOf(lon: number, lat: number, z: number) {
  const size = 2 ** z;
  const radians = (lat * Math.PI) / 180;
  const y = (1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2;
  return { x: Math.floor(((lon + 180) / 360) * size), y: Math.floor(y * size) };
}

function extentTiles(z: number): TileCoord[] {
  const [west, south, east, north] = cilacapExtent;
  const min = tileOf(west, north, z);
  const max = tileOf(east, south, z);
  const tiles: TileCoord[] = [];
  for (let x = min.x; x <= max.x; x += 1) {
    for (let y = min.y; y <= max.y; y += 1) tiles.push({ z, x, y });
  }
  return tiles;
}

/**
 * Tiles a map user would ask for: at low zooms every tile over the regency; deeper, the 5×4
 * tiles of map views centred mostly on towns (where features and users are), some anywhere.
 * Distinct, shuffled so that zooms interleave, and the same on every run.
 */
export function benchTileList(seed = 20261204): TileCoord[] {
  const random = seededRandom(seed);
  const [west, south, east, north] = cilacapExtent;
  const chosen = new Map<string, TileCoord>();

  for (const [zText, wanted] of Object.entries(tilesPerZoom)) {
    const z = Number(zText);
    const ofZoom = new Map<string, TileCoord>();
    const target = wanted === 'all' ? 0 : wanted;
    if (wanted === 'all') for (const t of extentTiles(z)) ofZoom.set(`${z}/${t.x}/${t.y}`, t);

    while (ofZoom.size < target) {
      const town = townCentres[Math.floor(random() * townCentres.length)]!;
      const nearTown = random() < 0.8;
      const lon = nearTown ? town[0] + (random() - 0.5) * 0.08 : west + random() * (east - west);
      const lat = nearTown ? town[1] + (random() - 0.5) * 0.06 : south + random() * (north - south);
      const centre = tileOf(lon, lat, z);
      for (let dx = -2; dx <= 2 && ofZoom.size < target; dx += 1) {
        for (let dy = -1; dy <= 2 && ofZoom.size < target; dy += 1) {
          const tile = { z, x: centre.x + dx, y: centre.y + dy };
          ofZoom.set(`${z}/${tile.x}/${tile.y}`, tile);
        }
      }
    }
    for (const [key, tile] of ofZoom) chosen.set(key, tile);
  }

  const list = [...chosen.values()];
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
