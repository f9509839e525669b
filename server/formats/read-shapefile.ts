/**
 * Shapefile reader (pure JavaScript, streaming from disk): the `.shp` geometries (`shapefile`),
 * the `.dbf` attributes (`dbffile`, decoded by iconv-lite) with the `.cpg` encoding (or one
 * given), and the `.prj` coordinate system. A Shapefile without `.prj` has no known CRS: the
 * caller must be told it, never guess it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { DBFFile } from 'dbffile';
import type { Geometry } from 'geojson';
import iconv from 'iconv-lite';
import * as shapefile from 'shapefile';
import { countNoun } from '../counted-noun.js';
import type { ImportNote } from '../db/queries/import-jobs.js';
import {
  readerFailure,
  SourceFileError,
  type OpenedSource,
  type SourceFeature,
} from './source-feature.js';
import { decodingEncoding } from './text-encoding.js';

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
  if (!found) {
    const file = path.basename(shpPath);
    throw new SourceFileError('no-shapefile', `${shpPath} is not a readable .shp file.`, { file });
  }
  return found;
}

/** Records in the Shapefile, from its `.shx` index (8 bytes per record after a 100-byte header). */
function recordCount(parts: ShapefileParts): number | undefined {
  const shx = parts.shp.replace(/\.shp$/i, (ext) => (ext === '.SHP' ? '.SHX' : '.shx'));
  return fs.existsSync(shx) ? Math.max(0, (fs.statSync(shx).size - 100) / 8) : undefined;
}

/** Shape types holding Z values (PointZ, PolyLineZ, PolygonZ, MultiPointZ). */
const zShapeTypes = new Set([11, 13, 15, 18]);
/** Shape types holding M values without Z (PointM, PolyLineM, PolygonM, MultiPointM). */
const mShapeTypes = new Set([21, 23, 25, 28]);

/**
 * The ordinates beyond x and y the `.shp` header's shape type names, which the `shapefile`
 * reader leaves out of its geometries. A Z type's optional measures are not looked for.
 */
function droppedOrdinates(shp: string): { zDropped?: true; mDropped?: true } {
  const header = Buffer.alloc(36);
  const descriptor = fs.openSync(shp, 'r');
  try {
    const read = fs.readSync(descriptor, header, 0, header.length, 0);
    const shapeType = read === header.length ? header.readInt32LE(32) : 0;
    if (zShapeTypes.has(shapeType)) return { zDropped: true };
    return mShapeTypes.has(shapeType) ? { mDropped: true } : {};
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Encoding names found in `.cpg` files, as iconv-lite encoding names. */
function encodingFromCpg(text: string): string | undefined {
  const name = text
    .replace(/^\xEF\xBB\xBF/, '')
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
  return iconv.encodingExists(label);
}

/**
 * Code pages named by the dBASE language driver id (byte 29 of the `.dbf` header), as GDAL
 * and ArcGIS read them. 0x57 means "the writer's ANSI code page": Windows-1252 on Indonesian
 * Windows. 0 (no driver named) is absent, and so are the few pages iconv-lite cannot decode.
 */
const languageDriverCodePages: [string, number[]][] = [
  ['cp437', [0x01, 0x09, 0x0b, 0x0d, 0x0f, 0x11, 0x15, 0x18, 0x19, 0x1b]],
  ['cp850', [0x02, 0x0a, 0x0e, 0x10, 0x12, 0x14, 0x16, 0x1a, 0x1d, 0x25, 0x37]],
  ['cp852', [0x1f, 0x22, 0x23, 0x40, 0x64, 0x87]],
  ['cp737', [0x6a, 0x86]],
  ['cp857', [0x6b, 0x88]],
  ['cp860', [0x24]],
  ['cp861', [0x67]],
  ['cp863', [0x1c, 0x6c]],
  ['cp865', [0x08, 0x17, 0x66]],
  ['cp866', [0x26, 0x65]],
  ['windows-1252', [0x03, 0x57, 0x58, 0x59]],
  ['windows-1250', [0xc8]],
  ['windows-1251', [0xc9]],
  ['windows-1253', [0xcb]],
  ['windows-1254', [0xca]],
  ['windows-1257', [0xcc]],
  ['windows-874', [0x50, 0x7c]],
  ['shift_jis', [0x13, 0x7b]],
  ['gbk', [0x4d, 0x7a]],
  ['cp949', [0x4e, 0x79]],
  ['big5', [0x4f, 0x78]],
  ['macintosh', [0x04]],
  ['maccyrillic', [0x96]],
  ['maccenteuro', [0x97]],
];

const languageDriverEncodings = new Map(
  languageDriverCodePages.flatMap(([encoding, ids]) => ids.map((id) => [id, encoding] as const)),
);

/** One field of a `.dbf` header: its raw name, dBASE type letter and place in a record. */
interface DbfField {
  rawName: Buffer;
  type: string;
  /** Bytes from the start of a record (the deletion flag is byte 0). */
  offset: number;
  length: number;
}

/** What the import reads of a `.dbf` header (dBASE III, as Shapefiles use). */
interface DbfHeader {
  headerLength: number;
  recordLength: number;
  /** The language driver id (byte 29); 0 when the writer named no code page. */
  languageDriver: number;
  /** Records in the file, deleted ones included (bytes 4 to 7). */
  recordCount: number;
  fields: DbfField[];
}

function readDbfHeader(dbf: string): DbfHeader {
  const descriptor = fs.openSync(dbf, 'r');
  try {
    const header = Buffer.alloc(32);
    fs.readSync(descriptor, header, 0, 32, 0);
    const headerLength = header.readUInt16LE(8);
    const descriptors = Buffer.alloc(Math.max(0, headerLength - 32));
    fs.readSync(descriptor, descriptors, 0, descriptors.length, 32);

    const fields: DbfField[] = [];
    let offset = 1;
    for (let at = 0; at + 32 <= descriptors.length && descriptors[at] !== 0x0d; at += 32) {
      const raw = descriptors.subarray(at, at + 11);
      const end = raw.indexOf(0);
      const type = String.fromCharCode(descriptors[at + 11]!);
      const length = descriptors[at + 16]!;
      fields.push({ rawName: end >= 0 ? raw.subarray(0, end) : raw, type, offset, length });
      offset += length;
    }
    const recordLength = header.readUInt16LE(10);
    const recordCount = header.readUInt32LE(4);
    return { headerLength, recordLength, languageDriver: header[29]!, recordCount, fields };
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Field types whose bytes are text: characters, and numbers, dates and logicals as digits. */
const textFieldTypes = new Set(['C', 'N', 'F', 'L', 'D']);

/** The character-field bytes of whole `records` (all of them when every field is text). */
function characterBytes(records: Buffer, header: DbfHeader): Buffer {
  if (header.fields.every((f) => textFieldTypes.has(f.type))) return records;
  const parts: Buffer[] = [];
  const characterFields = header.fields.filter((f) => f.type === 'C');
  for (let start = 0; start < records.length; start += header.recordLength) {
    for (const { offset, length } of characterFields) {
      parts.push(records.subarray(start + offset, start + offset + length));
    }
  }
  return Buffer.concat(parts);
}

/** Bytes read per step of the `.dbf` text scan, rounded down to whole records. */
const textScanBytes = 1 << 20;

/**
 * Bytes of `field` up to its padding, without a UTF-8 letter its writer cut at the field width:
 * a lead byte and fewer continuation bytes than it announces, at the very end of a full field.
 * Tools that count a field's width in bytes (ArcGIS among them) cut a long value there.
 */
function withoutCutLetter(field: Buffer): Buffer {
  let end = field.length;
  while (end > 0 && (field[end - 1] === 0x20 || field[end - 1] === 0)) end -= 1;
  if (end < field.length) return field.subarray(0, end);
  // at most three bytes of an unfinished letter: find its lead byte
  for (let lead = end - 1; lead >= Math.max(0, end - 3); lead -= 1) {
    const byte = field[lead]!;
    if ((byte & 0xc0) === 0x80) continue;
    const announced = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return announced > end - lead ? field.subarray(0, lead) : field;
  }
  return field;
}

/**
 * True when every character field of whole `records` is UTF-8 once a letter cut at the field
 * width is left out, and at least one was cut (the slow path, taken only when the text as a
 * whole is not UTF-8).
 */
function isUtf8WithCutLetters(records: Buffer, header: DbfHeader): boolean {
  const characterFields = header.fields.filter((f) => f.type === 'C');
  let cut = false;
  for (let start = 0; start < records.length; start += header.recordLength) {
    for (const { offset, length } of characterFields) {
      const field = records.subarray(start + offset, start + offset + length);
      if (isUtf8(field)) continue;
      if (!isUtf8(withoutCutLetter(field))) return false;
      cut = true;
    }
  }
  return cut;
}

/**
 * What the text of a `.dbf` (field names and every record's character fields) is: `ascii`
 * (any encoding reads it alike), `utf-8` (valid UTF-8 with multi-byte sequences, maybe with
 * letters cut at the field width: `cutLetters`), or `other`. One pass over the file, 1 MB at
 * a time: 25 ms for 200,000 records (42 MB), 150 ms when a binary field makes it copy the
 * character fields out first.
 */
async function classifyDbfText(dbf: string, header: DbfHeader) {
  const names = Buffer.concat(header.fields.map((f) => f.rawName));
  if (!isUtf8(names)) return { text: 'other' } as const;
  let multiByte = !isAscii(names);
  let cutLetters = false;

  const step = Math.max(1, Math.floor(textScanBytes / Math.max(1, header.recordLength)));
  const buffer = Buffer.alloc(step * Math.max(1, header.recordLength));
  const file = await fs.promises.open(dbf, 'r');
  try {
    for (let position = header.headerLength; ; position += buffer.length) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const records = buffer.subarray(0, bytesRead);
      const text = characterBytes(records, header);
      if (isUtf8(text)) {
        multiByte ||= !isAscii(text);
      } else if (isUtf8WithCutLetters(records, header)) {
        multiByte = cutLetters = true;
      } else {
        return { text: 'other' } as const;
      }
    }
  } finally {
    await file.close();
  }
  return { text: multiByte ? 'utf-8' : 'ascii', cutLetters } as const;
}

const cutLettersNote: ImportNote = {
  code: 'dbf-cut-letters',
  text:
    'Some values were cut mid-letter at the .dbf field width by the program that wrote them; ' +
    'the cut letter is left out.',
};

/**
 * The encoding of a `.dbf` that no `.cpg` names: the code page of its language driver byte,
 * else UTF-8 when its text is UTF-8 with accented letters, else Windows-1252, the encoding of
 * Windows GIS tools in Indonesian government offices.
 */
async function guessDbfEncoding(dbf: string, notes: ImportNote[]): Promise<string> {
  const header = readDbfHeader(dbf);
  const fromDriver = languageDriverEncodings.get(header.languageDriver);
  if (fromDriver) {
    const driver = `0x${header.languageDriver.toString(16).padStart(2, '0')}`;
    const text = `Text read as ${fromDriver}, as the .dbf language driver (${driver}) says.`;
    notes.push({ code: 'encoding-from-driver', params: { encoding: fromDriver, driver }, text });
    return fromDriver;
  }

  const { text, cutLetters } = await classifyDbfText(dbf, header);
  const unnamed = 'Neither a .cpg file nor the .dbf names the encoding:';
  const giveIt = 'If names look wrong, give the encoding.';
  if (text === 'utf-8') {
    const why = 'since it is UTF-8 with accented letters';
    const note = `${unnamed} text read as utf-8, ${why}. ${giveIt}`;
    notes.push({ code: 'encoding-recognised-utf-8', text: note });
    if (cutLetters) notes.push(cutLettersNote);
    return 'utf-8';
  }
  notes.push(
    text === 'ascii'
      ? {
          code: 'encoding-plain-ascii',
          text: `${unnamed} its text is plain ASCII, which reads the same in every encoding.`,
        }
      : {
          code: 'encoding-assumed-windows-1252',
          text:
            `${unnamed} text read as windows-1252, the Windows default, since it is not ` +
            `UTF-8. ${giveIt}`,
        },
  );
  return 'windows-1252';
}

async function chooseEncoding(
  parts: ShapefileParts & { dbf: string },
  override: string | undefined,
  notes: ImportNote[],
) {
  if (override) {
    if (!isKnownEncoding(override)) {
      throw new SourceFileError(
        'unknown-encoding',
        `"${override}" is not a text encoding; use e.g. utf-8, windows-1252 or iso-8859-1.`,
        { encoding: override },
      );
    }
    const encoding = decodingEncoding(override);
    const text = `Text read as ${encoding}, as asked.`;
    notes.push({ code: 'encoding-given', params: { encoding }, text });
    return encoding;
  }
  const cpg = parts.cpg && fs.readFileSync(parts.cpg, 'latin1');
  const named = cpg ? encodingFromCpg(cpg) : undefined;
  const fromCpg = named && decodingEncoding(named);
  if (fromCpg) {
    const text = `Text read as ${fromCpg}, as the .cpg file says.`;
    notes.push({ code: 'encoding-from-cpg', params: { encoding: fromCpg }, text });
    return fromCpg;
  }
  if (cpg) {
    const named = cpg.trim().slice(0, 40);
    const text = `The .cpg file names no known encoding ("${named}").`;
    notes.push({ code: 'cpg-unknown-encoding', params: { cpg: named }, text });
  }
  return guessDbfEncoding(parts.dbf, notes);
}

function readFieldNames(parts: ShapefileParts): Map<string, string> {
  if (!parts.fieldNames) return new Map();
  const lines = fs.readFileSync(parts.fieldNames, 'utf8').split(/\r?\n/).slice(1);
  const pairs = lines.map((l) => l.split(',')).filter((cells) => cells.length === 2);
  return new Map(pairs.map(([short, full]) => [short!.trim(), full!.trim()]));
}

function dbfFieldNames(dbf: string, encoding: string): string[] {
  return readDbfHeader(dbf).fields.map((f) => iconv.decode(f.rawName, encoding).trim());
}

/** `.dbf` records read per call: one file read each, decoded in one go. */
const dbfChunkSize = 1000;

/**
 * A `.dbf` value as the import expects it (as the `shapefile` package read them before):
 * text trimmed, blank text and unreadable numbers null, dates as local calendar days. Text
 * read as UTF-8 loses a letter its writer cut at the field width (read as U+FFFD at its end).
 */
function normalizeDbfValue(value: unknown, utf8: boolean): unknown {
  if (typeof value === 'string') {
    const whole = utf8 && value.endsWith('\ufffd') ? value.replace(/\ufffd+$/, '') : value;
    return whole.trim() || null;
  }
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
    const message = `The .dbf file cannot be read: ${reason}.`;
    throw new SourceFileError('unreadable-dbf', message, { reason });
  }
  const utf8 = /^utf-?8$/i.test(encoding);
  for (;;) {
    const records = await file.readRecords(dbfChunkSize).catch((error: unknown) => {
      throw readerFailure('unreadable-dbf', 'The .dbf file', error);
    });
    if (records.length === 0) return;
    for (const record of records) {
      const properties: Record<string, unknown> = {};
      file.fields.forEach((field, i) => {
        if (!(field.name in record)) return;
        properties[names[i]!] = normalizeDbfValue(record[field.name], utf8);
      });
      yield properties;
    }
  }
}

/**
 * The refusal of a `.dbf` whose records do not pair one to one with the shapes: a record
 * belongs to the shape in its place, so any other count leaves shapes without their
 * attributes or pairs them wrongly. `shapes` is undefined when only "more" is known.
 */
function recordCountProblem(name: string, records: number, shapes?: number) {
  const counted = shapes === undefined ? 'more shapes' : countNoun(shapes, 'shape');
  return new SourceFileError(
    'dbf-record-count',
    `${name}.dbf holds ${countNoun(records, 'record')} but ${name}.shp has ${counted}: ` +
      'each shape takes the record in its place, so its attributes cannot be matched. ' +
      'Export the Shapefile again with all its files from the program that made it.',
    { file: name, records, ...(shapes === undefined ? {} : { shapes }) },
  );
}

/**
 * The `.shp` read as a stream: `shapefile` given a path adds `.shp` to one that does not end in
 * it in lower case, so `JALAN.SHP` (as older Windows tools write) was read as `JALAN.SHP.shp`.
 */
function openShp(file: string): ReturnType<typeof shapefile.openShp> {
  return new Promise<fs.ReadStream>((resolve, reject) => {
    // the 64 KB steps the reader takes when it opens a path itself
    const stream = fs.createReadStream(file, { highWaterMark: 65536 });
    stream.once('open', () => resolve(stream));
    stream.once('error', reject);
  }).then((stream) => shapefile.openShp(stream));
}

async function* readFeatures(
  parts: ShapefileParts & { dbf: string },
  dbfRecords: number,
  fieldNames: readonly string[],
  encoding: string,
  counter: { read: number },
  signal?: AbortSignal,
): AsyncGenerator<SourceFeature> {
  const what = `${parts.name}.shp`;
  const shapes = await openShp(parts.shp).catch((error: unknown) => {
    throw readerFailure('unreadable-shp', what, error);
  });
  const records = readDbfRecords(parts.dbf, encoding, fieldNames);
  const dropped = droppedOrdinates(parts.shp);
  const anyDropped = dropped.zDropped ?? dropped.mDropped;
  let rowNumber = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      // try/catch rather than .catch(): no second promise for each of a million shapes
      let shape: Awaited<ReturnType<typeof shapes.read>>;
      try {
        shape = await shapes.read();
      } catch (error) {
        throw readerFailure('unreadable-shp', what, error, signal);
      }
      const { done, value } = shape;
      if (done && rowNumber < dbfRecords)
        throw recordCountProblem(parts.name, dbfRecords, rowNumber);
      if (done) return;
      rowNumber += 1;
      counter.read = rowNumber;
      if (rowNumber > dbfRecords) throw recordCountProblem(parts.name, dbfRecords);
      const properties = (await records.next()).value ?? {};
      const geometry = (value as Geometry | null) ?? null;
      yield anyDropped && geometry
        ? { rowNumber, properties, geometry, ...dropped }
        : { rowNumber, properties, geometry };
    }
  } finally {
    await shapes.cancel().catch(() => undefined);
    await records.return(undefined);
  }
}

/**
 * Opens one Shapefile. Its CRS is the `.prj` WKT; without `.prj` the CRS is left undefined,
 * and the import refuses to guess. `encoding` overrides the `.cpg`.
 */
export async function openShapefile(
  parts: ShapefileParts,
  encoding?: string,
): Promise<OpenedSource> {
  const { dbf } = parts;
  if (!dbf) {
    throw new SourceFileError(
      'missing-dbf',
      `${parts.name}.shp has no .dbf file, which holds the attributes of its shapes. ` +
        `Send ${parts.name}.dbf with it (zip the Shapefile with all its files).`,
      { file: parts.name },
    );
  }
  const featureCount = recordCount(parts);
  const dbfRecords = readDbfHeader(dbf).recordCount;
  if (featureCount !== undefined && featureCount !== dbfRecords) {
    throw recordCountProblem(parts.name, dbfRecords, featureCount);
  }

  const notes: ImportNote[] = [];
  const chosen = await chooseEncoding({ ...parts, dbf }, encoding, notes);
  const renames = readFieldNames(parts);
  if (renames.size > 0) {
    const text = 'Full field names restored from the export field list.';
    notes.push({ code: 'field-names-restored', text });
  }
  const prj = parts.prj && fs.readFileSync(parts.prj, 'utf8').trim();
  const fields = dbfFieldNames(dbf, chosen).map((f) => renames.get(f) ?? f);
  const counter = { read: 0 };
  return {
    name: parts.name,
    fields,
    crs: prj ? { wkt: prj } : undefined,
    encoding: chosen,
    featureCount,
    notes,
    features: (signal) =>
      readFeatures({ ...parts, dbf }, dbfRecords, fields, chosen, counter, signal),
    fractionRead: () => (featureCount ? Math.min(1, counter.read / featureCount) : 0),
  };
}
