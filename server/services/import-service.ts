/**
 * Imports: a file read as a stream, each record reprojected, mapped and validated by the one
 * feature validation (attribute rules per batch in JavaScript; geometry validity and the
 * regency extent set-wise in PostGIS once every row is bulk-loaded (COPY) into a load table),
 * then the valid rows moved into the layer in one transaction (a large append writes them there
 * while it reads, in that transaction, kept only if the checks refuse none: `EarlyWrite`). All
 * or nothing by default; or the valid rows with a report of the rest. Append or replace; either
 * can be undone from the feature history. Progress and cancellation go through the job row, so
 * any server instance can follow or stop a job.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Geometry, Position } from 'geojson';
import pg from 'pg';
import { layerDefinitions, recordTables, type LayerDefinition } from '../../layers/index.js';
import { restoringSetting } from '../db/migrations/attribute-rules.js';
import { selectOutlineBox, type StagedRowRange } from '../db/queries/feature-checks.js';
import type { Database } from '../db/pool.js';
import { quoteIdentifier } from '../db/sql.js';
import { isDatabaseUnreachable } from '../db/unreachable.js';
import {
  endImportUnlessCancelled,
  failCutOffImportJob,
  insertImportJob,
  failStaleImportJobs,
  insertRejections,
  recordJobSession,
  selectImportJob,
  updateImportProgress,
  updateImportStatus,
  updateImportStep,
  type CodedText,
  type ImportJobRow,
  type ImportNote,
  type ImportStep,
  type MessageParams,
  type RejectionRow,
} from '../db/queries/import-jobs.js';
import {
  deleteImportedFeatures,
  restoreDeletedRecords,
  restoreReplacedFeatures,
  revertUpdatedFeatures,
  selectImportHistoryState,
} from '../db/queries/import-undo.js';
import {
  copyIntoStaging,
  countUnrefusedRows,
  createSpatialIndex,
  createStagingTable,
  deleteAllFeatures,
  countFeaturesOfRefusedRowsOnly,
  deleteFeaturesMissingFrom,
  refuseStagedRows,
  selectLastStagedRow,
  dropSpatialIndex,
  dropStagingTable,
  insertIntoStaging,
  insertStagedRows,
  isLayerEmpty,
  lockLayerAgainstWriters,
  selectOrphanStagingTables,
  selectRepeatedUniqueValues,
  selectStagedValuesTaken,
  setWriterContext,
  stagingTableName,
  updateFeaturesFromStaging,
  type StagedRow,
} from '../db/queries/import-staging.js';
import type { CsvOptions } from '../formats/read-csv.js';
import {
  createGeometryTransform,
  describeCrs,
  hasZ,
  parseCrsName,
  type GeometryTransform,
} from '../formats/source-crs.js';
import {
  lonLat,
  SourceFileError,
  type OpenedSource,
  type SourceCrs,
  type SourceFeature,
} from '../formats/source-feature.js';
import { openSourceFile, type SourceFile } from '../formats/source-file.js';
import {
  badRequest,
  gdalMissing,
  HttpProblem,
  notFound,
  type FieldError,
} from '../http/problem.js';
import { log } from '../log.js';
import { applyMapping, checkMapping, suggestMapping, type FieldMapping } from './field-mapping.js';
import { stagedGeometryProblems, validateFeatures } from './feature-validation.js';
import { backendPidOf, watchForCancel } from './import-cancel-watch.js';
import { beginImportTransaction, EarlyWrite, notifyWholeLayer } from './import-early-write.js';
import { untilTileCachesHeard } from '../tiles/tile-changes.js';
import { countNoun, countTimes } from '../counted-noun.js';
import { requireLayer } from './layer-registry.js';
import type { FeatureProblem } from '../../layers/validate-attributes.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** What to import, where, and how. */
export interface ImportRequest {
  layerId: string;
  /** The file on disk, and the name it was given (its extension tells the format). */
  file: string;
  fileName: string;
  /** Layers of the file to import, in order; default the file's only layer. */
  sourceLayers?: string[];
  /** Attribute → source field, adjusting the automatic mapping by name (null: left empty). */
  mapping?: FieldMapping;
  /** `all-or-nothing` (default): one bad row and nothing is written. */
  mode?: 'all-or-nothing' | 'valid-only';
  /** `append` (default) adds features; `replace` deletes the layer's features first. */
  action?: 'append' | 'replace';
  /** Validate everything and report, but write nothing. */
  dryRun?: boolean;
  /** Text encoding of a Shapefile's `.dbf` (overriding its `.cpg`) or of a CSV. */
  encoding?: string;
  /** CRS of the file (`EPSG:32749` or WKT), required when the file declares none. */
  crs?: string;
  csv?: CsvOptions;
  /** Who imports: recorded in the job, `updated_by` and the feature history. */
  actor: string;
  /**
   * Called once the file is known unreadable whatever the options (see `isUnreadableFile`):
   * the server removes the upload then. A file given on the command line has none.
   */
  onUnreadableFile?: () => Promise<void>;
}

/** Progress of a running job, as the command line and the web show it. */
export type ImportProgress = Pick<
  ImportJobRow,
  'rowsRead' | 'rowsWritten' | 'rowsRejected' | 'fractionRead' | 'status'
> & { step: ImportStep };

/** Records validated per round trip (one validation query and one COPY per batch). */
const batchSize = 1000;
/** Batches validated and loaded at once, each on its own connection (one on embedded). */
const batchesInFlight = 2;
/**
 * Rows from which a load into an empty layer builds its spatial index after the insert, and
 * from which an append writes into the layer while it reads (`EarlyWrite`).
 */
const bulkIndexMinRows = 10000;
/** Connections an early write needs: the batches', its own, progress and a cancel's. */
const earlyWriteConnections = batchesInFlight + 3;
/** How often progress is written to the job row (and a cancel looked for). */
const progressIntervalMs = 1000;

const cancelledMessage: ImportNote = {
  code: 'cancelled',
  text: 'Cancelled; the layer was left as it was.',
};

/**
 * The message of a job its server or command stopped; the same words as a job found dead
 * (`failStaleImportJobs`), which the web sheet shows in both languages.
 */
const serverStoppedMessage: ImportNote = {
  code: 'server-stopped',
  text: 'The server or command running the import stopped; the layer was left as it was.',
};

/** The reason a job is aborted with when its process stops (`stopLocalImports`). */
const processStopping = new Error('the process running the import is stopping');

/**
 * The message of a job cut off from its database (connection terminated, database shut down
 * or unreachable); the same words as a job found dead across a restart of the database
 * (`failStaleImportJobs`). The layer is as it was: the load commits in one transaction.
 */
const connectionLostMessage: ImportNote = {
  code: 'database-connection-lost',
  text:
    'The connection to the database was lost, so the import stopped; the layer was left as it ' +
    'was. Try the import again once the database answers.',
};

/** How a job found dead ends (`failStaleImportJobs`). */
const staleJobEndings = {
  processGone: serverStoppedMessage,
  databaseRestarted: connectionLostMessage,
};

/** The reason a job is aborted with when the connection that keeps it alive is lost. */
const connectionLost = new Error('the connection keeping the import alive was lost');

/**
 * How long a job cut off from its database keeps trying to record that end, once a second:
 * a database back within it (a restart, a failover) reads the job's own outcome at once.
 */
const recordEndRetryMs = 30000;

/** Set once this process stops its imports: a job then stops waiting for its database. */
let stoppingImports = false;

/** Thrown by `runImport` when the database went away and the job's end could not be read. */
export class ImportConnectionLost extends Error {
  constructor() {
    super(connectionLostMessage.text);
  }
}

/** A job running in this process: its cancel, and when it has recorded its end. */
interface RunningJob {
  controller: AbortController;
  ended: Promise<void>;
}

/** Jobs running in this process, so a cancel asked here stops them at once. */
const runningJobs = new Map<string, RunningJob>();

/** An import checked and opened, ready to run. */
export interface PreparedImport {
  jobId: string;
  layer: LayerDefinition;
  request: Required<Pick<ImportRequest, 'mode' | 'action'>> & ImportRequest;
  file: SourceFile;
  sources: OpenedSource[];
  /** One per source, index-aligned: each layer of a file is read in its own CRS. */
  transforms: GeometryTransform[];
  mapping: FieldMapping;
  notes: ImportNote[];
}

/**
 * A reader's refusal as a 400 whose members are what its detail quotes; a format this server
 * cannot read without GDAL is a 501, as its export is: the server lacks it, not the request.
 */
export function sourceFileProblem(error: SourceFileError): HttpProblem {
  if (error.code === 'gdal-missing') return gdalMissing(error.message, error.params);
  return badRequest(error.code, error.message, error.params);
}

function toProblem(error: unknown): unknown {
  return error instanceof SourceFileError ? sourceFileProblem(error) : error;
}

/**
 * Read problems of the file itself, which no option of the import lifts: not a format read
 * here, a broken archive, JSON or `.dbf`, nothing to import inside, too large. Problems an
 * option can lift (the CRS, the encoding, the CSV columns, the layer of the file, the mapping)
 * are not among them, nor a failure of the server or of the database: the upload is kept
 * for another try then.
 */
const unreadableFileCodes = new Set([
  'unknown-format',
  'unreadable-zip',
  'zip-too-large',
  'empty-zip',
  'no-shapefile',
  'unreadable-dbf',
  'unreadable-shp',
  'unreadable-json',
  'not-geojson',
  'unreadable-kml',
  'kml-link-not-read',
  'unreadable-flatgeobuf',
  'empty-file',
  'empty-upload',
  'file-too-large',
  'gdal-failed',
  'unreadable-geopackage',
  'empty-geopackage',
]);

/** True when `error` says the file cannot be read whatever the import's options. */
export function isUnreadableFile(error: unknown): boolean {
  if (error instanceof SourceFileError) return unreadableFileCodes.has(error.code);
  return error instanceof HttpProblem && unreadableFileCodes.has(error.type);
}

/**
 * Lets the request's owner drop a file found unreadable; true when it did. The answer then
 * says so, so the caller sends a corrected file rather than retrying with other options.
 */
async function dropUnreadableFile(request: ImportRequest, error: unknown): Promise<boolean> {
  if (!request.onUnreadableFile || !isUnreadableFile(error)) return false;
  try {
    await request.onUnreadableFile();
    return true;
  } catch (failure) {
    log.warn({ err: failure, file: request.fileName }, 'unreadable upload not removed');
    return false;
  }
}

const droppedNote = 'The uploaded file was removed: send a corrected one.';

/** The 400 of a file read problem, saying when the upload was removed for it. */
async function readProblem(request: ImportRequest, error: unknown): Promise<unknown> {
  const problem = toProblem(error);
  if (!(problem instanceof HttpProblem) || !(await dropUnreadableFile(request, error))) {
    return problem;
  }
  const extra = { ...problem.extra, uploadRemoved: true };
  return badRequest(problem.type, `${problem.detail} ${droppedNote}`, extra);
}

/** Records sampled to tell coordinates read in the wrong coordinate system. */
const crsSampleSize = 20;

/** The first geometries of the source (`crsSampleSize`), read once for the CRS checks. */
async function sampleGeometries(source: Pick<OpenedSource, 'features'>): Promise<Geometry[]> {
  const sample: Geometry[] = [];
  for await (const record of source.features()) {
    if (sample.length >= crsSampleSize) break;
    if (record.geometry) sample.push(record.geometry);
  }
  return sample;
}

/** Where `read` puts a geometry (its first position); undefined when it cannot. */
function placeOf(geometry: Geometry, read: GeometryTransform): Position | undefined {
  try {
    return firstPosition(read(geometry));
  } catch {
    return undefined;
  }
}

/**
 * The CRS the file itself names, described, when it differs from the CRS given (`transform`
 * reads in): both read the file's first geometry to the same place within 1 mm, or they differ
 * (a `.prj` and an EPSG code may name one CRS in other words). Undefined when the file names
 * none (lon/lat implied) or names the same. A CRS given that puts the sampled features outside
 * the regency where the file's own puts them inside is refused, naming both.
 */
async function fileCrsOverridden(
  db: Queryable,
  source: OpenedSource,
  sample: Geometry[],
  transform: GeometryTransform,
  given: SourceCrs,
): Promise<string | undefined> {
  if (!source.crs || source.crs === lonLat) return undefined;
  const named = describeCrs(source.crs);
  const fileTransform = await createGeometryTransform(db, source.crs).catch(() => undefined);
  if (!fileTransform || sample.length === 0) return named;
  const same = samePlace(placeOf(sample[0]!, transform), placeOf(sample[0]!, fileTransform));
  if (same) return undefined;
  await refuseCrsMisplacingFeatures(db, sample, { transform, given }, { fileTransform, named });
  return named;
}

/** True when two places are one within 1e-8° (1 mm), as two names of one CRS put them. */
function samePlace(a: Position | undefined, b: Position | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    Math.abs(a[0]! - b[0]!) < 1e-8 &&
    Math.abs(a[1]! - b[1]!) < 1e-8
  );
}

/** How far outside the regency's bounding box a sampled feature still counts as near, in °. */
const regencyMarginDegrees = 0.1;

/** "the first feature" or "the first 5 features" of a sample, for the texts below. */
function firstFeatures(sampled: number): string {
  return sampled === 1 ? 'the first feature' : `the first ${sampled} features`;
}

function firstFeaturesLand(sampled: number): string {
  return `${firstFeatures(sampled)} ${sampled === 1 ? 'lands' : 'land'}`;
}

function theyLand(sampled: number): string {
  return sampled === 1 ? 'it lands' : 'they land';
}

/**
 * Where `transform` puts the first sampled feature, when it puts none of the sample near the
 * regency while `fitting` puts some in it: every row would then be rejected as outside.
 * Undefined when it does not misplace them, or when no layer outlines the regency.
 */
async function misplacedExample(
  db: Queryable,
  sample: Geometry[],
  transform: GeometryTransform,
  fitting: GeometryTransform,
  /** The same features as `sample`, read otherwise (as stored), for `fitting` to read. */
  fittingSample: Geometry[] = sample,
): Promise<string | undefined> {
  const asRead = sample.map((geometry) => placeOf(geometry, transform));
  const asFitting = fittingSample.map((geometry) => placeOf(geometry, fitting));
  // Read alike (lon/lat GeoJSON read as lon/lat, most files) they cannot disagree: then no
  // query, and an import starts without reading the regency outline.
  if (asRead.every((place, i) => samePlace(place, asFitting[i]))) return undefined;

  const outlines = layerDefinitions.filter((l) => l.regencyOutline);
  if (outlines.length === 0) return undefined;
  const box = await selectOutlineBox(db, outlines);
  if (!box) return undefined;
  const near = (place?: Position) =>
    place !== undefined &&
    place[0]! >= box.minX - regencyMarginDegrees &&
    place[0]! <= box.maxX + regencyMarginDegrees &&
    place[1]! >= box.minY - regencyMarginDegrees &&
    place[1]! <= box.maxY + regencyMarginDegrees;
  if (asRead.some(near) || !asFitting.some(near)) return undefined;
  return (asRead.find((p) => p) ?? [])
    .slice(0, 2)
    .map((n) => n.toFixed(5))
    .join(', ');
}

/**
 * Refuses a CRS given over the file's own when, read in it, none of the sampled features lies
 * near the regency while, read in the file's, some do.
 */
async function refuseCrsMisplacingFeatures(
  db: Queryable,
  sample: Geometry[],
  { transform, given }: { transform: GeometryTransform; given: SourceCrs },
  { fileTransform, named }: { fileTransform: GeometryTransform; named: string },
) {
  const example = await misplacedExample(db, sample, transform, fileTransform);
  if (example === undefined) return;
  const crs = describeCrs(given);
  throw badRequest(
    'crs-misplaces-features',
    `Read in ${crs}, as crs says, ${firstFeaturesLand(sample.length)} outside the regency ` +
      `(such as ${example}); read in ${named}, which the file names, ` +
      `${theyLand(sample.length)} in it. Leave crs out to read the file in its own.`,
    { crs, fileCrs: named, sampled: sample.length, example },
  );
}

/**
 * Refuses to read a source in `crs` (given, or named by a GeoJSON's legacy `crs` member) when
 * that puts the sampled features outside the regency where the CRS of its format (lon/lat for
 * GeoJSON and KML) puts them in it. A file whose own CRS the format fixes names no other, so
 * the check against the file's own (`fileCrsOverridden`) cannot catch this.
 */
async function refuseCrsMisplacingFormatFeatures(
  db: Queryable,
  source: OpenedSource,
  sample: Geometry[],
  { transform, crs, given }: { transform: GeometryTransform; crs: SourceCrs; given: boolean },
) {
  if (!source.formatCrs || source.crsApplied) return;
  const fitting = await createGeometryTransform(db, source.formatCrs);
  const example = await misplacedExample(db, sample, transform, fitting);
  if (example === undefined) return;
  const read = describeCrs(crs);
  const formatCrs = describeCrs(source.formatCrs);
  const how = given ? 'as crs says' : 'which the file names';
  throw badRequest(
    'crs-misplaces-features',
    `Read in ${read}, ${how}, ${firstFeaturesLand(sample.length)} outside the regency ` +
      `(such as ${example}); read in ${formatCrs}, the CRS of the format, ` +
      `${theyLand(sample.length)} in it. ` +
      `Give crs ${formatCrs} to read them in that.`,
    {
      code: given ? 'format-crs-given' : 'format-crs-named',
      crs: read,
      formatCrs,
      sampled: sample.length,
      example,
    },
  );
}

/** The note of a CRS given: read as asked, and instead of the file's own when it names another. */
function crsGivenNote(given: SourceCrs, fileCrs: string | undefined): ImportNote {
  const crs = describeCrs(given);
  if (!fileCrs)
    return { code: 'crs-given', params: { crs }, text: `Coordinates read in ${crs}, as asked.` };
  // a file naming a wrong CRS (a .prj copied from another file) is read as the user says
  return {
    code: 'crs-given-over-file',
    params: { crs, fileCrs },
    text: `Coordinates read in ${crs}, as asked, not in ${fileCrs} that the file names.`,
  };
}

/**
 * The CRS to read the file in: the one given, else the one it names (see `crsGivenNote`).
 * `others` are the layers of the file imported with `source`.
 */
function resolveCrs(
  request: ImportRequest,
  source: OpenedSource,
  format: string,
  notes: ImportNote[],
  others: readonly OpenedSource[],
) {
  if (request.crs && source.reprojected) {
    throw badRequest(
      'crs-not-applicable',
      `${source.name} names its coordinate system, from which GDAL reads it into ` +
        'longitude/latitude: leave crs out.',
      { sourceLayer: source.name, crs: request.crs },
    );
  }
  // the reader reprojected from the crs given: its coordinates are lon/lat now
  if (request.crs && source.crsApplied && source.crs) return source.crs;
  if (request.crs) {
    const given = parseCrsName(request.crs);
    if (!given) {
      throw badRequest(
        'invalid-crs',
        `"${request.crs}" is not a CRS; give an EPSG code such as EPSG:32749 or EPSG:4326.`,
        { crs: request.crs },
      );
    }
    return given;
  }
  if (source.crs) return source.crs;
  if (format === 'csv') {
    const text = 'The CSV names no CRS: coordinates read as longitude/latitude (EPSG:4326).';
    notes.push({ code: 'csv-crs-assumed', text });
    return lonLat;
  }
  // `shapefile` (the .shp without .prj) lets a client word the problem in its own language
  const shapefile = format === 'shapefile' ? `${source.name}.shp` : undefined;
  const examples =
    'e.g. EPSG:32749 for UTM zone 49S or EPSG:4326 for longitude/latitude; ' +
    'Simpul never guesses it.';
  if (!shapefile && others.some((other) => other.reprojected)) {
    // a crs given would be refused for the layer GDAL reads in its own: one job cannot do both
    throw badRequest(
      'missing-crs',
      `The layer "${source.name}" names no coordinate system, unlike the layers imported ` +
        `with it: import it on its own, saying which it is (crs), ${examples}`,
      { sourceLayer: source.name },
    );
  }
  const what = shapefile ? `${shapefile} has no .prj file, so its` : 'Its';
  throw badRequest(
    'missing-crs',
    `${what} coordinate system is unknown. Say which it is (crs), ${examples}`,
    shapefile ? { shapefile } : undefined,
  );
}

/** The first position of a geometry, or undefined for an empty one. */
function firstPosition(geometry: Geometry): Position | undefined {
  if (geometry.type === 'GeometryCollection') {
    for (const part of geometry.geometries) {
      const found = firstPosition(part);
      if (found) return found;
    }
    return undefined;
  }
  let coordinates: unknown = geometry.coordinates;
  while (Array.isArray(coordinates) && Array.isArray(coordinates[0])) coordinates = coordinates[0];
  return Array.isArray(coordinates) && coordinates.length >= 2
    ? (coordinates as Position)
    : undefined;
}

/**
 * Refuses a file whose first geometries all land outside longitude/latitude once read in
 * `crs`: projected coordinates (metres of UTM) in a CSV that names no CRS, or in a file said
 * to be EPSG:4326. Without this every row would be rejected one by one, a report of the whole
 * file saying the same thing. A file with a few bad rows among good ones is not refused: those
 * rows are rejected as usual.
 */
function refuseCoordinatesOutsideCrs(
  sample: Geometry[],
  transform: GeometryTransform,
  crs: SourceCrs,
  /** The CRS the file names, when a given one was read instead. */
  fileCrs?: string,
) {
  const inDegrees = (geometry: Geometry) => {
    const [x, y] = placeOf(geometry, transform) ?? [];
    return Math.abs(x ?? NaN) <= 180 && Math.abs(y ?? NaN) <= 90;
  };
  if (sample.length === 0 || sample.some(inDegrees)) return;
  const sampled = sample.length;
  const example = (firstPosition(sample[0]!) ?? []).slice(0, 2).join(', ');
  const read =
    `The coordinates of ${firstFeatures(sampled)} (such as ${example}) are not ` +
    `longitude/latitude once read in ${describeCrs(crs)}.`;
  if (fileCrs) {
    throw badRequest(
      'coordinates-outside-crs',
      `${read} The file itself names ${fileCrs}: leave crs out to read them in that.`,
      { sampled, example, crs: describeCrs(crs), fileCrs },
    );
  }
  // latitude in the longitude column and longitude in the latitude one, as a reading
  // of that CRS: no CRS given would help, the columns are to be swapped
  const swapped = (geometry: Geometry) => {
    const [x, y] = placeOf(geometry, transform) ?? [];
    return Math.abs(y ?? NaN) <= 180 && Math.abs(x ?? NaN) <= 90;
  };
  if ('epsg' in crs && crs.epsg === 4326 && sample.every(swapped)) {
    throw badRequest(
      'coordinates-outside-crs',
      `${read} They look like latitude and longitude swapped: give the longitude as x and ` +
        'the latitude as y (--x-column and --y-column, csv.xColumn and csv.yColumn).',
      { sampled, example, crs: describeCrs(crs), code: 'swapped' },
    );
  }
  throw badRequest(
    'coordinates-outside-crs',
    `${read} Say which coordinate system they are in (crs), e.g. EPSG:32749 for UTM zone 49S.`,
    { sampled, example, crs: describeCrs(crs) },
  );
}

/** Records read to learn the fields of formats that do not declare them (GeoJSON, KML). */
const fieldSampleSize = 100;

/** The source's fields: declared, or gathered from its first records. */
export async function fieldsOf(source: OpenedSource): Promise<string[]> {
  if (source.fields.length > 0) return source.fields;
  const fields = new Set<string>();
  let read = 0;
  for await (const record of source.features()) {
    for (const key of Object.keys(record.properties)) fields.add(key);
    if ((read += 1) >= fieldSampleSize) break;
  }
  return [...fields];
}

/** Refuses a source layer named twice, whose rows would otherwise be imported twice. */
function refuseRepeatedSourceLayer(names: readonly string[]) {
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated === undefined) return;
  throw badRequest(
    'repeated-source-layer',
    `The source layer "${repeated}" is named twice; name each layer of the file once.`,
    { sourceLayer: repeated },
  );
}

async function openSources(file: SourceFile, request: ImportRequest) {
  refuseRepeatedSourceLayer(request.sourceLayers ?? []);
  const names = request.sourceLayers?.length ? request.sourceLayers : [undefined];
  const options = { encoding: request.encoding, csv: request.csv, crs: request.crs };
  const sources: OpenedSource[] = [];
  for (const name of names) sources.push(await file.open(name, options));
  return sources;
}

/**
 * Refuses to read a source in the CRS it names (a `.prj` of metres) when that puts the sampled
 * features outside the regency where longitude/latitude puts them in it: a `.prj` copied onto
 * lon/lat coordinates, each row of which would else be rejected as thousands of km outside.
 */
async function refuseFileCrsMisplacingLonLat(
  db: Queryable,
  source: OpenedSource,
  sample: Geometry[],
  { transform, crs }: { transform: GeometryTransform; crs: SourceCrs },
) {
  if (!source.crs || source.crs === lonLat || source.formatCrs) return;
  if (source.reprojected || source.crsApplied) return;
  const fitting = await createGeometryTransform(db, lonLat);
  const example = await misplacedExample(db, sample, transform, fitting);
  if (example === undefined) return;
  const read = describeCrs(crs);
  const formatCrs = describeCrs(lonLat);
  throw badRequest(
    'crs-misplaces-features',
    `Read in ${read}, which the file names, ${firstFeaturesLand(sample.length)} outside the ` +
      `regency (such as ${example}); read as longitude/latitude (${formatCrs}), ` +
      `${theyLand(sample.length)} in it: the file names a wrong coordinate system. ` +
      `Give crs ${formatCrs} to read them in that.`,
    { code: 'file-crs-lon-lat', crs: read, formatCrs, sampled: sample.length, example },
  );
}

/**
 * Refuses a layer that GDAL reprojects from the CRS it names (a GeoPackage's) when that puts
 * the sampled features outside the regency while its stored coordinates, read as
 * longitude/latitude, put them in it: a CRS of metres assigned to lon/lat coordinates, each
 * row of which would else be rejected as outside. A crs given cannot mend it (GDAL reads the
 * CRS the layer names): the layer must name the right one.
 */
async function refuseLayerCrsMisplacingLonLat(
  db: Queryable,
  source: OpenedSource,
  sample: Geometry[],
  transform: GeometryTransform,
) {
  if (!source.stored || sample.length === 0) return;
  const { crsName, features } = source.stored;
  const stored = await sampleGeometries({ features });
  const example = await misplacedExample(db, sample, transform, transform, stored);
  if (example === undefined) return;
  const formatCrs = describeCrs(lonLat);
  throw badRequest(
    'crs-misplaces-features',
    `Read in ${crsName}, which the layer "${source.name}" names, ` +
      `${firstFeaturesLand(sample.length)} outside the regency (such as ${example}); read as ` +
      `longitude/latitude (${formatCrs}), ${theyLand(sample.length)} in it: the layer names a ` +
      `wrong coordinate system. Set its CRS to ${formatCrs} in the GIS (in QGIS: Layer ` +
      'Properties, Source, Assigned CRS) and export it again.',
    {
      code: 'layer-crs-lon-lat',
      crs: crsName,
      formatCrs,
      sourceLayer: source.name,
      sampled: sample.length,
      example,
    },
  );
}

/**
 * The transform of one source from the CRS it is read in (the one given, else its own), once
 * the CRS checks have passed on its first geometries; the notes it warrants join `notes`.
 */
async function prepareTransform(
  db: Queryable,
  request: ImportRequest,
  source: OpenedSource,
  format: string,
  notes: ImportNote[],
  others: readonly OpenedSource[],
): Promise<GeometryTransform> {
  const crs = resolveCrs(request, source, format, notes, others);
  const transform = await createGeometryTransform(db, crs);
  const sample = await sampleGeometries(source);
  const overridden = request.crs
    ? await fileCrsOverridden(db, source, sample, transform, crs)
    : undefined;
  if (request.crs && !source.crsApplied) addNote(notes, crsGivenNote(crs, overridden));
  refuseCoordinatesOutsideCrs(sample, transform, crs, overridden);
  const given = request.crs !== undefined;
  await refuseCrsMisplacingFormatFeatures(db, source, sample, { transform, crs, given });
  if (!given) await refuseFileCrsMisplacingLonLat(db, source, sample, { transform, crs });
  await refuseLayerCrsMisplacingLonLat(db, source, sample, transform);
  return transform;
}

/** Adds `note` unless the same text is there (several layers read alike say it once). */
function addNote(notes: ImportNote[], note: ImportNote) {
  if (!notes.some((n) => n.text === note.text)) notes.push(note);
}

/**
 * Checks an import before it starts: the layer, the file and its layers, the CRS and the
 * mapping. Problems are 400s the caller can fix; nothing is recorded yet.
 */
export async function prepareImport(
  db: Queryable,
  request: ImportRequest,
): Promise<PreparedImport> {
  const layer = requireLayer(request.layerId);
  const file = await openSourceFile(request.file, request.fileName).catch(async (e) => {
    throw await readProblem(request, e);
  });
  try {
    const sources = await openSources(file, request);
    const notes = sources.flatMap((s) => s.notes);
    const transforms: GeometryTransform[] = [];
    for (const source of sources) {
      const others = sources.filter((other) => other !== source);
      transforms.push(await prepareTransform(db, request, source, file.format, notes, others));
    }

    const fields = [...new Set((await Promise.all(sources.map(fieldsOf))).flat())];
    const mapping = suggestMapping(layer, fields, request.mapping);
    checkMapping(layer, mapping, fields);
    const full = {
      ...request,
      mode: request.mode ?? 'all-or-nothing',
      action: request.action ?? 'append',
    };
    const jobId = randomUUID();
    return { jobId, layer, request: full, file, sources, transforms, mapping, notes };
  } catch (error) {
    await file.close();
    throw await readProblem(request, error);
  }
}

/**
 * A source record as the validation expects it: reprojected by `transform` (its source's),
 * 2D, attributes mapped.
 */
function toValidationInput(
  prepared: PreparedImport,
  transform: GeometryTransform,
  record: SourceFeature,
  counters: Counters,
) {
  let geometry: Geometry | null = record.geometry;
  if (geometry) {
    if (record.mDropped) counters.mDropped += 1;
    // a reader telling a measure from a Z says whether Z values came (`POINT M` holds none)
    const zRead = record.mDropped ? record.zDropped : record.zDropped || hasZ(geometry);
    if (zRead) counters.zDropped += 1;
    try {
      geometry = transform(geometry);
    } catch {
      // a geometry proj4 cannot transform is left for the validation to refuse
    }
  }
  // only a CSV writes numbers with a decimal comma, and a CSV is a file's one source
  const format = { decimalComma: prepared.sources[0]!.decimalComma };
  const properties = applyMapping(prepared.layer, prepared.mapping, record.properties, format);
  return { geometry, properties };
}

/** The attribute record tables (surveys, inspections) use to refer to the layer's features. */
function recordParentKey(layer: LayerDefinition): string | undefined {
  return recordTables.find((table) => table.parent?.layerId === layer.id)?.parent?.attribute;
}

/** The validation names a batch position (`feature #3 of this request`); a person wants the row. */
function inFileTerms(message: string, records: SourceFeature[]): string {
  return message.replace(/feature #(\d+) of this request/, (text, index: string) => {
    const row = records[Number(index)]?.rowNumber;
    return row === undefined ? text : `row ${row} of this file`;
  });
}

/**
 * The validation's problems, a row whose geometry its reader could not read (a CSV's WKT)
 * rejected for that, not for having none.
 */
function withUnreadableGeometries<T extends FieldError>(
  errors: T[],
  records: SourceFeature[],
): (T | FieldError)[] {
  if (!records.some((r) => r.geometryUnreadable)) return errors;
  const unreadable = (index: number | undefined) =>
    index !== undefined && records[index]?.geometryUnreadable !== undefined;
  const others = errors.filter((e) => e.field !== 'geometry' || !unreadable(e.index));
  const found = records.flatMap(({ geometryUnreadable }, index) =>
    geometryUnreadable === undefined
      ? []
      : [{ index, field: 'geometry', code: 'geometry-unreadable', message: geometryUnreadable }],
  );
  return [...others, ...found].sort((a, b) => a.index! - b.index!);
}

/** A validation problem with the figures `FeatureProblem` adds for translated text. */
type ValidationProblem = FieldError &
  Pick<FeatureProblem, 'otherField' | 'outsideM' | 'toleranceM' | 'invalidReason'>;

/** Longest value quoted in a rejection's params, in characters. */
const quotedValueMaxLength = 200;

/**
 * What a rejection's translated text may quote: the value refused (mapped, as validated), the
 * other attribute of a rule across two, how far outside the regency and how far is accepted,
 * and what PostGIS found wrong with an invalid geometry (in its own English words).
 */
function rejectionParams(problem: ValidationProblem, value: unknown): MessageParams | undefined {
  const params: MessageParams = {};
  if (problem.field !== 'geometry' && value !== undefined && value !== null) {
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    params.value = typeof value === 'number' ? value : text.slice(0, quotedValueMaxLength);
  }
  if (problem.otherField) params.otherField = problem.otherField;
  if (problem.outsideM !== undefined) params.outsideM = problem.outsideM;
  if (problem.toleranceM !== undefined) params.toleranceM = problem.toleranceM;
  if (problem.invalidReason) params.invalidReason = problem.invalidReason;
  return Object.keys(params).length > 0 ? params : undefined;
}

/** A problem of the validation as a rejected row, its reason in file terms. */
function toRejection(
  problem: ValidationProblem,
  records: SourceFeature[],
  inputs: { properties: Record<string, unknown> }[],
): RejectionRow {
  const index = problem.index!;
  const value = inputs[index]?.properties[problem.field];
  return {
    row: records[index]!.rowNumber,
    field: problem.field,
    reason: inFileTerms(problem.message, records),
    code: problem.code,
    params: rejectionParams(problem, value),
  };
}

/** The note of one layer of a file read with others: the rows numbered for it. */
function rowsOfSourceNote(name: string, firstRow: number, lastRow: number): ImportNote {
  const text = `${name}: rows ${firstRow}–${lastRow}.`;
  return { code: 'source-layer-rows', params: { sourceLayer: name, firstRow, lastRow }, text };
}

interface Counters {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  zDropped: number;
  mDropped: number;
}

function noneCounted(): Counters {
  return { rowsRead: 0, rowsWritten: 0, rowsRejected: 0, zDropped: 0, mDropped: 0 };
}

class ImportCancelled extends Error {}

/** An all-or-nothing import finding, as it writes, unique values stored while it ran. */
class ValuesTakenMeanwhile extends Error {
  constructor(readonly rejections: RejectionRow[]) {
    super('unique values stored by another writer while the import ran');
  }
}

// TODO: an import is still slower than GDAL's ogr2ogr loading the same file into the same
// database (`npm run bench -- import`, ratios from one run, which move by a tenth with the load
// of the machine): 1.7× on 100,000 road segments from GeoJSON (2.62 s against 1.54 s), 4.51×
// from a zipped Shapefile (3.16 s against 0.7 s), 1.35× on a million points (12.97 s against
// 9.58 s). On a machine about half as fast they were 1.44×, 4.33× and 1.12×: Simpul's fixed
// costs (starting Node) weigh more beside a shorter load. Processor time on that machine,
// Shapefile: Simpul's Node 8.3 s and PostgreSQL 7.5 s, where ogr2ogr took 1.3 s and
// PostgreSQL 2.3 s; both cores are busy, so the wall time is about half their sum, and either
// side alone outlasts ogr2ogr's whole load. The layer's own machinery alone outlasts ogr2ogr's
// whole Shapefile load: inserting
// 100,000 road segments in one statement takes 0.94 s (the geodesic length 0.23 s, the Web
// Mercator copy 0.15 s, the history rows 0.26 s), the two GiST indexes 0.26 s more. Measured and
// dropped: writing early from the first batch instead of the 10,000th row (no difference), COPY
// straight into the layer instead of a load table (0.92 s against 0.94 s), ST_Length on
// geography for the length (0.28 s against 0.2 s). The text-limit CHECKs of a layer cost
// about 15 ms per 100,000 rows (five of them on road_segment, evaluated apart).
// ogr2ogr checks nothing, keeps no history and fills a new table. Both cores are busy already:
// per 100,000 road segments, 0.3 s to start, then 1.3 s of reading in which Node (JSON parsing,
// the attribute rules, WKB and COPY text: 1.5 s of processor time) runs beside PostgreSQL
// loading the load table and writing the rows early into the layer (1.15 s: the row with its
// geodesic length and Web Mercator copy, 0.2 s of it ST_Transform, its indexes, the history
// 0.35 s); then 0.25 s of writing that fell behind and the GiST indexes (0.3 s), beside the
// geometry and uniqueness checks over the load table (0.35 s). On a million points the reading
// takes 7.2 s, then the GiST indexes 2.8 s beside the checks (1.4 s). A Shapefile adds about
// 0.7 s: unzipping to disk (0.2 s), and reading the .shp and .dbf in JavaScript (dbffile
// decodes each value through a new iconv-lite decoder: 0.75 s for the .dbf of 100,000 roads).
// A hand-written .dbf decoder and WKB encoder saved 0.37 s and 0.15 s but copied what those
// libraries do, and were taken out. Reading it through GDAL (ogr2ogr to GeoJSONSeq) was
// measured and dropped: GDAL takes 1 s of processor time to write what Node then parses again.
// What would close more of the gap: a history row per bulk statement instead of per feature
// (ids kept as ranges), and a cheaper Web Mercator copy.

/**
 * Row numbers of the load table checked per query for geometry problems: their rejections are
 * then recorded, at most this many, before the next range is read.
 */
const geometryCheckRows = 10000;

/** Runs one job to its end; what the job row says at the end is returned. */
class ImportRun {
  readonly counters: Counters = noneCounted();
  readonly table: string;
  private step: ImportStep = 'reading';
  private lastFlush = Date.now();
  private source: OpenedSource | undefined;
  private readonly sourceNotes: ImportNote[] = [];
  private rowsSent = 0;
  private earlyWrite: EarlyWrite | undefined;
  private earlyWriteTried = false;
  private earlyWriteKept = false;
  /** Rows the checks after loading removed that had passed before (they void an early write). */
  private rowsRemovedAfterLoad = 0;

  constructor(
    readonly pool: pg.Pool,
    readonly prepared: PreparedImport,
    readonly signal: AbortSignal,
    readonly load: typeof copyIntoStaging,
    /** False on the embedded database: one session, so a statement cannot be cancelled. */
    readonly canCancelStatements: boolean,
    readonly onProgress?: (progress: ImportProgress) => void,
  ) {
    this.table = stagingTableName(prepared.jobId);
  }

  private progress(status: ImportProgress['status'] = 'running'): ImportProgress {
    const fractionRead = this.source?.fractionRead?.() ?? null;
    const { rowsRead, rowsWritten, rowsRejected } = this.counters;
    return { rowsRead, rowsWritten, rowsRejected, fractionRead, status, step: this.step };
  }

  private async enterStep(step: ImportStep) {
    this.step = step;
    await updateImportStep(this.pool, this.prepared.jobId, step);
    this.onProgress?.(this.progress());
  }

  /**
   * Runs `work`, one or more long statements on `client`, so that a cancel stops it within a
   * second instead of at its end: the statement running is cancelled (it fails with
   * "canceling statement"), and ImportCancelled is thrown once no cancel can reach the
   * session any more, so the caller's ROLLBACK, or whatever it runs next, is never cancelled.
   */
  private async cancellable<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
    const backendPid = this.canCancelStatements ? backendPidOf(client) : undefined;
    const watch = watchForCancel(this.pool, this.prepared.jobId, this.signal, backendPid);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await watch.stop();
      throw watch.cancelled ? new ImportCancelled() : error;
    }
    await watch.stop();
    if (watch.cancelled) throw new ImportCancelled();
    return result;
  }

  private async flush(force = false) {
    if (!force && Date.now() - this.lastFlush < progressIntervalMs) return;
    this.lastFlush = Date.now();
    const progress = this.progress();
    this.onProgress?.(progress);
    const cancelAsked = await updateImportProgress(this.pool, this.prepared.jobId, progress);
    if (cancelAsked || this.signal.aborted) throw new ImportCancelled();
  }

  private async reject(db: Queryable, rejections: RejectionRow[]) {
    await insertRejections(db, this.prepared.jobId, rejections);
    this.counters.rowsRejected += new Set(rejections.map((r) => r.row)).size;
  }

  /**
   * Validates a batch of one source, read by its `transform`, records its rejected rows and
   * loads them all, in one transaction.
   */
  private async processBatch(records: SourceFeature[], transform: GeometryTransform) {
    const client = await this.pool.connect();
    let valid = 0;
    try {
      await client.query('BEGIN');
      // PostGIS functions are declared costly, so PostgreSQL would JIT-compile small queries:
      // measured 200 ms of compiling for 12 ms of work per 1000 points.
      await client.query('SET LOCAL jit = off');
      valid = await this.validateAndLoad(client, records, transform);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    // counted together once loaded, so that progress never shows more written than read
    this.counters.rowsRead += records.length;
    this.counters.rowsWritten += valid;
  }

  /** Validates and loads a batch; returns how many of its rows are valid. */
  private async validateAndLoad(
    client: pg.PoolClient,
    records: SourceFeature[],
    transform: GeometryTransform,
  ) {
    const { layer, request } = this.prepared;
    const toInput = (r: SourceFeature) =>
      toValidationInput(this.prepared, transform, r, this.counters);
    const inputs = records.map(toInput);
    // Validity and the regency extent are checked later over the whole load table at once
    // (rejectGeometryProblems): a query per batch cost more than the rest of the reading.
    const validated = await validateFeatures(client, layer, inputs, {
      mode: 'create',
      unknownAttributes: 'ignore',
      geometryChecks: 'later',
      layerKnownEmpty: this.earlyWrite?.fillsEmptyLayer,
    });
    const { features } = validated;
    const errors = withUnreadableGeometries(validated.errors, records);
    // A replace empties the layer first, so values held by today's features are free then;
    // repeats inside the file are found over the whole load table (rejectRepeatedValues).
    const relevant =
      request.action === 'replace' ? errors.filter((e) => e.code !== 'not-unique') : errors;

    const refused = new Set(relevant.map((e) => e.index!));
    const rejections = relevant.map((e) => toRejection(e, records, inputs));
    await this.reject(client, rejections);

    // Refused rows are loaded too, without values, so their geometry problems are reported;
    // a replace by key keeps a valid key, so that the feature of a refused row stays.
    const key = request.action === 'replace' ? recordParentKey(layer) : undefined;
    const keyRefused = new Set(relevant.filter((e) => e.field === key).map((e) => e.index!));
    const refusedValues = (values: Record<string, unknown>, index: number) =>
      key && !keyRefused.has(index) && key in values ? { [key]: values[key] } : {};
    const staged: StagedRow[] = features.map((feature, index) => ({
      rowNumber: records[index]!.rowNumber,
      values: refused.has(index) ? refusedValues(feature.values, index) : feature.values,
      geometry: feature.geometry,
      refused: refused.has(index),
    }));
    await this.load(client, this.table, layer, staged);
    return staged.length - refused.size;
  }

  /**
   * Reads every source, two batches in flight on two connections: while the database loads
   * one batch, the next is validated and the one after parsed, so reading, checking and the
   * database work overlap instead of adding up. Batches may reach the load table out of
   * order; the layer receives its rows sorted by row number.
   */
  private async readAll() {
    const inFlight: { sent: Promise<void>; lastRow: number }[] = [];
    const awaitOldest = async () => {
      const oldest = inFlight.shift()!;
      await oldest.sent;
      // batches are awaited in the order sent: every row up to this one's last is loaded
      this.earlyWrite?.loaded(oldest.lastRow);
    };
    const send = async (batch: SourceFeature[], transform: GeometryTransform) => {
      if (inFlight.length >= batchesInFlight) await awaitOldest();
      const sent = this.processBatch(batch, transform);
      // handled where it is awaited; this only keeps Node from calling it unhandled meanwhile
      sent.catch(() => undefined);
      inFlight.push({ sent, lastRow: batch.at(-1)?.rowNumber ?? 0 });
      this.rowsSent += batch.length;
      await this.flush();
      if (this.shouldWriteEarly()) {
        // the load table is indexed and the layer maybe locked with no batch between
        while (inFlight.length > 0) await awaitOldest();
        await this.startEarlyWrite();
      }
      if (this.earlyWrite && this.isRejectedWhole()) await this.abandonEarlyWrite();
    };
    // Several layers of one file are numbered on from one another, so a row names one record.
    let offset = 0;
    const several = this.prepared.sources.length > 1;
    try {
      for (const [index, source] of this.prepared.sources.entries()) {
        this.source = source;
        // a batch holds rows of one source only, all read in its CRS
        const transform = this.prepared.transforms[index]!;
        let batch: SourceFeature[] = [];
        let last = offset;
        for await (const record of source.features(this.signal)) {
          last = record.rowNumber + offset;
          batch.push(several ? { ...record, rowNumber: last } : record);
          if (batch.length < batchSize) continue;
          await send(batch, transform);
          batch = [];
        }
        await send(batch, transform);
        if (several) this.sourceNotes.push(rowsOfSourceNote(source.name, offset + 1, last));
        offset = last;
      }
    } finally {
      while (inFlight.length > 0) await awaitOldest();
    }
  }

  /**
   * True once the rows sent make writing early worth an open transaction: a large append,
   * on a database whose statements can be cancelled, with connections to spare for it.
   */
  private shouldWriteEarly() {
    const { request } = this.prepared;
    if (this.earlyWriteTried || !this.canCancelStatements || this.rowsSent < bulkIndexMinRows) {
      return false;
    }
    const connections = this.pool.options.max ?? 10;
    if (request.dryRun || request.action !== 'append' || connections < earlyWriteConnections) {
      return false;
    }
    return !this.isRejectedWhole();
  }

  /** True when a row was rejected in all-or-nothing mode: nothing will be written. */
  private isRejectedWhole() {
    return this.prepared.request.mode === 'all-or-nothing' && this.counters.rowsRejected > 0;
  }

  private async startEarlyWrite() {
    this.earlyWriteTried = true;
    const { layer, jobId, request } = this.prepared;
    const writer = { actor: request.actor, note: `import ${jobId}` };
    try {
      const target = { pool: this.pool, layer, table: this.table, writer, jobId };
      this.earlyWrite = await EarlyWrite.begin(target);
    } catch (error) {
      // the layer stayed locked by a reader, or received a feature: written at the end instead
      log.info({ err: error, jobId, layerId: layer.id }, 'import early write not started');
    }
  }

  private async abandonEarlyWrite() {
    const early = this.earlyWrite;
    this.earlyWrite = undefined;
    await early?.abandon();
  }

  /**
   * Runs `work` in one transaction over the whole load table: no statement timeout, no JIT,
   * and stopped within a second by a cancel.
   */
  private async inTransaction(work: (client: pg.PoolClient) => Promise<void>) {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SET LOCAL jit = off');
      await this.cancellable(client, () => work(client));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Validity and the regency extent of every loaded geometry, over the load table a range of
   * row numbers at a time (the edit's rules, `stagedGeometryProblems`): problems are recorded
   * as rejections, and the rows holding them are marked refused in the load table.
   */
  private async rejectGeometryProblems() {
    await this.inTransaction(async (client) => {
      const last = await selectLastStagedRow(client, this.table);
      // by ranges: 150,000 problems read at once took 60 MB more than a valid file's import
      for (let after = 0; after < last; after += geometryCheckRows) {
        await this.rejectGeometryProblemsIn(client, { after, upTo: after + geometryCheckRows });
      }
    });
  }

  private async rejectGeometryProblemsIn(client: pg.PoolClient, range: StagedRowRange) {
    const { layer, jobId } = this.prepared;
    const found = await stagedGeometryProblems(client, layer, this.table, range);
    const rows = [...new Set(found.map((f) => f.row))];
    const newlyRejected = await countUnrefusedRows(client, this.table, rows);
    const rejections = found.map(({ row, problem }) => ({
      row,
      field: problem.field,
      reason: problem.message,
      code: problem.code,
      params: rejectionParams(problem, undefined),
    }));
    await insertRejections(client, jobId, rejections);
    await refuseStagedRows(client, this.table, rows);
    this.counters.rowsRejected += newlyRejected;
    this.counters.rowsWritten -= newlyRejected;
    this.rowsRemovedAfterLoad += newlyRejected;
  }

  /** Repeats of unique values across batches, over the whole load table. */
  private async rejectRepeatedValues() {
    await this.inTransaction(async (client) => {
      const repeated = await selectRepeatedUniqueValues(client, this.prepared.layer, this.table);
      await this.reject(client, repeated);
      const rows = [...new Set(repeated.map((r) => r.row))];
      await refuseStagedRows(client, this.table, rows);
      this.counters.rowsWritten -= rows.length;
      this.rowsRemovedAfterLoad += rows.length;
    });
  }

  private notes(): ImportNote[] {
    const notes = [...this.prepared.notes, ...this.sourceNotes];
    const { zDropped, mDropped } = this.counters;
    if (zDropped > 0) {
      const text = `Z (elevation) values dropped from ${countNoun(zDropped, 'feature')}.`;
      notes.push({ code: 'z-dropped', params: { count: zDropped }, text });
    }
    if (mDropped > 0) {
      const text = `M (measure) values dropped from ${countNoun(mDropped, 'feature')}.`;
      notes.push({ code: 'm-dropped', params: { count: mDropped }, text });
    }
    return notes;
  }

  /**
   * True when a large load goes into an empty layer: its spatial index is then dropped and
   * built once after the insert, as a bulk load does (1,000,000 points: 9.2 s of inserting
   * into a live GiST index became 3.5 s plus 1.5 s of building it). The cost: dropping the
   * index locks the table, so readers of the (still empty) layer wait for the commit.
   */
  private async buildsIndexAfresh(client: pg.PoolClient) {
    if (this.counters.rowsWritten < bulkIndexMinRows) return false;
    return isLayerEmpty(client, this.prepared.layer);
  }

  /**
   * Appends; or replaces: every feature deleted, then the file's inserted. A layer whose
   * features carry records (surveys, inspections) is replaced by its key instead, so that the
   * records of features still in the file stay attached: those features are updated in place,
   * the others deleted with their records, and the new ones inserted.
   */
  private async write(client: pg.PoolClient) {
    const { layer, request } = this.prepared;
    const actor = request.actor;
    // Other writers of the layer (an import, an edit) wait until this one commits, and this one
    // for them; readers go on reading. Unlocked, two replaces at once each deleted only the
    // features their start could see and both inserted, so the layer held both files; and an
    // append met a unique value stored after it checked its rows only as the index's refusal.
    await lockLayerAgainstWriters(client, layer);
    if (request.action === 'append') {
      await this.rejectValuesTakenMeanwhile(client);
      const rebuildIndex = await this.buildsIndexAfresh(client);
      if (rebuildIndex) await dropSpatialIndex(client, layer);
      // A large load into an empty layer reaches every tile the layer shows in.
      if (rebuildIndex) await notifyWholeLayer(client);
      const written = await insertStagedRows(client, layer, this.table, actor);
      if (rebuildIndex) await createSpatialIndex(client, layer);
      return { written, notes: [] as ImportNote[] };
    }
    const key = recordParentKey(layer);
    if (!key) {
      await notifyWholeLayer(client);
      const replaced = await deleteAllFeatures(client, layer);
      const written = await insertStagedRows(client, layer, this.table, actor);
      return { written, replaced, notes: [] as ImportNote[] };
    }
    const kept = await countFeaturesOfRefusedRowsOnly(client, layer, this.table, key);
    const removed = await deleteFeaturesMissingFrom(client, layer, this.table, key);
    const updated = await updateFeaturesFromStaging(client, layer, this.table, key, actor);
    const inserted = await insertStagedRows(client, layer, this.table, actor, {
      newKeysOnly: key,
    });
    const text =
      `Replaced by ${key}: ${countNoun(updated, 'feature')} updated in place with their ` +
      'records kept, ' +
      `${removed} removed with their records, ${inserted} added.`;
    const params = { key, updated, removed, inserted };
    const notes: ImportNote[] = [{ code: 'replaced-by-key', params, text }];
    if (kept > 0) {
      const keptText =
        kept === 1
          ? '1 feature whose row was rejected left as it was, with its records.'
          : `${kept} features whose rows were rejected left as they were, with their records.`;
      notes.push({ code: 'kept-rejected', params: { key, kept }, text: keptText });
    }
    return { written: updated + inserted, replaced: removed + updated, notes };
  }

  /**
   * Rejects the rows whose unique value another writer stored after they were checked (the
   * layer locked against writers, so no other is stored until the commit); in all-or-nothing
   * mode by throwing `ValuesTakenMeanwhile`, the import then written by nothing. An early write
   * needs no such check: its rows held their values in the unique index from their insert on,
   * and an insert meeting a value stored before failed it.
   * An import refused before it writes makes this check in `rejectValuesTakenBeforeRefusal`.
   */
  private async rejectValuesTakenMeanwhile(client: pg.PoolClient) {
    const { layer, request } = this.prepared;
    const taken = await selectStagedValuesTaken(client, layer, this.table);
    if (taken.length === 0) return;
    if (request.mode === 'all-or-nothing') throw new ValuesTakenMeanwhile(taken);

    const rows = [...new Set(taken.map((r) => r.row))];
    await this.reject(client, taken);
    await refuseStagedRows(client, this.table, rows);
    this.counters.rowsWritten -= rows.length;
  }

  /**
   * The early write, once every loaded row is written, when it holds exactly the rows the
   * checks kept; otherwise it is rolled back, and the rows are written from the load table.
   */
  private async keptEarlyWrite(): Promise<EarlyWrite | undefined> {
    const early = this.earlyWrite;
    if (!early) return undefined;
    const settled = await this.cancellable(early.client, () => early.settle());
    const exact =
      this.rowsRemovedAfterLoad === 0 && early.rowsWritten === this.counters.rowsWritten;
    if (!settled || !exact) {
      await this.abandonEarlyWrite();
      return undefined;
    }
    this.earlyWrite = undefined;
    early.end();
    this.earlyWriteKept = true;
    return early;
  }

  private async commit() {
    const { request, jobId } = this.prepared;
    const early = await this.keptEarlyWrite();
    const client = early?.client ?? (await this.pool.connect());
    try {
      const writer = { actor: request.actor, note: `import ${jobId}` };
      if (!early) await beginImportTransaction(client, writer);
      const write = early
        ? async () => ({ written: await early.complete(), replaced: undefined, notes: [] })
        : () => this.write(client);
      const { written, replaced, notes } = await this.cancellable(client, write);
      // rows rejected while writing (values taken meanwhile) count in the job from the commit on
      await updateImportProgress(client, jobId, this.progress('committing'));
      // This locks the job row until COMMIT: a cancel asked before it is returned here, one
      // asked after it waits for the commit and then finds the job succeeded (a 409).
      const cancelAsked = await updateImportStatus(client, jobId, 'succeeded', {
        rowsWritten: written,
        rowsReplaced: replaced ?? undefined,
        notes: [...this.notes(), ...notes],
      });
      if (cancelAsked || this.signal.aborted) throw new ImportCancelled();
      await client.query('COMMIT');
      this.counters.rowsWritten = written;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    // The job reads `succeeded` from the commit on; a status read waits for the caches too.
    await untilTileCachesHeard(this.pool);
  }

  /** Ends the job as its counts and mode say, committing when it may; returns its status. */
  private async finish(): Promise<'checked' | 'rejected' | 'cancelled' | 'succeeded'> {
    const { request, jobId } = this.prepared;
    const notes = this.notes();
    const { rowsRejected, rowsWritten } = this.counters;
    // A job that writes nothing ends in one statement, which a cancel asked before it turns
    // into `cancelled`: the cancel was answered 202, and the job must not then say `checked`.
    const endWithoutWriting = (status: 'checked' | 'rejected', message: ImportNote) =>
      endImportUnlessCancelled(this.pool, jobId, status, { message, notes }, cancelledMessage);
    const counts = { valid: rowsWritten, rejected: rowsRejected };
    if (request.dryRun) {
      const valid = countNoun(rowsWritten, 'valid row');
      const text = `Checked: ${valid}, ${rowsRejected} rejected; nothing written.`;
      return endWithoutWriting('checked', { code: 'checked', params: counts, text });
    }
    const rejectedWhole = () => {
      const { rowsRejected: rejected, rowsWritten: valid } = this.counters;
      const were = rejected === 1 ? 'was' : 'were';
      const text =
        `${countNoun(rejected, 'row')} ${were} rejected, so nothing was written ` +
        '(all or nothing).';
      const params = { valid, rejected };
      return endWithoutWriting('rejected', { code: 'rejected-all-or-nothing', params, text });
    };
    if (request.mode === 'all-or-nothing' && rowsRejected > 0) {
      await this.rejectValuesTakenBeforeRefusal();
      return rejectedWhole();
    }
    if (request.action === 'replace' && rowsWritten === 0) {
      const text = 'No valid row: the layer was left as it was rather than emptied.';
      return endWithoutWriting('rejected', { code: 'replace-without-valid-rows', text });
    }
    this.step = 'writing';
    await updateImportStatus(this.pool, jobId, 'committing', { step: 'writing' });
    this.onProgress?.(this.progress('committing'));
    try {
      await this.commit();
    } catch (error) {
      if (!(error instanceof ValuesTakenMeanwhile)) throw error;
      await this.rejectTakenMeanwhile(error.rejections);
      return rejectedWhole();
    }
    return 'succeeded';
  }

  /**
   * Adds to the report of an all-or-nothing import refused for its rows, before it writes,
   * the rows whose unique value another writer stored after they were checked: else the user
   * fixed the file, and was refused again for those (a tenth of them in one test of two
   * racing imports). The early write is given up first: it holds the layer locked (an empty
   * layer's spatial index dropped), and a query of the layer from another connection waited
   * for it forever. A replace takes the layer's values over: it has none to check.
   */
  private async rejectValuesTakenBeforeRefusal() {
    const { layer, request } = this.prepared;
    await this.abandonEarlyWrite();
    if (request.action !== 'append') return;
    const taken = await selectStagedValuesTaken(this.pool, layer, this.table);
    if (taken.length > 0) await this.rejectTakenMeanwhile(taken);
  }

  /** Records the rows of an all-or-nothing import whose values were taken as it wrote. */
  private async rejectTakenMeanwhile(rejections: RejectionRow[]) {
    const rows = new Set(rejections.map((r) => r.row)).size;
    await this.reject(this.pool, rejections);
    this.counters.rowsWritten -= rows;
    await this.flush(true);
  }

  async run(): Promise<void> {
    const started = Date.now();
    try {
      await createStagingTable(this.pool, this.table, this.prepared.layer);
      await this.readAll();
      this.earlyWrite?.loadedAll();
      await this.flush(true);
      await this.enterStep('checking-geometries');
      await this.rejectGeometryProblems();
      await this.enterStep('checking-unique-values');
      await this.rejectRepeatedValues();
      // the rows these two refused are counted in the job too
      await this.flush(true);
      const readMs = Date.now() - started;
      const status = await this.finish();
      const { jobId, layer } = this.prepared;
      const timing = { readMs, commitMs: Date.now() - started - readMs };
      const wroteEarly = this.earlyWriteKept;
      // rowsWritten counts the valid rows; only a committed import wrote them
      const rowsWritten = status === 'succeeded' ? this.counters.rowsWritten : 0;
      const counts = { ...this.counters, rowsValid: this.counters.rowsWritten, rowsWritten };
      log.info(
        { jobId, layerId: layer.id, status, ...counts, ...timing, wroteEarly },
        'import finished',
      );
    } catch (error) {
      await this.fail(error);
    } finally {
      // before the load table goes: the early write's transaction holds it
      await this.abandonEarlyWrite().catch(() => undefined);
      await dropStagingTable(this.pool, this.table).catch(() => undefined);
      await this.prepared.file.close().catch(() => undefined);
    }
  }

  private async fail(error: unknown) {
    const { jobId } = this.prepared;
    if (this.signal.reason === processStopping) {
      const message = serverStoppedMessage;
      return updateImportStatus(this.pool, jobId, 'failed', { message, rowsWritten: 0 });
    }
    if (this.signal.reason === connectionLost || isDatabaseUnreachable(error)) {
      const layerId = this.prepared.layer.id;
      log.error({ err: error, jobId, layerId }, 'import stopped: database connection lost');
      return recordConnectionLost(this.pool, jobId);
    }
    const cancelled = error instanceof ImportCancelled || this.signal.aborted;
    if (cancelled) {
      const message = cancelledMessage;
      return updateImportStatus(this.pool, jobId, 'cancelled', { message, rowsWritten: 0 });
    }
    const known = error instanceof SourceFileError || error instanceof HttpProblem;
    if (!known) log.error({ err: error, jobId, layerId: this.prepared.layer.id }, 'import failed');
    const dropped = await dropUnreadableFile(this.prepared.request, error);
    const message = known ? fileFailure(error, dropped) : serverFailure;
    await updateImportStatus(this.pool, jobId, 'failed', { message, rowsWritten: 0 });
  }
}

/**
 * Ends a job cut off from its database as `database-connection-lost`, trying again each second
 * while the database does not answer, for `recordEndRetryMs` at most. Past that the job is
 * left running, to be found dead (`failStaleImportJobs`), and the last error is thrown.
 */
async function recordConnectionLost(pool: pg.Pool, jobId: string) {
  const giveUpAt = Date.now() + recordEndRetryMs;
  for (;;) {
    try {
      return await failCutOffImportJob(pool, jobId, connectionLostMessage);
    } catch (error) {
      const waitLonger = isDatabaseUnreachable(error) && !stoppingImports;
      if (!waitLonger || Date.now() >= giveUpAt) throw error;
      await sleep(1000);
    }
  }
}

const serverFailure: ImportNote = {
  code: 'failed-on-server',
  text:
    'The import failed on the server; the layer was left as it was. ' +
    'Quote the job id when reporting it.',
};

/**
 * The message of a job stopped by its file: the reader's problem (its type as `problem`, its
 * English words as `detail`: readers say no more in another language) and whether the upload
 * was removed for it.
 */
function fileFailure(error: SourceFileError | HttpProblem, dropped: boolean): ImportNote {
  const detail = error.message;
  const problem = error instanceof SourceFileError ? error.code : error.type;
  const quoted = error instanceof SourceFileError ? error.params : error.extra;
  const text = `${detail} The layer was left as it was.${dropped ? ` ${droppedNote}` : ''}`;
  const code = dropped ? 'failed-reading-upload-removed' : 'failed-reading';
  return { code, params: { ...messageParams(quoted), problem, detail }, text };
}

/** A problem's members as a job message keeps them: text and numbers, lists joined. */
function messageParams(members: Record<string, unknown>): MessageParams {
  const params: MessageParams = {};
  for (const [name, value] of Object.entries(members)) {
    if (typeof value === 'string' || typeof value === 'number') params[name] = value;
    else if (Array.isArray(value)) params[name] = value.join(', ');
  }
  return params;
}

/** Records the job and returns its id; the job then runs with `runImport`. */
export async function recordImportJob(db: Queryable, prepared: PreparedImport) {
  const { request, layer, jobId } = prepared;
  const source = {
    fileName: request.fileName,
    format: prepared.file.format,
    sourceLayers: prepared.sources.map((s) => s.name),
    mapping: prepared.mapping,
    encoding: prepared.sources[0]?.encoding,
    crs: request.crs,
    dryRun: Boolean(request.dryRun),
  };
  await insertImportJob(db, {
    id: jobId,
    layerId: layer.id,
    action: request.action,
    mode: request.mode,
    source,
    createdBy: request.actor,
  });
  return jobId;
}

/**
 * Runs a recorded job to its end and returns its final row. It never throws for a bad file:
 * the job ends `failed`, `rejected` or `cancelled` with a message, and the layer unchanged.
 */
export async function runImport(
  database: Pick<Database, 'pool' | 'capabilities'>,
  prepared: PreparedImport,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportJobRow> {
  await cleanUpAfterStoppedServers(database.pool);
  const controller = new AbortController();
  let markEnded = () => {};
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  runningJobs.set(prepared.jobId, { controller, ended });
  // The embedded database's socket server loses protocol sync on COPY FROM STDIN.
  // FIXME: `embedded` is known only when Simpul started that database itself; a process that
  // reaches an embedded database by URL (the test harness's last fallback) still tries COPY.
  const { embedded } = database.capabilities;
  const load = embedded ? insertIntoStaging : copyIntoStaging;
  const signal = controller.signal;
  // FIXME: on the embedded database a cancel asked during the checks or the final insert still
  // waits for the statement's end (up to minutes on a large file): its one session cannot run
  // pg_cancel_backend beside the statement, nor read the job row meanwhile.
  const run = new ImportRun(database.pool, prepared, signal, load, !embedded, onProgress);
  // the embedded database has one session: a job there is known dead by its heartbeat alone
  const session = embedded ? undefined : await holdJobSession(database.pool, prepared.jobId);
  session?.client.on('error', () => controller.abort(connectionLost));
  try {
    await run.run().catch(throwConnectionLost);
  } finally {
    runningJobs.delete(prepared.jobId);
    await session?.client.end().catch(() => undefined);
    markEnded();
  }
  return (await selectImportJob(database.pool, prepared.jobId).catch(throwConnectionLost))!;
}

/** Rethrows a database that does not answer as `ImportConnectionLost`, anything else as is. */
function throwConnectionLost(error: unknown): never {
  throw isDatabaseUnreachable(error) ? new ImportConnectionLost() : error;
}

/**
 * Opens the connection that keeps a job alive (outside the pool, which the job's batches and
 * the rest of the server need) and records its session in the job (`staleJobCondition`). If
 * the connection is lost the job is stopped, since others would soon take it for dead.
 */
async function holdJobSession(pool: pg.Pool, jobId: string) {
  const client = new pg.Client(pool.options);
  await client.connect();
  try {
    await recordJobSession(client, jobId);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { client };
}

/** Fails the jobs of a server that stopped mid-import and drops their load tables. */
async function cleanUpAfterStoppedServers(pool: pg.Pool) {
  await failStaleImportJobs(pool, staleJobEndings);
  for (const name of await selectOrphanStagingTables(pool)) {
    await dropStagingTable(pool, quoteIdentifier(name));
  }
}

/** Stops a job running in this process at once (others see the flag within a second). */
export function abortLocalImport(jobId: string): void {
  runningJobs.get(jobId)?.controller.abort();
}

/**
 * Lets the jobs of this process run until `deadlineMs` (a time in ms since the epoch), then
 * stops the rest; resolves once each has recorded its end, those stopped as `failed` with
 * `server-stopped` and the layer as it was. Run before the pool closes under them.
 */
export async function stopLocalImports(deadlineMs: number): Promise<void> {
  stoppingImports = true;
  const allEnded = () => Promise.all([...runningJobs.values()].map((job) => job.ended));
  let deadline: NodeJS.Timeout | undefined;
  const waitMs = Math.max(0, deadlineMs - Date.now());
  await Promise.race([allEnded(), new Promise((r) => (deadline = setTimeout(r, waitMs)))]);
  clearTimeout(deadline);

  for (const job of runningJobs.values()) job.controller.abort(processStopping);
  await allEnded();
}

/** True when a job of this process is still running (for a clean shutdown). */
export function hasRunningImports(): boolean {
  return runningJobs.size > 0;
}

/** A job by id; an unknown id is a 404. */
export async function requireImportJob(db: Queryable, jobId: string): Promise<ImportJobRow> {
  const valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(jobId);
  const job = valid ? await selectImportJob(db, jobId) : undefined;
  if (!job) throw notFound('unknown-import', `No import job "${jobId}".`);
  if (job.status !== 'running' && job.status !== 'committing') return job;
  // Running here, it is not dead, though its session may be gone: it records its own end.
  if (runningJobs.has(jobId)) return job;
  // a job whose process died is told as failed at once, not after minutes without a heartbeat
  await failStaleImportJobs(db, staleJobEndings, jobId);
  return (await selectImportJob(db, jobId))!;
}

function conflict(type: string, detail: string, extra?: Record<string, unknown>) {
  return new HttpProblem(409, type, 'Conflict', detail, extra);
}

/**
 * Undoes a succeeded import from the feature history: the features it inserted are deleted and
 * those a replace deleted come back with their ids, as new versions. Refused (409) when the
 * layer was edited after the import, since undoing would discard those edits.
 */
export async function undoImport(pool: pg.Pool, jobId: string, actor: string) {
  const job = await requireImportJob(pool, jobId);
  if (job.status !== 'succeeded') {
    throw conflict(
      'import-not-undoable',
      `Only a succeeded import can be undone; this one is ${job.status}.`,
      { code: 'not-succeeded', jobStatus: job.status },
    );
  }
  const layer = requireLayer(job.layerId);
  const note = `import ${jobId}`;
  const state = await selectImportHistoryState(pool, layer, note);
  if (state.recorded === 0) {
    const detail = 'The feature history holds no change of this import.';
    throw conflict('import-not-undoable', detail, { code: 'no-history' });
  }
  if (state.laterEdits > 0) {
    throw conflict(
      'import-not-undoable',
      `${layer.id} was changed ${countTimes(state.laterEdits)} after this import; undoing ` +
        'it would discard those changes. Restore single features from their history instead.',
      { code: 'later-edits', laterEdits: state.laterEdits },
    );
  }
  const client = await pool.connect();
  let deleted: number;
  let restored: number;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 0');
    await setWriterContext(client, { actor, note: `undo import ${jobId}` });
    // Rows go back exactly as stored, one stored before a two-attribute rule existed included.
    await client.query(`SELECT set_config('${restoringSetting}', 'on', true)`);
    deleted = await deleteImportedFeatures(client, layer, note);
    const reverted = await revertUpdatedFeatures(client, layer, note, actor);
    restored = (await restoreReplacedFeatures(client, layer, note, actor)) + reverted;
    for (const table of recordTables.filter((t) => t.parent?.layerId === layer.id)) {
      await restoreDeletedRecords(client, table, note);
    }
    const counts = `${deleted} imported features removed, ${restored} restored`;
    const params = { actor, deleted, restored };
    const message = { code: 'undone', params, text: `Undone by ${actor}: ${counts}.` };
    await updateImportStatus(client, jobId, 'undone', { message });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await untilTileCachesHeard(pool);
  return { deleted, restored };
}

/** The first rows of a file as the import would see them, for the mapping screen. */
export interface ImportPreview {
  format: string;
  sourceLayers: string[];
  fields: string[];
  mapping: FieldMapping;
  encoding?: string;
  /** English notes on how the file was read, and their codes, index-aligned. */
  notes: string[];
  noteCodes: CodedText[];
  /** The first rows: source properties and the geometry in lon/lat (null when unusable). */
  sample: { row: number; properties: Record<string, unknown>; geometry: Geometry | null }[];
  /** What validation says of those rows with this mapping. */
  problems: RejectionRow[];
}

/**
 * Reads the first `sampleSize` rows, reprojects, maps and validates them without writing:
 * what the web shows before an import starts (the rows on the map, the problems in a table).
 */
export async function previewImport(
  pool: pg.Pool,
  request: ImportRequest,
  sampleSize = 20,
): Promise<ImportPreview> {
  const prepared = await prepareImport(pool, request);
  try {
    const records: SourceFeature[] = [];
    try {
      for await (const record of prepared.sources[0]!.features()) {
        records.push(record);
        if (records.length >= sampleSize) break;
      }
    } catch (error) {
      throw await readProblem(request, error);
    }
    const counters = noneCounted();
    const transform = prepared.transforms[0]!;
    const inputs = records.map((r) => toValidationInput(prepared, transform, r, counters));
    const validated = await validateFeatures(pool, prepared.layer, inputs, {
      mode: 'create',
      unknownAttributes: 'ignore',
    });
    const errors = withUnreadableGeometries(validated.errors, records);
    const sources = prepared.sources;
    return {
      format: prepared.file.format,
      sourceLayers: prepared.file.layerNames,
      fields: [...new Set((await Promise.all(sources.map(fieldsOf))).flat())],
      mapping: prepared.mapping,
      encoding: sources[0]!.encoding,
      notes: prepared.notes.map((note) => note.text),
      noteCodes: prepared.notes.map(({ code, params }) => ({ code, params })),
      sample: records.map((r, i) => ({
        row: r.rowNumber,
        properties: r.properties,
        geometry: inputs[i]!.geometry,
      })),
      problems: errors.map((e) => toRejection(e, records, inputs)),
    };
  } finally {
    await prepared.file.close();
  }
}
