import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FeatureCollection, Geometry } from 'geojson';

/** Reads a GeoJSON FeatureCollection from a seed folder. */
export async function readFeatureCollection(seedDir: string, file: string) {
  const text = await fs.readFile(path.join(seedDir, file), 'utf8');
  return JSON.parse(text) as FeatureCollection<Geometry, Record<string, unknown>>;
}

/** Reads a CSV with a header row from a seed folder; every value stays text. */
export async function readCsvRows(seedDir: string, file: string) {
  const text = await fs.readFile(path.join(seedDir, file), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[];
}

/** A CSV cell as a number, or null when empty. */
export function numberOrNull(cell: string | undefined): number | null {
  if (cell === undefined || cell === '') return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}
