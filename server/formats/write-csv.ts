/**
 * CSV writer: attributes and the geometry as WKT, or points as x/y columns. Text cells that a
 * spreadsheet would run as formulas get a leading apostrophe (`spreadsheet-formula.ts`).
 */
import type { Writable } from 'node:stream';
import { geojsonToWKT } from '@terraformer/wkt';
import { stringify } from 'csv-stringify/sync';
import { writeChunk, type ExportFeature, type ExportShape } from './export-feature.js';
import { neutraliseFormula } from './spreadsheet-formula.js';

/** How the geometry goes into the CSV: one WKT column, or x and y columns for points. */
export type CsvGeometry = 'wkt' | 'xy';

/**
 * `standard`: RFC 4180, commas, decimal points, UTF-8 without a byte order mark. `excel`: what
 * Excel opens by a double click on a computer set to Indonesian: semicolons, decimal commas,
 * and a byte order mark, without which Excel reads UTF-8 as ANSI ("–" shown as "â€“").
 */
export type CsvDialect = 'standard' | 'excel';

/** A cell: objects as JSON, text that a spreadsheet would run as a formula made harmless. */
function cell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return neutraliseFormula(value as string | number | boolean);
}

/** A number with a decimal comma, as a spreadsheet set to Indonesian reads one. */
function withDecimalComma(value: string | number | boolean | null) {
  return typeof value === 'number' ? String(value).replace('.', ',') : value;
}

/**
 * The geometry columns' names. In EPSG:4326 they are `wkt`, or `longitude` and `latitude`. In
 * any other CRS they name it, since a CSV has no other place to: the WKT column is named as
 * GDAL's CSV driver reads a column's CRS and geometry type (`_WKTgeom_EPSG_32749_MULTIPOLYGON`),
 * so GDAL and QGIS open the file in UTM 49S unasked, and x/y columns are `x_EPSG_32749` and
 * `y_EPSG_32749`, which no reader takes a CRS from but a person sees.
 */
export function csvGeometryNames(shape: ExportShape, geometry: CsvGeometry): string[] {
  const { srid } = shape;
  if (geometry === 'xy') {
    return srid === 4326 ? ['longitude', 'latitude'] : [`x_EPSG_${srid}`, `y_EPSG_${srid}`];
  }
  return srid === 4326 ? ['wkt'] : [`_WKTgeom_EPSG_${srid}_${shape.geometryType.toUpperCase()}`];
}

/**
 * Writes the CSV header and rows. x/y columns hold a point's coordinates, x the easting or
 * longitude whatever the CRS's axis order; they fit point layers only and the caller refuses
 * them for others.
 */
export async function writeCsv(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  geometry: CsvGeometry,
  out: Writable,
  dialect: CsvDialect = 'standard',
) {
  const excel = dialect === 'excel';
  const options = { delimiter: excel ? ';' : ',' };
  const format = excel ? withDecimalComma : (value: ReturnType<typeof cell>) => value;
  const names = shape.columns.map((c) => c.name);
  const geometryNames = csvGeometryNames(shape, geometry);
  if (excel) await writeChunk(out, '\uFEFF');
  await writeChunk(out, stringify([[...names, ...geometryNames]], options));
  for await (const feature of features) {
    const values = names.map((n) => cell(n === 'id' ? feature.id : feature.properties[n]));
    const g = feature.geometry;
    const place =
      geometry === 'wkt'
        ? [geojsonToWKT(g)]
        : g.type === 'Point'
          ? [g.coordinates[0]!, g.coordinates[1]!]
          : [null, null];
    await writeChunk(out, stringify([[...values, ...place].map(format)], options));
  }
}
