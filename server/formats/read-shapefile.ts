/**
 * Shapefile reader (pure JavaScript, streaming from disk): the `.shp` geometries (`shapefile`),
 * the `.dbf` attributes (`dbffile`, decoded by iconv-lite) with the `.cpg` encoding (or one
 * given), and the `.prj` coordinate system. A Shapefile without `.prj` has no known CRS: the
 * caller must be told it, never guess it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DBFFile } from 'dbffile';
import type { Geometry } from 'geojson';
import * as shapefile from 'shapefile';
import { SourceFileError, type OpenedSource, type SourceFeature } from './source-feature.js';

/** The files of one Shapefile found in a folder, by their lower-case extension. */
export interface ShapefileParts {
  name: string;
  shp: string;
  dbf?: string;
  prj?: string;
  cpg?: string;
  /** Written by Simpul's export: the full attribute names of shortened `.dbf` fields. */
  fieldNames?: string;
}

/** The Shapefiles among `files` (an unpacked zip), each with its sibling files. */
export function findShapefiles(files: readonly string[]): ShapefileParts[] {
  const byStem = new Map<string, Record<string, string>>();
  for (const file of files) {
    const extension = path.extname(file).toLowerCase();
    const stem = file.slice(0, file.length - extension.length);
    const key = stem.toLowerCase();
    byStem.set(key, { ...byStem.get(key), [extension]: file, stem });
  }
  return [...byStem.values()]
    .filter((parts) => parts['.shp'])
    .map((parts) => ({
      name: path.basename(parts.stem!),
      shp: parts['.shp']!,
      dbf: parts['.dbf'],
      prj: parts['.prj'],
      cpg: parts['.cpg'],
      fieldNames: files.find((f) => f.toLowerCase() === `${parts.stem!.toLowerCase()}.fields.csv`),
    }));
}

/** The siblings of a `.shp` path on disk (a Shapefile given unzipped, as on the command line). */
export function shapefilePartsAt(shpPath: string): ShapefileParts {
  const folder = path.dirname(shpPath);
  const files = fs.readdirSync(folder).map((f) => path.join(folder, f));
  const stem = path.basename(shpPath, path.extname(shpPath)).toLowerCase();
  const found = findShapefiles(files).find((p) => p.name.toLowerCase() === stem);
  if (!found) throw new SourceFileError('no-shapefile', `${shpPath} is not a readable .shp file.`);
  return found;
}

/** Records in the Shapefile, from its `.shx` index (8 bytes per record after a 100-byte header). */
function recordCount(parts: ShapefileParts): number | undefined {
  const shx = parts.shp.replace(/\.shp$/i, (ext) => (ext === '.SHP' ? '.SHX' : '.shx'));
  return fs.existsSync(shx) ? Math.max(0, (fs.statSync(shx).size - 100) / 8) : undefined;
}

/** Encoding names found in `.cpg` files, as WHATWG encoding labels. */
function encodingFromCpg(text: string): string | undefined {
  const name = text
    .trim()
    .toUpperCase()
    .replace(/^ANSI\s+/, '');
  if (/^(UTF-?8|65001)$/.test(name)) return 'utf-8';
  if (/^(CP|WINDOWS-?)?(125\d|874)$/.test(name)) return `windows-${name.match(/\d+/)![0]}`;
  if (/^(ISO-?)?8859-?(\d+)$/.test(name)) return `iso-8859-${name.match(/8859-?(\d+)/)![1]}`;
  if (/^885\d\d?$/.test(name)) return `iso-8859-${name.slice(4)}`;
  return isKnownEncoding(name) ? name.toLowerCase() : undefined;
}

/** True when the encoding label is one this server can decode. */
export function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** The `.dbf` language driver byte (offset 29) for the common Windows code page values. */
function encodingFromLanguageDriver(dbf: string): string | undefined {
  const descriptor = fs.openSync(dbf, 'r');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(descriptor, byte, 0, 1, 29);
    const drivers: Record<number, string> = { 0x03: 'windows-1252', 0x57: 'windows-1252' };
    return drivers[byte[0]!];
  } finally {
    fs.closeSync(descriptor);
  }
}

function chooseEncoding(parts: ShapefileParts, override: string | undefined, notes: string[]) {
  if (override) {
    if (!isKnownEncoding(override)) {
      throw new SourceFileError(
        'unknown-encoding',
        `"${override}" is not a text encoding; use e.g. utf-8, windows-1252 or iso-8859-1.`,
      );
    }
    notes.push(`Text read as ${override}, as asked.`);
    return override;
  }
  const cpg = parts.cpg && fs.readFileSync(parts.cpg, 'latin1');
  const fromCpg = cpg ? encodingFromCpg(cpg) : undefined;
  if (fromCpg) {
    notes.push(`Text read as ${fromCpg}, as the .cpg file says.`);
    return fromCpg;
  }
  const fromDriver = parts.dbf && encodingFromLanguageDriver(parts.dbf);
  const chosen = fromDriver ?? 'windows-1252';
  notes.push(
    `No usable .cpg file: text read as ${chosen}. If names look wrong, give the encoding.`,
  );
  return chosen;
}

function readFieldNames(parts: ShapefileParts): Map<string, string> {
  if (!parts.fieldNames) return new Map();
  const lines = fs.readFileSync(parts.fieldNames, 'utf8').split(/\r?\n/).slice(1);
  const pairs = lines.map((l) => l.split(',')).filter((cells) => cells.length === 2);
  return new Map(pairs.map(([short, full]) => [short!.trim(), full!.trim()]));
}

function dbfFieldNames(dbf: string, encoding: string): string[] {
  const descriptor = fs.openSync(dbf, 'r');
  try {
    const header = Buffer.alloc(32);
    fs.readSync(descriptor, header, 0, 32, 0);
    const headerLength = header.readUInt16LE(8);
    const fields = Buffer.alloc(headerLength - 32);
    fs.readSync(descriptor, fields, 0, fields.length, 32);
    const names: string[] = [];
    const decoder = new TextDecoder(encoding);
    for (let offset = 0; offset + 32 <= fields.length && fields[offset] !== 0x0d; offset += 32) {
      const raw = fields.subarray(offset, offset + 11);
      const end = raw.indexOf(0);
      names.push(decoder.decode(end >= 0 ? raw.subarray(0, end) : raw).trim());
    }
    return names;
  } finally {
    fs.closeSync(descriptor);
  }
}

/** `.dbf` records read per call: one file read each, decoded in one go. */
const dbfChunkSize = 1000;

/**
 * A `.dbf` value as the import expects it (as the `shapefile` package read them before):
 * text trimmed, blank text and unreadable numbers null, dates as local calendar days.
 */
function normalizeDbfValue(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (value instanceof Date) {
    // dbffile reads YYYYMMDD as UTC midnight; field mapping takes the calendar day in local time
    return new Date(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate());
  }
  return value;
}

/**
 * The `.dbf` records in file order, chunk by chunk, as properties named by `names` (the
 * field names in file order). Deleted records are kept: the `.shp` holds a shape for each.
 */
async function* readDbfRecords(dbf: string, encoding: string, names: readonly string[]) {
  let file: DBFFile;
  try {
    file = await DBFFile.open(dbf, { encoding, readMode: 'loose', includeDeletedRecords: true });
  } catch (error) {
    const reason = (error as Error).message;
    throw new SourceFileError('unreadable-dbf', `The .dbf file cannot be read: ${reason}.`);
  }
  for (;;) {
    const records = await file.readRecords(dbfChunkSize);
    if (records.length === 0) return;
    for (const record of records) {
      const properties: Record<string, unknown> = {};
      file.fields.forEach((field, i) => {
        if (field.name in record) properties[names[i]!] = normalizeDbfValue(record[field.name]);
      });
      yield properties;
    }
  }
}

async function* readFeatures(
  parts: ShapefileParts,
  fieldNames: readonly string[],
  encoding: string,
  counter: { read: number },
  signal?: AbortSignal,
): AsyncGenerator<SourceFeature> {
  const shapes = await shapefile.openShp(parts.shp);
  const records = parts.dbf ? readDbfRecords(parts.dbf, encoding, fieldNames) : undefined;
  let rowNumber = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await shapes.read();
      if (done) return;
      rowNumber += 1;
      counter.read = rowNumber;
      const properties = (await records?.next())?.value ?? {};
      yield { rowNumber, properties, geometry: (value as Geometry | null) ?? null };
    }
  } finally {
    await shapes.cancel().catch(() => undefined);
    await records?.return(undefined);
  }
}

/**
 * Opens one Shapefile. Its CRS is the `.prj` WKT; without `.prj` the CRS is left undefined,
 * and the import refuses to guess. `encoding` overrides the `.cpg`.
 */
export function openShapefile(parts: ShapefileParts, encoding?: string): OpenedSource {
  const notes: string[] = [];
  const chosen = chooseEncoding(parts, encoding, notes);
  const renames = readFieldNames(parts);
  if (renames.size > 0) notes.push('Full field names restored from the export field list.');
  const prj = parts.prj && fs.readFileSync(parts.prj, 'utf8').trim();
  const fields = parts.dbf ? dbfFieldNames(parts.dbf, chosen).map((f) => renames.get(f) ?? f) : [];
  const featureCount = recordCount(parts);
  const counter = { read: 0 };
  return {
    name: parts.name,
    fields,
    crs: prj ? { wkt: prj } : undefined,
    encoding: chosen,
    featureCount,
    notes,
    features: (signal) => readFeatures(parts, fields, chosen, counter, signal),
    fractionRead: () => (featureCount ? Math.min(1, counter.read / featureCount) : 0),
  };
}
