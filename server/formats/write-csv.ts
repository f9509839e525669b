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

function xyNames(srid: number): [string, string] {
  return srid === 4326 ? ['longitude', 'latitude'] : ['x', 'y'];
}

/**
 * Writes the CSV header and rows. x/y columns hold a point's coordinates (lon/lat for
 * EPSG:4326); they fit point layers only and the caller refuses them for others.
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
  const geometryNames = geometry === 'wkt' ? ['wkt'] : xyNames(shape.srid);
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
