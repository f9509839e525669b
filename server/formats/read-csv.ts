/**
 * CSV reader: a table with either a WKT column or longitude/latitude (x/y) columns. The
 * delimiter and a decimal comma are detected from the first lines unless given; the text
 * encoding from the whole file (UTF-8 when it is UTF-8, else Windows-1252, what Excel on
 * Windows saves) unless given.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import { wktToGeoJSON } from '@terraformer/wkt';
import { parse } from 'csv-parse';
import type { Geometry } from 'geojson';
import iconv from 'iconv-lite';
import { readDecimal } from '../../layers/validate-attributes.js';
import { trackFile, type TrackedFile } from './file-progress.js';
import type { ImportNote } from '../db/queries/import-jobs.js';
import {
  lonLat,
  readerFailure,
  SourceFileError,
  type OpenedSource,
  type SourceCrs,
} from './source-feature.js';
import { quotedNames } from './quoted-names.js';
import { restoreFormula } from './spreadsheet-formula.js';
import { decodingEncoding } from './text-encoding.js';

/** How to read a CSV file; anything left out is detected. */
export interface CsvOptions {
  /** One character: `,`, `;`, tab or `|`. */
  delimiter?: string;
  /** Numbers are written `109,0123` (Indonesian and European spreadsheets). */
  decimalComma?: boolean;
  /** Column of WKT (or EWKT) geometries. */
  wktColumn?: string;
  /** Columns of longitude (x) and latitude (y) for points. */
  xColumn?: string;
  yColumn?: string;
}

/** What was detected (or given) about a CSV file. */
export interface CsvLayout {
  delimiter: string;
  decimalComma: boolean;
  /** The file starts with Excel's line naming the delimiter (`sep=;`), before the header. */
  delimiterLine: boolean;
  /** The header's names as written. */
  header: string[];
  /** The header's names, a repeated one numbered (`distinctColumnNames`). */
  columns: string[];
  geometry: { wktColumn: string } | { xColumn: string; yColumn: string };
  /** Columns whose numbers read either way (`1.200`), as notes (`ambiguousNumberNotes`). */
  numberNotes: ImportNote[];
}

/**
 * The header's names with a name repeated numbered from its second column on (`code`,
 * `code_2`): records were objects by name, so the last column of a name silently took the
 * place of the others, which no mapping could choose.
 */
function distinctColumnNames(header: string[]): string[] {
  const taken = new Set(header);
  const seen = new Set<string>();
  return header.map((name) => {
    if (!seen.has(name) || name.trim() === '') {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`)) n += 1;
    taken.add(`${name}_${n}`);
    return `${name}_${n}`;
  });
}

/** A note for each column renamed by `distinctColumnNames`. */
function repeatedColumnNotes(header: string[], columns: string[]): ImportNote[] {
  return columns.flatMap((renamed, i) => {
    const column = header[i]!;
    if (renamed === column) return [];
    const position = i + 1;
    const repeated = `The CSV has more than one column "${column}"`;
    const text = `${repeated}; column ${position} is read as "${renamed}".`;
    return [{ code: 'csv-repeated-column', params: { column, renamed, position }, text }];
  });
}

const delimiters = [',', ';', '\t', '|'];
const wktNames = ['wkt', 'geometry', 'geom', 'the_geom', 'shape', 'geometri'];
const xNames = ['lon', 'lng', 'long', 'longitude', 'x', 'bujur', 'koordinat_x', 'easting'];
const yNames = ['lat', 'latitude', 'y', 'lintang', 'koordinat_y', 'northing'];

// Read until the first lines are whole: a header of thousands of columns passes 64 KB.
const maxHeadBytes = 8 * 1024 ** 2;

function headLines(file: string, count: number, encoding = 'utf-8'): string[] {
  const descriptor = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let read = 0;
    let newlines = 0;
    while (newlines < count && read < maxHeadBytes) {
      const chunk = Buffer.alloc(65536);
      const length = fs.readSync(descriptor, chunk, 0, chunk.length, read);
      if (length === 0) break;
      chunks.push(chunk.subarray(0, length));
      read += length;
      for (let i = 0; i < length; i += 1) if (chunk[i] === 0x0a) newlines += 1;
    }
    const text = iconv.decode(Buffer.concat(chunks), encoding).replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).slice(0, count);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Bytes at the end of `bytes` that begin a UTF-8 sequence the next chunk may finish. */
function openSequenceLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) !== 0x80) return byte >= 0xc0 ? back : 0;
  }
  return 0;
}

/** True when the whole file is UTF-8: one pass, 1 MB at a time (about 1 ms a MB). */
function isUtf8File(file: string): boolean {
  const descriptor = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1024 ** 2 + 3);
    let carried = 0;
    for (let position = 0; ;) {
      const length = fs.readSync(descriptor, buffer, carried, buffer.length - carried, position);
      position += length;
      const bytes = buffer.subarray(0, carried + length);
      if (length === 0) return isUtf8(bytes);
      const open = openSequenceLength(bytes);
      if (!isUtf8(bytes.subarray(0, bytes.length - open))) return false;
      bytes.copy(buffer, 0, bytes.length - open);
      carried = open;
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

/** UTF-16 when the file begins with its byte order mark (Excel's "Unicode Text"). */
function utf16ByOrderMark(file: string): string | undefined {
  const descriptor = fs.openSync(file, 'r');
  try {
    const mark = Buffer.alloc(2);
    fs.readSync(descriptor, mark, 0, 2, 0);
    if (mark[0] === 0xff && mark[1] === 0xfe) return 'utf-16le';
    if (mark[0] === 0xfe && mark[1] === 0xff) return 'utf-16be';
    return undefined;
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * The encoding to read the file in: the one given, else UTF-16 by its byte order mark, else
 * UTF-8 when the file is UTF-8 (with a BOM or without), else Windows-1252, which Excel on
 * Windows writes ("CSV (Comma delimited)").
 */
function chooseEncoding(file: string, given: string | undefined, notes: ImportNote[]) {
  if (given) {
    if (!iconv.encodingExists(given)) {
      throw new SourceFileError(
        'unknown-encoding',
        `"${given}" is not a text encoding; use e.g. utf-8, windows-1252 or iso-8859-1.`,
        { encoding: given },
      );
    }
    const encoding = decodingEncoding(given);
    const text = `Text read as ${encoding}, as asked.`;
    notes.push({ code: 'encoding-given', params: { encoding }, text });
    return encoding;
  }
  const utf16 = utf16ByOrderMark(file);
  if (utf16) return utf16;
  if (isUtf8File(file)) return 'utf-8';
  notes.push({
    code: 'csv-encoding-windows-1252',
    text:
      'The CSV is not UTF-8: text read as windows-1252, what Excel on Windows saves. ' +
      'If names look wrong, give the encoding.',
  });
  return 'windows-1252';
}

/** The candidate that splits the header line into the most fields, quotes respected. */
function detectDelimiter(header: string): string {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const counts = delimiters.map((d) => unquoted.split(d).length);
  return delimiters[counts.indexOf(Math.max(...counts))]!;
}

function findColumn(columns: string[], names: string[], given?: string): string | undefined {
  if (given) {
    if (!columns.includes(given)) {
      const quoted = quotedNames(columns);
      throw new SourceFileError(
        'unknown-column',
        `The CSV has no column "${given}"; its columns are: ${quoted.text}.`,
        { column: given, columns: quoted.shown, columnCount: columns.length },
      );
    }
    return given;
  }
  return columns.find((c) => names.includes(c.trim().toLowerCase()));
}

/**
 * Geometry columns that name their CRS, as Simpul's exports write them in any CRS but EPSG:4326:
 * a WKT column as GDAL's CSV driver names one (`_WKTgeom_EPSG_32749_MULTIPOLYGON`), and
 * `x_EPSG_32749`, `y_EPSG_32749`.
 */
const crsNamingColumns = {
  wkt: /^_WKT.*_EPSG_(?<epsg>\d+)(?:_[A-Z]+)?$/i,
  x: /^x_EPSG_(?<epsg>\d+)$/i,
  y: /^y_EPSG_(?<epsg>\d+)$/i,
};

/** The first column a pattern of `crsNamingColumns` matches. */
function findCrsNamingColumn(columns: string[], pattern: RegExp) {
  return columns.find((c) => pattern.test(c.trim()));
}

function detectGeometry(columns: string[], options: CsvOptions): CsvLayout['geometry'] {
  const wktColumn =
    findColumn(columns, wktNames, options.wktColumn) ??
    findCrsNamingColumn(columns, crsNamingColumns.wkt);
  if (wktColumn && !options.xColumn) return { wktColumn };

  const xColumn =
    findColumn(columns, xNames, options.xColumn) ??
    findCrsNamingColumn(columns, crsNamingColumns.x);
  const yColumn =
    findColumn(columns, yNames, options.yColumn) ??
    findCrsNamingColumn(columns, crsNamingColumns.y);
  if (xColumn && yColumn) return { xColumn, yColumn };
  const quoted = quotedNames(columns);
  throw new SourceFileError(
    'no-geometry-columns',
    `No geometry column found among: ${quoted.text}. Name a WKT column ` +
      '(--wkt-column on the command line, csv.wktColumn in the API) or the longitude and ' +
      'latitude columns (--x-column and --y-column, csv.xColumn and csv.yColumn).',
    { columns: quoted.shown, columnCount: columns.length },
  );
}

function splitLine(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((cell) => cell.replace(/^"|"$/g, '').trim());
}

/** What the first lines tell before the decimal mark is chosen. */
type CsvBase = Omit<CsvLayout, 'decimalComma' | 'numberNotes'>;

/** A number only a decimal comma writes: `109,0123`, `1.234,5`, or points grouping `1.250.000`. */
const commaNumber = /^[+-]?(\d+,\d+|\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,})$/;
/** A number only a decimal point writes: `109.0123`, `2.5` (not three digits after it). */
const pointNumber = /^[+-]?(\d*\.(\d{1,2}|\d{4,})|\d{4,}\.\d+)$/;
/** A number either way: `1.200` is 1.2 with a decimal point, 1200 with points grouping. */
const ambiguousNumber = /^[+-]?\d{1,3}\.\d{3}$/;

/** The cells of the first lines, column by column, the WKT column left out. */
function sampleColumns(lines: string[], layout: CsvBase) {
  const rows = lines.slice(1).map((line) => splitLine(line, layout.delimiter));
  const wkt = 'wktColumn' in layout.geometry ? layout.geometry.wktColumn : undefined;
  return layout.columns
    .map((column, index) => ({ column, cells: rows.map((cells) => cells[index] ?? '') }))
    .filter(({ column }) => column !== wkt);
}

/**
 * Comma decimals, in a file not delimited by commas: coordinates written `109,0123`, else
 * some number of the first lines written as only a decimal comma writes it (`2,5`,
 * `1.234,5`, `1.250.000`) and none as only a decimal point does (`2.5`). Every column counts:
 * a WKT file of Indonesian spreadsheet numbers read `1.200` (1200) as 1.2.
 */
function detectDecimalComma(lines: string[], layout: CsvBase) {
  if (layout.delimiter === ',') return false;
  const columns = sampleColumns(lines, layout);
  const x = 'xColumn' in layout.geometry ? layout.geometry.xColumn : undefined;
  const coordinates = columns.find(({ column }) => column === x)?.cells ?? [];
  if (coordinates.some((cell) => /^-?\d+,\d+$/.test(cell))) return true;
  const cells = columns.flatMap((column) => column.cells);
  return cells.some((cell) => commaNumber.test(cell)) && !cells.some((c) => pointNumber.test(c));
}

/**
 * A note for each column whose first lines hold a number read with a decimal point that a
 * decimal comma would read as thousands (`1.200`: 1.2 or 1200), when nothing else in the
 * column tells which: the user then knows to choose the decimal comma if the point groups.
 */
function ambiguousNumberNotes(lines: string[], layout: CsvBase, decimalComma: boolean) {
  if (decimalComma) return [];
  return sampleColumns(lines, layout).flatMap(({ column, cells }) => {
    const example = cells.find((cell) => ambiguousNumber.test(cell));
    if (!example || cells.some((cell) => pointNumber.test(cell))) return [];
    const read = Number(example);
    const grouped = Number(example.replace('.', ''));
    const text =
      `Column "${column}" holds numbers such as ${example}, read with a decimal point ` +
      `(${read}); if its points group thousands (${grouped}), choose the decimal comma.`;
    const params = { column, example, read, grouped };
    return [{ code: 'csv-point-ambiguous', params, text } satisfies ImportNote];
  });
}

/**
 * The delimiter a first line such as `sep=;` names: Excel reads the file with it and shows
 * the header as row 1. Taken for the header, it was refused as having no geometry column.
 */
function excelDelimiter(line: string): string | undefined {
  return /^sep=(.)$/i.exec(line.trim())?.[1];
}

/** Reads the header and first lines: delimiter, decimal comma, columns, geometry columns. */
export function detectCsvLayout(
  file: string,
  options: CsvOptions = {},
  encoding = 'utf-8',
): CsvLayout {
  const head = headLines(file, 21, encoding);
  const named = excelDelimiter(head[0]!);
  const lines = head.slice(named === undefined ? 0 : 1).filter((line) => line.trim());
  if (lines.length === 0) throw new SourceFileError('empty-file', 'The CSV file is empty.');

  const delimiter = options.delimiter ?? named ?? detectDelimiter(lines[0]!);
  const header = splitLine(lines[0]!, delimiter);
  const columns = distinctColumnNames(header);
  const geometry = detectGeometry(columns, options);
  const base = { delimiter, delimiterLine: named !== undefined, header, columns, geometry };
  const decimalComma = options.decimalComma ?? detectDecimalComma(lines, base);
  return { ...base, decimalComma, numberNotes: ambiguousNumberNotes(lines, base, decimalComma) };
}

/**
 * A coordinate cell's number: one comma or point is its decimal mark, with a decimal comma
 * or without, as an attribute's number is read. A comma-delimited file quoting its decimal
 * commas (Google Sheets set to Indonesian: "109,0712") was read as no number at all.
 */
function readNumber(text: string | undefined): number {
  return readDecimal((text ?? '').replace(',', '.'));
}

/** EWKT `SRID=32749;POINT(…)` carries its CRS; the prefix is split off. */
function splitEwkt(text: string): { wkt: string; crs?: SourceCrs } {
  const match = /^\s*SRID=(\d+);(.*)$/is.exec(text);
  return match ? { wkt: match[2]!, crs: { epsg: Number(match[1]) } } : { wkt: text };
}

/** A geometry as read, with the ordinates beyond x and y its WKT names (`POINT M`, `ZM`). */
interface ReadGeometry {
  geometry: Geometry | null;
  measured?: { z: boolean };
}

/**
 * A WKT geometry as GeoJSON. terraformer keeps a measure as a third ordinate, as it keeps a Z,
 * and marks which in a `properties` member (left out here): a `POINT M` is then told from a
 * `POINT Z` by `measured`, so that its measures are not counted as dropped elevations.
 */
function readWkt(text: string): ReadGeometry {
  const { properties, ...geometry } = wktToGeoJSON(splitEwkt(text).wkt) as Geometry & {
    properties?: { z?: boolean; m?: boolean };
  };
  if (!properties?.m) return { geometry };
  return { geometry, measured: { z: properties.z === true } };
}

function readGeometry(record: Record<string, string>, layout: CsvLayout): ReadGeometry {
  if ('wktColumn' in layout.geometry) {
    const text = record[layout.geometry.wktColumn]?.trim();
    if (!text) return { geometry: null };
    return readWkt(text);
  }
  const cells = [record[layout.geometry.xColumn], record[layout.geometry.yColumn]];
  // Both cells empty: no geometry. Otherwise a point, whose coordinates that are not numbers
  // (NaN) the validation reports as such, quoting them.
  if (cells.every((cell) => !cell?.trim())) return { geometry: null };
  const [x, y] = cells.map((cell) => readNumber(cell));
  return { geometry: { type: 'Point', coordinates: [x!, y!] } };
}

/** Longest part of an unreadable WKT quoted in its rejection, in characters. */
const quotedWktLength = 80;

/** The rejection of a row whose WKT cannot be read, quoting its start. */
function unreadableWkt(record: Record<string, string>, layout: CsvLayout): string {
  const column = 'wktColumn' in layout.geometry ? layout.geometry.wktColumn : '';
  const text = (record[column] ?? '').trim();
  const quoted = text.length > quotedWktLength ? `${text.slice(0, quotedWktLength)}…` : text;
  return (
    `The WKT geometry cannot be read: "${quoted}". Write it as WKT does, e.g. ` +
    'POINT (109.0153 -7.7266) or MULTIPOLYGON (((…)))'
  );
}

function geometryColumns(layout: CsvLayout): string[] {
  const g = layout.geometry;
  return 'wktColumn' in g ? [g.wktColumn] : [g.xColumn, g.yColumn];
}

/** The CRS of an EWKT column, read from its first value; undefined for plain WKT or x/y. */
function ewktCrs(file: string, layout: CsvLayout, encoding: string): SourceCrs | undefined {
  if (!('wktColumn' in layout.geometry)) return undefined;
  const index = layout.columns.indexOf(layout.geometry.wktColumn);
  const skipped = layout.delimiterLine ? 1 : 0;
  const first = headLines(file, 2 + skipped, encoding)[1 + skipped];
  return first ? splitEwkt(splitLine(first, layout.delimiter)[index] ?? '').crs : undefined;
}

/** The CRS the geometry columns' names give (`crsNamingColumns`), when they agree on one. */
function columnNameCrs(layout: CsvLayout): SourceCrs | undefined {
  const patterns = Object.values(crsNamingColumns);
  const codes = geometryColumns(layout).map(
    (name) => patterns.map((p) => p.exec(name.trim())?.groups?.epsg).find(Boolean) ?? '',
  );
  const [code] = codes;
  return code && codes.every((c) => c === code) ? { epsg: Number(code) } : undefined;
}

/**
 * The row a spreadsheet shows a record on: the header is row 1, an empty line is a row of its
 * own, and a cell holding line breaks is one row. The parser's line count is not used: it
 * counts a CRLF inside quotes as two lines, so rows after such a cell came one too far.
 */
function spreadsheetRow(info: { records: number; empty_lines: number }): number {
  return 1 + info.records + info.empty_lines;
}

async function* readRecords(
  file: TrackedFile,
  layout: CsvLayout,
  encoding: string,
  signal?: AbortSignal,
) {
  const stream = file.open();
  const text = /^utf-?8$/i.test(encoding) ? stream : stream.pipe(iconv.decodeStream(encoding));
  const parser = text.pipe(
    parse({
      bom: true,
      // after Excel's `sep=` line, which the rows shown in Excel do not count either
      from_line: layout.delimiterLine ? 2 : 1,
      // by position, named below as detectCsvLayout names them: a record object keyed by the
      // header lost a column named "__proto__" to its prototype, failing the whole file
      columns: (header: string[]) => header.map((_, position) => String(position)),
      delimiter: layout.delimiter,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  const attributeColumns = layout.columns.filter((c) => !geometryColumns(layout).includes(c));
  try {
    for await (const { record, info } of parser) {
      signal?.throwIfAborted();
      const cells = record as Record<string, string>;
      const row: Record<string, string> = Object.fromEntries(
        layout.columns.map((c, i) => [c, cells[String(i)]!]),
      );
      const properties = Object.fromEntries(
        attributeColumns.map((c) => [c, row[c] === undefined ? null : restoreFormula(row[c])]),
      );
      const rowNumber = spreadsheetRow(info);
      let read: ReadGeometry = { geometry: null };
      let geometryUnreadable: string | undefined;
      try {
        read = readGeometry(row, layout);
      } catch {
        // unreadable WKT: the import rejects the row quoting it
        geometryUnreadable = unreadableWkt(row, layout);
      }
      const { geometry, measured } = read;
      if (geometryUnreadable) yield { rowNumber, properties, geometry, geometryUnreadable };
      else if (measured)
        yield { rowNumber, properties, geometry, mDropped: true, zDropped: measured.z };
      else yield { rowNumber, properties, geometry };
    }
  } catch (error) {
    // a quote where none may stand, or one left open, stops the parser: the file is refused
    throw readerFailure('unreadable-csv', 'The CSV file', error, signal);
  } finally {
    parser.destroy();
    stream.destroy();
  }
}

/**
 * Opens a CSV file. Row numbers are the rows a spreadsheet shows (the header is row 1), not
 * lines of text: a cell holding line breaks does not move the rows after it. The CRS is the
 * EWKT SRID when the WKT column carries one, else the one the geometry columns' names give
 * (`_WKTgeom_EPSG_32749_POINT`, `x_EPSG_32749`), else unknown: the caller then assumes lon/lat
 * (EPSG:4326) unless told otherwise, and says so in the notes.
 */
export function openCsv(
  file: string,
  name: string,
  options: CsvOptions = {},
  givenEncoding?: string,
): OpenedSource {
  const encodingNotes: ImportNote[] = [];
  const encoding = chooseEncoding(file, givenEncoding, encodingNotes);
  const layout = detectCsvLayout(file, options, encoding);
  const { geometry } = layout;
  const geometryNote: ImportNote =
    'wktColumn' in geometry
      ? {
          code: 'csv-wkt-column',
          params: { column: geometry.wktColumn },
          text: `Geometry from WKT column "${geometry.wktColumn}".`,
        }
      : {
          code: 'csv-coordinate-columns',
          params: { xColumn: geometry.xColumn, yColumn: geometry.yColumn },
          text: `Points from columns "${geometry.xColumn}" (x) and "${geometry.yColumn}" (y).`,
        };
  const delimiter = layout.delimiter === '\t' ? 'tab' : `"${layout.delimiter}"`;
  const comma = layout.decimalComma ? ', decimal comma' : '';
  const delimiterNote = {
    code: layout.decimalComma ? 'csv-delimiter-decimal-comma' : 'csv-delimiter',
    params: { delimiter },
    text: `Delimiter ${delimiter}${comma}.`,
  };
  const repeatedNotes = repeatedColumnNotes(layout.header, layout.columns);
  const notes = [
    geometryNote,
    delimiterNote,
    ...layout.numberNotes,
    ...repeatedNotes,
    ...encodingNotes,
  ];
  const tracked = trackFile(file);
  return {
    name,
    fields: layout.columns.filter((c) => !geometryColumns(layout).includes(c)),
    crs: ewktCrs(file, layout, encoding) ?? columnNameCrs(layout),
    // read in lon/lat when no CRS is named or given: the reading a given CRS is checked against
    formatCrs: lonLat,
    decimalComma: layout.decimalComma,
    encoding,
    notes,
    features: (signal) => readRecords(tracked, layout, encoding, signal),
    fractionRead: tracked.fraction,
  };
}
