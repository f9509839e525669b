/**
 * Each plan shown and each apply run against GeoServer, with its report, so the admin page
 * shows the last result whether it came from the web or from `npm run geoserver`.
 */
export const geoserverPublicationsSql = `
  CREATE TABLE IF NOT EXISTS simpul_geoserver_run (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('plan', 'apply')),
    outcome text NOT NULL,
    forced boolean NOT NULL DEFAULT false,
    requested_by text NOT NULL,
    geoserver_url text NOT NULL,
    geoserver_version text,
    report jsonb NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS simpul_geoserver_run_recent
    ON simpul_geoserver_run (kind, finished_at DESC)`;

/**
 * Where a failed apply stopped and why, so a failure shows as the last result: `connect`
 * (asking GeoServer its version: unreachable, credentials or version refused), `plan` (reading
 * GeoServer's catalog to plan) or `apply` (a step of the plan, named in the report). Both null
 * for runs that did not fail, and for runs recorded before.
 */
export const geoserverRunFailureSql = `
  ALTER TABLE simpul_geoserver_run
    ADD COLUMN IF NOT EXISTS failed_stage text
      CONSTRAINT simpul_geoserver_run_failed_stage_check
      CHECK (failed_stage IN ('connect', 'plan', 'apply')),
    ADD COLUMN IF NOT EXISTS error text;
`;

/**
 * A run stopped before GeoServer was asked, by the configuration (a variable missing or
 * invalid), is recorded too, at the stage `configure`.
 */
export const geoserverRunConfigureStageSql = `
  ALTER TABLE simpul_geoserver_run
    DROP CONSTRAINT IF EXISTS simpul_geoserver_run_failed_stage_check,
    ADD CONSTRAINT simpul_geoserver_run_failed_stage_check
      CHECK (failed_stage IN ('configure', 'connect', 'plan', 'apply'));
`;
