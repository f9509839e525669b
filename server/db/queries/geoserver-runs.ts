import type pg from 'pg';

/** A recorded plan or apply against GeoServer. */
export interface GeoServerRun {
  id: number;
  kind: 'plan' | 'apply';
  outcome: string;
  forced: boolean;
  requestedBy: string;
  geoserverUrl: string;
  geoserverVersion: string | null;
  report: unknown;
  startedAt: string;
  finishedAt: string;
}

/** A run to record; `report` is stored as JSON and must hold no secret. */
export type NewGeoServerRun = Omit<GeoServerRun, 'id' | 'finishedAt'>;

/** Records a run and returns its id. */
export async function insertGeoServerRun(pool: pg.Pool, run: NewGeoServerRun): Promise<number> {
  const result = await pool.query<{ id: number }>(
    `INSERT INTO simpul_geoserver_run
       (kind, outcome, forced, requested_by, geoserver_url, geoserver_version, report, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id`,
    [
      run.kind,
      run.outcome,
      run.forced,
      run.requestedBy,
      run.geoserverUrl,
      run.geoserverVersion,
      JSON.stringify(run.report),
      run.startedAt,
    ],
  );
  return result.rows[0]!.id;
}

/** The most recent run of a kind, or undefined when there was none. */
export async function selectLastGeoServerRun(
  pool: pg.Pool,
  kind: GeoServerRun['kind'],
): Promise<GeoServerRun | undefined> {
  const result = await pool.query<GeoServerRun>(
    `SELECT id, kind, outcome, forced, requested_by AS "requestedBy",
            geoserver_url AS "geoserverUrl", geoserver_version AS "geoserverVersion", report,
            to_json(started_at) #>> '{}' AS "startedAt",
            to_json(finished_at) #>> '{}' AS "finishedAt"
       FROM simpul_geoserver_run
      WHERE kind = $1
      ORDER BY finished_at DESC, id DESC
      LIMIT 1`,
    [kind],
  );
  return result.rows[0];
}
