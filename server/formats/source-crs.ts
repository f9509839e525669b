/**
 * Reprojection of source geometries to the storage CRS (EPSG:4326, lon/lat) in JavaScript with
 * proj4, so reading, validating and loading stay one stream. EPSG definitions come from the
 * database's own `spatial_ref_sys`; a Shapefile's `.prj` WKT (ESRI or OGC flavour) is read by
 * proj4 directly.
 */
import type { Geometry, Position } from 'geojson';
import type pg from 'pg';
import proj4 from 'proj4';
import { readCrsName } from '../crs-name.js';
import { SourceFileError, type SourceCrs } from './source-feature.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** Turns a source geometry into lon/lat on WGS 84, dropping Z and M values. */
export type GeometryTransform = (geometry: Geometry) => Geometry;

const wgs84Codes = new Set([4326, 4979]);

/**
 * A CRS given for a file or named in it: any name `readCrsName` reads (CRS84 as EPSG:4326,
 * longitude first as files mean it), a bare EPSG code (`32749`) or a WKT definition.
 */
export function parseCrsName(text: string): SourceCrs | undefined {
  const trimmed = text.trim();
  const name = readCrsName(trimmed);
  if (name) return { epsg: name.authority === 'OGC' ? 4326 : name.code };
  if (/^\d{4,6}$/.test(trimmed)) return { epsg: Number(trimmed) };
  return /^(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS)\[/i.test(trimmed) ? { wkt: trimmed } : undefined;
}

/** `EPSG:32749`, or the first words of a WKT definition, for messages and job records. */
export function describeCrs(crs: SourceCrs): string {
  if ('epsg' in crs) return `EPSG:${crs.epsg}`;
  const name = /^\w+\["([^"]+)"/.exec(crs.wkt)?.[1];
  return name ? `WKT "${name}"` : 'WKT';
}

async function proj4Definition(db: Queryable, epsg: number): Promise<string> {
  const result = await db.query<{ proj4text: string | null }>(
    "SELECT proj4text FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = $1",
    [epsg],
  );
  const definition = result.rows[0]?.proj4text?.trim();
  if (!definition) {
    throw new SourceFileError(
      'unknown-crs',
      `EPSG:${epsg} is not a coordinate system this database knows; give another EPSG code.`,
      { crs: `EPSG:${epsg}` },
    );
  }
  return definition;
}

function mapPositions(geometry: Geometry, map: (p: Position) => Position): Geometry {
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: map(geometry.coordinates) };
    case 'MultiPoint':
    case 'LineString':
      return { type: geometry.type, coordinates: geometry.coordinates.map(map) } as Geometry;
    case 'MultiLineString':
    case 'Polygon':
      return {
        type: geometry.type,
        coordinates: geometry.coordinates.map((line) => line.map(map)),
      } as Geometry;
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((p) => p.map((ring) => ring.map(map))),
      };
    case 'GeometryCollection':
      return {
        type: 'GeometryCollection',
        geometries: geometry.geometries.map((g) => mapPositions(g, map)),
      };
  }
}

/** True when some member of `value` (if it is an array) passes `test`. */
function someOf(value: unknown, test: (member: unknown) => boolean): boolean {
  return Array.isArray(value) && value.some(test);
}

// Declared once here rather than inside `hasZ`: every record of an import passes there, and a
// closure made per call cost ten times the walk itself.
const positionHasZ = (p: unknown) => Array.isArray(p) && p.length > 2;
const lineHasZ = (line: unknown) => someOf(line, positionHasZ);
const polygonHasZ = (polygon: unknown) => someOf(polygon, lineHasZ);
const geometryHasZ = (member: unknown) => hasZ(member as Geometry);

/**
 * True when any position of the geometry carries a third (Z) or fourth (M) value. Walked
 * without copying; malformed coordinates (the validation refuses them) count as 2D.
 */
export function hasZ(geometry: Geometry): boolean {
  switch (geometry.type) {
    case 'Point':
      return positionHasZ(geometry.coordinates);
    case 'MultiPoint':
    case 'LineString':
      return lineHasZ(geometry.coordinates);
    case 'MultiLineString':
    case 'Polygon':
      return polygonHasZ(geometry.coordinates);
    case 'MultiPolygon':
      return someOf(geometry.coordinates, polygonHasZ);
    case 'GeometryCollection':
      return someOf(geometry.geometries, geometryHasZ);
    default:
      return false;
  }
}

/** EPSG:4326, or a `.prj` of plain geographic WGS 84 (what GIS tools write for lon/lat). */
function isLonLatOnWgs84(crs: SourceCrs): boolean {
  if ('epsg' in crs) return wgs84Codes.has(crs.epsg);
  const geographic = /^GEOGCS\[/i.test(crs.wkt) && !/PROJCS\[/i.test(crs.wkt);
  return (
    geographic &&
    /WGS[ _]?(19)?84/i.test(crs.wkt) &&
    /PRIMEM\["Greenwich",0(\.0+)?\]/i.test(crs.wkt)
  );
}

function toProj4Source(crs: SourceCrs, definition?: string): string {
  if ('wkt' in crs) return crs.wkt;
  return definition!;
}

/** proj4's datum type of a datum whose shift to WGS 84 it does not know (`PJD_NODATUM`). */
const noDatumShift = 5;
/** The semi-major axis of WGS 84 and GRS 80 (DGN95, SRGI2013): their datums need no shift. */
const wgs84SemiMajorAxis = 6378137;

/**
 * Refuses a `.prj` whose datum is on another ellipsoid than WGS 84 and names no shift to it
 * (an ESRI `.prj` of ID74 or Batavia has no TOWGS84): proj4 would read its positions as WGS 84
 * ones, 30 m (ID74) to 800 m (Batavia) off, where GDAL applies the EPSG shift. Its EPSG code,
 * given, carries the shift from `spatial_ref_sys`.
 */
function refuseDatumWithoutShift(crs: SourceCrs, source: string) {
  if (!('wkt' in crs)) return;
  const projection = new proj4.Proj(source) as unknown as {
    datum?: { datum_type?: number; a?: number };
  };
  const datum = projection.datum;
  if (datum?.datum_type !== noDatumShift) return;
  if (Math.abs((datum.a ?? wgs84SemiMajorAxis) - wgs84SemiMajorAxis) < 0.5) return;
  const name = /DATUM\["([^"]*)"/i.exec(crs.wkt)?.[1] ?? '';
  throw new SourceFileError(
    'crs-datum-unknown',
    `The coordinate system ${describeCrs(crs)} names the datum "${name}" without its shift ` +
      'to WGS 84 (TOWGS84): read without it, positions would be tens to hundreds of metres ' +
      'off. Give its EPSG code (crs), e.g. EPSG:23889 for ID74 / UTM zone 49S; Simpul never ' +
      'guesses it.',
    { crs: describeCrs(crs), datum: name },
  );
}

/**
 * The transform from `crs` to lon/lat on WGS 84. Z and M values are dropped in every case:
 * layers store two-dimensional geometries, and an elevation belongs in an attribute.
 */
export async function createGeometryTransform(
  db: Queryable,
  crs: SourceCrs,
): Promise<GeometryTransform> {
  const flatten = (p: Position): Position => [p[0]!, p[1]!];
  // lon/lat in two dimensions, what most files hold, is kept as read rather than copied
  if (isLonLatOnWgs84(crs)) return (g) => (hasZ(g) ? mapPositions(g, flatten) : g);

  const definition = 'epsg' in crs ? await proj4Definition(db, crs.epsg) : undefined;
  let converter: proj4.Converter;
  try {
    converter = proj4(toProj4Source(crs, definition), 'WGS84');
    refuseDatumWithoutShift(crs, toProj4Source(crs, definition));
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    const reason = (error as Error).message;
    throw new SourceFileError(
      'unreadable-crs',
      `The coordinate system ${describeCrs(crs)} cannot be read (${reason}); give its EPSG code.`,
      { crs: describeCrs(crs), reason },
    );
  }
  const project = (p: Position): Position => converter.forward([p[0]!, p[1]!]);
  return (g) => mapPositions(g, project);
}
