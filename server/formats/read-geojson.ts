/**
 * GeoJSON readers: a FeatureCollection streamed feature by feature (constant memory however
 * large the file), and newline-delimited GeoJSON (GeoJSONSeq, one feature per line, with or
 * without the RFC 8142 record separator).
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { trackFile, type TrackedFile } from './file-progress.js';
import type { Feature, Geometry } from 'geojson';
import type { ImportNote } from '../db/queries/import-jobs.js';
import { parseCrsName } from './source-crs.js';
import {
  asSentence,
  lonLat,
  readerFailure,
  SourceFileError,
  type OpenedSource,
  type SourceCrs,
  type SourceFeature,
} from './source-feature.js';

const headLength = 65536;

function readHead(file: string): string {
  const descriptor = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(headLength);
    const length = fs.readSync(descriptor, buffer, 0, headLength, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    fs.closeSync(descriptor);
  }
}

const legacyCrsNote = {
  code: 'legacy-crs-member',
  text: 'The file names its CRS in the legacy "crs" member.',
};

/**
 * The CRS a GeoJSON file names in the 2008 `crs` member (still written by older tools and by
 * GDAL for projected data), or CRS84 as RFC 7946 prescribes, with the note that says so. A
 * member naming what is not a CRS (`EPSG:bogus`) leaves the CRS unknown: the import then asks
 * for it, as for a Shapefile without .prj, where it was read as longitude/latitude unsaid.
 */
function declaredCrs(head: string): { crs: SourceCrs | undefined; notes: ImportNote[] } {
  const match = /"crs"\s*:\s*\{[^}]*?"name"\s*:\s*"([^"]+)"/.exec(head);
  if (!match) return { crs: lonLat, notes: [] };
  const crs = parseCrsName(match[1]!);
  if (crs) return { crs, notes: [legacyCrsNote] };
  const name = match[1]!.slice(0, 100);
  const text = `The legacy "crs" member names "${name}", not a CRS Simpul reads.`;
  return { crs: undefined, notes: [{ code: 'legacy-crs-unreadable', params: { name }, text }] };
}

function toSourceFeature(value: unknown, rowNumber: number): SourceFeature {
  const feature = value as Partial<Feature>;
  if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') {
    throw new SourceFileError(
      'not-a-feature',
      `Record ${rowNumber} is not a GeoJSON Feature; each record must have "type": "Feature".`,
      { row: rowNumber },
    );
  }
  const properties = (feature.properties ?? {}) as Record<string, unknown>;
  return { rowNumber, properties, geometry: (feature.geometry ?? null) as Geometry | null };
}

/**
 * True when the collection holds one whole feature per line after the `"features": [` line,
 * as GDAL, QGIS and Simpul write it: such a file is read line by line with `JSON.parse`,
 * several times faster than a streaming tokenizer.
 */
function isOneFeaturePerLine(head: string): boolean {
  const members = /"features"\s*:\s*\[[ \t]*\r?\n/.exec(head);
  if (!members) return false;
  const rest = head.slice(members.index + members[0].length).split('\n');
  const first = rest.find((line) => line.trim());
  return first !== undefined && readFeatureLine(first) !== undefined;
}

/** A feature from one line of a collection (commas around it dropped), or undefined. */
function readFeatureLine(line: string): unknown {
  let text = line.trim();
  if (text.startsWith(',')) text = text.slice(1);
  if (text.endsWith(',')) text = text.slice(0, -1);
  try {
    const value = JSON.parse(text) as { type?: unknown };
    return value?.type === 'Feature' ? value : undefined;
  } catch {
    return undefined;
  }
}

async function* streamCollectionLines(file: TrackedFile, signal?: AbortSignal) {
  const lines = readline.createInterface({ input: file.open(), crlfDelay: Infinity });
  let rowNumber = 0;
  let inFeatures = false;
  try {
    for await (const line of lines) {
      signal?.throwIfAborted();
      if (!inFeatures) {
        inFeatures = /"features"\s*:\s*\[\s*$/.test(line);
        continue;
      }
      if (!line.trim()) continue;
      if (/^\s*\]/.test(line)) return;
      const value = readFeatureLine(line);
      // a feature written over several lines after all: the tokenizer takes over from here
      if (value === undefined) break;
      rowNumber += 1;
      yield toSourceFeature(value, rowNumber);
    }
  } finally {
    lines.close();
  }
  if (inFeatures) yield* streamCollection(file, signal, rowNumber);
}

/** The streaming tokenizer, loaded only for a collection not written one feature per line. */
async function openTokenizer(file: TrackedFile) {
  const [{ default: chain }, { parser }, { default: pick }, { default: streamArray }] =
    await Promise.all([
      import('stream-chain'),
      import('stream-json'),
      import('stream-json/filters/pick.js'),
      import('stream-json/streamers/stream-array.js'),
    ]);
  return chain([file.open(), parser(), pick({ filter: 'features' }), streamArray()]);
}

/**
 * A JSON file whose start names no `features` member: a TopoJSON (`"type": "Topology"`), a
 * JSON array or another JSON read as a collection of no features, which imported nothing and
 * was reported as a file of no valid row.
 */
function notGeoJson(head: string): SourceFileError {
  const type = /^\s*\{\s*"type"\s*:\s*"([^"]{1,40})"/.exec(head)?.[1];
  const topology = type === 'Topology' ? ' It is TopoJSON: convert it to GeoJSON first.' : '';
  const message =
    'The file is not GeoJSON: it holds no "features" member and is not a Feature.' + topology;
  return new SourceFileError('not-geojson', message, type ? { jsonType: type } : {});
}

async function* streamCollection(file: TrackedFile, signal?: AbortSignal, skip = 0) {
  const stream = await openTokenizer(file);
  let rowNumber = 0;
  try {
    for await (const item of stream as AsyncIterable<{ value: unknown }>) {
      signal?.throwIfAborted();
      rowNumber += 1;
      if (rowNumber > skip) yield toSourceFeature(item.value, rowNumber);
    }
  } catch (error) {
    if (error instanceof SourceFileError || signal?.aborted) throw error;
    const reason = (error as Error).message;
    const message = `The GeoJSON cannot be read: ${asSentence(reason)}`;
    throw new SourceFileError('unreadable-json', message, { reason });
  } finally {
    stream.destroy();
  }
}

/** The features of a collection; none from a file whose `head` names no features: refused. */
async function* streamFeaturesOf(file: TrackedFile, head: string, signal?: AbortSignal) {
  let rows = 0;
  for await (const feature of streamCollection(file, signal)) {
    rows += 1;
    yield feature;
  }
  if (rows === 0 && !/"features"\s*:/.test(head)) throw notGeoJson(head);
}

async function* streamSingleFeature(file: string) {
  let value: unknown;
  try {
    value = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (error) {
    throw readerFailure('unreadable-json', 'The GeoJSON', error);
  }
  yield toSourceFeature(value, 1);
}

async function* streamLines(file: TrackedFile, signal?: AbortSignal) {
  const lines = readline.createInterface({ input: file.open(), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      signal?.throwIfAborted();
      lineNumber += 1;
      const text = line.replace(/^\x1e/, '').trim();
      if (!text) continue;

      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        const message = `Line ${lineNumber} is not valid JSON.`;
        throw new SourceFileError('unreadable-json', message, { line: lineNumber });
      }
      yield toSourceFeature(value, lineNumber);
    }
  } finally {
    lines.close();
  }
}

/** Opens a GeoJSON FeatureCollection (or a single Feature) for streaming. */
export function openGeoJson(file: string, name: string): OpenedSource {
  const head = readHead(file);
  const isCollection = /"features"\s*:/.test(head) || !/"type"\s*:\s*"Feature"/.test(head);
  const { crs, notes } = declaredCrs(head);
  const tracked = trackFile(file);
  const lineByLine = isOneFeaturePerLine(head);
  return {
    name,
    fields: [],
    crs,
    formatCrs: lonLat,
    notes,
    features: (signal) => {
      if (!isCollection) return streamSingleFeature(file);
      return lineByLine
        ? streamCollectionLines(tracked, signal)
        : streamFeaturesOf(tracked, head, signal);
    },
    fractionRead: tracked.fraction,
  };
}

/**
 * Opens newline-delimited GeoJSON: row numbers are line numbers. A `crs` member in the first
 * lines (Simpul's own export in another CRS puts one in each geometry) is honoured as in a
 * collection; the first one found is taken for the whole file.
 */
export function openGeoJsonSeq(file: string, name: string): OpenedSource {
  const { crs, notes } = declaredCrs(readHead(file));
  const tracked = trackFile(file);
  const features = (signal?: AbortSignal) => streamLines(tracked, signal);
  const layer = { name, fields: [], crs, formatCrs: lonLat, notes };
  return { ...layer, features, fractionRead: tracked.fraction };
}
