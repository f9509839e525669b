/**
 * Exports: a layer, or the features a filter selects, written as GeoJSON, newline-delimited
 * GeoJSON, CSV, zipped Shapefile, GeoPackage or FlatGeobuf, in a chosen CRS. Rows are read
 * through a cursor and written as they come, so memory stays flat for any layer size; the
 * cursor runs on the export pool, so slow downloads cannot take the connections of the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Geometry } from 'geojson';
import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import { compileFilter } from '../cql2/compile-sql.js';
import { parseFilter } from '../cql2/parse-filter.js';
import type { Database } from '../db/pool.js';
import {
  selectCrsKind,
  selectFirstExportRow,
  streamExportRows,
  type ExportRow,
} from '../db/queries/export-features.js';
import { noConditions, type FeatureConditions } from '../db/queries/features.js';
import { closedEarly, type ExportFeature, type ExportShape } from '../formats/export-feature.js';
import { detectGdal, gdalMissingDetail } from '../formats/gdal.js';
import { parseCrsName } from '../formats/source-crs.js';
import type { CsvGeometry } from '../formats/write-csv.js';
import { writeGeoJson, writeGeoJsonSeq } from '../formats/write-geojson.js';
import { crs84, parseCrs } from '../http/crs.js';
import {
  datetimeCondition,
  equalityCondition,
  parseCheckedBbox,
  parseFilterLanguage,
} from '../http/items-query.js';
import { cancelBackendStatement } from '../db/queries/import-jobs.js';
import { badRequest, gdalMissing, HttpProblem } from '../http/problem.js';
import { translateDatabaseError } from './feature-service.js';
import { backendPidOf } from './import-cancel-watch.js';
import { isQueryTimeout } from './query-timeout.js';
import { requireLayer } from './layer-registry.js';

/** The formats an export writes: file extension, media type and title. */
export const exportFormats = {
  geojson: { extension: 'geojson', mediaType: 'application/geo+json', title: 'GeoJSON' },
  geojsonseq: {
    extension: 'geojsonl',
    mediaType: 'application/geo+json-seq',
    title: 'GeoJSON lines (newline-delimited)',
  },
  csv: { extension: 'csv', mediaType: 'text/csv; charset=utf-8', title: 'CSV (WKT or x/y)' },
  'csv-excel': {
    extension: 'csv',
    mediaType: 'text/csv; charset=utf-8',
    title: 'CSV for Excel (semicolons, decimal commas)',
  },
  shapefile: { extension: 'zip', mediaType: 'application/zip', title: 'Shapefile (zip)' },
  geopackage: {
    extension: 'gpkg',
    mediaType: 'application/geopackage+sqlite3',
    title: 'GeoPackage',
  },
  flatgeobuf: { extension: 'fgb', mediaType: 'application/flatgeobuf', title: 'FlatGeobuf' },
} as const;

export type ExportFormat = keyof typeof exportFormats;

const formatAliases: Record<string, ExportFormat> = {
  json: 'geojson',
  ndjson: 'geojsonseq',
  geojsonl: 'geojsonseq',
  shp: 'shapefile',
  zip: 'shapefile',
  gpkg: 'geopackage',
  fgb: 'flatgeobuf',
  excel: 'csv-excel',
};

/** What to export and how. */
export interface ExportRequest {
  layerId: string;
  /** A format name or its short form (shp, gpkg, fgb, ndjson). */
  format: string;
  /** Output CRS as `EPSG:code`; default EPSG:4326 (lon/lat). */
  crs?: string;
  /**
   * Only features touching this box, `minLon,minLat,maxLon,maxLat` in CRS84 or in `bboxCrs`,
   * read and checked as the feature API's `bbox` (a 400 `invalid-bbox` for a box it refuses).
   */
  bbox?: string;
  /** The CRS of `bbox`, named as the feature API's `bbox-crs`; CRS84 when not given. */
  bboxCrs?: string;
  /**
   * Only features whose attributes equal these values, each read as its attribute's type as
   * the feature API reads `?name=value` (a 400 naming the attribute for a value not of it).
   */
  where?: Record<string, string>;
  /** Only features this CQL2 filter selects, in `filterLang` (default cql2-text). */
  filter?: string;
  /** `cql2-text` or `cql2-json`, as the feature API's `filter-lang`. */
  filterLang?: string;
  /** The CRS of the filter's geometry literals, as the feature API's `filter-crs`; CRS84. */
  filterCrs?: string;
  /** Only features whose time attribute meets this instant or interval, as `datetime`. */
  datetime?: string;
  /** For CSV: geometry as WKT (default) or x/y columns (point layers). */
  csvGeometry?: CsvGeometry;
}

/** An export checked and ready to write. */
export interface PreparedExport {
  layer: LayerDefinition;
  format: ExportFormat;
  fileName: string;
  mediaType: string;
  srid: number;
  /**
   * The CRS as OGC API Features names it in `Content-Crs`: CRS84 for EPSG:4326, whose
   * coordinates every format writes longitude first, else `…/def/crs/EPSG/0/<srid>`.
   */
  crsUri: string;
  /** Writes the file to `out` (not ended: the caller ends it); `onFeature` counts progress. */
  write(out: Writable, onFeature?: (written: number) => void): Promise<void>;
  /**
   * Runs the export's query as far as its first feature, on `database.pool`, writing nothing:
   * a filter the database fails on at once is then the 400 the export would answer. A query
   * still looking for that feature at the statement timeout passes unchecked.
   */
  checkFirstRow(): Promise<void>;
}

/** A format name or alias as its canonical name; unknown names are a 400 listing the known. */
export function resolveExportFormat(name: string): ExportFormat {
  const lower = name.toLowerCase();
  // Own keys only: `constructor` or `__proto__` would otherwise find Object's prototype.
  const aliased = Object.hasOwn(formatAliases, lower) ? formatAliases[lower] : undefined;
  const format = Object.hasOwn(exportFormats, lower) ? (lower as ExportFormat) : aliased;
  if (!format) {
    const known = [...Object.keys(exportFormats), ...Object.keys(formatAliases)].join(', ');
    throw badRequest('unknown-format', `Export formats are: ${known}; got "${name}".`);
  }
  return format;
}

/** The EPSG code of `crs` (default 4326) and its kind; unknown and geocentric CRSs are a 400. */
async function resolveCrs(db: Pick<pg.Pool, 'query'>, crs: string | undefined) {
  if (!crs) return { srid: 4326, kind: 'geographic' as const };
  const parsed = parseCrsName(crs);
  const srid = parsed && 'epsg' in parsed ? parsed.epsg : undefined;
  const kind = srid === undefined ? undefined : await selectCrsKind(db, srid);
  if (srid === undefined || kind === undefined) {
    throw badRequest(
      'invalid-crs',
      `"${crs}" is not a CRS this server knows; give an EPSG code such as EPSG:4326 or EPSG:32749.`,
    );
  }
  if (kind === 'geocentric') {
    // X, Y, Z from the Earth's centre: written as flat x/y they would place nothing anywhere
    throw badRequest(
      'invalid-crs',
      `EPSG:${srid} is geocentric (X, Y, Z from the Earth's centre), which the export formats ` +
        'cannot hold; give a geographic or projected CRS such as EPSG:4326 or EPSG:32749.',
    );
  }
  return { srid, kind };
}

function filterConditions(layer: LayerDefinition, request: ExportRequest): FeatureConditions {
  const conditions = noConditions();
  const { where = {} } = request;
  const limits = { maxNodes: config.filterMaxNodes, maxDepth: 32 };
  const crsNamed = (text: string | undefined, parameter: string) =>
    text === undefined ? crs84 : parseCrs(text, parameter);
  const filterCrs = crsNamed(request.filterCrs, 'filter-crs');
  const context = { layer, params: conditions.params, filterCrs, limits };
  if (request.bbox !== undefined) {
    // the feature API's bbox, so an export selects what /items selects with the same box
    const bboxCrs = crsNamed(request.bboxCrs, 'bbox-crs');
    const box = { bbox: parseCheckedBbox(request.bbox, bboxCrs) };
    const touching = { op: 's_intersects', args: [{ property: 'geometry' }, box] };
    conditions.clauses.push(compileFilter(touching, { ...context, filterCrs: bboxCrs }));
  }
  const language = parseFilterLanguage(request.filterLang);
  if (request.filter) {
    conditions.clauses.push(compileFilter(parseFilter(request.filter, language), context));
  }
  const during = request.datetime && datetimeCondition(request.datetime, layer);
  if (during) conditions.clauses.push(compileFilter(during, context));
  for (const [name, value] of Object.entries(where)) {
    const attribute = layer.attributes.find((a) => a.name === name);
    if (!attribute) {
      const known = layer.attributes.map((a) => a.name).join(', ');
      throw badRequest(
        'unknown-attribute',
        `${layer.id} has no attribute "${name}"; known: ${known}.`,
      );
    }
    conditions.clauses.push(compileFilter(equalityCondition(attribute, value), context));
  }
  return conditions;
}

function exportShape(layer: LayerDefinition, srid: number): ExportShape {
  const columns = [
    { name: 'id', type: 'id' as const },
    ...layer.attributes.map((a) => ({ name: a.name, type: a.type })),
  ];
  return { name: layer.id, columns, geometryType: layer.geometry.type, srid };
}

/**
 * The rows as features. A filter the database fails on (a division by zero) is the 400 the
 * feature API answers, on the first row as on a later one the query reaches only when the
 * rows before it have been written.
 */
async function* toExportFeatures(
  rows: AsyncIterable<ExportRow>,
  onFeature?: (written: number) => void,
): AsyncGenerator<ExportFeature> {
  let written = 0;
  try {
    for await (const row of rows) {
      yield { id: row.id, properties: row.properties, geometry: row.geometry as Geometry };
      onFeature?.((written += 1));
    }
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/**
 * The features with the first one already fetched, so that a query the database fails at once
 * fails before a writer has written a byte of the file, as a problem instead of a file. A
 * failure on a later row reaches a streamed format's writer after the file began: the download
 * is then cut (see routes/imports.ts), and a GeoPackage or Shapefile, sent only once whole, is
 * still a problem.
 */
async function firstFetched(
  features: AsyncIterable<ExportFeature>,
): Promise<AsyncIterable<ExportFeature>> {
  const iterator = features[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rest = { [Symbol.asyncIterator]: () => iterator };
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* rest;
  })();
}

/**
 * A 501 `gdal-missing` for a Shapefile or GeoPackage export on a server without GDAL, as an
 * import of a GeoPackage answers: before any query, so HEAD says it too.
 */
function requireGdalFor(format: ExportFormat) {
  if ((format !== 'shapefile' && format !== 'geopackage') || detectGdal() !== null) return;
  const worksWithout = 'GeoJSON, GeoJSONSeq, CSV and FlatGeobuf exports';
  const title = exportFormats[format].title;
  throw gdalMissing(gdalMissingDetail(`${title} export`, worksWithout), { format: title });
}

/** 503 for an export that found every export connection busy: worth retrying shortly. */
function exportsBusy(): HttpProblem {
  const problem = new HttpProblem(
    503,
    'exports-busy',
    'Exports busy',
    'Every connection for exports is in use by other downloads; try again in half a minute.',
  );
  problem.headers['Retry-After'] = '30';
  return problem;
}

/** A connection of the export pool, waited for at most EXPORT_WAIT_MS, else `exports-busy`. */
async function connectForExport(exportPool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await exportPool.connect();
  } catch (error) {
    // pg gives up with the same error on a full pool and on a database that does not answer:
    // a full pool tells them apart.
    const max = exportPool.options.max ?? Infinity;
    if (exportPool.totalCount >= max) throw exportsBusy();
    throw error;
  }
}

/**
 * Reads the export's features through one export connection and hands them to `use`; the
 * connection is released when `use` ends. `onFeature` counts progress.
 */
type FeatureReader = (
  use: (features: AsyncIterable<ExportFeature>) => Promise<void>,
  onFeature?: (written: number) => void,
) => Promise<void>;

/** Scratch folders of the exports being written through a file in this process. */
const scratchFolders = new Set<string>();

/**
 * Removes the scratch folders of exports in progress, at once: the last act of a command
 * interrupted (Ctrl-C) mid-export, which exits without reaching their own clean-up.
 */
export function removeExportScratch() {
  for (const folder of scratchFolders) fs.rmSync(folder, { recursive: true, force: true });
  scratchFolders.clear();
}

/**
 * Writes a file in a scratch folder with `write`, then sends it to `out`. The features are read
 * while the file is written, so the database connection is free again before a slow client
 * starts to download it.
 */
async function writeThroughFile(
  out: Writable,
  write: (folder: string, target: string, signal: AbortSignal) => Promise<void>,
) {
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'simpul-export-'));
  scratchFolders.add(folder);
  // a client that hung up while GDAL converts stops GDAL, not only the query before it
  const hungUp = new AbortController();
  const abort = () => hungUp.abort(closedEarly());
  out.once('close', abort);
  try {
    const target = path.join(folder, 'export.out');
    await write(folder, target, hungUp.signal);
    await pipeline(fs.createReadStream(target), out, { end: false });
  } finally {
    out.off('close', abort);
    scratchFolders.delete(folder);
    await fs.promises.rm(folder, { recursive: true, force: true });
  }
}

/**
 * Checks an export (layer, format, CRS, filter) and returns how to write it. The checks query
 * `database.pool`; the features are read through `database.exportPool`.
 */
export async function prepareExport(
  database: Pick<Database, 'pool' | 'exportPool'>,
  request: ExportRequest,
): Promise<PreparedExport> {
  const { pool } = database;
  const layer = requireLayer(request.layerId);
  const format = resolveExportFormat(request.format);
  requireGdalFor(format);
  const { srid, kind } = await resolveCrs(pool, request.crs);
  const conditions = filterConditions(layer, request);
  const csvGeometry = request.csvGeometry ?? 'wkt';
  const isCsv = format === 'csv' || format === 'csv-excel';
  // given for another format it would be dropped without a word, the file not as asked
  if (request.csvGeometry && !isCsv) {
    throw badRequest(
      'csv-geometry-not-csv',
      `csvGeometry (${request.csvGeometry}) is for CSV exports; ${format} writes geometries ` +
        'its own way: leave it out, or export as csv.',
      { format },
    );
  }
  if (isCsv && csvGeometry === 'xy' && layer.geometry.type !== 'Point') {
    throw badRequest(
      'csv-geometry-not-points',
      `${layer.id} holds ${layer.geometry.type} geometries; x/y columns fit points only: use wkt.`,
    );
  }
  if (format === 'geojsonseq' && srid !== 4326) {
    // A GeoJSON text sequence (RFC 8142) has no place to name a CRS: readers such as GDAL take
    // its coordinates as longitude/latitude (RFC 7946), and would misplace every feature.
    throw badRequest(
      'crs-not-in-format',
      `GeoJSONSeq is always in longitude/latitude (EPSG:4326) and cannot name EPSG:${srid}; ` +
        'export GeoJSON, GeoPackage, FlatGeobuf, Shapefile or CSV in that CRS, or omit crs.',
    );
  }
  // 8 decimals of a degree is about 1 mm; 3 decimals of a metre is 1 mm
  const precision = kind === 'geographic' ? 8 : 3;
  const shape = exportShape(layer, srid);

  const readFeatures = async (
    out: Writable,
    ...[use, onFeature]: Parameters<FeatureReader>
  ): Promise<void> => {
    const client = await connectForExport(database.exportPool);
    // a client gone while this export waited for a connection: nothing to run the query for
    if (out.destroyed) {
      client.release();
      throw closedEarly();
    }
    // Exports have no statement timeout: a client gone while the query runs (or waits for a
    // lock) has it cancelled at once, rather than holding the connection until it yields rows.
    const cancelQuery = () => {
      const pid = backendPidOf(client);
      if (pid !== undefined) cancelBackendStatement(pool, pid).catch(() => undefined);
    };
    out.once('close', cancelQuery);
    let released = false;
    // The cursor may still be open, its query running, after a failure: the connection is then
    // closed, not reused.
    const release = (error?: Error) => {
      if (released) return;
      released = true;
      out.off('close', cancelQuery);
      client.release(error);
    };
    const rows = streamExportRows(client, layer, conditions, srid, precision);
    // given back once the last row is read: GDAL then converts and packs without holding it
    async function* releasedAtTheEnd() {
      yield* toExportFeatures(rows, onFeature);
      release();
    }
    try {
      await use(await firstFetched(releasedAtTheEnd()));
      release();
    } catch (error) {
      release(error as Error);
      throw error;
    }
  };
  const write = (out: Writable, onFeature?: (written: number) => void) =>
    writeFormat(format, (use) => readFeatures(out, use, onFeature), shape, csvGeometry, out);
  const checkFirstRow = async () => {
    try {
      await selectFirstExportRow(pool, layer, conditions, srid, precision);
    } catch (error) {
      // the export itself has no statement timeout: it might well have found its first row
      if (isQueryTimeout(error)) return;
      throw translateDatabaseError(error);
    }
  };
  const { extension, mediaType } = exportFormats[format];
  const suffix = srid === 4326 ? '' : `_epsg${srid}`;
  const fileName = `${layer.id}${suffix}.${extension}`;
  const crsUri = srid === 4326 ? crs84.uri : `http://www.opengis.net/def/crs/EPSG/0/${srid}`;
  return { layer, format, fileName, mediaType, srid, crsUri, write, checkFirstRow };
}

async function writeFormat(
  format: ExportFormat,
  read: FeatureReader,
  shape: ExportShape,
  csvGeometry: CsvGeometry,
  out: Writable,
) {
  switch (format) {
    case 'geojson':
      return read((features) => writeGeoJson(features, shape, out));
    case 'geojsonseq':
      return read((features) => writeGeoJsonSeq(features, out));
    // loaded when first asked for: their libraries need not sit in every server process
    case 'csv':
    case 'csv-excel': {
      const { writeCsv } = await import('../formats/write-csv.js');
      const dialect = format === 'csv' ? 'standard' : 'excel';
      return read((features) => writeCsv(features, shape, csvGeometry, out, dialect));
    }
    case 'flatgeobuf': {
      const { writeFlatGeobuf } = await import('../formats/write-flatgeobuf.js');
      return read((features) => writeFlatGeobuf(features, shape, out));
    }
    case 'shapefile': {
      const { writeShapefileZip } = await import('../formats/write-gdal.js');
      return writeThroughFile(out, (folder, target, signal) =>
        read((features) => writeShapefileZip(features, shape, folder, target, signal)),
      );
    }
    case 'geopackage': {
      const { writeGeoPackage } = await import('../formats/write-gdal.js');
      return writeThroughFile(out, (folder, target, signal) =>
        read((features) => writeGeoPackage(features, shape, folder, target, signal)),
      );
    }
  }
}
