import type pg from 'pg';

/**
 * Where a failed run stopped: reading the configuration, asking the version, reading to plan,
 * or (an apply's) a step of the plan.
 */
export type FailedStage = 'configure' | 'connect' | 'plan' | 'apply';

/** A recorded plan or apply against GeoServer. */
export interface GeoServerRun {
  id: number;
  kind: 'plan' | 'apply';
  outcome: string;
  forced: boolean;
  requestedBy: string;
  /** The REST root asked, its password masked; empty when GEOSERVER_URL was not set. */
  geoserverUrl: string;
  geoserverVersion: string | null;
  report: unknown;
  /** Where a failed run stopped; null when it did not fail. */
  failedStage: FailedStage | null;
  /** Why it failed, for a person to read (never a secret); null when it did not fail. */
  error: string | null;
  startedAt: string;
  finishedAt: string;
}

/** A run to record; `report` is stored as JSON and must hold no secret. */
export type NewGeoServerRun = Omit<GeoServerRun, 'id' | 'finishedAt'>;

/** Records a run and returns its id. */
export async function insertGeoServerRun(pool: pg.Pool, run: NewGeoServerRun): Promise<number> {
  const result = await pool.query<{ id: number }>(
    `INSERT INTO simpul_geoserver_run
       (kind, outcome, forced, requested_by, geoserver_url, geoserver_version, report,
        failed_stage, error, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id`,
    [
      run.kind,
      run.outcome,
      run.forced,
      run.requestedBy,
      run.geoserverUrl,
      run.geoserverVersion,
      JSON.stringify(run.report),
      run.failedStage,
      run.error,
      run.startedAt,
    ],
  );
  return result.rows[0]!.id;
}

/**
 * The most recent run of a kind, or undefined when there was none; with `outcomes`, the most
 * recent one that ended in one of them.
 */
export async function selectLastGeoServerRun(
  pool: pg.Pool,
  kind: GeoServerRun['kind'],
  outcomes?: string[],
): Promise<GeoServerRun | undefined> {
  const result = await pool.query<GeoServerRun>(
    `SELECT id, kind, outcome, forced, requested_by AS "requestedBy",
            geoserver_url AS "geoserverUrl", geoserver_version AS "geoserverVersion", report,
            failed_stage AS "failedStage", error,
            to_json(started_at) #>> '{}' AS "startedAt",
            to_json(finished_at) #>> '{}' AS "finishedAt"
       FROM simpul_geoserver_run
      WHERE kind = $1 AND ($2::text[] IS NULL OR outcome = ANY ($2))
      ORDER BY finished_at DESC, id DESC
      LIMIT 1`,
    [kind, outcomes ?? null],
  );
  return result.rows[0];
}
