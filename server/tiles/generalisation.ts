import { tileWidthM, type TileCoord } from './tile-grid.js';

/** How the geometries of one tile are thinned before encoding, in Web Mercator metres. */
export interface Generalisation {
  /** Douglas–Peucker tolerance; 0 leaves the vertices to the tile grid snap alone. */
  simplifyToleranceM: number;
  /** Lines and polygons whose bounding box is smaller than this on both sides are left out. */
  minFeatureSizeM: number;
}

// OpenLayers and MapLibre draw a vector tile over 512 CSS pixels (4096 units: 8 per pixel).
const tilePixels = 512;

// Half a pixel: a smaller feature, or a smaller wiggle of a line, cannot be seen.
const invisiblePx = 0.5;

/**
 * From this zoom on tiles carry every vertex that survives the 4096 grid; below it lines and
 * rings are simplified first, which is where a kecamatan-wide tile would otherwise carry
 * several times the vertices it can show.
 */
export const fullDetailZoom = 14;

/**
 * The generalisation of a tile at zoom `z`. Simplification runs per feature, so two polygons
 * sharing an edge may part by up to the tolerance (half a pixel) at low zooms: a gap nobody
 * sees, and the price of not computing a shared topology per tile.
 */
export function generalisationAt(tile: TileCoord): Generalisation {
  const pixelM = tileWidthM(tile.z) / tilePixels;
  return {
    simplifyToleranceM: tile.z < fullDetailZoom ? invisiblePx * pixelM : 0,
    minFeatureSizeM: invisiblePx * pixelM,
  };
}
