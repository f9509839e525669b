import type pg from 'pg';
import type { CodedValue, LayerDefinition } from '../../layers/index.js';
import {
  exposureOverlays,
  selectHazardExposure,
  type ExposureMeasure,
  type ExposureRow,
  type ExposureSource,
  type PeopleSource,
} from '../db/queries/hazard-exposure.js';
import { selectUnitNames } from '../db/queries/unit-names.js';
import { badRequest } from '../http/problem.js';
import { log } from '../log.js';
import { reuseWhileUnchanged } from './analysis-cache.js';
import {
  domainOf,
  findBoundLayer,
  listSampleSources,
  requireBoundLayer,
  type SampleSource,
} from './analysis-bindings.js';
import { readAfterRefresh, type RefreshReport } from './overlay-refresh.js';
import type { Bilingual } from './plan-information-service.js';
import { answeredWithin, reportTimedOut } from './query-timeout.js';

/** The measures of one hazard type and class in one kecamatan, or summed for the regency. */
export interface ExposureFigures {
  areaHa: number;
  /** People exposed, rounded to whole people. */
  population: number;
  /** Road length in km per condition class code; `unknown` for segments without a class. */
  roadKmByCondition: Record<string, number>;
  roadKm: number;
  bridges: number;
  irrigationStructures: number;
  canalKm: number;
  evacuationPoints: number;
  evacuationCapacity: number;
}

/** Exposure to one hazard type and class: the regency total and each kecamatan touched. */
export interface HazardExposure {
  hazardType: string;
  hazardClass: string;
  hazardTypeLabel: Bilingual;
  hazardClassLabel: Bilingual;
  /** Legend colour of the hazard class. */
  hazardClassColor: string | null;
  regency: ExposureFigures;
  units: (ExposureFigures & { code: string; name: string })[];
}

/** A coded category of a measure, with its labels and legend colour. */
export interface CategoryLabel extends Bilingual {
  code: string;
  color?: string;
}

/** Every role the exposure answer reads. */
const exposureRoles = [
  'hazardZones',
  'populationUnits',
  'reportingUnits',
  'roads',
  'bridges',
  'irrigationStructures',
  'irrigationCanals',
  'evacuationPoints',
] as const;

/** The whole exposure answer. */
export interface HazardExposureReport {
  /** The layer of the reporting units (kecamatan) and its code attribute, to map the rows. */
  unitLayer: { layerId: string; codeAttribute: string };
  populationYear: number;
  /** Years that have population figures. */
  populationYears: number[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (none: all real). */
  sampleSources: SampleSource[];
  /** Measures left out because their layer is not declared here. */
  omitted: string[];
  roadConditions: CategoryLabel[];
  hazards: HazardExposure[];
  generatedAt: string;
  elapsedMs: number;
  /** True when the data were unchanged since the last computation and its result was reused. */
  reused: boolean;
}

const unknownCondition = 'unknown';

function labelsOf(domain: readonly CodedValue[], code: string): Bilingual {
  const value = domain.find((v) => v.code === code);
  return value ? { id: value.labelId, en: value.labelEn } : { id: code, en: code };
}

/** The population years of the bindings, and the year asked (default: the latest). */
export function choosePopulationYear(yearText?: string) {
  const { binding } = requireBoundLayer('reportingUnits');
  const years = Object.keys(binding.populationAttributes).map(Number).sort();
  if (yearText === undefined) return { year: years[years.length - 1]!, years };

  if (!/^\d{4}$/.test(yearText)) {
    throw badRequest(
      'invalid-year',
      `year is a four-digit year (${years.join(', ')}); got "${yearText.slice(0, 40)}".`,
    );
  }
  const year = Number(yearText);
  if (!years.includes(year)) {
    throw badRequest(
      'invalid-year',
      `Population figures exist for ${years.join(', ')}; year ${yearText} has none.`,
    );
  }
  return { year, years };
}

function peopleSource(year: number): PeopleSource {
  const reporting = requireBoundLayer('reportingUnits');
  const units = requireBoundLayer('populationUnits');
  return {
    table: units.layer.id,
    reportingUnitCodeColumn: units.binding.reportingUnitCodeAttribute,
    populationColumn: units.binding.populationAttributes?.[year],
    reportingTable: reporting.layer.id,
    reportingCodeColumn: reporting.binding.codeAttribute,
    reportingPopulationColumn: reporting.binding.populationAttributes[year]!,
  };
}

/** The measures whose layers are declared, and the names of those left out. */
function exposureMeasures() {
  const measures: ExposureMeasure[] = [];
  const omitted: string[] = [];
  const add = (
    role: Parameters<typeof findBoundLayer>[0],
    build: (l: LayerDefinition) => ExposureMeasure[],
  ) => {
    const bound = findBoundLayer(role);
    if (bound) measures.push(...build(bound.layer));
    else omitted.push(role);
  };
  const roads = findBoundLayer('roads');
  add('roads', (layer) => [
    {
      name: 'road_km',
      table: layer.id,
      kind: 'length_km',
      categoryColumn: roads!.binding.conditionAttribute,
    },
  ]);
  add('bridges', (layer) => [{ name: 'bridges', table: layer.id, kind: 'count' }]);
  add('irrigationStructures', (layer) => [
    { name: 'irrigation_structures', table: layer.id, kind: 'count' },
  ]);
  add('irrigationCanals', (layer) => [{ name: 'canal_km', table: layer.id, kind: 'length_km' }]);
  const evacuation = findBoundLayer('evacuationPoints');
  add('evacuationPoints', (layer) => [
    { name: 'evacuation_points', table: layer.id, kind: 'count' },
    {
      name: 'evacuation_capacity',
      table: layer.id,
      kind: 'sum',
      sumColumn: evacuation!.binding.capacityAttribute,
    },
  ]);
  return { measures, omitted };
}

function emptyFigures(): ExposureFigures {
  return {
    areaHa: 0,
    population: 0,
    roadKmByCondition: {},
    roadKm: 0,
    bridges: 0,
    irrigationStructures: 0,
    canalKm: 0,
    evacuationPoints: 0,
    evacuationCapacity: 0,
  };
}

const scalarFields: Record<string, keyof ExposureFigures> = {
  area_ha: 'areaHa',
  population: 'population',
  bridges: 'bridges',
  irrigation_structures: 'irrigationStructures',
  canal_km: 'canalKm',
  evacuation_points: 'evacuationPoints',
  evacuation_capacity: 'evacuationCapacity',
};

function addRow(figures: ExposureFigures, row: ExposureRow) {
  if (row.measure === 'road_km') {
    const condition = row.category ?? unknownCondition;
    figures.roadKmByCondition[condition] = (figures.roadKmByCondition[condition] ?? 0) + row.value;
    figures.roadKm += row.value;
    return;
  }
  const field = scalarFields[row.measure];
  if (field) (figures[field] as number) += row.value;
}

function roundFigures<F extends ExposureFigures>(figures: F): F {
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  const roads = Object.entries(figures.roadKmByCondition).map(([k, v]) => [k, round(v, 3)]);
  return {
    ...figures,
    areaHa: round(figures.areaHa, 2),
    population: Math.round(figures.population),
    roadKmByCondition: Object.fromEntries(roads),
    roadKm: round(figures.roadKm, 3),
    canalKm: round(figures.canalKm, 3),
  };
}

function groupByHazard(rows: ExposureRow[], unitNames: Map<string, string>) {
  const hazards = new Map<
    string,
    { regency: ExposureFigures; units: Map<string, ExposureFigures> }
  >();
  for (const row of rows) {
    const key = `${row.hazardType}\u0000${row.hazardClass}`;
    const entry = hazards.get(key) ?? { regency: emptyFigures(), units: new Map() };
    hazards.set(key, entry);

    const unit = entry.units.get(row.unitCode) ?? emptyFigures();
    entry.units.set(row.unitCode, unit);
    addRow(unit, row);
    addRow(entry.regency, row);
  }
  return [...hazards].map(([key, entry]) => {
    const [hazardType, hazardClass] = key.split('\u0000') as [string, string];
    const units = [...entry.units].map(([code, figures]) => ({
      code,
      name: unitNames.get(code) ?? code,
      ...roundFigures(figures),
    }));
    units.sort((a, b) => a.code.localeCompare(b.code));
    return { hazardType, hazardClass, regency: roundFigures(entry.regency), units };
  });
}

function methodText(year: number, ownPopulation: boolean): Bilingual {
  const source = ownPopulation
    ? { id: `penduduk desa tahun ${year}`, en: `the desa population of ${year}` }
    : {
        id:
          `penduduk kecamatan tahun ${year} yang dibagi ke desa menurut luasnya (data penduduk ` +
          'per desa belum tersedia)',
        en:
          `the kecamatan population of ${year} shared among its desa by area (population ` +
          'per desa is not loaded)',
      };
  return {
    id:
      `Penduduk terpapar = jumlah atas desa dari (penduduk desa × bagian luas desa di dalam ` +
      `zona bahaya), dengan anggapan penduduk tersebar merata di dalam desa; penduduk desa ` +
      `adalah ${source.id}. Bagian yang bertampalan dari zona-zona dengan jenis dan kelas yang ` +
      'sama dihitung sekali. Luas dan panjang dihitung pada elipsoid WGS 84 dari data terkini.',
    en:
      'People exposed = the sum over desa of (desa population × the share of the desa area ' +
      'inside the hazard zone), assuming people spread evenly within a desa; the desa ' +
      `population is ${source.en}. Where zones of one type and class overlap, their common ` +
      'part counts once. Areas and lengths are computed on the WGS 84 ellipsoid from current data.',
  };
}

function sortHazards(
  hazards: HazardExposure[],
  types: readonly CodedValue[],
  classes: readonly CodedValue[],
) {
  const order = (domain: readonly CodedValue[], code: string) => {
    const index = domain.findIndex((v) => v.code === code);
    return index < 0 ? domain.length : index;
  };
  return hazards.sort(
    (a, b) =>
      order(types, a.hazardType) - order(types, b.hazardType) ||
      order(classes, a.hazardClass) - order(classes, b.hazardClass),
  );
}

/** The tables and columns of the exposure query, from the bindings. */
function exposureSource(year: number, measures: ExposureMeasure[]): ExposureSource {
  const hazard = requireBoundLayer('hazardZones');
  const reporting = requireBoundLayer('reportingUnits');
  return {
    hazardTable: hazard.layer.id,
    hazardTypeColumn: hazard.binding.typeAttribute,
    hazardClassColumn: hazard.binding.classAttribute,
    unitTable: reporting.layer.id,
    unitCodeColumn: reporting.binding.codeAttribute,
    people: peopleSource(year),
    measures,
  };
}

/** The exposure rows from the stored overlays, refreshed first from the current data. */
async function computeExposureRows(pool: pg.Pool, source: ExposureSource) {
  const overlays = exposureOverlays(source);
  const read = (client: pg.PoolClient) => selectHazardExposure(client, source);
  const { result } = await readAfterRefresh(pool, overlays, read);
  return result;
}

function sourceTables(source: ExposureSource): string[] {
  const measureTables = source.measures.map((m) => m.table);
  return [source.hazardTable, source.unitTable, source.people.table, ...measureTables];
}

/**
 * People, roads, bridges, irrigation assets and evacuation points inside each hazard type and
 * class, per kecamatan and for the regency, from the current data. `yearText` picks the
 * population year (default the latest); a year without figures is a 400 listing those with.
 */
export function getHazardExposure(pool: pg.Pool, yearText?: string) {
  return answeredWithin(() => hazardExposure(pool, yearText), reportTimedOut);
}

async function hazardExposure(pool: pg.Pool, yearText?: string): Promise<HazardExposureReport> {
  const started = Date.now();
  const { year, years } = choosePopulationYear(yearText);
  const hazard = requireBoundLayer('hazardZones');
  const reporting = requireBoundLayer('reportingUnits');
  const { measures, omitted } = exposureMeasures();
  const source = exposureSource(year, measures);

  const { value: rows, reused } = await reuseWhileUnchanged(
    pool,
    `hazard-exposure:${year}`,
    sourceTables(source),
    () => computeExposureRows(pool, source),
  );
  const unitNames = await selectUnitNames(
    pool,
    reporting.layer.id,
    reporting.binding.codeAttribute,
    reporting.binding.nameAttribute,
  );

  const typeDomain = domainOf(hazard.layer, hazard.binding.typeAttribute);
  const classDomain = domainOf(hazard.layer, hazard.binding.classAttribute);
  const hazards = groupByHazard(rows, unitNames).map((h) => ({
    ...h,
    hazardTypeLabel: labelsOf(typeDomain, h.hazardType),
    hazardClassLabel: labelsOf(classDomain, h.hazardClass),
    hazardClassColor: classDomain.find((v) => v.code === h.hazardClass)?.color ?? null,
  }));
  const roads = findBoundLayer('roads');
  const roadDomain = roads ? domainOf(roads.layer, roads.binding.conditionAttribute) : [];

  return {
    unitLayer: { layerId: reporting.layer.id, codeAttribute: reporting.binding.codeAttribute },
    populationYear: year,
    populationYears: years,
    method: methodText(year, Boolean(source.people.populationColumn)),
    sampleSources: listSampleSources(exposureRoles),
    omitted,
    roadConditions: [
      ...roadDomain.map((v) => ({ code: v.code, id: v.labelId, en: v.labelEn, color: v.color })),
      { code: unknownCondition, id: 'Tidak diketahui', en: 'Unknown', color: '#9e9e9e' },
    ],
    hazards: sortHazards(hazards, typeDomain, classDomain),
    generatedAt: new Date().toISOString(),
    elapsedMs: Date.now() - started,
    reused,
  };
}

/**
 * Brings the stored overlays of the exposure analysis up to date, so that the first answer after
 * a start (or after a seed or an import) does not wait for them: on the seeded regency the first
 * computation takes seconds, every later one milliseconds per edited row.
 */
export async function refreshHazardExposure(pool: pg.Pool): Promise<RefreshReport> {
  const { year } = choosePopulationYear();
  const source = exposureSource(year, exposureMeasures().measures);
  const { refresh } = await readAfterRefresh(pool, exposureOverlays(source), async () => null);
  return refresh;
}

/**
 * Refreshes the exposure overlays in the background, so that the first answer after a start
 * does not compute them (seconds once after a seed or an import, milliseconds when nothing
 * changed). Without the bound layers there is nothing to refresh; a failure is logged, and the
 * first answer refreshes instead.
 */
export function warmHazardExposure(pool: pg.Pool): void {
  const roles = ['hazardZones', 'reportingUnits', 'populationUnits'] as const;
  if (!roles.every((role) => findBoundLayer(role))) return;

  const started = Date.now();
  refreshHazardExposure(pool)
    .then((refresh) => {
      log.info({ ...refresh, ms: Date.now() - started }, 'exposure overlays refreshed');
    })
    .catch((error: Error) => log.warn({ err: error }, 'exposure overlays not refreshed'));
}
