import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { AnalysisTable } from '../services/analysis-tables.js';

/** Text a spreadsheet program would run as a formula: it starts with = + - @, a tab or a CR. */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet shows it without running it: names come from editable layers, so
 * "=HYPERLINK(…)" gets a leading apostrophe. Numbers written as text ("-7.5") stay as they are.
 */
function neutraliseFormula(value: string | number | null) {
  if (typeof value !== 'string' || !formulaStart.test(value)) return value;
  return Number.isFinite(Number(value)) && value.trim() !== '' ? value : `'${value}`;
}

/**
 * A table as RFC 4180 CSV in UTF-8 with a byte order mark, so spreadsheet programs that guess
 * the encoding (Excel) read Indonesian names correctly. Empty values are empty cells.
 */
export function renderCsv(table: AnalysisTable): string {
  const rows = table.rows.map((row) => row.map(neutraliseFormula));
  return '\uFEFF' + stringify([table.columns, ...rows], { record_delimiter: '\r\n' });
}

/** Sends a table as a CSV download named `<table name>-<date>.csv`. */
export function sendCsv(res: Response, table: AnalysisTable) {
  const date = new Date().toISOString().slice(0, 10);
  res.attachment(`${table.name}-${date}.csv`);
  res.type('text/csv; charset=utf-8').send(renderCsv(table));
}
