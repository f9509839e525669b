import { afterEach, describe, expect, it } from 'vitest';
import type { HazardExposureReport, RoadConditionReport } from '../../../web/api/analysis-api.js';
import { Ticks } from 'chart.js';
import {
  barChartOptions,
  trendChartOptions,
  exposedPopulationByUnit,
  exposureChart,
  kemantapanTrend,
  listHazardTypes,
  roadTable,
} from '../../../web/dashboard/dashboard-views.js';
import { setLanguage } from '../../../web/i18n/i18n.js';

afterEach(() => setLanguage('id'));

const figures = (population: number) => ({
  areaHa: 10,
  population,
  roadKmByCondition: {},
  roadKm: 0,
  bridges: 0,
  irrigationStructures: 0,
  canalKm: 0,
  evacuationPoints: 0,
  evacuationCapacity: 0,
});

function hazard(hazardClass: string, units: [string, number][]) {
  return {
    hazardType: 'banjir',
    hazardClass,
    hazardTypeLabel: { id: 'Banjir', en: 'Flood' },
    hazardClassLabel: { id: `Bahaya ${hazardClass}`, en: `${hazardClass} hazard` },
    hazardClassColor: hazardClass === 'tinggi' ? '#bd0026' : null,
    regency: figures(units.reduce((sum, [, people]) => sum + people, 0)),
    units: units.map(([code, people]) => ({ code, name: `Kec ${code}`, ...figures(people) })),
  };
}

const exposure: HazardExposureReport = {
  unitLayer: { layerId: 'units', codeAttribute: 'code' },
  populationYear: 2016,
  populationYears: [2016],
  method: { id: 'metode', en: 'method' },
  sampleSources: [],
  roadConditions: [],
  hazards: [
    hazard('rendah', [['01', 100]]),
    hazard('tinggi', [
      ['01', 50],
      ['02', 30],
    ]),
  ],
  elapsedMs: 1,
};

describe('dashboard views', () => {
  it('stacks exposed people per kecamatan by hazard class, with zeros where a class is absent', () => {
    const chart = exposureChart(exposure, 'banjir');

    expect(chart.labels).toEqual(['Kec 01', 'Kec 02']);
    expect(chart.series.map((s) => s.values)).toEqual([
      [100, 0],
      [50, 30],
    ]);
    expect(chart.series[1]!.color).toBe('#bd0026');
  });

  it('sums the people exposed to a hazard type over its classes per kecamatan', () => {
    expect([...exposedPopulationByUnit(exposure, 'banjir')]).toEqual([
      ['01', 150],
      ['02', 30],
    ]);
  });

  it('names hazard types in the interface language', () => {
    setLanguage('en');

    expect(listHazardTypes(exposure)).toEqual([{ code: 'banjir', label: 'Flood' }]);
  });

  it('lists kemantapan per year as a percentage, the current state last', () => {
    const period = (year: number | null, kemantapan: number | null) => ({
      year,
      regency: { lengthKmByCondition: {}, totalKm: 1, surveyedKm: 1, mantapKm: 0, kemantapan },
      units: [],
    });
    const report = {
      periods: [period(2023, 0.8123), period(null, null)],
    } as unknown as RoadConditionReport;

    expect(kemantapanTrend(report)).toEqual([
      { label: '2023', percent: 81.2 },
      { label: 'Kini', percent: null },
    ]);
  });

  it('ends the road table with the regency total', () => {
    const figuresOf = (totalKm: number) => ({
      lengthKmByCondition: { baik: totalKm },
      totalKm,
      surveyedKm: totalKm,
      mantapKm: totalKm,
      kemantapan: 1,
    });
    const report = {
      conditions: [{ code: 'baik', id: 'Baik', en: 'Good' }],
      periods: [
        { year: null, regency: figuresOf(3), units: [{ code: '01', name: 'A', ...figuresOf(3) }] },
      ],
    } as unknown as RoadConditionReport;

    const table = roadTable(report, null);

    expect(table.rows.map((row) => row[0])).toEqual(['A', 'Kabupaten']);
    expect(table.headers).toContain('Baik');
  });

  it('writes the numbers of the chart axes in the interface language', () => {
    const ticks = [0, 60000, 120000].map((value) => ({ value }));
    const axisLabel = (options: object) =>
      Ticks.formatters.numeric.call(
        { chart: { options }, options: { ticks: {} } } as never,
        120000,
        2,
        ticks,
      );

    const indonesian = [barChartOptions('x'), trendChartOptions()].map(axisLabel);
    setLanguage('en');
    const english = [barChartOptions('x'), trendChartOptions()].map(axisLabel);

    expect(indonesian).toEqual(['120.000', '120.000']);
    expect(english).toEqual(['120,000', '120,000']);
  });
});
