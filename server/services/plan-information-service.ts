import type pg from 'pg';
import type { ActivityRuleBinding } from '../../layers/analysis-bindings.js';
import type { CodedValue, LayerDefinition, RecordTableDefinition } from '../../layers/index.js';
import {
  placeTouchesAny,
  selectActivities,
  selectActivityRules,
  selectMapShapes,
  selectOverlapShares,
  selectPlaceFrame,
  selectPlaceSummary,
  selectPlaceValidity,
  type MapShapeRow,
  type OverlapRow,
  type RepairedPlace,
  type UtmFrame,
} from '../db/queries/plan-information.js';
import { config } from '../config.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import {
  domainOf,
  findActivityTable,
  findBoundLayer,
  listSampleSources,
  requireBoundLayer,
  type SampleSource,
} from './analysis-bindings.js';
import { listLayers } from './layer-registry.js';
import { answeredWithin } from './query-timeout.js';

/** The layers whose features are the regency's outline. */
function outlineLayers(): LayerDefinition[] {
  return listLayers().filter((layer) => layer.regencyOutline);
}

/** Text in both interface languages. */
export interface Bilingual {
  id: string;
  en: string;
}

/** The four answers of the activity matrix (ITBX), from most to least permissive. */
export type ActivityRule = 'I' | 'T' | 'B' | 'X';

const ruleOrder: readonly ActivityRule[] = ['I', 'T', 'B', 'X'];

/** A zone of the spatial plan that the place falls in. */
export interface PlanZoneShare {
  zoneCode: string;
  zoneLabel: Bilingual;
  /** The plan's own name of the zone (NAMOBJ). */
  name: string;
  kind: string | null;
  kindLabel: Bilingual | null;
  protected: boolean;
  regulation: string | null;
  periodStart: number | null;
  periodEnd: number | null;
  /** Overlap area on the ellipsoid; 0 for a point. */
  areaHa: number;
  /** Share of the place's area in this zone, 0–1; null for a point. */
  share: number | null;
  /** Legend colour of the zone code. */
  color: string | null;
}

/** The matrix's answer for one zone; `rule` is null when the matrix has no row for it. */
export interface ZoneActivityAnswer {
  zoneCode: string;
  rule: ActivityRule | null;
  ruleLabel: Bilingual;
  /** Conditions of a T or B answer in words; null when there are none. */
  condition: Bilingual | null;
}

/** A protected zone or hazard zone the place overlaps. */
export interface PlaceWarning {
  kind: 'hazard' | 'protected';
  code: string;
  label: Bilingual;
  areaHa: number;
  share: number | null;
  message: Bilingual;
}

/** A desa or kecamatan the place lies in, with the share of the place in it. */
export interface PlaceUnit {
  code: string;
  name: string;
  share: number | null;
}

/** The answer for an asked activity over every zone the place touches. */
export interface ActivityAnswer {
  activity: string;
  activityLabel: Bilingual;
  answers: ZoneActivityAnswer[];
  /** The strictest answer over the zones (X over B over T over I); null if none is known. */
  overall: ActivityRule | null;
  overallLabel: Bilingual;
}

/** Everything the plan information (Informasi Tata Ruang) says about a place. */
export interface PlanInformation {
  place: Awaited<ReturnType<typeof selectPlaceSummary>>;
  location: { desa: PlaceUnit[]; kecamatan: PlaceUnit[] };
  zones: PlanZoneShare[];
  /** Share of the place's area outside every plan zone (a gap, or outside the regency). */
  outsideZonesShare: number | null;
  activity: ActivityAnswer | null;
  warnings: PlaceWarning[];
  /** The layers of invented sample data the answer was computed from (none: all real). */
  sampleSources: SampleSource[];
  generatedAt: string;
  elapsedMs: number;
  notes: Bilingual[];
}

/** Every role the plan information reads. */
const planRoles = [
  'planZones',
  'activityRules',
  'hazardZones',
  'populationUnits',
  'reportingUnits',
] as const;

const unknownRule: Bilingual = {
  id: 'Tidak diatur dalam matriks kegiatan',
  en: 'Not in the activity matrix',
};

function labelOf(domain: readonly CodedValue[], code: unknown): Bilingual | null {
  const value = domain.find((v) => v.code === code);
  return value ? { id: value.labelId, en: value.labelEn } : null;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toZoneShare(layer: LayerDefinition, row: OverlapRow): PlanZoneShare {
  const binding = requireBoundLayer('planZones').binding;
  const zoneCode = String(row.values[binding.zoneCodeAttribute]);
  const kind = (row.values[binding.kindAttribute] as string | null) ?? null;
  const zoneDomain = domainOf(layer, binding.zoneCodeAttribute);
  return {
    zoneCode,
    zoneLabel: labelOf(zoneDomain, zoneCode) ?? { id: zoneCode, en: zoneCode },
    name: String(row.values[binding.nameAttribute] ?? ''),
    kind,
    kindLabel: labelOf(domainOf(layer, binding.kindAttribute), kind),
    protected: kind !== null && binding.protectedKinds.includes(kind),
    regulation: (row.values[binding.regulationAttribute] as string | null) ?? null,
    periodStart: numberOrNull(row.values[binding.periodStartAttribute]),
    periodEnd: numberOrNull(row.values[binding.periodEndAttribute]),
    areaHa: row.areaHa,
    share: row.share,
    color: zoneDomain.find((v) => v.code === zoneCode)?.color ?? null,
  };
}

async function findPlanZones(pool: pg.Pool, place: RepairedPlace) {
  const { layer, binding } = requireBoundLayer('planZones');
  const attributes = [
    binding.zoneCodeAttribute,
    binding.nameAttribute,
    binding.kindAttribute,
    binding.regulationAttribute,
    binding.periodStartAttribute,
    binding.periodEndAttribute,
  ];
  const rows = await selectOverlapShares(pool, layer, attributes, place);
  return rows.map((row) => toZoneShare(layer, row));
}

async function findUnits(
  pool: pg.Pool,
  role: 'populationUnits' | 'reportingUnits',
  place: RepairedPlace,
) {
  const bound = findBoundLayer(role);
  if (!bound) return [];
  const { layer, binding } = bound;

  const attributes = [binding.codeAttribute, binding.nameAttribute];
  const rows = await selectOverlapShares(pool, layer, attributes, place);
  return rows.map((row) => ({
    code: String(row.values[binding.codeAttribute]),
    name: String(row.values[binding.nameAttribute]),
    share: row.share,
  }));
}

/** ` (12,5%)` in Indonesian, ` (12.5%)` in English; nothing for a point (no share). */
function percentText(share: number | null, locale: 'id-ID' | 'en-GB') {
  return share === null ? '' : ` (${(Math.round(share * 1000) / 10).toLocaleString(locale)}%)`;
}

/** The English indefinite article of a word: `an earthquake`, `a flood`. */
function articleOf(word: string) {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function hazardWarning(row: OverlapRow, typeLabel: Bilingual, classLabel: Bilingual) {
  const type = typeLabel.en.toLowerCase();
  const level = { id: classLabel.id.toLowerCase(), en: classLabel.en.toLowerCase() };
  const [partId, partEn] = [percentText(row.share, 'id-ID'), percentText(row.share, 'en-GB')];
  const message = {
    id: `Lokasi berada di zona bahaya ${typeLabel.id}, ${level.id}${partId}.`,
    en: `The place lies in ${articleOf(type)} ${type} hazard zone, ${level.en}${partEn}.`,
  };
  const label = {
    id: `${typeLabel.id} – ${classLabel.id}`,
    en: `${typeLabel.en} – ${classLabel.en}`,
  };
  return { label, areaHa: row.areaHa, share: row.share, message };
}

async function findHazardWarnings(pool: pg.Pool, place: RepairedPlace): Promise<PlaceWarning[]> {
  const bound = findBoundLayer('hazardZones');
  if (!bound) return [];
  const { layer, binding } = bound;

  const attributes = [binding.typeAttribute, binding.classAttribute];
  const rows = await selectOverlapShares(pool, layer, attributes, place);
  return rows.map((row) => {
    const type = String(row.values[binding.typeAttribute]);
    const level = String(row.values[binding.classAttribute]);
    const typeLabel = labelOf(domainOf(layer, binding.typeAttribute), type);
    const classLabel = labelOf(domainOf(layer, binding.classAttribute), level);
    return {
      kind: 'hazard' as const,
      code: `${type}:${level}`,
      ...hazardWarning(
        row,
        typeLabel ?? { id: type, en: type },
        classLabel ?? { id: level, en: level },
      ),
    };
  });
}

function protectedWarnings(zones: PlanZoneShare[]): PlaceWarning[] {
  return zones
    .filter((zone) => zone.protected)
    .map((zone) => {
      const [partId, partEn] = [percentText(zone.share, 'id-ID'), percentText(zone.share, 'en-GB')];
      const message = {
        id: `Lokasi berada di kawasan lindung: ${zone.zoneLabel.id}${partId}.`,
        en: `The place lies in a protected area: ${zone.zoneLabel.en}${partEn}.`,
      };
      const { zoneCode: code, zoneLabel: label, areaHa, share } = zone;
      return { kind: 'protected', code, label, areaHa, share, message };
    });
}

function strictestRule(answers: ZoneActivityAnswer[]): ActivityRule | null {
  const known = answers.map((a) => a.rule).filter((r): r is ActivityRule => r !== null);
  if (known.length === 0) return null;
  return known.reduce((a, b) => (ruleOrder.indexOf(b) > ruleOrder.indexOf(a) ? b : a));
}

function requireActivityCode(
  table: RecordTableDefinition,
  binding: ActivityRuleBinding,
  code: string,
) {
  const activities = domainOf(table, binding.activityAttribute);
  const activity = activities.find((v) => v.code === code);
  if (activities.length > 0 && !activity) {
    const known = activities.map((v) => v.code).join(', ');
    throw badRequest('invalid-activity', `Unknown activity "${code}". Known activities: ${known}.`);
  }
  return activity ? { id: activity.labelId, en: activity.labelEn } : { id: code, en: code };
}

function conditionOf(row: { condition: string | null; conditionEn: string | null }) {
  if (!row.condition && !row.conditionEn) return null;
  return { id: row.condition ?? row.conditionEn!, en: row.conditionEn ?? row.condition! };
}

async function answerActivity(
  pool: pg.Pool,
  activity: string,
  zones: PlanZoneShare[],
): Promise<ActivityAnswer> {
  const found = await findActivityTable(pool);
  if (!found) {
    throw badRequest(
      'activity-matrix-missing',
      'This deployment has no activity matrix; ask without activity.',
    );
  }
  const { table, binding } = found;
  const activityLabel = requireActivityCode(table, binding, activity);
  const zoneCodes = [...new Set(zones.map((zone) => zone.zoneCode))];
  const rules = await selectActivityRules(pool, binding, activity, zoneCodes);
  const ruleDomain = domainOf(table, binding.ruleAttribute);

  const answers = zoneCodes.map((zoneCode) => {
    const row = rules.find((r) => r.zoneCode === zoneCode);
    const rule =
      row && ruleOrder.includes(row.rule as ActivityRule) ? (row.rule as ActivityRule) : null;
    const ruleLabel = (rule && labelOf(ruleDomain, rule)) ?? unknownRule;
    return { zoneCode, rule, ruleLabel, condition: row ? conditionOf(row) : null };
  });
  const overall = strictestRule(answers);
  const overallLabel = (overall && labelOf(ruleDomain, overall)) ?? unknownRule;
  return { activity, activityLabel, answers, overall, overallLabel };
}

function outsideShare(zones: PlanZoneShare[], areaHa: number): number | null {
  if (areaHa === 0) return zones.length === 0 ? 1 : 0;
  const inside = zones.reduce((sum, zone) => sum + (zone.share ?? 0), 0);
  // Below 0.1% is rounding of shared edges, not a gap.
  return inside > 0.999 ? 0 : Math.max(0, 1 - inside);
}

const methodNote: Bilingual = {
  id:
    'Luas dihitung pada elipsoid WGS 84 dari data terkini. Keterangan ini bersifat informasi ' +
    'dan bukan Konfirmasi/Persetujuan Kesesuaian Kegiatan Pemanfaatan Ruang (KKPR).',
  en:
    'Areas are computed on the WGS 84 ellipsoid from current data. This is information, not a ' +
    'confirmation or approval of conformity of spatial use (KKPR).',
};

/** The most vertices of an invalid place that is repaired (ST_MakeValid) rather than refused. */
export const maxRepairedPlaceVertices = 100;

/**
 * The place made valid, once for every query of a request; an invalid place too large to
 * repair safely is refused. The repair (ST_MakeValid by structure: the rings' union, their
 * holes cut out) grows with the square of the crossings: a star ring crossing itself at each
 * of its vertices took 0.25 s at 199 vertices, 2.6 s at 501 and 37 s at 1,501 (the default
 * method took 3 minutes at 199), and the GEOS of Debian 12 (3.11.1) crashes when a timeout
 * interrupts it: the whole PostgreSQL server restarted, failing every request and import under
 * way. A parcel drawn or traced with a crossing by mistake has far fewer vertices and is still
 * repaired.
 */
async function repairPlace(pool: pg.Pool, placeGeoJson: string): Promise<RepairedPlace> {
  const { reason, place } = await selectPlaceValidity(pool, placeGeoJson, maxRepairedPlaceVertices);
  if (place) return place;
  throw new HttpProblem(
    422,
    'invalid-place-geometry',
    'Invalid place',
    `The place is not a valid polygon (${reason.slice(0, 200)}), and one of more than ` +
      `${maxRepairedPlaceVertices} vertices is not repaired here: fix it in a GIS and send it ` +
      'again.',
    { reason: reason.slice(0, 200) },
  );
}

/** 422 for a place whose analysis ran past the statement timeout. */
function placeTooComplex(): HttpProblem {
  return new HttpProblem(
    422,
    'place-too-complex',
    'Place too complex',
    `The analysis of the place ran past the ${config.queryTimeoutMs} ms limit of one ` +
      'request: send a smaller place, or one of fewer parts and vertices.',
    { limit: 'queryTimeoutMs', maximum: config.queryTimeoutMs },
  );
}

/**
 * The spatial plan information for a place (GeoJSON text in EPSG:4326, see `parsePlace`): the
 * plan zones it falls in with area in hectares and share, the desa and kecamatan it lies in,
 * protected-area and hazard warnings, and, when `activity` (a code of the matrix) is given,
 * the matrix answer per zone with its conditions in words.
 */
export function getPlanInformation(
  pool: pg.Pool,
  placeGeoJson: string,
  activity?: string,
): Promise<PlanInformation> {
  return answeredWithin(() => planInformation(pool, placeGeoJson, activity), placeTooComplex);
}

async function planInformation(
  pool: pg.Pool,
  placeGeoJson: string,
  activity?: string,
): Promise<PlanInformation> {
  const started = Date.now();
  const repaired = await repairPlace(pool, placeGeoJson);
  const place = await selectPlaceSummary(pool, repaired);
  if (place.empty) {
    // a parcel finished with its corners on one line, or repeated (a double click counted)
    throw new HttpProblem(
      422,
      'place-without-area',
      'Place without area',
      'The parcel has no area once made valid: its corners lie on one line or repeat. ' +
        'Draw it with at least three corners apart.',
    );
  }
  const zones = await findPlanZones(pool, repaired);
  const desa = await findUnits(pool, 'populationUnits', repaired);
  const kecamatan = await findUnits(pool, 'reportingUnits', repaired);
  const hazards = await findHazardWarnings(pool, repaired);
  // Nothing of the regency's data reaches there, nor its outline: an empty answer would read
  // as "free of zones and hazards" for a place the plan says nothing of.
  const found = zones.length + desa.length + kecamatan.length + hazards.length;
  if (found === 0 && !(await placeTouchesAny(pool, outlineLayers(), repaired))) {
    throw new HttpProblem(
      422,
      'place-outside-regency',
      'Place outside the regency',
      'The place lies wholly outside the regency; its spatial plan says nothing of it.',
    );
  }
  const answer = activity ? await answerActivity(pool, activity, zones) : null;

  return {
    place,
    location: { desa, kecamatan },
    zones,
    outsideZonesShare: outsideShare(zones, place.areaHa),
    activity: answer,
    warnings: [...protectedWarnings(zones), ...hazards],
    sampleSources: listSampleSources(planRoles),
    generatedAt: new Date().toISOString(),
    elapsedMs: Date.now() - started,
    notes: [methodNote],
  };
}

/** The activities of the matrix with their labels, for the activity picker. */
export async function listPlanActivities(pool: pg.Pool) {
  const found = await findActivityTable(pool);
  if (!found) return [];
  const { table, binding } = found;

  const domain = domainOf(table, binding.activityAttribute);
  const rows = await selectActivities(pool, binding);
  return rows.map((row) => ({
    code: row.activity,
    label: labelOf(domain, row.activity) ?? { id: row.activity, en: row.activity },
    zones: row.zones,
  }));
}

/** Shapes of the printed map, as SVG paths in EPSG:32749 metres (see `selectMapShapes`). */
export interface PlanInformationMap {
  /** [minX, minY, maxX, maxY] of the map in EPSG:32749 metres. */
  frame: UtmFrame;
  place: { svgPath: string; center: [number, number]; isPoint: boolean };
  zones: MapShapeRow[];
  hazards: MapShapeRow[];
  units: MapShapeRow[];
  /** The zone codes and hazard classes drawn, with labels and colours, for the legend. */
  legend: { zones: MapLegendEntry[]; hazards: MapLegendEntry[] };
}

/** One entry of the printed map's legend. */
export interface MapLegendEntry extends Bilingual {
  code: string;
  color: string;
}

function legendOf(domain: readonly CodedValue[], shapes: MapShapeRow[], fallback: string) {
  const drawn = new Set(shapes.map((shape) => shape.code));
  return domain
    .filter((value) => drawn.has(value.code))
    .map((v) => ({ code: v.code, id: v.labelId, en: v.labelEn, color: v.color ?? fallback }));
}

/** Width ÷ height of the printed map (186 × 93 mm). */
export const printMapAspect = 2;

/**
 * The shapes around a place for its printed map: plan zones by zone code, hazard zones, desa
 * boundaries and the place itself, in a frame of at least 400 m around a point or 100 m around
 * a parcel.
 */
export function getPlanInformationMap(
  pool: pg.Pool,
  placeGeoJson: string,
): Promise<PlanInformationMap> {
  return answeredWithin(() => planInformationMap(pool, placeGeoJson), placeTooComplex);
}

async function planInformationMap(
  pool: pg.Pool,
  placeGeoJson: string,
): Promise<PlanInformationMap> {
  const isPoint = JSON.parse(placeGeoJson).type === 'Point';
  const marginM = isPoint ? 400 : 100;
  const repaired = await repairPlace(pool, placeGeoJson);
  const place = await selectPlaceFrame(pool, repaired, marginM, printMapAspect);

  const shapesOf = async (role: 'planZones' | 'hazardZones' | 'populationUnits') => {
    const bound = findBoundLayer(role);
    if (!bound) return [];
    const b = bound.binding as { zoneCodeAttribute?: string; classAttribute?: string };
    const code = b.zoneCodeAttribute ?? b.classAttribute;
    return selectMapShapes(pool, bound.layer, code, place.frame);
  };
  const zones = await shapesOf('planZones');
  const hazards = await shapesOf('hazardZones');
  const plan = requireBoundLayer('planZones');
  const hazard = findBoundLayer('hazardZones');
  const hazardDomain = hazard ? domainOf(hazard.layer, hazard.binding.classAttribute) : [];

  return {
    frame: place.frame,
    place: { svgPath: place.svgPath, center: place.center, isPoint },
    zones,
    hazards,
    units: await shapesOf('populationUnits'),
    legend: {
      zones: legendOf(domainOf(plan.layer, plan.binding.zoneCodeAttribute), zones, '#dddddd'),
      hazards: legendOf(hazardDomain, hazards, '#c00000'),
    },
  };
}
