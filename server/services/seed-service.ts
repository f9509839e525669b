import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import type { SeedModule, SeedRejection, SeedSources } from '../../seeds/types/seed-source.js';
import { countFeatures, noConditions, upsertFeature } from '../db/queries/features.js';
import { insertFeatureBatch } from '../db/queries/seed-features.js';
import { insertStartSeedingMarker, selectStartSeedingUnfinished } from '../db/queries/seed-log.js';
import { log } from '../log.js';
import { writableAttributes } from './layer-registry.js';
import { seedRecordTables } from './record-seed-service.js';

/** Features per insert statement when seeding an empty layer. */
const seedBatchSize = 500;

/** What seeding did to one layer. */
export interface LayerSeedReport {
  layerId: string;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped?: string;
  rejected: SeedRejection[];
}

/** A seed folder whose index cannot be loaded; the message is one line for the operator. */
export class SeedFolderError extends Error {}

const seedModules = new Map<string, Promise<SeedModule>>();

/**
 * The seed folder's `index.ts`: its seed sources and the regency it describes, loaded once
 * per process (every `/client/config` asks for the regency's name).
 */
export function loadSeedModule(seedDir: string): Promise<SeedModule> {
  let loading = seedModules.get(seedDir);
  if (!loading) {
    loading = importSeedModule(seedDir);
    seedModules.set(seedDir, loading);
    loading.catch(() => seedModules.delete(seedDir));
  }
  return loading;
}

/**
 * A seed folder is data chosen at run time (`SIMPUL_SEED_DIR`), never part of the server's
 * bundle: when the server runs compiled, without a TypeScript loader, tsx loads the folder's
 * sources. Each tsImport is a new copy of the folder's modules that Node never frees (loaded
 * per request, they grew a server to 3 GB in 300 requests), hence the cache above.
 */
async function importSeedModule(seedDir: string): Promise<SeedModule> {
  const entry = ['index.ts', 'index.js'].map((f) => path.join(seedDir, f)).find(fs.existsSync);
  if (!entry) throw new SeedFolderError(`no seed index (index.ts) in ${seedDir}`);
  const url = pathToFileURL(entry).href;
  try {
    return await importModule(url);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const reason = message.split('\n')[0]!.replace(/\?namespace=[\w-]+/g, '');
    throw new SeedFolderError(
      `the seed folder ${seedDir} cannot be loaded: ${reason}; a seed folder finds its ` +
        'imports from where it lies: keep it under seeds/ or bring what it imports beside it',
    );
  }
}

async function importModule(url: string): Promise<SeedModule> {
  try {
    return (await import(url)) as SeedModule;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as SeedModule;
  }
}

function pickDeclared(layer: LayerDefinition, properties: Record<string, unknown>) {
  const picked: Record<string, unknown> = {};
  for (const attribute of writableAttributes(layer)) {
    if (properties[attribute.name] !== undefined)
      picked[attribute.name] = properties[attribute.name];
  }
  return picked;
}

async function seedLayer(
  pool: pg.Pool,
  layer: LayerDefinition,
  read: SeedSources[string],
  seedDir: string,
): Promise<LayerSeedReport> {
  const report: LayerSeedReport = {
    layerId: layer.id,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
  };
  const key = layer.attributes.find((a) => a.unique)?.name;
  const empty = (await countFeatures(pool, layer, noConditions())) === 0;
  if (!key && !empty) {
    return { ...report, skipped: 'the layer has features and no unique key to match seeds by' };
  }
  const batch = await read(seedDir);
  report.rejected = batch.rejected;

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // An empty layer takes its features in a few large statements: no row to match or compare.
    for (let start = 0; empty && start < batch.features.length; start += seedBatchSize) {
      const chunk = batch.features.slice(start, start + seedBatchSize).map((feature) => ({
        properties: pickDeclared(layer, feature.properties),
        geometry: feature.geometry,
      }));
      report.inserted += await insertFeatureBatch(client, layer, chunk);
    }
    for (const feature of empty ? [] : batch.features) {
      const outcome = await upsertFeature(
        client,
        layer,
        pickDeclared(layer, feature.properties),
        feature.geometry,
        key,
      );
      if (!outcome) report.unchanged += 1;
      else if (outcome.inserted) report.inserted += 1;
      else report.updated += 1;
    }
    await client.query(
      `INSERT INTO simpul_seed_log (layer_id, seed_dir, inserted, updated, rejected)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        layer.id,
        path.basename(seedDir),
        report.inserted,
        report.updated,
        JSON.stringify(report.rejected),
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return report;
}

/**
 * Loads the seeds of `seedDir` into every declared layer that has a seed source, then into the
 * record tables of those layers (reported like layers). Idempotent:
 * layers with a unique key are matched on it and only changed rows are written; layers without
 * one are seeded only while empty. Rows a source could not use are reported and logged.
 */
export async function seedLayers(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  seedDir: string,
) {
  const seedModule = await loadSeedModule(seedDir);
  const sources = seedModule.seedSources;
  const reports: LayerSeedReport[] = [];
  for (const layer of layers) {
    const read = sources[layer.id];
    if (!read) continue;

    const report = await seedLayer(pool, layer, read, seedDir);
    for (const rejection of report.rejected)
      log.warn({ layerId: layer.id, ...rejection }, 'seed row not loaded');
    reports.push(report);
  }
  const recordSources = seedModule.recordSeedSources ?? {};
  reports.push(...(await seedRecordTables(pool, layers, recordSources, seedDir)));
  return reports;
}

/** True when no layer holds any feature (a new database that `npm start` should seed). */
export async function isDatabaseEmpty(pool: pg.Pool, layers: readonly LayerDefinition[]) {
  for (const layer of layers) {
    if ((await countFeatures(pool, layer, noConditions())) > 0) return false;
  }
  return true;
}

/**
 * Seeds a new database at start: one whose layers are all empty, or one whose seeding at an
 * earlier start was cut short (a Ctrl-C during the long first start would otherwise leave
 * the layers not yet seeded empty for good). Seeding is idempotent, so finishing it is running
 * it again. Returns null when the database needed no seeding.
 */
export async function seedNewDatabase(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  seedDir: string,
): Promise<LayerSeedReport[] | null> {
  const unfinished = await selectStartSeedingUnfinished(pool);
  if (!unfinished && !(await isDatabaseEmpty(pool, layers))) return null;
  if (unfinished) log.warn({ seedDir }, 'an earlier start stopped while seeding; finishing it');
  else log.info({ seedDir }, 'seeding the new database');

  await insertStartSeedingMarker(pool, 'begun', seedDir);
  const reports = await seedLayers(pool, layers, seedDir);
  await insertStartSeedingMarker(pool, 'done', seedDir);
  return reports;
}
