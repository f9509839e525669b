import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { findPlanZoneClass } from '../../layers/spatial-plan/plan-zone-classes.js';
import type { SeedFeature } from '../types/seed-source.js';
import type { DesaSite, RegencyFrame } from './frame.js';
import type { SampleThemeOptions } from './options.js';
import { distanceKm, offsetKm } from './plane.js';
import type { Random } from './random.js';

type Weights = Record<string, number>;

/** A generator point of the zoning: where it is, and the zone code drawn for it. */
interface ZoneSeed {
  point: Position;
  zoneCode: string;
}

const areaPerSeedKm2 = 7;
const maxExtraSeeds = 2;
const coastalDesaKm = 2.5;

const islandZones: Weights = { cagar_alam: 5, hutan_produksi_tetap: 3, pertahanan_keamanan: 2 };
const lagoonZones: Weights = {
  ekosistem_mangrove: 6,
  perikanan_budi_daya: 3,
  permukiman_perdesaan: 1,
};
const hillZones: Weights = {
  hutan_lindung: 3,
  hutan_produksi_terbatas: 2.5,
  perkebunan: 2,
  hutan_rakyat: 1.5,
  permukiman_perdesaan: 1,
  pertambangan: 0.3,
};
const foothillZones: Weights = {
  tanaman_pangan: 3,
  perkebunan: 2,
  permukiman_perdesaan: 2,
  hutan_rakyat: 1.5,
  hortikultura: 1,
  hutan_produksi_terbatas: 1,
  pertambangan: 0.3,
};
const plainZones: Weights = {
  tanaman_pangan: 6,
  permukiman_perdesaan: 2.5,
  hortikultura: 0.5,
  peternakan: 0.3,
  pariwisata: 0.1,
};

/** The zone drawn for a point from where it lies: island, lagoon, town, hills or plain. */
function drawZone(point: Position, desa: DesaSite, frame: RegencyFrame, random: Random): string {
  if (desa.onIsland || !onMainPart(point, frame)) return random.weighted(islandZones);
  if (desa.elevationM <= 2) return random.weighted(lagoonZones);
  if (desa.isKelurahan) {
    const coastal = desa.coastKm < 4 ? 2.5 : 0;
    return random.weighted({
      permukiman_perkotaan: 6,
      peruntukan_industri: coastal,
      transportasi: 1,
    });
  }
  if (frame.kecamatan.some((k) => k.capital === desa) && desa.point === point)
    return 'permukiman_perkotaan';
  if (desa.elevationM >= 100) return random.weighted(hillZones);
  if (desa.elevationM >= 40) return random.weighted(foothillZones);
  const aquaculture = desa.coastKm < 5 ? 1 : 0;
  return random.weighted({ ...plainZones, perikanan_budi_daya: aquaculture });
}

function onMainPart(point: Position, frame: RegencyFrame) {
  const parts = frame.regency.geometry.coordinates;
  const largest = parts.reduce((a, b) => (a[0]!.length >= b[0]!.length ? a : b));
  return turf.booleanPointInPolygon(point, turf.polygon(largest));
}

/** The coast vertex nearest to a coastal desa, 150 m inland, when it falls in the desa. */
function coastSeed(desa: DesaSite, frame: RegencyFrame, random: Random): ZoneSeed | undefined {
  if (desa.coastKm > coastalDesaKm) return undefined;
  const vertices = frame.coast.flat();
  const nearest = vertices.reduce((a, b) =>
    distanceKm(a, desa.point) <= distanceKm(b, desa.point) ? a : b,
  );
  const point = offsetKm(nearest, 0, 0.15);
  if (!turf.booleanPointInPolygon(point, desa.area)) return undefined;
  return { point, zoneCode: random.chance(0.8) ? 'perlindungan_setempat' : 'pariwisata' };
}

/** Generator points of a desa: its own point, more in larger desa, one on its coast. */
function seedsOf(desa: DesaSite, frame: RegencyFrame, random: Random): ZoneSeed[] {
  const seeds = [{ point: desa.point, zoneCode: drawZone(desa.point, desa, frame, random) }];
  const extra = Math.min(maxExtraSeeds, Math.floor(turf.area(desa.area) / 1e6 / areaPerSeedKm2));
  const [x0, y0, x1, y1] = turf.bbox(desa.area);
  for (let attempt = 0; seeds.length <= extra && attempt < 30; attempt += 1) {
    const point = [random.between(x0, x1), random.between(y0, y1)].map(
      (v) => Math.round(v * 1e6) / 1e6,
    );
    if (turf.booleanPointInPolygon(point, desa.area))
      seeds.push({ point, zoneCode: drawZone(point, desa, frame, random) });
  }
  const coast = coastSeed(desa, frame, random);
  return coast ? [...seeds, coast] : seeds;
}

/**
 * A desa cut into the Voronoi cells of its generator points. Desa tile the regency and the
 * cells tile each desa, so the zones tile the regency without gaps or overlaps.
 */
function cutDesa(desa: DesaSite, seeds: ZoneSeed[]) {
  if (seeds.length === 1) return [{ zoneCode: seeds[0]!.zoneCode, piece: desa.area }];
  const [x0, y0, x1, y1] = turf.bbox(desa.area);
  const points = turf.featureCollection(seeds.map((s) => turf.point(s.point)));
  const cells = turf.voronoi(points, { bbox: [x0 - 0.01, y0 - 0.01, x1 + 0.01, y1 + 0.01] });
  return seeds.flatMap((seed, i) => {
    const cell = cells.features[i];
    const piece = cell && turf.intersect(turf.featureCollection([cell, desa.area]));
    return piece ? [{ zoneCode: seed.zoneCode, piece }] : [];
  });
}

function polygonsOf(area: Feature<Polygon | MultiPolygon>): Position[][][] {
  const geometry = area.geometry;
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

function zoneProperties(zoneCode: string, options: SampleThemeOptions) {
  const zoneClass = findPlanZoneClass(zoneCode)!;
  return {
    namobj: zoneClass.path.at(-1),
    zone_code: zoneCode,
    orde01: zoneClass.path[0],
    orde02: zoneClass.path[1],
    orde03: zoneClass.path[2],
    orde04: zoneClass.path[3],
    kind: zoneClass.kind,
    regulation: options.plan.regulation,
    period_start: options.plan.periodStart,
    period_end: options.plan.periodEnd,
    remark: 'Zona contoh yang dibangkitkan acak (generated sample zone)',
    source: options.source,
  };
}

/**
 * Spatial plan zones tiling the real regency: each desa is cut into the Voronoi cells of a few
 * generator points, and each cell gets a zone class by where it lies (island, lagoon, town,
 * hills, plain, coast). Neighbouring cells of one class stay separate features: merging them
 * costs seconds of polygon clipping at every seed.
 */
export function generatePlanZones(
  frame: RegencyFrame,
  options: SampleThemeOptions,
  random: Random,
): SeedFeature[] {
  const features: SeedFeature[] = [];
  for (const desa of frame.desa) {
    for (const { zoneCode, piece } of cutDesa(desa, seedsOf(desa, frame, random))) {
      const properties = zoneProperties(zoneCode, options);
      for (const polygon of polygonsOf(piece))
        features.push({
          type: 'Feature',
          geometry: { type: 'MultiPolygon', coordinates: [polygon] },
          properties,
        });
    }
  }
  return features;
}
