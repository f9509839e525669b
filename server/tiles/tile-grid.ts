/**
 * The Web Mercator tile grid (EPSG:3857, XYZ with y counted from the top): which tiles a
 * bounding box touches at a zoom, so a change can be mapped to the cached tiles it spoils.
 */

/** A tile address in the XYZ scheme (y counted from the top), Web Mercator. */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** A box in EPSG:4326 degrees: west, south, east, north. */
export type LonLatBox = readonly [number, number, number, number];

/** An inclusive range of tile columns and rows at one zoom. */
export interface TileRange {
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** MVT geometry space and the buffer beyond each edge, in tile units. */
export const tileExtent = 4096;
// 64-unit buffer: a line or label crossing a tile edge is cut the same way on both sides.
export const tileBuffer = 64;

/** Half the width of the Web Mercator square, in metres. */
export const mercatorHalfWidthM = 20037508.342789244;

// Web Mercator stops at about ±85.0511°; a box reaching past it is clamped there.
const maxLatitude = 85.0511287798066;

/** Width of one tile at zoom `z`, in Web Mercator metres. */
export function tileWidthM(z: number): number {
  return (2 * mercatorHalfWidthM) / 2 ** z;
}

function mercatorX(lon: number): number {
  return (lon * mercatorHalfWidthM) / 180;
}

function mercatorY(lat: number): number {
  const clamped = Math.max(-maxLatitude, Math.min(maxLatitude, lat));
  const radians = (clamped * Math.PI) / 180;
  return (Math.log(Math.tan(Math.PI / 4 + radians / 2)) * mercatorHalfWidthM) / Math.PI;
}

function clampIndex(value: number, size: number): number {
  return Math.max(0, Math.min(size - 1, value));
}

/**
 * The tiles at zoom `z` whose buffered envelope (the area a tile's features are taken from)
 * meets the box. Edges are inclusive: a point on a tile border belongs to both tiles.
 */
export function tileRangeOfBox(box: LonLatBox, z: number): TileRange {
  const width = tileWidthM(z);
  const margin = (width * tileBuffer) / tileExtent;
  const size = 2 ** z;
  const column = (x: number) => clampIndex(Math.floor((x + mercatorHalfWidthM) / width), size);
  const row = (y: number) => clampIndex(Math.floor((mercatorHalfWidthM - y) / width), size);

  return {
    z,
    minX: column(mercatorX(box[0]) - margin),
    maxX: column(mercatorX(box[2]) + margin),
    minY: row(mercatorY(box[3]) + margin),
    maxY: row(mercatorY(box[1]) - margin),
  };
}

/** Whether a tile lies in a range. */
export function rangeHolds(range: TileRange, tile: TileCoord): boolean {
  return (
    tile.z === range.z &&
    tile.x >= range.minX &&
    tile.x <= range.maxX &&
    tile.y >= range.minY &&
    tile.y <= range.maxY
  );
}

/** The number of tiles in a range. */
export function rangeSize(range: TileRange): number {
  return (range.maxX - range.minX + 1) * (range.maxY - range.minY + 1);
}
