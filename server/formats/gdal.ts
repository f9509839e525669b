/**
 * GDAL's command-line tools, for the formats Simpul reads or writes through them (GeoPackage
 * in and out, Shapefile out). GDAL is optional: without `ogr2ogr` on the PATH, only those
 * formats are refused, with a message saying what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { featureCollection, polygon, union } from '@turf/turf';
import type { Geometry } from 'geojson';
import { SourceFileError, type SourceFeature } from './source-feature.js';

let gdalVersion: string | null | undefined;

/** The installed GDAL version (`3.6.2`), or null when `ogr2ogr` is not installed. */
export function detectGdal(): string | null {
  if (gdalVersion === undefined) {
    const result = spawnSync('ogr2ogr', ['--version'], { encoding: 'utf8' });
    gdalVersion = result.status === 0 ? (/GDAL ([\d.]+)/.exec(result.stdout)?.[1] ?? '') : null;
  }
  return gdalVersion;
}

/** Says that `formatTitle` needs GDAL, how to install it, and what works without it. */
export function gdalMissingDetail(formatTitle: string, worksWithout: string): string {
  return (
    `${formatTitle} needs GDAL's ogr2ogr, which is not installed on this server ` +
    `(Debian/Ubuntu: apt-get install gdal-bin). ${worksWithout} work without it.`
  );
}

/** Throws the "install GDAL" error when GDAL is missing. */
export function requireGdal(formatTitle: string): void {
  if (detectGdal() !== null) return;
  const worksWithout = 'GeoJSON, CSV, Shapefile import, KML and FlatGeobuf';
  throw new SourceFileError('gdal-missing', gdalMissingDetail(formatTitle, worksWithout), {
    format: formatTitle,
  });
}

/** Runs a GDAL tool to its end; `signal` stops it (SIGTERM), and rejects with its reason. */
async function execGdal(tool: 'ogr2ogr' | 'ogrinfo', args: string[], signal?: AbortSignal) {
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr };
}

/** The error of a GDAL tool that failed, carrying GDAL's own first error line. */
function gdalFailure(tool: string, { stdout, stderr }: { stdout: string; stderr: string }) {
  // ogrinfo says why it could not open a file on stdout ("FAILURE:", then the reason)
  const reason =
    /ERROR \d+: (.*)/.exec(stderr)?.[1] ??
    /^FAILURE:\s*\n?(.+)$/m.exec(stdout)?.[1]?.trim() ??
    stderr.trim().split('\n')[0] ??
    '';
  return new SourceFileError('gdal-failed', `${tool} failed: ${reason}`, { reason });
}

/**
 * Runs a GDAL tool to completion; a failure carries GDAL's own first error line. `signal` stops
 * the tool (SIGTERM) when whoever waits for its output has gone, and rejects with its reason.
 */
export async function runGdal(
  tool: 'ogr2ogr' | 'ogrinfo',
  args: string[],
  signal?: AbortSignal,
): Promise<string> {
  const result = await execGdal(tool, args, signal);
  if (result.code !== 0) throw gdalFailure(tool, result);
  return result.stdout;
}

/** Said by GDAL's GeoPackage driver (debug output) when a file holds no layer it can list. */
const noVectorContent = /GPKG: This GeoPackage has no vector content/;

/**
 * The vector layers of a file GDAL can open (`1: roads (Line String)` lines of ogrinfo), or
 * 'no-vector-content' for a GeoPackage that holds none, which GDAL refuses to open read-only.
 */
export async function listGdalLayers(file: string) {
  const result = await execGdal('ogrinfo', ['--debug', 'GPKG', '-ro', '-q', file]);
  if (result.code !== 0 && noVectorContent.test(result.stderr)) return 'no-vector-content';
  if (result.code !== 0) throw gdalFailure('ogrinfo', result);
  const output = result.stdout;
  return output
    .split('\n')
    .map((line) => /^\d+: (.+?)(?: \((.+)\))?$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => ({ name: match[1]!, geometryType: match[2] }));
}

/**
 * The field names of one layer, and whether it names its CRS (`Layer SRS WKT: (unknown)`, or
 * a GeoPackage's undefined system, when not), from `ogrinfo -so`.
 */
export async function describeGdalLayer(file: string, layer: string) {
  const output = await runGdal('ogrinfo', ['-ro', '-so', '-nomd', file, layer]);
  const fieldLine = /^([^:\s][^:]*): (String|Integer|Integer64|Real|Date|DateTime|Time)\b/;
  const fields = output
    .split('\n')
    .map((line) => fieldLine.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  // a GeoPackage's "undefined" systems (srs_id 0 and -1) name none either
  const namesCrs =
    /^Layer SRS WKT:\s*\n\s*(?!\(unknown\))\S/m.test(output) &&
    !/"Undefined (geographic|Cartesian) SRS"/i.test(output);
  // the name a WKT gives its CRS first: PROJCRS["WGS 84 / UTM zone 49S", …
  const crsName = /^Layer SRS WKT:\s*\n\s*[A-Z]+\["([^"]*)"/m.exec(output)?.[1];
  return { fields, namesCrs, crsName };
}

/** A layer type of surfaces GeoJSON has no type for (`3D TIN`, `PolyhedralSurface`). */
const surfaceType = /\b(TIN|Polyhedral ?Surface)$/i;

/** True when ogrinfo's geometry type of a layer is a TIN or PolyhedralSurface. */
export function isSurfaceType(geometryType: string | undefined): boolean {
  return surfaceType.test(geometryType ?? '');
}

/**
 * The polygons of a surface (a TIN's triangles, a PolyhedralSurface's faces, read by GDAL
 * as a MultiPolygon) merged into its outline: as they are, faces sharing edges would make an
 * invalid MultiPolygon. Faces standing on edge (a building's walls) add no area. 2D.
 */
function mergeSurface(geometry: Geometry | null): Geometry | null {
  if (geometry?.type !== 'MultiPolygon' || geometry.coordinates.length < 2) return geometry;
  const faces = geometry.coordinates.map((rings) => polygon(rings));
  try {
    return union(featureCollection(faces))?.geometry ?? null;
  } catch {
    // faces the merge cannot read (a ring of two points) are left for the validation to refuse
    return geometry;
  }
}

/** What a record of a layer of `geometryType` lost beyond x and y, as `SourceFeature` has it. */
function droppedOrdinates(geometryType: string | undefined) {
  const type = geometryType ?? '';
  const z = /^3D /.test(type);
  if (/\bMeasured\b/.test(type)) return { mDropped: true, zDropped: z };
  // a merged surface keeps no Z, which the import then cannot see
  return z && isSurfaceType(type) ? { zDropped: true } : {};
}

/**
 * Streams one layer as features in lon/lat on WGS 84: GDAL's GeoJSONSeq writer reprojects
 * from the layer's own CRS, or from `sourceSrs`. Row numbers are feature positions from 1.
 * A layer of TINs or PolyhedralSurfaces (`geometryType` as ogrinfo lists it), which GeoJSON
 * cannot hold, is read as MultiPolygons, each merged into its outline.
 */
export async function* readGdalLayer(
  file: string,
  layer: string,
  signal?: AbortSignal,
  /**
   * The CRS of a layer that names none (`EPSG:32749` or WKT), to reproject from; `stored`
   * reads the coordinates as the file stores them, in the CRS the layer names, unprojected.
   */
  sourceSrs?: string | 'stored',
  geometryType?: string,
): AsyncGenerator<SourceFeature> {
  const args = ['-f', 'GeoJSONSeq', '/vsistdout/', file, layer, '-lco', 'COORDINATE_PRECISION=9'];
  // GeoJSONSeq reprojects to lon/lat from the CRS it is told; told lon/lat, it keeps them
  if (sourceSrs === 'stored') args.push('-a_srs', 'EPSG:4326');
  else if (sourceSrs) args.push('-s_srs', sourceSrs, '-t_srs', 'EPSG:4326');
  // TODO: a layer of the generic type Geometry holding TIN or PolyhedralSurface rows is still
  // refused as a whole (GDAL's GeoJSON writer cannot write them): only a layer declaring the
  // type is converted, as converting every layer (-nlt MULTIPOLYGON) would make points polygons.
  const surfaces = isSurfaceType(geometryType);
  if (surfaces) args.push('-nlt', 'MULTIPOLYGON');
  const dropped = droppedOrdinates(geometryType);
  const child = spawn('ogr2ogr', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  let rowNumber = 0;
  try {
    for await (const line of lines) {
      signal?.throwIfAborted();
      if (!line.trim()) continue;
      rowNumber += 1;
      const feature = JSON.parse(line) as {
        properties?: Record<string, unknown>;
        geometry?: Geometry | null;
      };
      const properties = feature.properties ?? {};
      const geometry = surfaces
        ? mergeSurface(feature.geometry ?? null)
        : (feature.geometry ?? null);
      yield geometry
        ? { rowNumber, properties, geometry, ...dropped }
        : { rowNumber, properties, geometry };
    }
    if ((await exited) !== 0) {
      const reason = /ERROR \d+: (.*)/.exec(stderr)?.[1] ?? 'unknown error';
      const message = `GDAL could not read layer ${layer}: ${reason}`;
      throw new SourceFileError('gdal-failed', message, { reason, sourceLayer: layer });
    }
  } finally {
    lines.close();
    if (child.exitCode === null) child.kill();
  }
}
