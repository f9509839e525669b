import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LayerDefinition } from '../../layers/index.js';
import type { Database } from '../db/pool.js';
import type { DatabaseIdentity } from '../db/queries/tile-change-log.js';
import { tileSqlTexts } from '../db/queries/tiles.js';
import { generalisationAt } from './generalisation.js';
import type { TileCoord } from './tile-grid.js';

/** The file a disk tier writes last at a graceful stop: without it, its folder is not reused. */
export const manifestFileName = 'manifest.json';

/** How long the change log keeps a row, in days; older rows are deleted. */
export const changeLogRetentionDays = 7;

/**
 * A saved cache older than this is not used, in days: one less than the log keeps, so that a
 * transaction open long before it committed still finds its rows there.
 */
export const savedCacheMaxAgeDays = changeLogRetentionDays - 1;

/**
 * Raise when tiles change in a way the SQL texts do not show (the server's MVT encoder, the
 * ETag), so that caches saved by older code are not served.
 */
const tileFormatRevision = 1;

/** A tile kept on disk, as the manifest lists it; `file` is a name inside the folder. */
export interface SavedTile {
  key: string;
  file: string;
  bytes: number;
  layerIds: string[];
  tile: TileCoord;
  etag: string;
  gzip: boolean;
}

/** Where a saved cache stands: its database, tile format and position in the change log. */
export interface SavedCachePosition {
  database: DatabaseIdentity;
  fingerprint: string;
  /** The database's clock when the snapshot was taken, ISO 8601. */
  savedAt: string;
  /** `pg_current_snapshot()` taken before the last barrier: what the tiles already reflect. */
  snapshot: string;
}

/** A disk tier's folder described at a graceful stop. */
export interface TileCacheManifest extends SavedCachePosition {
  format: 1;
  /** Least recently used first. */
  tiles: SavedTile[];
}

/**
 * A hash of how tiles are made: each layer's id, zoom range and tile SQL texts, the
 * generalisation of every zoom and the encoder. Two servers with the same fingerprint cut the
 * same bytes from the same rows.
 */
export function tileFormatFingerprint(
  layers: readonly LayerDefinition[],
  capabilities: Database['capabilities'],
): string {
  const hash = createHash('sha256');
  const zooms = Array.from({ length: 25 }, (_, z) => generalisationAt({ z, x: 0, y: 0 }));
  const encoder = capabilities.hasAsMvt ? 'database' : 'server';
  hash.update(JSON.stringify({ tileFormatRevision, encoder, zooms }));
  for (const layer of layers) {
    hash.update(JSON.stringify({ id: layer.id, zoom: layer.zoom, sql: tileSqlTexts(layer) }));
  }
  return hash.digest('hex');
}

function isSavedTile(value: unknown): value is SavedTile {
  const tile = value as SavedTile;
  return (
    typeof tile?.key === 'string' &&
    typeof tile.file === 'string' &&
    path.basename(tile.file) === tile.file &&
    Number.isInteger(tile.bytes) &&
    Array.isArray(tile.layerIds) &&
    [tile.tile?.z, tile.tile?.x, tile.tile?.y].every(Number.isInteger) &&
    typeof tile.etag === 'string' &&
    typeof tile.gzip === 'boolean'
  );
}

/** The manifest of a folder; undefined when there is none or it is not one this code wrote. */
export function readManifest(folder: string): TileCacheManifest | undefined {
  try {
    const text = fs.readFileSync(path.join(folder, manifestFileName), 'utf8');
    const manifest = JSON.parse(text) as TileCacheManifest;
    const valid =
      manifest.format === 1 &&
      typeof manifest.database?.systemIdentifier === 'string' &&
      typeof manifest.database.name === 'string' &&
      typeof manifest.fingerprint === 'string' &&
      !Number.isNaN(Date.parse(manifest.savedAt)) &&
      /^\d+:\d+:[\d,]*$/.test(manifest.snapshot) &&
      Array.isArray(manifest.tiles) &&
      manifest.tiles.every(isSavedTile);
    return valid ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the manifest under a temporary name, then renames it: it is whole or absent. */
export async function writeManifest(folder: string, manifest: TileCacheManifest) {
  const file = path.join(folder, manifestFileName);
  await fsp.writeFile(`${file}.partial`, JSON.stringify(manifest));
  await fsp.rename(`${file}.partial`, file);
}
