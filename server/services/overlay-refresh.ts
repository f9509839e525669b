import type pg from 'pg';
import {
  deleteOverlayAreas,
  deleteOverlayMeasures,
  deleteSourceRows,
  insertOverlayAreas,
  insertOverlayMeasures,
  selectChangedRows,
  upsertSourceRows,
  type AreaOverlay,
  type ChangedRows,
  type MeasureOverlay,
} from '../db/queries/overlays.js';

/** The stored overlays one analysis reads. */
export interface OverlaySet {
  areas: AreaOverlay[];
  measures: MeasureOverlay[];
}

/** What a refresh recomputed: source rows found changed or gone, and pairs or triples stored. */
export interface RefreshReport {
  changedRows: number;
  storedPieces: number;
}

/** Any advisory lock id will do, as long as nothing else in the database takes it. */
const refreshLockKey = 'simpul_overlay_refresh';

function touched(rows: ChangedRows): number[] {
  return [...rows.changedIds, ...rows.goneIds];
}

function countChanges(...rows: ChangedRows[]): number {
  return rows.reduce((sum, r) => sum + r.changedIds.length + r.goneIds.length, 0);
}

async function recordSources(
  client: pg.PoolClient,
  overlay: string,
  table: string,
  rows: ChangedRows,
  withArea = false,
) {
  if (rows.goneIds.length > 0) await deleteSourceRows(client, overlay, table, rows.goneIds);
  if (rows.changedIds.length > 0)
    await upsertSourceRows(client, overlay, table, rows.changedIds, withArea);
}

async function refreshAreas(client: pg.PoolClient, overlay: AreaOverlay): Promise<RefreshReport> {
  const zones = await selectChangedRows(client, overlay.key, overlay.zoneTable);
  const units = await selectChangedRows(client, overlay.key, overlay.unitTable);
  const changedRows = countChanges(zones, units);
  if (changedRows === 0) return { changedRows, storedPieces: 0 };

  await deleteOverlayAreas(client, overlay.key, touched(zones), touched(units));
  const storedPieces = await insertOverlayAreas(
    client,
    overlay,
    zones.changedIds,
    units.changedIds,
  );
  await recordSources(client, overlay.key, overlay.zoneTable, zones);
  // The units' whole areas are the denominators of area shares (population apportioning).
  await recordSources(client, overlay.key, overlay.unitTable, units, true);
  return { changedRows, storedPieces };
}

async function refreshMeasures(
  client: pg.PoolClient,
  overlay: MeasureOverlay,
): Promise<RefreshReport> {
  const zones = await selectChangedRows(client, overlay.key, overlay.zoneTable);
  const units = await selectChangedRows(client, overlay.key, overlay.unitTable);
  const features = await selectChangedRows(client, overlay.key, overlay.featureTable);
  const changedRows = countChanges(zones, units, features);
  if (changedRows === 0) return { changedRows, storedPieces: 0 };

  const [zoneIds, unitIds, featureIds] = [zones, units, features].map((r) => r.changedIds);
  await deleteOverlayMeasures(
    client,
    overlay.key,
    touched(zones),
    touched(units),
    touched(features),
  );
  const storedPieces = await insertOverlayMeasures(
    client,
    overlay,
    zoneIds!,
    unitIds!,
    featureIds!,
  );
  await recordSources(client, overlay.key, overlay.zoneTable, zones);
  await recordSources(client, overlay.key, overlay.unitTable, units);
  await recordSources(client, overlay.key, overlay.featureTable, features);
  return { changedRows, storedPieces };
}

async function refreshAll(client: pg.PoolClient, overlays: OverlaySet): Promise<RefreshReport> {
  const reports: RefreshReport[] = [];
  for (const overlay of overlays.areas) reports.push(await refreshAreas(client, overlay));
  for (const overlay of overlays.measures) reports.push(await refreshMeasures(client, overlay));
  return {
    changedRows: reports.reduce((sum, r) => sum + r.changedRows, 0),
    storedPieces: reports.reduce((sum, r) => sum + r.storedPieces, 0),
  };
}

async function refreshAndRead<Result>(
  client: pg.PoolClient,
  overlays: OverlaySet,
  read: (client: pg.PoolClient) => Promise<Result>,
) {
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    // See without-jit.ts: compiling these overlay statements costs more than running them.
    await client.query('SET LOCAL jit = off');
    const refresh = await refreshAll(client, overlays);
    const result = await read(client);
    await client.query('COMMIT');
    return { result, refresh };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function unlockAndRelease(client: pg.PoolClient) {
  try {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [refreshLockKey]);
    client.release();
  } catch (error) {
    // Closing the connection frees the lock it may still hold.
    client.release(error as Error);
  }
}

/**
 * Brings the overlays up to date with the current rows, recomputing only the pieces of rows
 * inserted, updated or deleted since their last refresh, then runs `read` in the same snapshot,
 * so the answer always reflects the data as they are (an edit shows in the next answer). The
 * first refresh of a database computes every overlay (seconds on a regency); later ones cost
 * milliseconds per edited row. Refreshes are serialised across server processes by an advisory
 * lock; the snapshot is repeatable-read, so each stored row version matches the geometry used.
 *
 * TODO: a first refresh computes each overlay in one statement under the pool's statement
 * timeout (QUERY_TIMEOUT_MS): about 1.5 s of database time on the seeded regency, but hazard
 * polygons of real surveys, with far more vertices, may need it raised or the refresh split
 * into batches of zones. A refresh writes, so an analysis cannot be answered by a read replica.
 */
export async function readAfterRefresh<Result>(
  pool: pg.Pool,
  overlays: OverlaySet,
  read: (client: pg.PoolClient) => Promise<Result>,
): Promise<{ result: Result; refresh: RefreshReport }> {
  const client = await pool.connect();
  try {
    // Taken before the transaction, so a waiter's snapshot starts after the holder commits.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [refreshLockKey]);
  } catch (error) {
    client.release();
    throw error;
  }
  try {
    return await refreshAndRead(client, overlays, read);
  } finally {
    await unlockAndRelease(client);
  }
}
