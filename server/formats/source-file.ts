/**
 * Opens any file an import accepts: detects its format from its name and first bytes, lists
 * the layers inside (GeoPackage tables, the Shapefiles of a zip) and opens one for reading.
 * Each reader and its libraries are loaded only when a file of its format is opened: loading
 * them all cost the import command about a quarter of a second at every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { config } from '../config.js';
import type { ImportNote } from '../db/queries/import-jobs.js';
import type { CsvOptions } from './read-csv.js';
import { countNoun } from '../counted-noun.js';
import { quotedNames } from './quoted-names.js';
import { lonLat, SourceFileError, type OpenedSource } from './source-feature.js';
import { describeCrs, parseCrsName } from './source-crs.js';
import { isZipFile } from './zip-archive.js';

/** The formats an import reads. */
export const sourceFormats = [
  'geojson',
  'geojsonseq',
  'shapefile',
  'geopackage',
  'csv',
  'kml',
  'flatgeobuf',
] as const;

export type SourceFormat = (typeof sourceFormats)[number];

/** The formats as a person names them, in the order of `sourceFormats`. */
const readableFormatTitles = [
  'GeoJSON',
  'GeoJSON (newline-delimited)',
  'Shapefile (.zip)',
  'GeoPackage',
  'CSV',
  'KML/KMZ',
  'FlatGeobuf',
];

/** Options that change how a source is read. */
export interface ReadOptions {
  /** Text encoding of a Shapefile's `.dbf` (overriding its `.cpg`) or of a CSV. */
  encoding?: string;
  csv?: CsvOptions;
  /** The CRS given for the file: GDAL reprojects from it a layer that names none itself. */
  crs?: string;
}

/** An opened file: its format, the layers inside, and how to open one. */
export interface SourceFile {
  format: SourceFormat;
  layerNames: string[];
  open(layerName: string | undefined, options?: ReadOptions): Promise<OpenedSource>;
  /** Removes what opening unpacked (the original file is the caller's). */
  close(): Promise<void>;
}

const extensions: Record<string, SourceFormat> = {
  '.geojson': 'geojson',
  '.json': 'geojson',
  '.ndjson': 'geojsonseq',
  '.geojsonl': 'geojsonseq',
  '.geojsons': 'geojsonseq',
  '.geojsonseq': 'geojsonseq',
  '.jsonl': 'geojsonseq',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.shp': 'shapefile',
  '.gpkg': 'geopackage',
  '.kml': 'kml',
  '.fgb': 'flatgeobuf',
};

function readMagic(file: string): Buffer {
  const descriptor = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const length = fs.readSync(descriptor, head, 0, head.length, 0);
    return head.subarray(0, length);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** A `.json`/`.geojson` whose first line is a whole Feature is newline-delimited. */
function looksLineDelimited(head: Buffer): boolean {
  const firstLine = head.toString('utf8').replace(/^\x1e/, '').split('\n')[0]!.trim();
  try {
    return (JSON.parse(firstLine) as { type?: string }).type === 'Feature' && head.includes(10);
  } catch {
    return false;
  }
}

/** The format of a file, from its first bytes first and its name second. */
export function detectFormat(file: string, fileName: string): SourceFormat | 'zip' {
  const head = readMagic(file);
  if (head.subarray(0, 15).toString('latin1') === 'SQLite format 3') return 'geopackage';
  if (head.subarray(0, 3).toString('latin1') === 'fgb') return 'flatgeobuf';
  if (isZipFile(file)) return 'zip';

  const extension = path.extname(fileName).toLowerCase();
  const byName = extensions[extension];
  if (byName === 'geojson' && looksLineDelimited(head)) return 'geojsonseq';
  // .txt says only that it is text: a GeoJSON or KML saved as .txt is read as what it holds
  if (byName && extension !== '.txt') return byName;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('<')) return 'kml';
  if (text.startsWith('{')) return looksLineDelimited(head) ? 'geojsonseq' : 'geojson';
  if (byName) return byName;
  throw new SourceFileError(
    'unknown-format',
    `${fileName} is not a format Simpul reads. Send GeoJSON, newline-delimited GeoJSON, a ` +
      'zipped Shapefile, a GeoPackage, CSV, KML/KMZ or FlatGeobuf.',
    { fileName, formats: [...readableFormatTitles] },
  );
}

/** A file that is its own one layer, named `name`: a layer asked by another name is refused. */
function singleLayer(
  format: SourceFormat,
  name: string,
  fileName: string,
  open: (options: ReadOptions) => OpenedSource | Promise<OpenedSource>,
): SourceFile {
  const openLayer = async (layerName: string | undefined, options: ReadOptions = {}) => {
    requireLayerName([name], layerName, fileName);
    return open(options);
  };
  return { format, layerNames: [name], open: openLayer, close: async () => undefined };
}

function requireLayerName(names: string[], asked: string | undefined, fileName: string) {
  if (asked === undefined && names.length === 1) return names[0]!;
  if (asked !== undefined && names.includes(asked)) return asked;
  const quoted = quotedNames(names);
  const counted = `holds ${countNoun(names.length, 'layer')}`;
  const holds = asked === undefined ? counted : `holds no layer "${asked}"`;
  throw new SourceFileError(
    'choose-source-layer',
    `${fileName} ${holds}; choose one of: ${quoted.text}.`,
    {
      fileName,
      sourceLayers: quoted.shown,
      sourceLayerCount: names.length,
      ...(asked === undefined ? {} : { sourceLayer: asked }),
    },
  );
}

/** The unpacking folders of zips this process opened and has not closed yet. */
const unpackedFolders = new Set<string>();

/**
 * Removes at once, synchronously, the unpacking folders this process still holds: for a
 * command stopped before its import could be cancelled the ordinary way (Ctrl-C while a zip
 * unpacks), which would otherwise leave the copy in the import folder.
 */
export function removeUnpackedFolders(): void {
  for (const folder of unpackedFolders) fs.rmSync(folder, { recursive: true, force: true });
  unpackedFolders.clear();
}

async function openZip(file: string, fileName: string): Promise<SourceFile> {
  // One folder per opening (a preview and a job may read the same upload at once), in the
  // import folder rather than beside the file: a file given on the command line may lie in a
  // folder the import cannot write to, or should not litter. One left by a stopped process is
  // swept with old uploads after a day.
  await fs.promises.mkdir(config.importDir, { recursive: true });
  const folder = await fs.promises.mkdtemp(path.join(config.importDir, 'unpacked-'));
  unpackedFolders.add(folder);
  const close = async () => {
    unpackedFolders.delete(folder);
    await fs.promises.rm(folder, { recursive: true, force: true });
  };
  try {
    return await openUnpacked(folder, file, fileName, close);
  } catch (error) {
    // an archive that cannot be read, or a file inside that cannot be opened: nothing is left
    await close();
    throw error;
  }
}

/** Unpacks the zip `file` into `folder` and opens what it holds; `close` removes the folder. */
async function openUnpacked(
  folder: string,
  file: string,
  fileName: string,
  close: () => Promise<void>,
): Promise<SourceFile> {
  const { unpackZip } = await import('./zip-archive.js');
  const files = await unpackZip(file, folder);

  const { findShapefiles, openShapefile } = await import('./read-shapefile.js');
  const shapefiles = findShapefiles(files);
  if (shapefiles.length > 0) {
    const names = shapefiles.map((s) => s.name);
    const open = async (layerName: string | undefined, options: ReadOptions = {}) => {
      const name = requireLayerName(names, layerName, fileName);
      return openShapefile(
        shapefiles.find((s) => s.name === name)!,
        options.encoding,
      );
    };
    return { format: 'shapefile', layerNames: names, open, close };
  }
  const inner = files.find((f) => /\.(kml|gpkg|geojson|json|csv|fgb)$/i.test(f));
  if (!inner) {
    throw new SourceFileError(
      'empty-zip',
      `${fileName} holds no .shp, .kml, .gpkg, .geojson, .csv or .fgb file.`,
      { fileName },
    );
  }
  if (/\.kml$/i.test(inner)) return openKmz(files, inner, fileName, close);
  const opened = await openSourceFile(inner, path.basename(inner));
  return { ...opened, close: async () => (await opened.close(), await close()) };
}

/**
 * A KMZ: its doc.kml (the name KMZ files give their main document), else its first KML file,
 * read with the archive's other files, where its NetworkLinks may lead.
 */
async function openKmz(
  files: string[],
  firstKml: string,
  fileName: string,
  close: () => Promise<void>,
): Promise<SourceFile> {
  const main = files.find((f) => path.basename(f).toLowerCase() === 'doc.kml') ?? firstKml;
  const stem = path.basename(main, path.extname(main));
  const { openKml } = await import('./read-kml.js');
  return { ...singleLayer('kml', stem, fileName, () => openKml(main, stem, files)), close };
}

/** True when `file` begins as every SQLite database does (`SQLite format 3` and a NUL). */
function startsWithSqliteHeader(file: string): boolean {
  const header = Buffer.alloc(16);
  const descriptor = fs.openSync(file, 'r');
  try {
    fs.readSync(descriptor, header, 0, 16, 0);
  } finally {
    fs.closeSync(descriptor);
  }
  return header.equals(Buffer.from('SQLite format 3\0', 'latin1'));
}

/**
 * Refuses a layer whose name starts with a minus: GDAL's tools take it for an option wherever
 * a layer is named (ogrinfo and ogr2ogr have no end of options), so it could not be read.
 */
function refuseOptionLikeName(layer: string, fileName: string) {
  if (!layer.startsWith('-')) return;
  throw new SourceFileError(
    'option-like-layer-name',
    `The layer "${layer}" of ${fileName} starts with a minus, which GDAL takes for an ` +
      'option: rename the layer in the GIS and send the file again.',
    { fileName, layer },
  );
}

/** Says that a layer's TINs or PolyhedralSurfaces were read as polygons (see readGdalLayer). */
function surfacesMergedNote(sourceLayer: string): ImportNote {
  const text =
    `${sourceLayer}: its TIN or PolyhedralSurface geometries were read as polygons, ` +
    'the triangles or faces of each merged into its outline.';
  return { code: 'surfaces-merged', params: { sourceLayer }, text };
}

async function openGeoPackage(file: string): Promise<SourceFile> {
  const { describeGdalLayer, isSurfaceType, listGdalLayers, readGdalLayer, requireGdal } =
    await import('./gdal.js');
  requireGdal('GeoPackage');
  const fileName = path.basename(file);
  // GDAL only says it could not open a file that is no SQLite database, as GeoPackages are
  if (!startsWithSqliteHeader(file)) {
    throw new SourceFileError(
      'unreadable-geopackage',
      `${fileName} is not a GeoPackage: it is no SQLite database, which a GeoPackage is ` +
        '(a file renamed .gpkg, or one cut short); export the layer to a GeoPackage again.',
      { fileName },
    );
  }
  const layers = await listGdalLayers(file);
  if (layers === 'no-vector-content') {
    throw new SourceFileError(
      'empty-geopackage',
      `${fileName} holds no layer: the GeoPackage has no table of features; export the ` +
        'layer to the GeoPackage again.',
      { fileName },
    );
  }
  // a table without geometry (GDAL's "None") would import as rows that all lack a geometry
  const names = layers.filter((l) => l.geometryType !== 'None').map((l) => l.name);
  if (names.length === 0) {
    const tables = quotedNames(layers.map((l) => l.name));
    const only = tables.shown.length > 0 ? `, only tables without (${tables.text})` : '';
    throw new SourceFileError(
      'no-geometry-layers',
      `${fileName} holds no layer with geometries${only}; export the layer with its ` +
        'geometry column to the GeoPackage again.',
      { fileName, tables: tables.shown },
    );
  }
  const open = async (
    layerName: string | undefined,
    options: ReadOptions = {},
  ): Promise<OpenedSource> => {
    const name = requireLayerName(names, layerName, path.basename(file));
    refuseOptionLikeName(name, path.basename(file));
    const { fields, namesCrs, crsName } = await describeGdalLayer(file, name);
    const layer = { name, fields };
    const { geometryType } = layers.find((l) => l.name === name)!;
    const readGdal = (signal?: AbortSignal, sourceSrs?: string) =>
      readGdalLayer(file, name, signal, sourceSrs, geometryType);
    const surfaceNotes = isSurfaceType(geometryType) ? [surfacesMergedNote(name)] : [];
    // GDAL reprojects a layer from the CRS it names while reading (a crs given is refused)
    if (namesCrs) {
      const text = 'Read through GDAL, reprojected from the layer CRS.';
      const notes = [{ code: 'read-through-gdal', text }, ...surfaceNotes];
      const features = (signal?: AbortSignal) => readGdal(signal);
      const stored = {
        crsName: crsName ?? 'the CRS it names',
        features: (signal?: AbortSignal) => readGdal(signal, 'stored'),
      };
      return { ...layer, crs: lonLat, reprojected: true, stored, notes, features };
    }
    // a layer naming none is reprojected from the CRS given; without one, the import asks
    const given = options.crs ? parseCrsName(options.crs) : undefined;
    if (!given) return { ...layer, notes: surfaceNotes, features: (s) => readGdal(s) };
    const crs = describeCrs(given);
    const text = `Read through GDAL, reprojected from ${crs}, as asked.`;
    const notes = [{ code: 'read-through-gdal-given', params: { crs }, text }, ...surfaceNotes];
    const sourceSrs = 'epsg' in given ? `EPSG:${given.epsg}` : given.wkt;
    const features = (signal?: AbortSignal) => readGdal(signal, sourceSrs);
    return { ...layer, crs: lonLat, crsApplied: true, notes, features };
  };
  return { format: 'geopackage', layerNames: names, open, close: async () => undefined };
}

/** Opens `file`, whose original name (for its extension) is `fileName`. */
export async function openSourceFile(file: string, fileName: string): Promise<SourceFile> {
  const stem = path.basename(fileName, path.extname(fileName));
  const format = detectFormat(file, fileName);
  // as an upload of 0 bytes is refused: a parser's "expected a value" told nobody why
  if (fs.statSync(file).size === 0 && format !== 'shapefile') {
    throw new SourceFileError('empty-upload', `${fileName} is empty (0 bytes).`, { fileName });
  }
  switch (format) {
    case 'zip':
      return openZip(file, fileName);
    case 'geopackage':
      return openGeoPackage(file);
    case 'shapefile': {
      const { openShapefile, shapefilePartsAt } = await import('./read-shapefile.js');
      const parts = shapefilePartsAt(file);
      return singleLayer(format, parts.name, fileName, (o) => openShapefile(parts, o.encoding));
    }
    case 'geojson': {
      const { openGeoJson } = await import('./read-geojson.js');
      return singleLayer(format, stem, fileName, () => openGeoJson(file, stem));
    }
    case 'geojsonseq': {
      const { openGeoJsonSeq } = await import('./read-geojson.js');
      return singleLayer(format, stem, fileName, () => openGeoJsonSeq(file, stem));
    }
    case 'csv': {
      const { openCsv } = await import('./read-csv.js');
      return singleLayer(format, stem, fileName, (o) => openCsv(file, stem, o.csv, o.encoding));
    }
    case 'kml': {
      const { openKml } = await import('./read-kml.js');
      return singleLayer(format, stem, fileName, () => openKml(file, stem));
    }
    case 'flatgeobuf': {
      const { openFlatGeobuf } = await import('./read-flatgeobuf.js');
      return singleLayer(format, stem, fileName, () => openFlatGeobuf(file, stem));
    }
  }
}
