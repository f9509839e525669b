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
