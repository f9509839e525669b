/**
 * `.dbf` field names hold at most 10 characters. Longer attribute names are shortened so that
 * no two collide (compared without case, as dBASE does), and the mapping is listed beside the
 * Shapefile in `<layer>.fields.csv`, which Simpul's import reads back.
 */

/** Attribute name → `.dbf` field name, for every column, in column order. */
export function shortenFieldNames(names: readonly string[]): Map<string, string> {
  const shortened = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    let candidate = name.slice(0, 10);
    for (let n = 1; used.has(candidate.toLowerCase()); n += 1) {
      const suffix = `_${n}`;
      candidate = name.slice(0, 10 - suffix.length) + suffix;
    }
    used.add(candidate.toLowerCase());
    shortened.set(name, candidate);
  }
  return shortened;
}

/** The `<layer>.fields.csv` text: one `field,attribute` line per column. */
export function fieldListCsv(shortened: Map<string, string>): string {
  const lines = [...shortened].map(([full, short]) => `${short},${full}`);
  return `field,attribute\n${lines.join('\n')}\n`;
}
