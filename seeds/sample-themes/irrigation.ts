import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type { SeedFeature } from '../types/seed-source.js';
import type { DesaSite, RegencyFrame } from './frame.js';
import { lineUntilOutside, pointAlong, windingLine } from './lines.js';
import type { SampleThemeOptions } from './options.js';
import { distanceKm, lineLengthKm, offsetKm } from './plane.js';
import type { Random } from './random.js';

/** The generated irrigation theme: features per layer and the inspections. */
export interface SampleIrrigation {
  areas: SeedFeature[];
  canals: SeedFeature[];
  structures: SeedFeature[];
  wells: SeedFeature[];
  canalInspections: Record<string, unknown>[];
  structureInspections: Record<string, unknown>[];
}

type Area = Feature<Polygon | MultiPolygon>;

/** One daerah irigasi being laid out: its desa, outline and the features drawn so far. */
interface IrrigationLayout {
  code: string;
  name: string;
  members: DesaSite[];
  outline: Area;
  contains(point: Position): boolean;
  canals: SeedFeature[];
  structures: SeedFeature[];
}

const lowPlainMaxElevationM = 15;
const largestAreaCount = 14;
const maxCulvertsPerCanal = 1;

const isLowPlain = (desa: DesaSite) =>
  desa.elevationM <= lowPlainMaxElevationM &&
  !desa.isKelurahan &&
  !desa.onIsland &&
  desa.coastKm > 0.8;

/** Groups of neighbouring low-plain desa, each to become one daerah irigasi. */
function clusterLowPlains(frame: RegencyFrame, random: Random): DesaSite[][] {
  let waiting = frame.desa.filter(isLowPlain);
  const clusters: DesaSite[][] = [];
  while (waiting.length > 0 && clusters.length < largestAreaCount) {
    const cluster = [random.pick(waiting)];
    waiting = waiting.filter((d) => d !== cluster[0]);
    const size = random.integer(3, 7);
    while (cluster.length < size) {
      const near = waiting.filter((d) => cluster.some((m) => distanceKm(m.point, d.point) < 3.5));
      if (near.length === 0) break;
      const next = near.reduce((a, b) =>
        distanceKm(a.point, cluster[0]!.point) <= distanceKm(b.point, cluster[0]!.point) ? a : b,
      );
      cluster.push(next);
      waiting = waiting.filter((d) => d !== next);
    }
    if (cluster.length >= 2) clusters.push(cluster);
  }
  return clusters;
}

function authorityOf(potentialHa: number) {
  if (potentialHa > 3000) return 'pusat';
  if (potentialHa >= 1000) return 'provinsi';
  return 'kabupaten';
}

/**
 * Damage share (%) of an asset over the inspection years: wear adds a few points a year, a
 * repair now and then brings it back down. The class follows the damage bands.
 */
function inspectionsOf(
  key: Record<string, string>,
  baseDamage: number,
  options: SampleThemeOptions,
  random: Random,
  withIksi: boolean,
) {
  let damage = baseDamage;
  return options.surveyYears.slice(-2).map((year, i) => {
    if (i > 0) damage = random.chance(0.15) ? random.between(2, 8) : damage + random.between(1, 9);
    damage = Math.min(Math.max(damage, 0), 90);
    const record: Record<string, unknown> = {
      ...key,
      inspection_date: `${year}-${String(random.integer(3, 10)).padStart(2, '0')}-15`,
      condition_class: irrigationConditionFromDamage(damage),
      damage_percent: Math.round(damage),
      inspector: 'Petugas OP contoh (sample)',
      source: options.source,
    };
    if (withIksi)
      record.iksi_score = Math.round(
        Math.min(Math.max(100 - damage * 1.6 + random.between(-5, 5), 0), 100),
      );
    return record;
  });
}

/** Irrigation condition by damage share: < 10% baik, ≤ 20% ringan, ≤ 40% sedang, else berat. */
export function irrigationConditionFromDamage(damagePercent: number): string {
  if (damagePercent < 10) return 'baik';
  if (damagePercent <= 20) return 'rusak_ringan';
  if (damagePercent <= 40) return 'rusak_sedang';
  return 'rusak_berat';
}

function addCanal(
  layout: IrrigationLayout,
  suffix: string,
  name: string,
  canalClass: string,
  line: Position[],
  options: SampleThemeOptions,
) {
  const code = `${layout.code}.${suffix}`;
  layout.canals.push({
    type: 'Feature',
    geometry: { type: 'MultiLineString', coordinates: [line] },
    properties: {
      code,
      name,
      canal_class: canalClass,
      flow_type: canalClass === 'pembuang' ? 'drainage' : 'supply',
      irrigation_area_code: layout.code,
      source: options.source,
    },
  });
  return code;
}

function addStructure(
  layout: IrrigationLayout,
  type: string,
  name: string,
  point: Position,
  canalCode: string | undefined,
  options: SampleThemeOptions,
) {
  const code = `${layout.code}.B${String(layout.structures.length + 1).padStart(3, '0')}`;
  layout.structures.push({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: point },
    properties: {
      code,
      name: `${name} ${code.split('.').pop()}`,
      structure_type: type,
      irrigation_area_code: layout.code,
      canal_code: canalCode,
      source: options.source,
    },
  });
}

/** The main canal: from the weir north of the area, through its desa from north to south. */
function layPrimary(layout: IrrigationLayout, options: SampleThemeOptions, random: Random) {
  const stops = [...layout.members].sort((a, b) => b.point[1]! - a.point[1]!);
  const north = offsetKm(stops[0]!.point, 0, 0.6);
  const head = layout.contains(north) ? north : stops[0]!.point;
  const points = [head, ...stops.map((s) => s.point)];
  const line = points
    .slice(1)
    .flatMap((to, i) => windingLine(points[i]!, to, random).slice(i === 0 ? 0 : 1));

  const code = addCanal(
    layout,
    'P1',
    `Saluran Induk ${layout.name.replace('DI ', '')}`,
    'primer',
    line,
    options,
  );
  addStructure(layout, 'bendung', 'Bendung', head, code, options);
  addStructure(
    layout,
    'bangunan_pengambilan',
    'Pengambilan',
    offsetKm(head, 0.06, 0),
    code,
    options,
  );
  addStructure(layout, 'bangunan_ukur', 'Bangunan ukur', pointAlong(line, 0.3), code, options);
  for (let km = 2; km < lineLengthKm(line) - 0.5; km += 2) {
    const type = random.weighted({ terjunan: 5, sipon: 1, talang: 1, jembatan: 2 });
    addStructure(layout, type, 'Bangunan', pointAlong(line, km), code, options);
  }
  return { code, stops: stops.slice(1) };
}

/** Secondary canals east and west from each stop, tertiary offtakes, and a drain beside each. */
function laySecondaries(
  layout: IrrigationLayout,
  stops: DesaSite[],
  primaryCode: string,
  options: SampleThemeOptions,
  random: Random,
) {
  let secondaryCount = 0;
  for (const stop of stops) {
    addStructure(layout, 'bangunan_bagi', 'Bangunan bagi', stop.point, primaryCode, options);
    for (const east of [1, -1]) {
      const heading: [number, number] = [east, random.between(-0.3, 0.1)];
      const reach = lineUntilOutside(
        stop.point,
        normalise(heading),
        random.between(1.2, 2.6),
        layout.contains,
      );
      if (!reach) continue;

      secondaryCount += 1;
      const line = windingLine(reach[0]!, reach[1]!, random);
      const suffix = `S${String(secondaryCount).padStart(2, '0')}`;
      const code = addCanal(
        layout,
        suffix,
        `Saluran Sekunder ${stop.name} ${east > 0 ? 'Timur' : 'Barat'}`,
        'sekunder',
        line,
        options,
      );
      layTertiaries(layout, code, line, options, random);
      layDrain(layout, suffix, stop, heading, options, random);
    }
  }
}

function normalise([east, north]: [number, number]): [number, number] {
  const length = Math.hypot(east, north);
  return [east / length, north / length];
}

function layTertiaries(
  layout: IrrigationLayout,
  secondaryCode: string,
  line: Position[],
  options: SampleThemeOptions,
  random: Random,
) {
  const lengthKm = lineLengthKm(line);
  for (const [n, share] of [random.between(0.4, 0.8)].entries()) {
    const offtake = pointAlong(line, lengthKm * share);
    const reach = lineUntilOutside(
      offtake,
      normalise([random.between(-0.3, 0.3), -1]),
      random.between(0.4, 0.9),
      layout.contains,
    );
    if (!reach) continue;
    const suffix = `${secondaryCode.split('.').pop()}T${n + 1}`;
    const code = addCanal(layout, suffix, `Saluran Tersier ${suffix}`, 'tersier', reach, options);
    addStructure(
      layout,
      random.chance(0.5) ? 'bagi_sadap' : 'sadap',
      'Bangunan sadap',
      offtake,
      code,
      options,
    );
  }
}

function layDrain(
  layout: IrrigationLayout,
  suffix: string,
  stop: DesaSite,
  heading: [number, number],
  options: SampleThemeOptions,
  random: Random,
) {
  const start = offsetKm(stop.point, 0, -0.35);
  if (!layout.contains(start)) return;
  const reach = lineUntilOutside(
    start,
    normalise(heading),
    random.between(1, 2.2),
    layout.contains,
  );
  if (!reach) return;
  const code = addCanal(
    layout,
    `${suffix}D`,
    `Saluran Pembuang ${stop.name}`,
    'pembuang',
    windingLine(reach[0]!, reach[1]!, random),
    options,
  );
  addStructure(layout, 'pintu', 'Pintu pembuang', reach[1]!, code, options);
}

/** Culverts where a secondary canal passes under a generated road. */
function layCulverts(layout: IrrigationLayout, roads: SeedFeature[], options: SampleThemeOptions) {
  const box = turf.bbox(layout.outline);
  const nearRoads = roads.filter((road) => {
    const [x0, y0, x1, y1] = turf.bbox(road);
    return x1 >= box[0] && x0 <= box[2] && y1 >= box[1] && y0 <= box[3];
  });
  const secondaries = layout.canals.filter((c) => c.properties.canal_class === 'sekunder');
  for (const canal of secondaries) {
    const crossings = nearRoads.flatMap((road) =>
      turf.lineIntersect(canal as never, road as never).features.slice(0, 1),
    );
    for (const crossing of crossings.slice(0, maxCulvertsPerCanal)) {
      const point = crossing.geometry.coordinates.map((v) => Math.round(v * 1e6) / 1e6);
      addStructure(
        layout,
        'gorong_gorong',
        'Gorong-gorong',
        point,
        String(canal.properties.code),
        options,
      );
    }
  }
}

function areaFeature(
  layout: IrrigationLayout,
  options: SampleThemeOptions,
  random: Random,
): SeedFeature {
  const areaHa = turf.area(layout.outline) / 10000;
  const potentialHa = Math.round(areaHa * random.between(0.55, 0.75));
  const geometry = layout.outline.geometry;
  return {
    type: 'Feature',
    geometry:
      geometry.type === 'Polygon'
        ? { type: 'MultiPolygon', coordinates: [geometry.coordinates] }
        : geometry,
    properties: {
      code: layout.code,
      name: layout.name,
      authority: authorityOf(potentialHa),
      water_source: `Bendung ${layout.members[0]!.name} (contoh)`,
      potential_area_ha: potentialHa,
      functional_area_ha: Math.round(potentialHa * random.between(0.7, 0.95)),
      source: options.source,
    },
  };
}

/** A random point inside a desa, drawn in its bounding box until one falls inside. */
function pointInside(desa: DesaSite, random: Random): Position {
  const [x0, y0, x1, y1] = turf.bbox(desa.area);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const point = [random.between(x0, x1), random.between(y0, y1)].map(
      (v) => Math.round(v * 1e6) / 1e6,
    );
    if (turf.booleanPointInPolygon(point, desa.area)) return point;
  }
  return desa.point;
}

/** Bore wells of groundwater irrigation in plains and foothills outside the irrigation areas. */
function generateWells(
  frame: RegencyFrame,
  served: Set<DesaSite>,
  options: SampleThemeOptions,
  random: Random,
) {
  const candidates = frame.desa.filter(
    (d) => !served.has(d) && !d.isKelurahan && !d.onIsland && d.elevationM <= 60,
  );
  const chosen = candidates.filter(() => random.chance(0.3));
  return chosen.map((desa, i): SeedFeature => {
    const dischargeLps = Math.round(random.between(5, 25) * 10) / 10;
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pointInside(desa, random) },
      properties: {
        code: `SB.${frame.regencyCode}.${String(i + 1).padStart(3, '0')}`,
        name: `Sumur Bor ${desa.name}`,
        depth_m: random.integer(40, 150),
        discharge_lps: dischargeLps,
        served_area_ha: Math.round(dischargeLps * random.between(2, 3.5)),
        status: random.weighted({ berfungsi: 6, perlu_perbaikan: 2.5, tidak_berfungsi: 1.5 }),
        source: options.source,
      },
    };
  });
}

/** One daerah irigasi over a group of desa: weir, main canal, secondaries and structures. */
function layOutArea(
  frame: RegencyFrame,
  members: DesaSite[],
  index: number,
  roads: SeedFeature[],
  options: SampleThemeOptions,
  random: Random,
): IrrigationLayout {
  const areas = members.map((m) => m.area as Feature<Polygon | MultiPolygon>);
  const outline = turf.union(turf.featureCollection(areas))!;
  const layout: IrrigationLayout = {
    code: `DI.${frame.regencyCode}.${String(index + 1).padStart(2, '0')}`,
    name: `DI ${members[0]!.name}`,
    members,
    outline,
    contains: (point) => turf.booleanPointInPolygon(point, outline),
    canals: [],
    structures: [],
  };

  const primary = layPrimary(layout, options, random);
  laySecondaries(layout, primary.stops, primary.code, options, random);
  layCulverts(layout, roads, options);
  return layout;
}

/**
 * Irrigation in the low plains of the real regency: neighbouring low desa grouped into daerah
 * irigasi, each with a weir, a main canal, secondary and tertiary canals, drains and their
 * structures (culverts where canals meet roads); bore wells elsewhere; two inspections each.
 */
export function generateIrrigation(
  frame: RegencyFrame,
  roads: SeedFeature[],
  options: SampleThemeOptions,
  random: Random,
): SampleIrrigation {
  const layouts = clusterLowPlains(frame, random).map((members, i) =>
    layOutArea(frame, members, i, roads, options, random),
  );
  const canals = layouts.flatMap((layout) => layout.canals);
  const structures = layouts.flatMap((layout) => layout.structures);
  const served = new Set(layouts.flatMap((layout) => layout.members));

  return {
    areas: layouts.map((layout) => areaFeature(layout, options, random)),
    canals,
    structures,
    wells: generateWells(frame, served, options, random),
    canalInspections: canals.flatMap((canal) => {
      const baseDamage = canal.properties.canal_class === 'primer' ? 5 : random.between(3, 30);
      const key = { code: String(canal.properties.code) };
      return inspectionsOf(key, baseDamage, options, random, false);
    }),
    structureInspections: structures.flatMap((structure) => {
      const key = { code: String(structure.properties.code) };
      return inspectionsOf(key, random.between(2, 35), options, random, true);
    }),
  };
}
