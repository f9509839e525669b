import type pg from 'pg';
import type { LonLatBox } from '../../tiles/tile-grid.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** Which cluster and database a saved tile cache was cut from. */
export interface DatabaseIdentity {
  /** The cluster's `system_identifier`: a new one for every initdb, kept by its replicas. */
  systemIdentifier: string;
  name: string;
  /**
   * The oids of the database and of the change log table: new when either is made again, as a
   * restore from a logical backup (`pg_restore`, with or without `--clean`) does. Such a
   * restore writes the rows before the triggers exist and brings back the old log, so the log
   * cannot tell what changed.
   */
  incarnation: string;
}

/** The cluster and database this connection is on. */
export async function selectDatabaseIdentity(db: Queryable): Promise<DatabaseIdentity> {
  const result = await db.query<DatabaseIdentity>(
    `SELECT system_identifier::text AS "systemIdentifier", current_database() AS name,
       concat((SELECT oid FROM pg_database WHERE datname = current_database()), ':',
         to_regclass('simpul_tile_change_log')::oid) AS incarnation
     FROM pg_control_system()`,
  );
  return result.rows[0]!;
}

/**
 * The transactions committed so far, as a `pg_snapshot` text (`xmin:xmax:xip,…`), and the
 * database's clock (a saved cache's age is measured by it). Taken outside any transaction, it
 * assigns no transaction id.
 */
export async function selectCurrentSnapshot(db: Queryable) {
  const result = await db.query<{ snapshot: string; now: Date }>(
    'SELECT pg_current_snapshot()::text AS snapshot, now()',
  );
  return result.rows[0]!;
}

/**
 * The current snapshot, and a notice on `channel` sent by the same statement, so committed
 * after every transaction the snapshot sees.
 */
export async function selectSnapshotAndNotify(db: Queryable, channel: string, payload: string) {
  const result = await db.query<{ snapshot: string; now: Date }>(
    'SELECT pg_current_snapshot()::text AS snapshot, now(), pg_notify($1, $2)',
    [channel, payload],
  );
  return result.rows[0]!;
}

/** A row of the change log: boxes in EPSG:4326, or null for the whole layer. */
export interface LoggedTileChange {
  layerId: string;
  boxes: LonLatBox[] | null;
}

/** The logged changes of the transactions `snapshot` did not see: committed after it. */
export async function selectTileChangesAfter(db: Queryable, snapshot: string) {
  // Every transaction below xmin is visible in the snapshot: the index skips them.
  const result = await db.query<LoggedTileChange>(
    `SELECT layer_id AS "layerId", boxes FROM simpul_tile_change_log
     WHERE xid >= pg_snapshot_xmin($1::pg_snapshot)
       AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)
     ORDER BY id`,
    [snapshot],
  );
  return result.rows;
}

/** Deletes the logged changes older than `retentionDays`; returns how many. */
export async function deleteTileChangesBefore(db: Queryable, retentionDays: number) {
  const result = await db.query(
    "DELETE FROM simpul_tile_change_log WHERE at < now() - $1 * interval '1 day'",
    [retentionDays],
  );
  return result.rowCount ?? 0;
}

/**
 * Sends `marker` on `channel` and lists the backends of the database's listening connections
 * (by their application name) in the same statement: each of them listened before the marker
 * commits, so each will hear it.
 */
export async function notifyListeners(
  db: Queryable,
  channel: string,
  marker: string,
  listenerName: string,
): Promise<number[]> {
  const result = await db.query<{ listeners: number[] }>(
    `SELECT pg_notify($1, $2), array(
       SELECT pid FROM pg_stat_activity
       WHERE application_name = $3 AND datname = current_database()
     ) AS listeners`,
    [channel, marker, listenerName],
  );
  return result.rows[0]!.listeners;
}

/**
 * Ends the listening connections among `pids` (still named `listenerName`, in this database):
 * ones that stopped answering. Their processes, if alive, drop their caches and listen anew.
 */
export async function terminateListeners(db: Queryable, pids: number[], listenerName: string) {
  await db.query(
    `SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity
     WHERE pid = ANY($1::int[]) AND application_name = $2 AND datname = current_database()`,
    [pids, listenerName],
  );
}
