import type { Position } from 'geojson';

/**
 * Small-distance geometry on longitude/latitude in kilometres, by a local equirectangular
 * approximation: within a regency (about 150 km) the error stays well under one percent,
 * which is enough to shape invented sample features.
 */

const kmPerDegreeLat = 110.574;

function kmPerDegreeLon(lat: number) {
  return 111.32 * Math.cos((lat * Math.PI) / 180);
}

/** Distance between two positions in km. */
export function distanceKm(a: Position, b: Position): number {
  const dx = (b[0]! - a[0]!) * kmPerDegreeLon((a[1]! + b[1]!) / 2);
  const dy = (b[1]! - a[1]!) * kmPerDegreeLat;
  return Math.hypot(dx, dy);
}

/** The position `eastKm` east and `northKm` north of `from`, rounded to 6 decimals. */
export function offsetKm(from: Position, eastKm: number, northKm: number): Position {
  const lon = from[0]! + eastKm / kmPerDegreeLon(from[1]!);
  const lat = from[1]! + northKm / kmPerDegreeLat;
  return [roundDegrees(lon), roundDegrees(lat)];
}

/** The unit vector (east, north) in km from `a` towards `b`. */
export function directionKm(a: Position, b: Position): [number, number] {
  const east = (b[0]! - a[0]!) * kmPerDegreeLon(a[1]!);
  const north = (b[1]! - a[1]!) * kmPerDegreeLat;
  const length = Math.hypot(east, north) || 1;
  return [east / length, north / length];
}

/** The position a fraction `t` of the way from `a` to `b`. */
export function interpolate(a: Position, b: Position, t: number): Position {
  return [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t];
}

/** Six decimals of a degree: about 0.1 m, the precision of the boundary seeds. */
export function roundDegrees(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Length of a line in km. */
export function lineLengthKm(line: readonly Position[]): number {
  let length = 0;
  for (let i = 1; i < line.length; i += 1) length += distanceKm(line[i - 1]!, line[i]!);
  return length;
}
