import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../../server/http/csv.js';
import { regencyRowName, tabulateRoadCondition } from '../../../server/services/analysis-tables.js';
import type { RoadConditionReport } from '../../../server/services/condition-statistics-service.js';

const figures = (good: number, poor: number) => ({
  lengthKmByCondition: { baik: good, rusak_berat: poor },
  totalKm: good + poor,
  surveyedKm: good + poor,
  mantapKm: good,
  kemantapan: good / (good + poor),
});

const report = {
  unitLayer: { layerId: 'kecamatan', codeAttribute: 'code' },
  conditions: [
    { code: 'baik', id: 'Baik', en: 'Good' },
    { code: 'rusak_berat', id: 'Rusak berat', en: 'Major damage' },
  ],
  goodConditions: ['baik'],
  statuses: null,
  statusLabels: [],
  periods: [
    {
      year: 2023,
      regency: figures(3, 1),
      units: [{ code: '33.01.01', name: 'Satu, "Dua"', ...figures(3, 1) }],
    },
  ],
  method: { id: '', en: '' },
  sampleSources: [],
  generatedAt: '',
  elapsedMs: 0,
} satisfies RoadConditionReport;

describe('analysis tables', () => {
  it('gives the road table a column per condition class and a regency row per period', () => {
    const table = tabulateRoadCondition(report);

    expect(table.columns).toEqual([
      'year',
      'kecamatan_code',
      'kecamatan_name',
      'total_km',
      'km_baik',
      'km_rusak_berat',
      'surveyed_km',
      'mantap_km',
      'kemantapan_percent',
      'sample_data',
    ]);
    expect(table.rows[1]).toEqual([2023, '', regencyRowName, 4, 3, 1, 4, 3, 75, null]);
  });

  it('names on every row, in both languages, the sample layers its figures come from', () => {
    const sampleSources = [
      { id: 'road_segment', titleId: 'Ruas jalan', titleEn: 'Road segment' },
      { id: 'road_condition_survey', titleId: 'Survei kondisi jalan', titleEn: 'Road survey' },
    ];

    const table = tabulateRoadCondition({ ...report, sampleSources });

    const notes = table.rows.map((row) => row[table.columns.indexOf('sample_data')]);
    expect(table.fromSampleData).toBe(true);
    expect(notes).toEqual([notes[0], notes[0]]);
    expect(notes[0]).toContain('bukan data resmi: Ruas jalan, Survei kondisi jalan');
    expect(notes[0]).toContain('not official data: Road segment, Road survey');
  });

  it('writes CSV with a byte order mark and quotes names holding commas or quotes', () => {
    const csv = renderCsv(tabulateRoadCondition(report));

    expect(csv.startsWith('\uFEFFyear,')).toBe(true);
    expect(csv).toContain('2023,33.01.01,"Satu, ""Dua""",4,3,1,4,3,75,\r\n');
  });
});
