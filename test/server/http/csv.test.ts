import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../../server/http/csv.js';

const tableOf = (rows: (string | number | null)[][]) => ({
  name: 'irrigation-condition',
  columns: ['irrigation_area_name', 'canal_km'],
  rows,
  fromSampleData: false,
});

const cellsOf = (csv: string) => parse(csv.replace(/^\uFEFF/, '')) as string[][];

describe('analysis tables as CSV', () => {
  it('writes a name that looks like a formula so a spreadsheet shows it as text', () => {
    const table = tableOf([
      ['=HYPERLINK("http://example.invalid","klik")', 1.5],
      ['@SUM(A1:A9)', 2],
      ['+62 nomor', 3],
      ['-cmd|calc', 4],
    ]);

    const names = cellsOf(renderCsv(table))
      .slice(1)
      .map((row) => row[0]);

    expect(names).toEqual([
      `'=HYPERLINK("http://example.invalid","klik")`,
      `'@SUM(A1:A9)`,
      `'+62 nomor`,
      `'-cmd|calc`,
    ]);
  });

  it('keeps ordinary names and numbers, negative ones and numbers written as text', () => {
    const table = tableOf([
      ['DI Sidareja', -2.5],
      ['-7.5', null],
    ]);

    const rows = cellsOf(renderCsv(table)).slice(1);

    expect(rows).toEqual([
      ['DI Sidareja', '-2.5'],
      ['-7.5', ''],
    ]);
  });
});
