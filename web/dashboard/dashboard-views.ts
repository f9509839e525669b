import type { ChartOptions } from 'chart.js';
import type {
  CategoryLabel,
  HazardExposureReport,
  IrrigationConditionReport,
  RoadConditionReport,
} from '../api/analysis-api.js';
import { formatNumber, formatShare } from '../plan-lookup/render-plan-information.js';
import { pickText, planText } from '../plan-lookup/plan-lookup-messages.js';
import { getLocale } from '../i18n/i18n.js';

/** A table as the dashboard shows it: header cells and rows of text cells. */
export interface ViewTable {
  headers: string[];
  rows: string[][];
}

/** One stacked series of a bar chart: a category with its colour and one value per bar. */
export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

/** A bar chart: one bar per label, stacked by series. */
export interface BarChartView {
  labels: string[];
  series: ChartSeries[];
}

const fallbackColors = ['#fed976', '#fd8d3c', '#bd0026', '#6baed6', '#9e9ac8'];

/** The hazard types of an exposure report with their labels, in report order. */
export function listHazardTypes(report: HazardExposureReport) {
  const seen = new Map<string, string>();
  for (const hazard of report.hazards)
    seen.set(hazard.hazardType, pickText(hazard.hazardTypeLabel));
  return [...seen].map(([code, label]) => ({ code, label }));
}

/** People exposed per kecamatan, stacked by hazard class, for one hazard type. */
export function exposureChart(report: HazardExposureReport, hazardType: string): BarChartView {
  const hazards = report.hazards.filter((h) => h.hazardType === hazardType);
  const units = new Map<string, string>();
  for (const hazard of hazards) for (const unit of hazard.units) units.set(unit.code, unit.name);
  const codes = [...units.keys()].sort();
  return {
    labels: codes.map((code) => units.get(code)!),
    series: hazards.map((hazard, i) => ({
      label: pickText(hazard.hazardClassLabel),
      color: hazard.hazardClassColor ?? fallbackColors[i % fallbackColors.length]!,
      values: codes.map((code) => hazard.units.find((u) => u.code === code)?.population ?? 0),
    })),
  };
}

/** People exposed to one hazard type per kecamatan code, over all its classes. */
export function exposedPopulationByUnit(report: HazardExposureReport, hazardType: string) {
  const byUnit = new Map<string, number>();
  for (const hazard of report.hazards.filter((h) => h.hazardType === hazardType)) {
    for (const unit of hazard.units)
      byUnit.set(unit.code, (byUnit.get(unit.code) ?? 0) + unit.population);
  }
  return byUnit;
}

/** The regency figures of each class of one hazard type, one row per class. */
export function exposureTable(report: HazardExposureReport, hazardType: string): ViewTable {
  const headers = [
    planText('dashboard.class'),
    planText('dashboard.areaHa'),
    `${planText('dashboard.population')} (${report.populationYear})`,
    planText('dashboard.roadKm'),
    planText('dashboard.bridges'),
    planText('dashboard.structures'),
    planText('dashboard.canalKm'),
    planText('dashboard.evacuation'),
  ];
  const rows = report.hazards
    .filter((h) => h.hazardType === hazardType)
    .map((h) => [
      pickText(h.hazardClassLabel),
      formatNumber(h.regency.areaHa, 0),
      formatNumber(h.regency.population, 0),
      formatNumber(h.regency.roadKm, 1),
      String(h.regency.bridges),
      String(h.regency.irrigationStructures),
      formatNumber(h.regency.canalKm, 1),
      String(h.regency.evacuationPoints),
    ]);
  return { headers, rows };
}

function conditionSeries(conditions: CategoryLabel[], values: (code: string) => number[]) {
  return conditions
    .map((c, i) => ({
      label: pickText(c),
      color: c.color ?? fallbackColors[i % fallbackColors.length]!,
      values: values(c.code),
    }))
    .filter((s) => s.values.some((v) => v > 0));
}

/** The period of a road report for a year, or the current one for null. */
export function findPeriod(report: RoadConditionReport, year: number | null) {
  return report.periods.find((p) => p.year === year) ?? report.periods[report.periods.length - 1]!;
}

/** Road km per kecamatan, stacked by condition class, for one period. */
export function roadChart(report: RoadConditionReport, year: number | null): BarChartView {
  const period = findPeriod(report, year);
  return {
    labels: period.units.map((u) => u.name),
    series: conditionSeries(report.conditions, (code) =>
      period.units.map((u) => u.lengthKmByCondition[code] ?? 0),
    ),
  };
}

/** The regency's kemantapan share (0–100) per period, for the trend line. */
export function kemantapanTrend(report: RoadConditionReport) {
  return report.periods.map((p) => ({
    label: p.year === null ? planText('dashboard.current') : String(p.year),
    percent: p.regency.kemantapan === null ? null : Math.round(p.regency.kemantapan * 1000) / 10,
  }));
}

/** Road condition per kecamatan for one period, with the regency last. */
export function roadTable(report: RoadConditionReport, year: number | null): ViewTable {
  const period = findPeriod(report, year);
  const headers = [
    planText('dashboard.kecamatan'),
    planText('dashboard.totalKm'),
    ...report.conditions.map((c) => pickText(c)),
    planText('dashboard.kemantapan'),
  ];
  const row = (name: string, figures: (typeof period)['regency']) => [
    name,
    formatNumber(figures.totalKm, 1),
    ...report.conditions.map((c) => formatNumber(figures.lengthKmByCondition[c.code] ?? 0, 1)),
    formatShare(figures.kemantapan),
  ];
  return {
    headers,
    rows: [
      ...period.units.map((u) => row(u.name, u)),
      row(planText('dashboard.regency'), period.regency),
    ],
  };
}

/** Canal km per irrigation area, stacked by condition class. */
export function irrigationChart(report: IrrigationConditionReport): BarChartView {
  return {
    labels: report.areas.map((a) => a.name),
    series: conditionSeries(report.conditions, (code) =>
      report.areas.map((a) => a.canalKmByCondition[code] ?? 0),
    ),
  };
}

/** Irrigation condition per area: canals, good share, structures by class, IKSI. */
export function irrigationTable(report: IrrigationConditionReport): ViewTable {
  const headers = [
    planText('dashboard.area'),
    planText('dashboard.canalKm'),
    planText('dashboard.goodCanal'),
    planText('dashboard.structures'),
    ...report.conditions.map((c) => pickText(c)),
    planText('dashboard.iksi'),
  ];
  const rows = report.areas.map((a) => [
    a.name,
    formatNumber(a.canalKm, 1),
    formatShare(a.canalGoodShare),
    String(a.structures),
    ...report.conditions.map((c) => String(a.structuresByCondition[c.code] ?? 0)),
    a.iksiMean === null ? '–' : `${formatNumber(a.iksiMean, 1)} (${a.iksiCount})`,
  ]);
  return { headers, rows };
}

/**
 * Chart.js options of a bar chart with bars along the y axis stacked by series, numbers in the
 * interface's locale (Chart.js writes English numbers otherwise: 120,000 read as 120 in id).
 */
export function barChartOptions(axisTitle: string): ChartOptions<'bar'> {
  return {
    indexAxis: 'y',
    maintainAspectRatio: false,
    animation: false,
    locale: getLocale(),
    scales: {
      x: { stacked: true, title: { display: true, text: axisTitle } },
      y: { stacked: true, ticks: { autoSkip: false, font: { size: 10 } } },
    },
    plugins: { legend: { position: 'bottom' } },
  };
}

/** Chart.js options of the kemantapan trend: 0 to 100 %, numbers in the interface's locale. */
export function trendChartOptions(): ChartOptions<'line'> {
  return {
    maintainAspectRatio: false,
    animation: false,
    locale: getLocale(),
    scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } },
    plugins: { legend: { position: 'bottom' } },
  };
}
