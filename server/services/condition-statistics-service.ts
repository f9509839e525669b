import type pg from 'pg';
import type { CodedValue } from '../../layers/index.js';
import {
  selectConditionLengths,
  selectIrrigationAreas,
  selectIrrigationCondition,
  type ConditionLengthRow,
  type IrrigationConditionRow,
} from '../db/queries/condition-statistics.js';
import { selectUnitNames } from '../db/queries/unit-names.js';
import { badRequest } from '../http/problem.js';
import {
  domainOf,
  findConditionHistory,
  listSampleSources,
  requireBoundLayer,
  type SampleSource,
} from './analysis-bindings.js';
import type { CategoryLabel } from './hazard-exposure-service.js';
import type { Bilingual } from './plan-information-service.js';
import { answeredWithin, reportTimedOut } from './query-timeout.js';

/** The category of length or assets whose condition class is not recorded. */
export const unknownCondition = 'unknown';

const unknownLabel: CategoryLabel = {
  code: unknownCondition,
  id: 'Tidak diketahui',
  en: 'Unknown',
  color: '#bdbdbd',
};

/** Road length of one unit (or the regency) in one period, by condition class. */
export interface RoadConditionFigures {
  lengthKmByCondition: Record<string, number>;
  /** Length of today's network in the unit. */
  totalKm: number;
  /** Length whose class was known at the time. */
  surveyedKm: number;
  /** Length in a good or fair ("mantap") class. */
  mantapKm: number;
  /** mantapKm ÷ surveyedKm, 0–1; null when nothing was surveyed. */
  kemantapan: number | null;
}

/** One period: the current state (`year` null) or the state at the end of a survey year. */
export interface RoadConditionPeriod {
  year: number | null;
  regency: RoadConditionFigures;
  units: (RoadConditionFigures & { code: string; name: string })[];
}

/** Road condition statistics: per kecamatan and regency, now and over the survey years. */
export interface RoadConditionReport {
  /** The layer of the reporting units (kecamatan) and its code attribute, to map the rows. */
  unitLayer: { layerId: string; codeAttribute: string };
  conditions: CategoryLabel[];
  goodConditions: readonly string[];
  /** The road statuses counted, or null for every road. */
  statuses: string[] | null;
  statusLabels: CategoryLabel[];
  periods: RoadConditionPeriod[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (none: all real). */
  sampleSources: SampleSource[];
  generatedAt: string;
  elapsedMs: number;
}

function categoryLabels(domain: readonly CodedValue[]): CategoryLabel[] {
  return [
    ...domain.map((v) => ({ code: v.code, id: v.labelId, en: v.labelEn, color: v.color })),
    unknownLabel,
  ];
}

function parseStatuses(statusText: string | undefined, domain: readonly CodedValue[]) {
  if (!statusText) return null;
  const statuses = statusText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = domain.map((v) => v.code);
  const unknown = statuses.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw badRequest(
      'invalid-status',
      `Unknown road status ${unknown.join(', ')}. Known statuses: ${known.join(', ')}.`,
    );
  }
  return statuses;
}

function round(value: number, digits = 3) {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function figuresOf(
  rows: ConditionLengthRow[],
  totalKm: number,
  good: readonly string[],
): RoadConditionFigures {
  const byCondition: Record<string, number> = {};
  for (const row of rows) {
    const code = row.condition ?? unknownCondition;
    byCondition[code] = (byCondition[code] ?? 0) + row.lengthKm;
  }
  const surveyedKm = rows.filter((r) => r.condition !== null).reduce((s, r) => s + r.lengthKm, 0);
  const mantapKm = rows
    .filter((r) => r.condition !== null && good.includes(r.condition))
    .reduce((s, r) => s + r.lengthKm, 0);
  const unsurveyedKm = Math.max(0, totalKm - surveyedKm);
  if (unsurveyedKm > 0.0005) byCondition[unknownCondition] = unsurveyedKm;

  const rounded = Object.entries(byCondition).map(([code, km]) => [code, round(km)]);
  return {
    lengthKmByCondition: Object.fromEntries(rounded),
    totalKm: round(totalKm),
    surveyedKm: round(surveyedKm),
    mantapKm: round(mantapKm),
    kemantapan: surveyedKm > 0 ? round(mantapKm / surveyedKm, 4) : null,
  };
}

function networkLengths(rows: ConditionLengthRow[]) {
  const byUnit = new Map<string, number>();
  for (const row of rows.filter((r) => r.year === null)) {
    byUnit.set(row.unitCode, (byUnit.get(row.unitCode) ?? 0) + row.lengthKm);
  }
  return byUnit;
}

function buildPeriods(
  rows: ConditionLengthRow[],
  unitNames: Map<string, string>,
  good: readonly string[],
): RoadConditionPeriod[] {
  const network = networkLengths(rows);
  const regencyKm = [...network.values()].reduce((a, b) => a + b, 0);
  const years = [...new Set(rows.map((r) => r.year).filter((y): y is number => y !== null))];

  return [...years.sort(), null].map((year) => {
    const inPeriod = rows.filter((r) => r.year === year);
    const units = [...network.keys()].sort().map((code) => ({
      code,
      name: unitNames.get(code) ?? code,
      ...figuresOf(
        inPeriod.filter((r) => r.unitCode === code),
        network.get(code)!,
        good,
      ),
    }));
    return { year, regency: figuresOf(inPeriod, regencyKm, good), units };
  });
}

const roadMethod: Bilingual = {
  id:
    'Panjang dihitung pada elipsoid WGS 84 dan dipotong pada batas kecamatan. Kemantapan = ' +
    'panjang kondisi baik + sedang ÷ panjang yang kondisinya diketahui. Kondisi suatu tahun ' +
    'adalah survei terakhir tiap segmen sampai akhir tahun itu, pada geometri jaringan saat ini.',
  en:
    'Lengths are computed on the WGS 84 ellipsoid and cut at kecamatan boundaries. Kemantapan ' +
    '(stability) = good + fair length ÷ length of known condition. The condition of a year is ' +
    "each segment's latest survey up to the end of that year, on today's network geometry.",
};

/**
 * Road length per condition class and the kemantapan share (good + fair) per kecamatan and for
 * the regency: now, and at the end of every survey year when surveys are kept. `statusText`
 * narrows to comma-separated road statuses (e.g. `kabupaten`); an unknown one is a 400.
 */
export function getRoadCondition(pool: pg.Pool, statusText?: string) {
  return answeredWithin(() => roadCondition(pool, statusText), reportTimedOut);
}

async function roadCondition(pool: pg.Pool, statusText?: string): Promise<RoadConditionReport> {
  const started = Date.now();
  const { layer, binding } = requireBoundLayer('roads');
  const units = requireBoundLayer('reportingUnits');
  const statusDomain = binding.statusAttribute ? domainOf(layer, binding.statusAttribute) : [];
  const statuses = binding.statusAttribute ? parseStatuses(statusText, statusDomain) : null;
  const history = await findConditionHistory(pool, layer, binding.surveys);

  const rows = await selectConditionLengths(pool, {
    table: layer.id,
    conditionColumn: binding.conditionAttribute,
    filter: statuses ? { column: binding.statusAttribute!, values: statuses } : undefined,
    unitTable: units.layer.id,
    unitCodeColumn: units.binding.codeAttribute,
    history: history && {
      table: history.table.id,
      keyColumn: history.keyAttribute,
      dateColumn: history.timeAttribute,
      conditionColumn: history.conditionAttribute,
    },
  });
  const names = await selectUnitNames(
    pool,
    units.layer.id,
    units.binding.codeAttribute,
    units.binding.nameAttribute,
  );

  return {
    unitLayer: { layerId: units.layer.id, codeAttribute: units.binding.codeAttribute },
    conditions: categoryLabels(domainOf(layer, binding.conditionAttribute)),
    goodConditions: binding.goodConditions,
    statuses,
    statusLabels: categoryLabels(statusDomain).filter((s) => s.code !== unknownCondition),
    periods: buildPeriods(rows, names, binding.goodConditions),
    method: roadMethod,
    sampleSources: listSampleSources(['roads', 'reportingUnits']),
    generatedAt: new Date().toISOString(),
    elapsedMs: Date.now() - started,
  };
}

/** Condition of one irrigation area's assets. */
export interface IrrigationAreaCondition {
  code: string | null;
  name: string;
  potentialAreaHa: number | null;
  functionalAreaHa: number | null;
  canalKmByCondition: Record<string, number>;
  canalKm: number;
  structuresByCondition: Record<string, number>;
  structures: number;
  /** Mean IKSI component score of the structures that have one (0–100), or null. */
  iksiMean: number | null;
  iksiCount: number;
  /** Share of canal length in good condition, 0–1; null without canals of known condition. */
  canalGoodShare: number | null;
}

/** Irrigation asset condition per irrigation area, with IKSI scores where recorded. */
export interface IrrigationConditionReport {
  conditions: CategoryLabel[];
  areas: IrrigationAreaCondition[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (none: all real). */
  sampleSources: SampleSource[];
  generatedAt: string;
  elapsedMs: number;
}

function emptyArea(code: string | null, name: string): IrrigationAreaCondition {
  return {
    code,
    name,
    potentialAreaHa: null,
    functionalAreaHa: null,
    canalKmByCondition: {},
    canalKm: 0,
    structuresByCondition: {},
    structures: 0,
    iksiMean: null,
    iksiCount: 0,
    canalGoodShare: null,
  };
}

function addIrrigationRow(area: IrrigationAreaCondition, row: IrrigationConditionRow) {
  const condition = row.condition ?? unknownCondition;
  if (row.asset === 'canal') {
    area.canalKmByCondition[condition] = round(row.amount);
    area.canalKm = round(area.canalKm + row.amount);
    return;
  }
  area.structuresByCondition[condition] = row.amount;
  area.structures += row.amount;
  if (row.iksiMean !== null) {
    const total = (area.iksiMean ?? 0) * area.iksiCount + row.iksiMean * row.iksiCount;
    area.iksiCount += row.iksiCount;
    area.iksiMean = round(total / area.iksiCount, 1);
  }
}

function canalGoodShare(area: IrrigationAreaCondition, good: readonly string[]) {
  const entries = Object.entries(area.canalKmByCondition);
  const sum = (list: [string, number][]) => list.reduce((total, [, km]) => total + km, 0);
  const known = sum(entries.filter(([code]) => code !== unknownCondition));
  if (known === 0) return null;
  return round(sum(entries.filter(([code]) => good.includes(code))) / known, 4);
}

const irrigationMethod: Bilingual = {
  id:
    'Kondisi tiap aset adalah hasil inspeksi terakhirnya. Panjang saluran dihitung pada ' +
    'elipsoid WGS 84. Nilai IKSI adalah rata-rata nilai komponen bangunan yang tercatat ' +
    '(baik 76–100, sedang 51–75, rusak 26–50, rusak berat 1–25).',
  en:
    "Each asset's condition is that of its latest inspection. Canal lengths are computed on " +
    'the WGS 84 ellipsoid. The IKSI value is the mean component score of the structures that ' +
    'have one (good 76–100, fair 51–75, damaged 26–50, badly damaged 1–25).',
};

/**
 * Canal length and structure counts per condition class for each irrigation area, with the
 * mean IKSI component score where recorded; assets naming no known area form a last row with
 * a null code.
 */
export function getIrrigationCondition(pool: pg.Pool): Promise<IrrigationConditionReport> {
  return answeredWithin(() => irrigationCondition(pool), reportTimedOut);
}

async function irrigationCondition(pool: pg.Pool): Promise<IrrigationConditionReport> {
  const started = Date.now();
  const areas = requireBoundLayer('irrigationAreas');
  const canals = requireBoundLayer('irrigationCanals');
  const structures = requireBoundLayer('irrigationStructures');

  const areaRows = await selectIrrigationAreas(pool, areas.layer.id, {
    code: areas.binding.codeAttribute,
    name: areas.binding.nameAttribute,
    potentialHa: areas.binding.potentialAreaAttribute,
    functionalHa: areas.binding.functionalAreaAttribute,
  });
  const rows = await selectIrrigationCondition(pool, {
    areaTable: areas.layer.id,
    areaCodeColumn: areas.binding.codeAttribute,
    canalTable: canals.layer.id,
    canalAreaCodeColumn: canals.binding.areaCodeAttribute,
    canalConditionColumn: canals.binding.conditionAttribute,
    structureTable: structures.layer.id,
    structureAreaCodeColumn: structures.binding.areaCodeAttribute,
    structureConditionColumn: structures.binding.conditionAttribute,
    structureIksiColumn: structures.binding.iksiAttribute,
  });

  const byCode = new Map<string | null, IrrigationAreaCondition>(
    areaRows.map((a) => [a.code, { ...emptyArea(a.code, a.name), ...a }]),
  );
  for (const row of rows) {
    if (!byCode.has(row.areaCode)) {
      byCode.set(row.areaCode, emptyArea(null, 'Tanpa daerah irigasi / No irrigation area'));
    }
    addIrrigationRow(byCode.get(row.areaCode)!, row);
  }
  const domain = domainOf(canals.layer, canals.binding.conditionAttribute);
  const result = [...byCode.values()].map((area) => ({
    ...area,
    canalGoodShare: canalGoodShare(area, canals.binding.goodConditions),
  }));

  return {
    conditions: categoryLabels(domain),
    areas: result,
    method: irrigationMethod,
    sampleSources: listSampleSources([
      'irrigationAreas',
      'irrigationCanals',
      'irrigationStructures',
    ]),
    generatedAt: new Date().toISOString(),
    elapsedMs: Date.now() - started,
  };
}
