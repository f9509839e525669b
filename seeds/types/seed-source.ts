import type { Feature, Geometry } from 'geojson';

/** A feature to seed: a geometry in EPSG:4326 and properties named as the layer's attributes. */
export type SeedFeature = Feature<Geometry, Record<string, unknown>>;

/** A row of a seed source that could not be used, with its number and the reason. */
export interface SeedRejection {
  row: number | string;
  reason: string;
}

/** What a seed source yields for one layer. */
export interface SeedBatch {
  features: SeedFeature[];
  rejected: SeedRejection[];
}

/** A regency's seeds: for each layer id, a function reading its seed files from `seedDir`. */
export type SeedSources = Record<string, (seedDir: string) => Promise<SeedBatch>>;

/** What a seed source yields for one record table: rows keyed by its attribute names. */
export interface RecordSeedBatch {
  records: Record<string, unknown>[];
  rejected: SeedRejection[];
}

/** A regency's seeds of record tables (histories, rule tables), per record table id. */
export type RecordSeedSources = Record<string, (seedDir: string) => Promise<RecordSeedBatch>>;

/** The regency a seed folder describes. */
export interface RegencyProfile {
  name: string;
  code: string;
  province: string;
}

/** What a seed folder's `index.ts` exports. */
export interface SeedModule {
  seedSources: SeedSources;
  recordSeedSources?: RecordSeedSources;
  regencyProfile: RegencyProfile;
}
