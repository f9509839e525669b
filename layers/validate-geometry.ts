/**
 * Geometry rules a feature must meet before it reaches the database, checked the same way by
 * the server and the web editor: GeoJSON structure, the declared type (single parts promoted
 * to multi), two-dimensional positions in lon/lat range. Validity (self-intersections) and
 * the regency extent need PostGIS and are checked by the server. Pure: no server imports.
 */
import type { GeometryType } from './types.js';
import type { FeatureProblem } from './validate-attributes.js';

type Position = number[];

/** A GeoJSON geometry of one of the types a layer may store, in lon/lat (CRS84). */
export type StoredGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** The outcome of checking a geometry: its problems, or the geometry as the layer stores it. */
export type GeometryCheck =
  { problems: FeatureProblem[]; geometry?: undefined } | { problems: []; geometry: StoredGeometry };

/** GeoJSON types accepted for each declared type, and how each becomes the declared one. */
const acceptedTypes: Record<GeometryType, Record<string, (c: unknown) => unknown>> = {
  Point: { Point: (c) => c, MultiPoint: (c) => (c as Position[])[0] },
  MultiPoint: { Point: (c) => [c], MultiPoint: (c) => c },
  MultiLineString: { LineString: (c) => [c], MultiLineString: (c) => c },
  MultiPolygon: { Polygon: (c) => [c], MultiPolygon: (c) => c },
};

/** Nesting depth of `coordinates` per GeoJSON type: 0 is a position. */
const depths: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

class GeometryDefect extends Error {
  constructor(
    readonly code: FeatureProblem['code'],
    message: string,
  ) {
    super(message);
  }
}

function checkPosition(value: unknown): void {
  if (!Array.isArray(value) || value.length < 2 || value.some((n) => typeof n !== 'number')) {
    throw new GeometryDefect('geometry-malformed', 'a position must be [longitude, latitude].');
  }
  if (value.length > 2) {
    const message = 'positions must be two-dimensional [longitude, latitude]; Z and M are refused.';
    throw new GeometryDefect('geometry-has-z', message);
  }
  const [lon, lat] = value as [number, number];
  const inRange = Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || !inRange) {
    const message = `position [${lon}, ${lat}] is not a longitude and latitude in CRS84.`;
    throw new GeometryDefect('geometry-out-of-range', message);
  }
}

function checkNesting(value: unknown, depth: number): void {
  if (depth === 0) return checkPosition(value);
  if (!Array.isArray(value)) {
    throw new GeometryDefect('geometry-malformed', 'coordinates are not nested as the type says.');
  }
  for (const child of value) checkNesting(child, depth - 1);
}

function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function checkLine(line: Position[]): void {
  if (line.length < 2) {
    throw new GeometryDefect('geometry-malformed', 'a line needs at least two positions.');
  }
}

function checkRing(ring: Position[]): void {
  if (ring.length < 4 || !samePosition(ring[0]!, ring[ring.length - 1]!)) {
    const message = 'a polygon ring needs at least four positions, the last equal to the first.';
    throw new GeometryDefect('geometry-malformed', message);
  }
}

function checkParts(geometry: StoredGeometry): void {
  if (geometry.type === 'MultiPoint' && geometry.coordinates.length === 0) {
    throw new GeometryDefect('geometry-malformed', 'a multipoint needs at least one point.');
  }
  if (geometry.type === 'MultiLineString') {
    if (geometry.coordinates.length === 0) checkLine([]);
    geometry.coordinates.forEach(checkLine);
  }
  if (geometry.type === 'MultiPolygon') {
    const polygons = geometry.coordinates;
    if (polygons.length === 0 || polygons.some((p) => p.length === 0)) checkRing([]);
    polygons.forEach((polygon) => polygon.forEach(checkRing));
  }
}

function toDeclaredType(declared: GeometryType, value: unknown): StoredGeometry {
  const input = value as { type?: unknown; coordinates?: unknown };
  if (typeof input !== 'object' || input === null || typeof input.type !== 'string') {
    throw new GeometryDefect('geometry-malformed', 'the geometry must be a GeoJSON geometry.');
  }
  const promote = acceptedTypes[declared][input.type];
  if (!promote) {
    const accepted = Object.keys(acceptedTypes[declared]).join(' or ');
    const message = `this layer stores ${declared}; send ${accepted}, not ${input.type}.`;
    throw new GeometryDefect('geometry-wrong-type', message);
  }
  checkNesting(input.coordinates, depths[input.type]!);
  if (input.type === 'MultiPoint' && declared === 'Point') {
    if ((input.coordinates as Position[]).length !== 1) {
      const message = 'this layer stores single points; a multipoint must hold exactly one.';
      throw new GeometryDefect('geometry-wrong-type', message);
    }
  }
  return { type: declared, coordinates: promote(input.coordinates) } as StoredGeometry;
}

/**
 * Checks a GeoJSON geometry against the layer's declared type and returns it as stored: a
 * single Point, LineString or Polygon sent to a multi layer is promoted, never refused for it.
 * Positions must be [lon, lat] in range; a Z or M value is refused rather than dropped.
 */
export function checkGeometry(declared: GeometryType, value: unknown): GeometryCheck {
  if (value === null || value === undefined) {
    const message = 'a feature of this layer needs a geometry.';
    return { problems: [{ field: 'geometry', code: 'geometry-missing', message }] };
  }
  try {
    const geometry = toDeclaredType(declared, value);
    checkParts(geometry);
    return { problems: [], geometry };
  } catch (error) {
    if (!(error instanceof GeometryDefect)) throw error;
    return { problems: [{ field: 'geometry', code: error.code, message: error.message }] };
  }
}
