/**
 * Known answers for hand-made geometry, computed on the WGS 84 ellipsoid without PostGIS, so
 * tests check the database's measures against an independent calculation. Exact to better than
 * 1e-6 for the cells of a few hundred metres that fixtures use.
 */

/** A lon/lat rectangle in degrees: [west, south, east, north]. */
export type LonLatBox = [number, number, number, number];

const a = 6378137;
const f = 1 / 298.257223563;
const e2 = f * (2 - f);
const radians = Math.PI / 180;

/** Meridional radius of curvature at a latitude in degrees, in metres. */
function meridianRadius(latitude: number) {
  const s = Math.sin(latitude * radians);
  return (a * (1 - e2)) / (1 - e2 * s * s) ** 1.5;
}

/** Radius of the parallel at a latitude in degrees, in metres. */
function parallelRadius(latitude: number) {
  const s = Math.sin(latitude * radians);
  return (a / Math.sqrt(1 - e2 * s * s)) * Math.cos(latitude * radians);
}

/** Area in hectares of a lon/lat rectangle [west, south, east, north] in degrees. */
export function rectangleAreaHa([west, south, east, north]: LonLatBox) {
  const middle = (south + north) / 2;
  const height = meridianRadius(middle) * (north - south) * radians;
  const width = parallelRadius(middle) * (east - west) * radians;
  return (height * width) / 10000;
}

/** Length in metres along a meridian between two latitudes in degrees. */
export function meridianLengthM(south: number, north: number) {
  return meridianRadius((south + north) / 2) * Math.abs(north - south) * radians;
}

/** A closed GeoJSON polygon ring of a rectangle [west, south, east, north]. */
export function rectangle([west, south, east, north]: LonLatBox) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}
