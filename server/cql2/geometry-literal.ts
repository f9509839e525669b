import type { SqlParameters } from '../db/sql.js';
import { isInValidArea, type CrsDefinition } from '../http/crs.js';
import { badRequest } from '../http/problem.js';

/** How large a geometry a filter may carry: a bound on the work of one literal. */
export const geometryLimits = { maxPositions: 10000, maxCollectionDepth: 4 } as const;

type Position = number[];

/** Counts positions across one filter, so several literals share one budget. */
export class PositionBudget {
  used = 0;

  take(count: number) {
    this.used += count;
    if (this.used > geometryLimits.maxPositions) {
      throw badRequest(
        'filter-too-complex',
        `A filter may carry at most ${geometryLimits.maxPositions} coordinate positions ` +
          'in its geometries; simplify the geometry or split the request.',
        { limit: 'maxPositions', maximum: geometryLimits.maxPositions },
      );
    }
  }
}

function invalid(detail: string): never {
  throw badRequest('invalid-filter-geometry', detail);
}

function checkPosition(value: unknown, crs: CrsDefinition): Position {
  const ok =
    Array.isArray(value) &&
    (value.length === 2 || value.length === 3) &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!ok) invalid(`A position must be 2 or 3 finite numbers; got ${JSON.stringify(value)}.`);

  const numbers = value as number[];
  const [x, y] = crs.latitudeFirst ? [numbers[1]!, numbers[0]!] : [numbers[0]!, numbers[1]!];
  if (!isInValidArea(crs, x, y)) {
    invalid(
      `Position ${JSON.stringify(value)} lies outside the area of ${crs.uri} ` +
        `(easting/longitude ${crs.validArea[0]}..${crs.validArea[2]}, ` +
        `northing/latitude ${crs.validArea[1]}..${crs.validArea[3]}).`,
    );
  }
  return numbers.length === 3 ? [x, y, numbers[2]!] : [x, y];
}

function checkPositions(value: unknown, crs: CrsDefinition, min: number, budget: PositionBudget) {
  if (!Array.isArray(value) || value.length < min)
    invalid(`Expected a list of at least ${min} positions.`);
  budget.take(value.length);
  return value.map((p) => checkPosition(p, crs));
}

function checkRing(value: unknown, crs: CrsDefinition, budget: PositionBudget) {
  const ring = checkPositions(value, crs, 4, budget);
  const [first, last] = [ring[0]!, ring[ring.length - 1]!];
  if (first[0] !== last[0] || first[1] !== last[1])
    invalid('A polygon ring must end where it starts.');
  return ring;
}

function checkList<T>(value: unknown, each: (item: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) invalid('Expected a non-empty list.');
  return value.map(each);
}

/**
 * A GeoJSON geometry from a filter, checked and rebuilt with only its type and coordinates,
 * turned to longitude-first order. Positions must lie in the CRS's valid area.
 */
export function checkGeometry(
  value: Record<string, unknown>,
  crs: CrsDefinition,
  budget: PositionBudget,
  depth = 0,
): Record<string, unknown> {
  const c = value.coordinates;
  const ring = (r: unknown) => checkRing(r, crs, budget);
  switch (value.type) {
    case 'Point':
      budget.take(1);
      return { type: 'Point', coordinates: checkPosition(c, crs) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: checkPositions(c, crs, 1, budget) };
    case 'LineString':
      return { type: 'LineString', coordinates: checkPositions(c, crs, 2, budget) };
    case 'MultiLineString':
      return {
        type: 'MultiLineString',
        coordinates: checkList(c, (line) => checkPositions(line, crs, 2, budget)),
      };
    case 'Polygon':
      return { type: 'Polygon', coordinates: checkList(c, ring) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: checkList(c, (p) => checkList(p, ring)) };
    case 'GeometryCollection':
      if (depth >= geometryLimits.maxCollectionDepth)
        invalid(`Geometry collections nest at most ${geometryLimits.maxCollectionDepth} deep.`);
      return {
        type: 'GeometryCollection',
        geometries: checkList(value.geometries, (g) => {
          if (typeof g !== 'object' || g === null)
            invalid('A collection member must be a geometry.');
          return checkGeometry(g as Record<string, unknown>, crs, budget, depth + 1);
        }),
      };
    default:
      return invalid(
        `Unknown geometry type ${JSON.stringify(value.type)}; use Point, LineString, Polygon, ` +
          'their Multi forms or GeometryCollection.',
      );
  }
}

/** SQL of a checked geometry (longitude first, in `crs`) turned to EPSG:4326 and made valid. */
export function geometrySql(
  geometry: Record<string, unknown>,
  crs: CrsDefinition,
  params: SqlParameters,
): string {
  const json = params.add(JSON.stringify(geometry));
  const source = `ST_SetSRID(ST_GeomFromGeoJSON(${json}::text), ${crs.srid})`;
  const stored = crs.srid === 4326 ? source : `ST_Transform(${source}, 4326)`;
  // A bow-tie polygon from a client would make GEOS predicates throw; made valid it stays
  // the same area, and ST_MakeValid leaves valid input unchanged.
  if (geometry.type === 'Point') return stored;
  if (countPositions(geometry) <= maxRepairedLiteralPositions) return `ST_MakeValid(${stored})`;
  // A larger invalid one is refused, not repaired: ST_MakeValid of a ring crossing itself many
  // times ran for minutes past the statement timeout (a star of 300 vertices in a GET), and
  // GEOS 3.11.1 crashes PostgreSQL when the timeout interrupts it. The cast fails with
  // invalidLiteralMarker, which translateDatabaseError answers as a 400; it reads the geometry
  // so that PostgreSQL does not fold it, failing valid literals too, while planning.
  return `CASE WHEN ST_IsValid(${stored}, 0) THEN ${stored}
    ELSE ('${invalidLiteralMarker}' || ST_GeometryType(${stored}))::integer::text::geometry END`;
}

/** The most positions of an invalid geometry literal that is repaired rather than refused. */
export const maxRepairedLiteralPositions = 20;

/** Text of the SQL error an invalid geometry literal too large to repair fails with. */
export const invalidLiteralMarker = 'invalid-geometry-literal';

function countPositions(value: unknown): number {
  if (!Array.isArray(value)) {
    if (typeof value !== 'object' || value === null) return 0;
    const geometry = value as { coordinates?: unknown; geometries?: unknown[] };
    if (geometry.geometries)
      return geometry.geometries.reduce<number>((n, g) => n + countPositions(g), 0);
    return countPositions(geometry.coordinates);
  }
  if (typeof value[0] === 'number') return 1;
  return value.reduce<number>((n, part) => n + countPositions(part), 0);
}

/**
 * SQL of a bounding box [minX, minY, maxX, maxY] in `crs` axis order, as an EPSG:4326
 * geometry. In a geographic CRS, minLon > maxLon crosses the antimeridian.
 */
export function envelopeSql(
  bbox: readonly number[],
  crs: CrsDefinition,
  params: SqlParameters,
): string {
  const [a, b, c, d] = bbox as [number, number, number, number];
  const [x0, y0, x1, y1] = crs.latitudeFirst ? [b, a, d, c] : [a, b, c, d];
  if (!isInValidArea(crs, x0, y0) || !isInValidArea(crs, x1, y1))
    invalid(`The bounding box ${JSON.stringify(bbox)} lies outside the area of ${crs.uri}.`);
  if (y0 > y1) invalid(`The bounding box ${JSON.stringify(bbox)} has its south above its north.`);

  const envelope = (w: number, e: number) =>
    `ST_MakeEnvelope(${params.add(w)}::float8, ${params.add(y0)}::float8, ` +
    `${params.add(e)}::float8, ${params.add(y1)}::float8, ${crs.srid})`;
  if (crs.srid === 4326) {
    if (x0 <= x1) return envelope(x0, x1);
    return `ST_Collect(${envelope(x0, 180)}, ${envelope(-180, x1)})`;
  }
  if (x0 > x1) invalid(`The bounding box ${JSON.stringify(bbox)} has its west east of its east.`);
  // Edges densified before transforming, so a projected box keeps its shape in degrees.
  const densified = `ST_Segmentize(${envelope(x0, x1)}, ${params.add(Math.max(x1 - x0, y1 - y0, 1) / 32)}::float8)`;
  return `ST_Transform(${densified}, 4326)`;
}
