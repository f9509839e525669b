import { getCenter } from 'ol/extent.js';
import type LineString from 'ol/geom/LineString.js';
import type Polygon from 'ol/geom/Polygon.js';
import { toLonLat, type ProjectionLike } from 'ol/proj.js';
import { getArea, getLength } from 'ol/sphere.js';
import { getLocale } from '../i18n/i18n.js';

/** A line's length, or a polygon's area and perimeter, on the ground. */
export type Measurement = { kind: 'length'; lengthM: number } | MeasuredArea;

interface MeasuredArea {
  kind: 'area';
  areaM2: number;
  perimeterM: number;
}

const semiMajorAxisM = 6378137;
const flattening = 1 / 298.257223563;
const eccentricitySquared = flattening * (2 - flattening);

/**
 * The radius of the sphere that fits the WGS 84 ellipsoid best around a latitude in degrees:
 * the geometric mean of the meridian and prime vertical radii of curvature (Gauss). On it
 * ol/sphere's areas match the ellipsoid's (PostGIS `geography`) to about 0.01% for a parcel
 * or a kecamatan, where the default mean Earth radius makes them 0.4% larger at 7° S.
 */
export function localEarthRadiusM(latitude: number): number {
  const sine = Math.sin((latitude * Math.PI) / 180);
  const w = 1 - eccentricitySquared * sine * sine;
  const meridianM = (semiMajorAxisM * (1 - eccentricitySquared)) / w ** 1.5;
  const primeVerticalM = semiMajorAxisM / Math.sqrt(w);
  return Math.sqrt(meridianM * primeVerticalM);
}

/**
 * The geodesic length of a line, or area and perimeter of a polygon, drawn in `projection`.
 * Lengths on the local sphere differ from the ellipsoid's by at most 0.33% at Cilacap's
 * latitude (north–south lines come out longer, east–west ones shorter), a price of measuring
 * with ol/sphere rather than an ellipsoidal geodesic library.
 */
export function measureGeometry(
  geometry: LineString | Polygon,
  projection: ProjectionLike,
): Measurement {
  const centre = toLonLat(getCenter(geometry.getExtent()), projection);
  const radius = localEarthRadiusM(centre[1] ?? 0);

  if (geometry.getType() === 'LineString') {
    return { kind: 'length', lengthM: getLength(geometry, { projection, radius }) };
  }
  const ring = (geometry as Polygon).getLinearRing(0);
  const perimeterM = ring ? getLength(ring, { projection, radius }) : 0;
  return { kind: 'area', areaM2: getArea(geometry, { projection, radius }), perimeterM };
}

function formatFixed(value: number, digits: number): string {
  const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(getLocale(), options).format(value);
}

/**
 * A length in the interface locale: metres below 1 km (a decimal below 100 m), kilometres
 * above, to 10 m below 100 km. Fixed decimals, so a live figure does not jump in width.
 */
export function formatLength(lengthM: number): string {
  if (lengthM < 100) return `${formatFixed(lengthM, 1)} m`;
  if (lengthM < 1000) return `${formatFixed(lengthM, 0)} m`;

  const lengthKm = lengthM / 1000;
  return `${formatFixed(lengthKm, lengthKm < 100 ? 2 : 1)} km`;
}

/**
 * An area in the interface locale: square metres below a hectare, hectares (the planners'
 * unit) below 100 km², and above that square kilometres with the hectares beside them.
 */
export function formatArea(areaM2: number): string {
  if (areaM2 < 10_000) return `${formatFixed(areaM2, 0)} m²`;

  const areaHa = areaM2 / 10_000;
  if (areaHa < 10_000) return `${formatFixed(areaHa, areaHa < 100 ? 2 : 1)} ha`;
  return `${formatFixed(areaM2 / 1_000_000, 2)} km² (${formatFixed(areaHa, 0)} ha)`;
}
