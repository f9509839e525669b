import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type { SeedFeature } from '../types/seed-source.js';
import type { DesaSite, RegencyFrame } from './frame.js';
import type { SampleThemeOptions } from './options.js';
import { offsetKm } from './plane.js';
import type { Random } from './random.js';

type HazardClass = 'rendah' | 'sedang' | 'tinggi';

/** The generated disaster risk theme. */
export interface SampleDisasterRisk {
  hazardZones: SeedFeature[];
  evacuationPoints: SeedFeature[];
}

const indexRange: Record<HazardClass, [number, number]> = {
  rendah: [0.1, 0.333],
  sedang: [0.334, 0.666],
  tinggi: [0.667, 0.95],
};

/** The class each hazard gives a desa, or none where it does not apply. */
const hazardRules: Record<string, (desa: DesaSite, random: Random) => HazardClass | undefined> = {
  tsunami: (desa) =>
    desa.coastKm < 1.5
      ? 'tinggi'
      : desa.coastKm < 3
        ? 'sedang'
        : desa.coastKm < 6
          ? 'rendah'
          : undefined,
  gelombang_ekstrem_abrasi: (desa) =>
    desa.coastKm < 1 ? 'tinggi' : desa.coastKm < 1.6 ? 'sedang' : undefined,
  banjir: (desa, random) => {
    if (desa.elevationM > 15 || desa.onIsland) return undefined;
    const score = desa.elevationM + random.between(-3, 4);
    return score <= 6 ? 'tinggi' : score <= 10 ? 'sedang' : 'rendah';
  },
  banjir_bandang: (desa, random) =>
    desa.elevationM >= 40 && random.chance(0.25)
      ? random.pick(['rendah', 'sedang'] as const)
      : undefined,
  tanah_longsor: (desa, random) => {
    if (desa.elevationM >= 100) return random.chance(0.6) ? 'tinggi' : 'sedang';
    if (desa.elevationM >= 40) return random.chance(0.5) ? 'sedang' : 'rendah';
    return undefined;
  },
  kekeringan: (desa, random) =>
    desa.elevationM > 15 && desa.elevationM <= 60 && random.chance(0.5)
      ? random.pick(['rendah', 'sedang'] as const)
      : undefined,
  kebakaran_hutan_lahan: (desa, random) =>
    (desa.onIsland || desa.elevationM >= 100) && random.chance(0.6) ? 'rendah' : undefined,
};

function hazardFeature(
  area: Feature<Polygon | MultiPolygon>,
  hazardType: string,
  hazardClass: HazardClass,
  options: SampleThemeOptions,
  random: Random,
): SeedFeature {
  const geometry = area.geometry;
  const index = random.between(...indexRange[hazardClass]);
  return {
    type: 'Feature',
    geometry:
      geometry.type === 'Polygon'
        ? { type: 'MultiPolygon', coordinates: [geometry.coordinates] }
        : geometry,
    properties: {
      hazard_type: hazardType,
      hazard_class: hazardClass,
      index_value: Math.round(index * 1000) / 1000,
      year: options.hazardYear,
      source: options.source,
    },
  };
}

/**
 * Hazard zones per desa from where the desa lies: tsunami and abrasion by distance to the open
 * coast, flood in the low kecamatan, landslide and flash flood in the hills, drought in the
 * middle; earthquake per kecamatan (higher near the coast), extreme weather over the regency.
 */
function generateHazardZones(frame: RegencyFrame, options: SampleThemeOptions, random: Random) {
  const zones: SeedFeature[] = [];
  const highDesa = new Map<string, Set<DesaSite>>();
  for (const [hazardType, rule] of Object.entries(hazardRules)) {
    highDesa.set(hazardType, new Set());
    for (const desa of frame.desa) {
      const hazardClass = rule(desa, random);
      if (hazardClass)
        zones.push(hazardFeature(desa.area, hazardType, hazardClass, options, random));
      if (hazardClass === 'tinggi') highDesa.get(hazardType)!.add(desa);
    }
  }
  for (const kecamatan of frame.kecamatan) {
    const coastal = kecamatan.desa.some((d) => d.coastKm < 5);
    zones.push(
      hazardFeature(kecamatan.area, 'gempa_bumi', coastal ? 'tinggi' : 'sedang', options, random),
    );
  }
  zones.push(hazardFeature(frame.regency, 'cuaca_ekstrem', 'sedang', options, random));
  return { zones, highDesa };
}

function evacuationFeature(point: Position, properties: Record<string, unknown>): SeedFeature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: point }, properties };
}

/** A point `northKm` inland of the desa point, if it stays in the regency. */
function inland(desa: DesaSite, northKm: number, frame: RegencyFrame): Position {
  const moved = offsetKm(desa.point, 0, northKm);
  return frame.contains(moved) ? moved : desa.point;
}

/**
 * Evacuation points where the hazards are: tsunami shelters and temporary sites inland of
 * coastal desa, assembly points in high flood and landslide desa, a final evacuation site at
 * each kecamatan capital.
 */
function generateEvacuationPoints(
  frame: RegencyFrame,
  highDesa: Map<string, Set<DesaSite>>,
  options: SampleThemeOptions,
  random: Random,
) {
  const points: SeedFeature[] = [];
  const [floodDesa, slideDesa] = [highDesa.get('banjir')!, highDesa.get('tanah_longsor')!];

  for (const desa of frame.desa) {
    const common = { desa_code: desa.code, source: options.source };
    if (desa.coastKm < 3) {
      const shelter = desa.isKelurahan || random.chance(0.3);
      points.push(
        evacuationFeature(inland(desa, 0.8, frame), {
          ...common,
          name: shelter ? `Shelter Tsunami ${desa.name}` : `TES Balai Desa ${desa.name}`,
          type: shelter ? 'shelter_tsunami' : 'tempat_evakuasi_sementara',
          capacity: random.integer(3, 20) * 100,
          hazard_type: 'tsunami',
        }),
      );
    }
    const flooded = floodDesa.has(desa);
    if (flooded || slideDesa.has(desa)) {
      points.push(
        evacuationFeature(offsetKm(desa.point, 0.1, 0.1), {
          ...common,
          name: `Titik Kumpul Lapangan ${desa.name}`,
          type: 'titik_kumpul',
          capacity: random.integer(5, 30) * 10,
          hazard_type: flooded ? 'banjir' : 'tanah_longsor',
        }),
      );
    }
  }
  for (const kecamatan of frame.kecamatan) {
    points.push(
      evacuationFeature(offsetKm(kecamatan.capital.point, 0.2, 0), {
        name: `TEA GOR Kecamatan ${kecamatan.name}`,
        type: 'tempat_evakuasi_akhir',
        capacity: random.integer(10, 50) * 100,
        desa_code: kecamatan.capital.code,
        source: options.source,
      }),
    );
  }
  return points;
}

/** Hazard zones and evacuation points for the real regency, from its coast and elevations. */
export function generateDisasterRisk(
  frame: RegencyFrame,
  options: SampleThemeOptions,
  random: Random,
): SampleDisasterRisk {
  const { zones, highDesa } = generateHazardZones(frame, options, random);
  return {
    hazardZones: zones,
    evacuationPoints: generateEvacuationPoints(frame, highDesa, options, random),
  };
}
