import type { Geometry, Polygon, Position } from 'geojson';
import { readDecimal } from '../../layers/validate-attributes.js';
import { nameOfCrsMember, namesLonLat } from '../crs-name.js';
import { badRequest } from '../http/problem.js';

/** The most vertices a place may have: a surveyed parcel has tens, a traced field hundreds. */
export const maxPlaceVertices = 20000;

/**
 * The widest a place may span, in degrees of longitude and of latitude (about 1,100 km): a
 * regency spans one or two. Areas are measured on the ellipsoid, which reads a ring's edges as
 * its shortest paths: an edge of 180 degrees has none (PostGIS fails, "Antipodal edge"), and a
 * band round the globe measured 0 ha.
 */
export const maxPlaceSpanDeg = 10;

const acceptedTypes = ['Point', 'Polygon', 'MultiPolygon'];

type GeoJsonInput = {
  type?: unknown;
  crs?: unknown;
  geometry?: unknown;
  features?: unknown;
  coordinates?: unknown;
};

function invalidPlace(detail: string) {
  return badRequest('invalid-place', detail);
}

/**
 * Refuses a `crs` member naming another system, the legacy one of GeoJSON 2008 or the one
 * beside `geometry` in a posted body: its coordinates would be read as degrees. Not
 * reprojected: places are small, and the client holding them can. A null `crs` says none.
 */
function checkCrsMember(object: unknown) {
  const crs = (object as { crs?: unknown } | null | undefined)?.crs;
  // GeoJSON 2008 read a null crs as "no CRS said", as edits do: the coordinates are CRS84
  if (crs === undefined || crs === null) return;
  const named = nameOfCrsMember(crs);
  if (namesLonLat(named)) return;
  throw invalidPlace(
    `The place names the coordinate system ${named}; coordinates must be longitude and ` +
      'latitude in WGS 84 (EPSG:4326, CRS84): reproject the place and leave out crs.',
  );
}

function polygonsOf(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  throw invalidPlace(
    `A FeatureCollection place must hold only polygons; it holds a ${geometry.type}.`,
  );
}

/** A FeatureCollection of an uploaded parcel file becomes one MultiPolygon of all its parts. */
function collectPolygons(features: unknown[]): Geometry {
  if (features.length === 0) throw invalidPlace('The FeatureCollection has no feature.');
  const geometries = features.map((feature) => (feature as { geometry?: Geometry }).geometry);
  if (geometries.some((geometry) => !geometry)) {
    throw invalidPlace('Every feature of the FeatureCollection needs a geometry.');
  }
  features.forEach(checkCrsMember);
  geometries.forEach(checkCrsMember);
  const polygons = geometries.flatMap((geometry) => polygonsOf(geometry!));
  return polygons.length === 1
    ? ({ type: 'Polygon', coordinates: polygons[0] } as Polygon)
    : { type: 'MultiPolygon', coordinates: polygons };
}

function unwrapGeometry(input: GeoJsonInput): Geometry {
  if (input.type === 'Feature') {
    if (!input.geometry) throw invalidPlace('The Feature has no geometry.');
    return input.geometry as Geometry;
  }
  if (input.type === 'FeatureCollection') {
    if (!Array.isArray(input.features))
      throw invalidPlace('The FeatureCollection has no features.');
    return collectPolygons(input.features);
  }
  return input as Geometry;
}

function flattenPositions(coordinates: unknown, depth: number): unknown[] {
  if (depth === 0) return [coordinates];
  if (!Array.isArray(coordinates)) throw invalidPlace('The coordinates are not nested arrays.');
  return coordinates.flatMap((part) => flattenPositions(part, depth - 1));
}

function checkPositions(geometry: Geometry) {
  const depth = { Point: 0, Polygon: 2, MultiPolygon: 3 }[geometry.type as string] ?? 0;
  const positions = flattenPositions((geometry as { coordinates: unknown }).coordinates, depth);
  if (positions.length > maxPlaceVertices) {
    throw invalidPlace(`A place may have at most ${maxPlaceVertices} vertices.`);
  }
  const extent = [Infinity, Infinity, -Infinity, -Infinity];
  for (const position of positions) {
    const [lon, lat] = Array.isArray(position) ? position : [];
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw invalidPlace('Every position must be [longitude, latitude] numbers.');
    }
    if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
      throw invalidPlace(
        `Position [${lon}, ${lat}] is not a longitude and latitude: GeoJSON places are in ` +
          'EPSG:4326 degrees; reproject projected coordinates (such as UTM 49S metres) first.',
      );
    }
    extent[0] = Math.min(extent[0]!, lon);
    extent[1] = Math.min(extent[1]!, lat);
    extent[2] = Math.max(extent[2]!, lon);
    extent[3] = Math.max(extent[3]!, lat);
  }
  const [spanLon, spanLat] = [extent[2]! - extent[0]!, extent[3]! - extent[1]!];
  if (spanLon > maxPlaceSpanDeg || spanLat > maxPlaceSpanDeg) {
    const span = (degrees: number) => Math.round(degrees * 10) / 10;
    throw invalidPlace(
      `A place may span at most ${maxPlaceSpanDeg} degrees of longitude and of latitude; ` +
        `this one spans ${span(spanLon)} by ${span(spanLat)}.`,
    );
  }
}

/** A ring of fewer than 4 positions encloses nothing: the database would read a line. */
function checkRings(geometry: Geometry) {
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') return;
  const rings = polygonsOf(geometry).flat();
  const short = rings.find((ring) => ring.length < 4);
  if (short) {
    throw invalidPlace(
      `Every ring of a polygon needs at least 4 positions, the last repeating the first; ` +
        `one has ${short.length}.`,
    );
  }
}

/**
 * A place to look up, from a GeoJSON Point, Polygon or MultiPolygon in EPSG:4326, a Feature of
 * one, or a FeatureCollection of polygons (an uploaded parcel file). Returns GeoJSON text for
 * the database; anything else is a 400 `invalid-place` saying what is accepted.
 */
export function parsePlace(input: unknown): string {
  if (!input || typeof input !== 'object') {
    throw invalidPlace('Send a GeoJSON Point, Polygon or MultiPolygon in EPSG:4326 as geometry.');
  }
  checkCrsMember(input);
  const geometry = unwrapGeometry(input as GeoJsonInput);
  checkCrsMember(geometry);
  if (!acceptedTypes.includes(String(geometry?.type))) {
    throw invalidPlace(
      `The place must be a ${acceptedTypes.join(', ')} (or a Feature of one); ` +
        `got ${String(geometry?.type)}.`,
    );
  }
  checkPositions(geometry);
  checkRings(geometry);
  // A crs member left is one naming WGS 84, which the database need not read.
  return JSON.stringify({ ...geometry, crs: undefined });
}

/**
 * The place of a posted body: a bare GeoJSON geometry, Feature or FeatureCollection (see
 * `parsePlace`), or an object holding one as `geometry` beside other members (`activity`) and
 * an optional `crs`, which must name WGS 84 longitude and latitude like a legacy crs member.
 */
export function parsePlaceRequest(body: unknown): string {
  const wrapper = (body ?? {}) as { type?: unknown; geometry?: unknown };
  if (typeof wrapper.type === 'string') return parsePlace(body);
  checkCrsMember(wrapper);
  return parsePlace(wrapper.geometry);
}

/** A clicked point from `lon` and `lat` query values, as GeoJSON text. */
export function parsePointPlace(lonText: unknown, latText: unknown): string {
  for (const [name, value] of [
    ['lon', lonText],
    ['lat', latText],
  ] as const) {
    if (Array.isArray(value))
      throw invalidPlace(`Give lon and lat once each; ${name} was given ${value.length} times.`);
  }
  if (typeof lonText !== 'string' || typeof latText !== 'string' || !lonText || !latText) {
    throw invalidPlace('Give lon and lat in degrees (EPSG:4326), or POST a geometry.');
  }
  const coordinates = [readDecimal(lonText), readDecimal(latText)];
  return parsePlace({ type: 'Point', coordinates });
}
