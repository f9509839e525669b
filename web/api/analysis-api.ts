/**
 * The planners' analyses of the server (`/analysis/...`): plan information of a place, hazard
 * exposure, and road and irrigation condition. Shapes mirror the server's JSON answers.
 */
import { ApiRequestError } from './client-api.js';
import { sessionPostHeaders } from './edit-api.js';

/** Text in both interface languages. */
export interface Bilingual {
  id: string;
  en: string;
}

/** A layer (or record table) of invented sample data that an answer was computed from. */
export interface SampleSource {
  id: string;
  titleId: string;
  titleEn: string;
}

/** A coded category with labels and legend colour. */
export interface CategoryLabel extends Bilingual {
  code: string;
  color?: string;
}

/** A GeoJSON place in EPSG:4326: a clicked point, a drawn or uploaded parcel. */
export type Place =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** The spatial plan information of a place. */
export interface PlanInformation {
  place: { geometryType: string; areaHa: number; pointOnSurface: [number, number] | null };
  location: { desa: PlaceUnit[]; kecamatan: PlaceUnit[] };
  zones: PlanZoneShare[];
  outsideZonesShare: number | null;
  activity: {
    activity: string;
    activityLabel: Bilingual;
    answers: {
      zoneCode: string;
      rule: string | null;
      ruleLabel: Bilingual;
      condition: Bilingual | null;
    }[];
    overall: string | null;
    overallLabel: Bilingual;
  } | null;
  warnings: { kind: 'hazard' | 'protected'; code: string; message: Bilingual }[];
  /** The layers of invented sample data the answer was computed from (empty: all real). */
  sampleSources: SampleSource[];
  elapsedMs: number;
  notes: Bilingual[];
}

/** A desa or kecamatan the place lies in. */
export interface PlaceUnit {
  code: string;
  name: string;
  share: number | null;
}

/** A plan zone the place falls in. */
export interface PlanZoneShare {
  zoneCode: string;
  zoneLabel: Bilingual;
  name: string;
  kindLabel: Bilingual | null;
  regulation: string | null;
  periodStart: number | null;
  periodEnd: number | null;
  areaHa: number;
  share: number | null;
  color: string | null;
}

/** An activity of the ITBX matrix. */
export interface PlanActivity {
  code: string;
  label: Bilingual;
}

/** Figures of one hazard type and class in a kecamatan or the regency. */
export interface ExposureFigures {
  areaHa: number;
  population: number;
  roadKmByCondition: Record<string, number>;
  roadKm: number;
  bridges: number;
  irrigationStructures: number;
  canalKm: number;
  evacuationPoints: number;
  evacuationCapacity: number;
}

/** Exposure to one hazard type and class. */
export interface HazardExposure {
  hazardType: string;
  hazardClass: string;
  hazardTypeLabel: Bilingual;
  hazardClassLabel: Bilingual;
  hazardClassColor: string | null;
  regency: ExposureFigures;
  units: (ExposureFigures & { code: string; name: string })[];
}

/** The layer of the reporting units (kecamatan) that the rows are keyed by. */
export interface UnitLayer {
  layerId: string;
  codeAttribute: string;
}

/** The hazard exposure answer. */
export interface HazardExposureReport {
  unitLayer: UnitLayer;
  populationYear: number;
  populationYears: number[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (empty: all real). */
  sampleSources: SampleSource[];
  roadConditions: CategoryLabel[];
  hazards: HazardExposure[];
  elapsedMs: number;
}

/** Road length of one unit in one period. */
export interface RoadConditionFigures {
  lengthKmByCondition: Record<string, number>;
  totalKm: number;
  surveyedKm: number;
  mantapKm: number;
  kemantapan: number | null;
}

/** The road condition answer. */
export interface RoadConditionReport {
  unitLayer: UnitLayer;
  conditions: CategoryLabel[];
  statusLabels: CategoryLabel[];
  periods: {
    year: number | null;
    regency: RoadConditionFigures;
    units: (RoadConditionFigures & { code: string; name: string })[];
  }[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (empty: all real). */
  sampleSources: SampleSource[];
  elapsedMs: number;
}

/** The irrigation condition answer. */
export interface IrrigationConditionReport {
  conditions: CategoryLabel[];
  areas: {
    code: string | null;
    name: string;
    potentialAreaHa: number | null;
    functionalAreaHa: number | null;
    canalKmByCondition: Record<string, number>;
    canalKm: number;
    structuresByCondition: Record<string, number>;
    structures: number;
    iksiMean: number | null;
    iksiCount: number;
    canalGoodShare: number | null;
  }[];
  method: Bilingual;
  /** The layers of invented sample data the answer was computed from (empty: all real). */
  sampleSources: SampleSource[];
  elapsedMs: number;
}

/** The formats a plan answer can be printed in. */
export type PrintFormat = 'html' | 'pdf' | 'png';

async function readProblem(response: Response) {
  if (!response.headers.get('content-type')?.includes('json')) return {};
  const problem = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return {
    detail: typeof problem.detail === 'string' ? problem.detail : undefined,
    type: typeof problem.type === 'string' ? problem.type.replace(/^\/problems\//, '') : undefined,
  };
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    const { detail, type } = await readProblem(response);
    throw new ApiRequestError(response.status, url, detail, type);
  }
  return response;
}

function planRequest(
  place: Place,
  activity: string | undefined,
  format: string,
  signal?: AbortSignal,
) {
  // A read sent as POST (the place can be large): with a session cookie it needs the token.
  return request(`/analysis/plan-information?f=${format}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...sessionPostHeaders() },
    body: JSON.stringify({ geometry: place, activity: activity || undefined }),
    signal,
  });
}

/** The plan information of a place, with the answer for `activity` when given. */
export async function fetchPlanInformation(
  place: Place,
  activity: string | undefined,
  signal?: AbortSignal,
): Promise<PlanInformation> {
  return (await planRequest(place, activity, 'json', signal)).json();
}

/** The printable one-page answer as a file (HTML, PDF or PNG). */
export async function fetchPlanPrint(
  place: Place,
  activity: string | undefined,
  format: PrintFormat,
) {
  return (await planRequest(place, activity, format)).blob();
}

/** The activities of the ITBX matrix. */
export async function fetchPlanActivities(): Promise<PlanActivity[]> {
  const body = (await (await request('/analysis/plan-activities')).json()) as {
    activities: PlanActivity[];
  };
  return body.activities;
}

/** Exposure per hazard type, class and kecamatan for a population year (default the latest). */
export async function fetchHazardExposure(year?: number): Promise<HazardExposureReport> {
  const query = year ? `?year=${year}` : '';
  return (await request(`/analysis/hazard-exposure${query}`)).json();
}

/** Road condition per kecamatan over survey years, of the roads of `status` (all by default). */
export async function fetchRoadCondition(status = ''): Promise<RoadConditionReport> {
  const query = status ? `?status=${encodeURIComponent(status)}` : '';
  return (await request(`/analysis/road-condition${query}`)).json();
}

/** Irrigation asset condition per irrigation area. */
export async function fetchIrrigationCondition(): Promise<IrrigationConditionReport> {
  return (await request('/analysis/irrigation-condition')).json();
}

/** The address of an analysis's CSV table, for a download link. */
export function analysisCsvUrl(
  analysis: 'hazard-exposure' | 'road-condition' | 'irrigation-condition',
  query = '',
) {
  return `/analysis/${analysis}?f=csv${query ? `&${query}` : ''}`;
}

/** The features of a layer as GeoJSON in EPSG:4326 (the reporting units to colour). */
export async function fetchLayerGeoJson(layerId: string): Promise<object> {
  const url = `/collections/${encodeURIComponent(layerId)}/items?limit=1000`;
  return (await request(url, { headers: { Accept: 'application/geo+json' } })).json();
}
