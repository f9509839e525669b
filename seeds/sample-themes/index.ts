import * as turf from '@turf/turf';
import type {
  RecordSeedSources,
  SeedBatch,
  SeedFeature,
  SeedSources,
} from '../types/seed-source.js';
import { generateActivityRules } from './activity-rules.js';
import { generateDisasterRisk } from './disaster-risk.js';
import { readRegencyFrame } from './frame.js';
import { generateIrrigation } from './irrigation.js';
import type { SampleThemeOptions } from './options.js';
import { forkRandom } from './random.js';
import { generateRoads } from './roads.js';
import { generatePlanZones } from './spatial-plan.js';

export type { SampleThemeOptions } from './options.js';

/** Every generated layer's features and record table's rows, by layer and table id. */
export interface SampleThemes {
  features: Record<string, SeedFeature[]>;
  records: Record<string, Record<string, unknown>[]>;
}

/**
 * Generates the sample road, irrigation, spatial plan and disaster risk data of a regency from
 * its seed folder (boundaries and kecamatan profile). Deterministic: each theme draws from its
 * own generator forked from `options.randomSeed`.
 */
export async function generateSampleThemes(
  seedDir: string,
  options: SampleThemeOptions,
): Promise<SampleThemes> {
  const frame = await readRegencyFrame(seedDir);
  const random = (theme: string) => forkRandom(options.randomSeed, theme);

  const roads = generateRoads(frame, options, random('roads'));
  const irrigation = generateIrrigation(frame, roads.segments, options, random('irrigation'));
  const planZones = generatePlanZones(frame, options, random('spatial-plan'));
  const risk = generateDisasterRisk(frame, options, random('disaster-risk'));
  const features: SampleThemes['features'] = {
    road_segment: roads.segments,
    bridge: roads.bridges,
    drainage: roads.drains,
    irrigation_area: irrigation.areas,
    irrigation_canal: irrigation.canals,
    irrigation_structure: irrigation.structures,
    bore_well: irrigation.wells,
    plan_zone: planZones,
    hazard_zone: risk.hazardZones,
    evacuation_point: risk.evacuationPoints,
  };
  // Lines and points get six decimals (about 0.1 m) like the boundary seeds. Polygons keep
  // full precision: a rounded vertex inserted on a desa edge would leave that edge and overlap
  // the neighbour.
  for (const layerFeatures of Object.values(features)) {
    for (const feature of layerFeatures) {
      if (!feature.geometry.type.endsWith('Polygon'))
        turf.truncate(feature, { precision: 6, mutate: true });
    }
  }

  return {
    features,
    records: {
      road_condition_survey: roads.surveys,
      irrigation_canal_inspection: irrigation.canalInspections,
      irrigation_structure_inspection: irrigation.structureInspections,
      plan_activity_rule: generateActivityRules(options),
    },
  };
}

/** The layers and record tables the generator fills. */
const generatedLayerIds = [
  'road_segment',
  'bridge',
  'drainage',
  'irrigation_area',
  'irrigation_canal',
  'irrigation_structure',
  'bore_well',
  'plan_zone',
  'hazard_zone',
  'evacuation_point',
];
const generatedTableIds = [
  'road_condition_survey',
  'irrigation_canal_inspection',
  'irrigation_structure_inspection',
  'plan_activity_rule',
];

/**
 * Seed sources for every generated layer and record table. The data is generated once per seed
 * folder and process, on the first read, and shared by all sources.
 */
export function sampleSeedSources(options: SampleThemeOptions) {
  const generated = new Map<string, Promise<SampleThemes>>();
  const generate = (seedDir: string) => {
    if (!generated.has(seedDir)) generated.set(seedDir, generateSampleThemes(seedDir, options));
    return generated.get(seedDir)!;
  };
  const seedSources: SeedSources = Object.fromEntries(
    generatedLayerIds.map((id) => [
      id,
      async (seedDir: string): Promise<SeedBatch> => ({
        features: (await generate(seedDir)).features[id] ?? [],
        rejected: [],
      }),
    ]),
  );
  const recordSeedSources: RecordSeedSources = Object.fromEntries(
    generatedTableIds.map((id) => [
      id,
      async (seedDir: string) => ({
        records: (await generate(seedDir)).records[id] ?? [],
        rejected: [],
      }),
    ]),
  );
  return { seedSources, recordSeedSources };
}
