/**
 * A checksum of a layer's attribute values, as a client read them (GDAL, QGIS) or as the
 * database holds them, independent of feature order: two reads agree when every feature came
 * through with every value intact.
 */
import { createHash } from 'node:crypto';
import type { LayerDefinition } from '../../layers/index.js';

export type Row = Record<string, unknown>;

/** One attribute value as the checksum sees it: timestamps as instants, reals to 12 digits. */
function canonical(layer: LayerDefinition, name: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const type = layer.attributes.find((a) => a.name === name)!.type;
  if (type === 'timestamp') return new Date(String(value).replace(/\//g, '-')).toISOString();
  if (type === 'date') return String(value).replace(/\//g, '-');
  if (type === 'number') return Number(Number(value).toPrecision(12));
  return value;
}

export function attributeChecksum(layer: LayerDefinition, rows: Row[]): string {
  const lines = rows.map((row) =>
    JSON.stringify(layer.attributes.map((a) => canonical(layer, a.name, row[a.name]))),
  );
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}
