import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import type {
  RegencyProfile,
  SeedModule,
  SeedRejection,
  SeedSources,
} from '../../seeds/types/seed-source.js';
import { countFeatures, noConditions, upsertFeature } from '../db/queries/features.js';
import { insertFeatureBatch } from '../db/queries/seed-features.js';
import { insertStartSeedingMarker, selectStartSeedingUnfinished } from '../db/queries/seed-log.js';
import { log } from '../log.js';
import { untilTileCachesHeard } from '../tiles/tile-changes.js';
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
  const url = seedIndexUrl(seedDir);
  try {
    return await importModule(url);
  } catch (error) {
    throw describeLoadFailure(seedDir, error as NodeJS.ErrnoException);
  }
}

function seedIndexUrl(seedDir: string): string {
  const entry = ['index.ts', 'index.js'].map((f) => path.join(seedDir, f)).find(fs.existsSync);
  if (!entry) throw new SeedFolderError(`no seed index (index.ts) in ${seedDir}`);
  return pathToFileURL(entry).href;
}

/** A module the folder imports but cannot find is the operator's to fix: one line. */
function describeLoadFailure(seedDir: string, error: { code?: string; message: string }) {
  if (error.code !== 'MODULE_NOT_FOUND' && error.code !== 'ERR_MODULE_NOT_FOUND') return error;
  const reason = error.message.split('\n')[0]!.replace(/\?namespace=[\w-]+/g, '');
  return new SeedFolderError(
    `the seed folder ${seedDir} cannot be loaded: ${reason}; a seed folder finds its ` +
      'imports from where it lies: keep it under seeds/ or bring what it imports beside it',
  );
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

const regencyProfiles = new Map<string, Promise<RegencyProfile>>();

/**
 * The regency a seed folder describes, which the web map and printed pages name; read once
 * per process. A server running compiled reads it in a short-lived process of its own:
 * loading the folder would keep tsx's loader and the seed code in the server for good
 * (measured: 83 MB before the web map's first `/client/config`, 125 MB after).
 */
export function loadRegencyProfile(seedDir: string): Promise<RegencyProfile> {
  let loading = regencyProfiles.get(seedDir);
  if (!loading) {
    loading = readRegencyProfile(seedDir);
    regencyProfiles.set(seedDir, loading);
    loading.catch(() => regencyProfiles.delete(seedDir));
  }
  return loading;
}

async function readRegencyProfile(seedDir: string): Promise<RegencyProfile> {
  const loaded = seedModules.get(seedDir);
  if (loaded) return (await loaded).regencyProfile;
  const url = seedIndexUrl(seedDir);
  try {
    return ((await import(url)) as SeedModule).regencyProfile;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw describeLoadFailure(seedDir, failure);
  }
  return readRegencyProfileApart(seedDir, url);
}

// Loads the seed index as importModule does; the last line it prints is the answer (the
// seed code may print before it).
const printRegencyProfile = `
try {
  const { tsImport } = await import(process.env.SIMPUL_TSX_API);
  const { regencyProfile } = await tsImport(process.env.SIMPUL_SEED_INDEX, import.meta.url);
  console.log('\\n' + JSON.stringify({ regencyProfile }));
} catch (error) {
  console.log('\\n' + JSON.stringify({ error: { code: error.code, message: error.message } }));
}`;

async function readRegencyProfileApart(seedDir: string, url: string): Promise<RegencyProfile> {
  const args = ['--input-type=module', '--eval', printRegencyProfile];
  const env = {
    ...process.env,
    SIMPUL_TSX_API: import.meta.resolve('tsx/esm/api'),
    SIMPUL_SEED_INDEX: url,
  };
  const { stdout } = await promisify(execFile)(process.execPath, args, { env });
  const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    regencyProfile?: RegencyProfile;
    error?: { code?: string; message: string };
  };
  if (answer.error) {
    const error = Object.assign(new Error(answer.error.message), { code: answer.error.code });
    throw describeLoadFailure(seedDir, error);
  }
  return answer.regencyProfile!;
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
 * An abort of `signal` stops it before the next layer, rejecting with the signal's reason.
 */
export async function seedLayers(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  seedDir: string,
  signal?: AbortSignal,
) {
  const seedModule = await loadSeedModule(seedDir);
  const sources = seedModule.seedSources;
  const reports: LayerSeedReport[] = [];
  for (const layer of layers) {
    const read = sources[layer.id];
    if (!read) continue;
    signal?.throwIfAborted();

    const report = await seedLayer(pool, layer, read, seedDir);
    for (const rejection of report.rejected)
      log.warn({ layerId: layer.id, ...rejection }, 'seed row not loaded');
    reports.push(report);
  }
  const recordSources = seedModule.recordSeedSources ?? {};
  reports.push(...(await seedRecordTables(pool, layers, recordSources, seedDir)));
  // A seeding run beside serving processes (`npm run seed`) ends once their caches show it.
  await untilTileCachesHeard(pool);
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
 * it again. Returns null when the database needed no seeding; `signal` as for `seedLayers`.
 */
export async function seedNewDatabase(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  seedDir: string,
  signal?: AbortSignal,
): Promise<LayerSeedReport[] | null> {
  const unfinished = await selectStartSeedingUnfinished(pool);
  if (!unfinished && !(await isDatabaseEmpty(pool, layers))) return null;
  if (unfinished) log.warn({ seedDir }, 'an earlier start stopped while seeding; finishing it');
  else log.info({ seedDir }, 'seeding the new database');

  await insertStartSeedingMarker(pool, 'begun', seedDir);
  const reports = await seedLayers(pool, layers, seedDir, signal);
  await insertStartSeedingMarker(pool, 'done', seedDir);
  return reports;
}
