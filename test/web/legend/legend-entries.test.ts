import { describe, expect, it } from 'vitest';
import { kecamatan } from '../../../layers/administrative/kecamatan.js';
import { listLegendEntries } from '../../../web/legend/legend-entries.js';
import { roadsByCondition } from '../fixtures.js';

describe('listLegendEntries', () => {
  it('gives an unclassified layer one entry titled by the layer', () => {
    const entries = listLegendEntries(kecamatan);

    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ labelId: 'Kecamatan', labelEn: 'Kecamatan (district)' });
  });

  it('gives a classified layer one entry per coded value in its colour, then its widths', () => {
    const entries = listLegendEntries(roadsByCondition);

    const labels = entries.map((entry) => entry.labelEn);
    const strokes = entries.map((entry) => entry.symbolizer.stroke);
    const widths = entries.map((entry) => entry.symbolizer.strokeWidth);
    expect(labels).toEqual(['Good', 'Poor', 'Unknown', 'Regency road', 'Village road']);
    expect(strokes).toEqual(['#2e7d32', '#c62828', '#777777', '#777777', '#777777']);
    expect(widths).toEqual([2, 2, 2, 4, 2]);
  });
});
