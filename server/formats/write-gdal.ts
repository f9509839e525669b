/**
 * Shapefile and GeoPackage output through GDAL's ogr2ogr: the features are first streamed into
 * a FlatGeobuf file (typed columns, constant memory), which ogr2ogr converts on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGdal, requireGdal } from './gdal.js';
import type { ExportFeature, ExportShape } from './export-feature.js';
import { fieldListCsv, shortenFieldNames } from './shapefile-field-names.js';
import { writeFlatGeobuf } from './write-flatgeobuf.js';
import { packZip } from './zip-archive.js';

async function writeFlatGeobufFile(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  target: string,
) {
  const out = fs.createWriteStream(target);
  await writeFlatGeobuf(features, shape, out);
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

/**
 * ogr2ogr options that make date columns Date fields: the FlatGeobuf in between holds them as
 * DateTime (its nearest type), which GeoPackage and Shapefile would keep. That file names its
 * layer after the layer; names come from declarations. None when no column is a date.
 */
function dateFieldOptions(shape: ExportShape): string[] {
  if (!shape.columns.some((column) => column.type === 'date')) return [];
  const fields = shape.columns.map(({ name, type }) =>
    type === 'date' ? `CAST("${name}" AS date) AS "${name}"` : `"${name}"`,
  );
  return ['-sql', `SELECT ${fields.join(', ')} FROM "${shape.name}"`];
}

/** Bytes a .dbf text field holds: longer text is cut by GDAL (a dBASE limit). */
const dbfTextBytes = 254;

/**
 * The features with their attributes under the shortened names; counts, by attribute, the
 * text values too long for a .dbf field (`cut`), which the Shapefile will hold cut short.
 */
async function* renamed(
  features: AsyncIterable<ExportFeature>,
  names: Map<string, string>,
  cut: Map<string, number>,
) {
  for await (const feature of features) {
    const properties: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(feature.properties)) {
      properties[names.get(key) ?? key] = value;
      if (typeof value === 'string' && Buffer.byteLength(value) > dbfTextBytes) {
        cut.set(key, (cut.get(key) ?? 0) + 1);
      }
    }
    yield { ...feature, properties };
  }
}

/** `<layer>.notes.txt`, in Indonesian and English: the attributes whose text was cut. */
function cutTextNotes(cut: Map<string, number>): string {
  const list = [...cut].map(([name, count]) => `${name}: ${count}`).join(', ');
  return (
    `Teks lebih dari ${dbfTextBytes} bita dipotong oleh format Shapefile (.dbf); jumlah nilai ` +
    `yang terpotong per atribut: ${list}. Ekspor GeoPackage atau GeoJSON untuk teks utuh.\n` +
    `Text longer than ${dbfTextBytes} bytes was cut by the Shapefile format (.dbf); values cut ` +
    `per attribute: ${list}. Export GeoPackage or GeoJSON to keep the whole text.\n`
  );
}

/**
 * A zipped Shapefile at `target`: `.shp .shx .dbf`, a `.prj` of the output CRS, a `.cpg` saying
 * UTF-8, `<layer>.fields.csv` listing the shortened field names, and `<layer>.notes.txt` when
 * text was cut at the .dbf limit. `folder` is scratch space; `signal` stops ogr2ogr when the
 * file is no longer wanted.
 */
export async function writeShapefileZip(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  folder: string,
  target: string,
  signal?: AbortSignal,
) {
  requireGdal('Shapefile export');
  const names = shortenFieldNames(shape.columns.map((c) => c.name));
  const shortShape = {
    ...shape,
    columns: shape.columns.map((c) => ({ ...c, name: names.get(c.name)! })),
  };
  const source = path.join(folder, 'features.fgb');
  const cut = new Map<string, number>();
  await writeFlatGeobufFile(renamed(features, names, cut), shortShape, source);

  const output = path.join(folder, 'shp');
  fs.mkdirSync(output);
  const shp = path.join(output, `${shape.name}.shp`);
  const options = ['-nln', shape.name, '-lco', 'ENCODING=UTF-8', ...dateFieldOptions(shortShape)];
  await runGdal('ogr2ogr', ['-f', 'ESRI Shapefile', shp, source, ...options], signal);
  signal?.throwIfAborted();
  fs.writeFileSync(path.join(output, `${shape.name}.fields.csv`), fieldListCsv(names));
  if (cut.size > 0)
    fs.writeFileSync(path.join(output, `${shape.name}.notes.txt`), cutTextNotes(cut));
  const files = fs.readdirSync(output).map((f) => path.join(output, f));
  await packZip(files, target);
}

/** A GeoPackage at `target` holding one table named after the layer (`signal` as above). */
export async function writeGeoPackage(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  folder: string,
  target: string,
  signal?: AbortSignal,
) {
  requireGdal('GeoPackage export');
  const source = path.join(folder, 'features.fgb');
  await writeFlatGeobufFile(features, shape, source);
  const options = ['-nln', shape.name, ...dateFieldOptions(shape)];
  await runGdal('ogr2ogr', ['-f', 'GPKG', target, source, ...options], signal);
}
