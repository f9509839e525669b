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

/** A cell: objects as JSON, text that a spreadsheet would run as a formula made harmless. */
function cell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return neutraliseFormula(value as string | number | boolean);
}

function xyNames(srid: number): [string, string] {
  return srid === 4326 ? ['longitude', 'latitude'] : ['x', 'y'];
}

/**
 * Writes the CSV header and rows. x/y columns hold a point's coordinates (lon/lat for
 * EPSG:4326); they fit point layers only and the caller refuses them for others.
 */
// TODO: the file is UTF-8 without a byte order mark, comma-separated with decimal points. Excel
// on Windows opens it as ANSI (an en dash of a road name shows as "â€“"), and with Indonesian
// regional settings (list separator ";") puts each row in one cell; the user must go through
// Data > From Text. A byte order mark would fix the letters but add "\uFEFF" to the first
// column name for readers that do not strip it (pandas without utf-8-sig); a semicolon and
// decimal-comma variant would need an option of its own.

export async function writeCsv(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  geometry: CsvGeometry,
  out: Writable,
) {
  const names = shape.columns.map((c) => c.name);
  const geometryNames = geometry === 'wkt' ? ['wkt'] : xyNames(shape.srid);
  await writeChunk(out, stringify([[...names, ...geometryNames]]));
  for await (const feature of features) {
    const values = names.map((n) => cell(n === 'id' ? feature.id : feature.properties[n]));
    const g = feature.geometry;
    const place =
      geometry === 'wkt'
        ? [geojsonToWKT(g)]
        : g.type === 'Point'
          ? [g.coordinates[0]!, g.coordinates[1]!]
          : [null, null];
    await writeChunk(out, stringify([[...values, ...place]]));
  }
}
