/**
 * Triggers that tell every server process which tiles a committed change spoils. Attached to
 * each layer table by `layer-schema.ts`, so every writer (API, import, restore, seed, plain
 * SQL) is heard; the notices reach listeners only when the transaction commits.
 */
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../sql.js';

/**
 * Part of each layer's schema checksum: raising it re-runs the (idempotent) layer statements
 * once on existing databases, so tables made before a change to these triggers get it too.
 */
export const tileChangeRevision = 4;

/**
 * A transaction setting (`set_config(…, 'on', true)`) under which a statement sends one notice
 * for its whole layer instead of the boxes of its rows: set by a bulk import that fills an
 * empty layer or replaces all of it, where every tile of the layer changes anyway and
 * computing a million boxes took 2.3 s of a million-point import.
 */
export const wholeLayerChangeSetting = 'simpul.tile_change_whole_layer';

/**
 * The notices of the rows `changed` selects (a query over the transition tables), as a PL/pgSQL
 * loop: the bounding boxes of their geometries in EPSG:4326, rounded outwards to 1e-6° (about
 * 0.1 m), at most 100 to a notice. When a statement touched more than 100 distinct boxes (an
 * import), boxes whose south-west corners share a 0.01° cell (about 1.1 km) are merged first,
 * which invalidates a little more than needed but keeps a 200,000-row import to a few hundred
 * notices (a NOTIFY payload holds under 8000 bytes).
 */
function notifyChangedBoxes(changed: string): string {
  return `FOR payload IN
        WITH boxes AS (
          SELECT DISTINCT floor(ST_XMin(geom) * 1e6) / 1e6 AS x0,
            floor(ST_YMin(geom) * 1e6) / 1e6 AS y0,
            ceil(ST_XMax(geom) * 1e6) / 1e6 AS x1, ceil(ST_YMax(geom) * 1e6) / 1e6 AS y1
          FROM (${changed}) changed WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)
        ), cells AS (
          SELECT CASE WHEN count(*) OVER () <= 100 THEN concat(x0, ' ', y0, ' ', x1, ' ', y1)
            ELSE concat(floor(x0 * 100), ' ', floor(y0 * 100)) END AS cell, x0, y0, x1, y1
          FROM boxes
        ), merged AS (
          SELECT json_build_array(min(x0), min(y0), max(x1), max(y1)) AS box,
            (row_number() OVER () - 1) / 100 AS chunk
          FROM cells GROUP BY cell
        )
        SELECT json_build_object('layer', TG_TABLE_NAME, 'boxes', json_agg(box))::text
        FROM merged GROUP BY chunk
      LOOP
        PERFORM pg_notify('simpul_tile_change', payload);
        INSERT INTO simpul_tile_change_log (layer_id, boxes)
          VALUES (TG_TABLE_NAME, payload::jsonb -> 'boxes');
      END LOOP;`;
}

/**
 * One statement-level trigger function for every layer table. It reads the transition tables
 * (old and new rows) and sends the boxes of their geometries (`notifyChangedBoxes`);
 * PostgreSQL drops duplicate notices within a transaction.
 *
 * The queries are static, one per event, so PL/pgSQL plans each once per trigger and keeps
 * the plan (it compiles the function per trigger, and a branch only when it first runs: an
 * insert trigger never plans the branch that reads old rows). Built with EXECUTE format(…)
 * instead, they were parsed and planned on every statement: about 0.22 ms of a single-row
 * write's 0.7 ms on road segments (2,000 inserts, one per statement, as a desktop GIS saves).
 *
 * Each notice is also written to `simpul_tile_change_log` (boxes NULL for a whole layer), in
 * the same transaction, so a process that was not listening (stopped, restarting) can replay
 * what it missed; see `tileChangeLogSql`.
 */
const notifyFunctionSql = `CREATE OR REPLACE FUNCTION simpul_notify_tile_change() RETURNS trigger
  LANGUAGE plpgsql AS $fn$
  DECLARE
    payload text;
  BEGIN
    IF TG_OP = 'TRUNCATE' OR current_setting('${wholeLayerChangeSetting}', true) = 'on' THEN
      PERFORM pg_notify('simpul_tile_change', json_build_object('layer', TG_TABLE_NAME,
        'all', true)::text);
      INSERT INTO simpul_tile_change_log (layer_id, boxes) VALUES (TG_TABLE_NAME, NULL);
    ELSIF TG_OP = 'INSERT' THEN
      ${notifyChangedBoxes('SELECT geom FROM simpul_new_rows')}
    ELSIF TG_OP = 'DELETE' THEN
      ${notifyChangedBoxes('SELECT geom FROM simpul_old_rows')}
    ELSE
      ${notifyChangedBoxes(
        'SELECT geom FROM simpul_old_rows UNION ALL SELECT geom FROM simpul_new_rows',
      )}
    END IF;
    RETURN NULL;
  END $fn$`;

/**
 * The notices of the last days as rows, with the id of the transaction that sent them: a tile
 * cache saved at a graceful stop records a snapshot, and at the next start drops the tiles of
 * every row whose transaction that snapshot did not see. Rows older than the retention of
 * `server/services/tile-service.ts` are deleted. Indexed by transaction, for that replay (rows
 * below the snapshot's xmin are all visible), and by time, for the pruning.
 */
export const tileChangeLogSql = `
  CREATE TABLE IF NOT EXISTS simpul_tile_change_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    layer_id text NOT NULL,
    boxes jsonb,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX IF NOT EXISTS simpul_tile_change_log_xid ON simpul_tile_change_log (xid);
  CREATE INDEX IF NOT EXISTS simpul_tile_change_log_at ON simpul_tile_change_log (at)`;

function triggerName(layer: LayerDefinition, event: string): string {
  return quoteIdentifier(`${layer.id}_tile_${event}`.slice(0, 63));
}

/**
 * The function and the four triggers of one layer table (idempotent). Statement-level with
 * transition tables: an import of many rows fires once, not once per row.
 */
export function tileChangeStatements(layer: LayerDefinition): string[] {
  const table = quoteIdentifier(layer.id);
  const run = 'FOR EACH STATEMENT EXECUTE FUNCTION simpul_notify_tile_change()';
  const trigger = (event: string, referencing = '') =>
    `CREATE OR REPLACE TRIGGER ${triggerName(layer, event)} AFTER ${event.toUpperCase()}
      ON ${table} ${referencing} ${run}`;
  return [
    notifyFunctionSql,
    trigger('insert', 'REFERENCING NEW TABLE AS simpul_new_rows'),
    trigger('update', 'REFERENCING OLD TABLE AS simpul_old_rows NEW TABLE AS simpul_new_rows'),
    trigger('delete', 'REFERENCING OLD TABLE AS simpul_old_rows'),
    trigger('truncate'),
  ];
}
