import type {
  IrrigationConditionReport,
  RoadConditionFigures,
  RoadConditionReport,
} from './condition-statistics-service.js';
import type { SampleSource } from './analysis-bindings.js';
import type { ExposureFigures, HazardExposureReport } from './hazard-exposure-service.js';

/**
 * A flat table of an analysis: snake_case column names and one array of values per row. The
 * last column, `sample_data`, is empty when every layer read holds real data.
 */
export interface AnalysisTable {
  name: string;
  columns: string[];
  rows: (string | number | null)[][];
  /** True when the figures were computed from invented sample data (`sample_data` filled). */
  fromSampleData: boolean;
}

type TableRows = AnalysisTable['rows'];

/** The label of the regency total rows in every table. */
export const regencyRowName = 'Seluruh kabupaten / Whole regency';

/**
 * The `sample_data` cell of a table computed from `sources`: the interface's warning in both
 * languages, naming the layers of invented sample data; null (an empty cell) for real data.
 */
export function describeSampleData(sources: readonly SampleSource[]): string | null {
  if (sources.length === 0) return null;
  const titlesId = [...new Set(sources.map((source) => source.titleId))].join(', ');
  const titlesEn = [...new Set(sources.map((source) => source.titleEn))].join(', ');
  return (
    `CONTOH: dihitung dari data contoh buatan, bukan data resmi: ${titlesId}. ` +
    `SAMPLE: computed from invented sample data, not official data: ${titlesEn}.`
  );
}

// A column rather than a line above the header: a spreadsheet shows it on every row, filters
// and sorts keep it beside the figures, and programs reading the header row still find it.
function withSampleColumn(
  name: string,
  columns: string[],
  rows: TableRows,
  sources: readonly SampleSource[],
): AnalysisTable {
  const note = describeSampleData(sources);
  return {
    name,
    columns: [...columns, 'sample_data'],
    rows: rows.map((row) => [...row, note]),
    fromSampleData: note !== null,
  };
}

function exposureValues(figures: ExposureFigures, conditions: string[]) {
  return [
    figures.areaHa,
    figures.population,
    figures.roadKm,
    ...conditions.map((code) => figures.roadKmByCondition[code] ?? 0),
    figures.bridges,
    figures.irrigationStructures,
    figures.canalKm,
    figures.evacuationPoints,
    figures.evacuationCapacity,
  ];
}

/** Hazard exposure as one row per hazard type, class and kecamatan, plus the regency total. */
export function tabulateHazardExposure(report: HazardExposureReport): AnalysisTable {
  const conditions = report.roadConditions.map((c) => c.code);
  const columns = [
    'hazard_type',
    'hazard_type_label',
    'hazard_class',
    'hazard_class_label',
    'kecamatan_code',
    'kecamatan_name',
    'area_ha',
    `population_${report.populationYear}`,
    'road_km',
    ...conditions.map((code) => `road_km_${code}`),
    'bridges',
    'irrigation_structures',
    'canal_km',
    'evacuation_points',
    'evacuation_capacity',
  ];
  const rows = report.hazards.flatMap((hazard) => {
    const head = [
      hazard.hazardType,
      hazard.hazardTypeLabel.id,
      hazard.hazardClass,
      hazard.hazardClassLabel.id,
    ];
    return [
      ...hazard.units.map((unit) => [
        ...head,
        unit.code,
        unit.name,
        ...exposureValues(unit, conditions),
      ]),
      [...head, '', regencyRowName, ...exposureValues(hazard.regency, conditions)],
    ];
  });
  return withSampleColumn('hazard-exposure', columns, rows, report.sampleSources);
}

function roadValues(figures: RoadConditionFigures, conditions: string[]) {
  const percent = figures.kemantapan === null ? null : Math.round(figures.kemantapan * 1000) / 10;
  return [
    figures.totalKm,
    ...conditions.map((code) => figures.lengthKmByCondition[code] ?? 0),
    figures.surveyedKm,
    figures.mantapKm,
    percent,
  ];
}

/** Road condition as one row per period and kecamatan, plus the regency total per period. */
export function tabulateRoadCondition(report: RoadConditionReport): AnalysisTable {
  const conditions = report.conditions.map((c) => c.code);
  const columns = [
    'year',
    'kecamatan_code',
    'kecamatan_name',
    'total_km',
    ...conditions.map((code) => `km_${code}`),
    'surveyed_km',
    'mantap_km',
    'kemantapan_percent',
  ];
  const rows = report.periods.flatMap((period) => {
    const year = period.year ?? 'current';
    return [
      ...period.units.map((unit) => [year, unit.code, unit.name, ...roadValues(unit, conditions)]),
      [year, '', regencyRowName, ...roadValues(period.regency, conditions)],
    ];
  });
  return withSampleColumn('road-condition', columns, rows, report.sampleSources);
}

/** Irrigation asset condition as one row per irrigation area. */
export function tabulateIrrigationCondition(report: IrrigationConditionReport): AnalysisTable {
  const conditions = report.conditions.map((c) => c.code);
  const columns = [
    'irrigation_area_code',
    'irrigation_area_name',
    'potential_area_ha',
    'functional_area_ha',
    'canal_km',
    ...conditions.map((code) => `canal_km_${code}`),
    'canal_good_percent',
    'structures',
    ...conditions.map((code) => `structures_${code}`),
    'iksi_mean',
    'iksi_count',
  ];
  const rows = report.areas.map((area) => [
    area.code,
    area.name,
    area.potentialAreaHa,
    area.functionalAreaHa,
    area.canalKm,
    ...conditions.map((code) => area.canalKmByCondition[code] ?? 0),
    area.canalGoodShare === null ? null : Math.round(area.canalGoodShare * 1000) / 10,
    area.structures,
    ...conditions.map((code) => area.structuresByCondition[code] ?? 0),
    area.iksiMean,
    area.iksiCount,
  ]);
  return withSampleColumn('irrigation-condition', columns, rows, report.sampleSources);
}
