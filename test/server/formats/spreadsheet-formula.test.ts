import { describe, expect, it } from 'vitest';
import { neutraliseFormula, restoreFormula } from '../../../server/formats/spreadsheet-formula.js';

describe('CSV cells that look like spreadsheet formulas', () => {
  it('are written behind an apostrophe, numbers and plain text as they are', () => {
    expect(neutraliseFormula('=1+1')).toBe("'=1+1");
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('-7.5')).toBe('-7.5');
    expect(neutraliseFormula("'quoted")).toBe("'quoted");
  });

  it('read back as every value was written, also text starting with an apostrophe', () => {
    const values = ['=1+1', "'=1+1", "''=1+1", "'quoted", "'", '-7.5', "'-7.5", '+62', 'Jalan'];

    const back = values.map((value) => restoreFormula(String(neutraliseFormula(value))));

    expect(back).toEqual(values);
  });
});
