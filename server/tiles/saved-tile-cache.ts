import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import {
  selectCurrentSnapshot,
  selectTileChangesAfter,
  type DatabaseIdentity,
} from '../db/queries/tile-change-log.js';
import { log } from '../log.js';
import type { TileCache } from './tile-cache.js';
import {
  readManifest,
  savedCacheMaxAgeDays,
  type SavedCachePosition,
  type TileCacheManifest,
} from './tile-cache-manifest.js';
import type { TileChange, TileChangeFeed } from './tile-changes.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** The database and tile format of this process: a saved cache must match both. */
export interface TileCacheOrigin {
  database: DatabaseIdentity;
  fingerprint: string;
}

/**
 * The position to save a cache at: a snapshot whose every transaction has had its notices
 * applied (see `TileChangeFeed.position`); each transaction it does not see is replayed from
 * the log at the next start. Undefined when the feed is down.
 */
export async function selectSavePosition(
  feed: TileChangeFeed,
  origin: TileCacheOrigin,
): Promise<SavedCachePosition | undefined> {
  const position = await feed.position();
  if (!position) return undefined;
  return { ...origin, snapshot: position.snapshot, savedAt: position.now.toISOString() };
}

function snapshotXmax(snapshot: string): bigint {
  return BigInt(snapshot.split(':')[1]!);
}

/** Why a saved cache cannot be used by this process, or undefined when it can. */
function refusalOf(
  manifest: TileCacheManifest | undefined,
  origin: TileCacheOrigin,
  current: { snapshot: string; now: Date },
): string | undefined {
  if (!manifest) return 'no readable manifest';
  const { systemIdentifier, name } = manifest.database;
  if (systemIdentifier !== origin.database.systemIdentifier || name !== origin.database.name) {
    return 'saved from another database';
  }
  if (manifest.database.incarnation !== origin.database.incarnation) {
    return 'the database was made again since the save (restored from a backup?)';
  }
  if (manifest.fingerprint !== origin.fingerprint) return 'tiles are made differently now';
  const ageMs = current.now.getTime() - Date.parse(manifest.savedAt);
  if (ageMs > savedCacheMaxAgeDays * 86400000) return 'older than the change log can vouch for';
  // A database restored from a backup taken before the save hands out those ids again.
  if (snapshotXmax(current.snapshot) < snapshotXmax(manifest.snapshot)) {
    return 'the database is behind the save (restored from a backup?)';
  }
  return undefined;
}

/** Drops what the changes logged after the saved snapshot reach; returns how many there were. */
async function replayChanges(
  db: Queryable,
  snapshot: string,
  invalidate: (change: TileChange) => void,
) {
  const changes = await selectTileChangesAfter(db, snapshot);
  for (const { layerId, boxes } of changes) invalidate({ layerId, boxes: boxes ?? 'all' });
  return changes.length;
}

/**
 * Adopts the saved disk tier of a stopped process when one fits: claims its folder, indexes
 * its tiles, then drops every tile the changes logged since the save reach, through
 * `invalidate` as a notice would. Call after the listener has started and before the first
 * tile is served: a change committed meanwhile is then heard, read from the log, or both
 * (dropping a tile twice is harmless). Anything wrong leaves the cache cold, with one log line
 * saying why. A folder saved from another database is left for that database's servers.
 */
export async function adoptSavedTiles(
  cache: TileCache,
  db: Queryable,
  origin: TileCacheOrigin,
  invalidate: (change: TileChange) => void,
): Promise<void> {
  const folders = cache.savedFolders();
  if (folders.length === 0) return;
  const current = await selectCurrentSnapshot(db);

  for (const folder of folders) {
    const manifest = readManifest(folder);
    const refusal = refusalOf(manifest, origin, current);
    if (refusal) {
      log.info({ folder, reason: refusal }, 'saved tile cache not used');
      if (refusal !== 'saved from another database') removeFolder(folder);
      continue;
    }
    const kept = cache.adoptSaved(folder, manifest!.tiles);
    if (kept === undefined) continue;

    try {
      const changes = await replayChanges(db, manifest!.snapshot, invalidate);
      const { entries } = cache.stats().disk!;
      const savedAt = manifest!.savedAt;
      log.info({ folder, savedAt, kept, changes, entries }, 'saved tile cache adopted');
    } catch (error) {
      cache.clear();
      log.warn({ err: error, folder }, 'saved tile cache dropped: change log unreadable');
    }
    return;
  }
  log.info('no saved tile cache fits; tiles start cold');
}

function removeFolder(folder: string) {
  // Only folders named like a process folder reach here (see `TileDiskCache.savedFolders`).
  if (/^process-\d+/.test(path.basename(folder))) {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
