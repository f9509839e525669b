import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import { neutraliseFormula } from '../formats/spreadsheet-formula.js';
import type { AnalysisTable } from '../services/analysis-tables.js';

/**
 * A table as RFC 4180 CSV in UTF-8 with a byte order mark, so spreadsheet programs that guess
 * the encoding (Excel) read Indonesian names correctly. Empty values are empty cells.
 */
export function renderCsv(table: AnalysisTable): string {
  const rows = table.rows.map((row) => row.map((value) => neutraliseFormula(value)));
  return '\uFEFF' + stringify([table.columns, ...rows], { record_delimiter: '\r\n' });
}

/**
 * Sends a table as a CSV download named `<table name>-<date>.csv`, or
 * `<table name>-data-contoh-<date>.csv` when computed from invented sample data, so the file
 * says so in the downloads list and the spreadsheet's title before it is opened.
 */
export function sendCsv(res: Response, table: AnalysisTable) {
  const date = new Date().toISOString().slice(0, 10);
  const sampleMark = table.fromSampleData ? '-data-contoh' : '';
  res.attachment(`${table.name}${sampleMark}-${date}.csv`);
  res.type('text/csv; charset=utf-8').send(renderCsv(table));
}
