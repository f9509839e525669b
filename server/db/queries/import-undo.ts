/**
 * Undoing an import through the feature history (`simpul_feature_history`, written by the
 * history trigger of every layer table): the import's writes carry the note `import <jobId>`,
 * so its inserted features can be deleted and the features it replaced put back, ids included.
 */
import type pg from 'pg';
import type { LayerDefinition, RecordTableDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * How many history rows carry the note, and how many later edits touched the layer since. The
 * rows of a later import that was undone, and of its undo, are not counted: together they left
 * the layer as it was, so imports can be undone newest first, one after the other.
 */
export async function selectImportHistoryState(
  db: Queryable,
  layer: LayerDefinition,
  note: string,
) {
  const result = await db.query<{ recorded: number; laterEdits: number }>(
    `WITH mine AS (SELECT max(id) AS last, count(*) AS n FROM simpul_feature_history
       WHERE layer_id = $1 AND note = $2),
     undone AS (SELECT unnest(ARRAY['import ' || j.id, 'undo import ' || j.id]) AS note
       FROM simpul_import_job j WHERE j.layer_id = $1 AND j.status = 'undone')
     SELECT mine.n::bigint AS recorded,
       (SELECT count(*) FROM simpul_feature_history h WHERE h.layer_id = $1
         AND h.id > mine.last AND h.note IS DISTINCT FROM $2
         AND NOT EXISTS (SELECT 1 FROM undone WHERE undone.note = h.note))::bigint AS "laterEdits"
     FROM mine`,
    [layer.id, note],
  );
  return result.rows[0] ?? { recorded: 0, laterEdits: 0 };
}

/** Deletes the features the import inserted (inside the caller's transaction). */
export async function deleteImportedFeatures(
  client: Queryable,
  layer: LayerDefinition,
  note: string,
) {
  const result = await client.query(
    `DELETE FROM ${quoteIdentifier(layer.id)} WHERE id IN (
       SELECT feature_id FROM simpul_feature_history
       WHERE layer_id = $1 AND note = $2 AND operation = 'insert')`,
    [layer.id, note],
  );
  return result.rowCount ?? 0;
}

/**
 * The writer a history row `h` keeps of the state it replaced (`updated_by_before`, which may be
 * null), or `actor` for a row recorded before history kept it (its `updated_at_before` null).
 */
function writerBefore(h: string, actor: string) {
  return `CASE WHEN ${h}.updated_at_before IS NULL THEN ${actor} ELSE ${h}.updated_by_before END`;
}

/**
 * Puts back the features a replace deleted, with their ids, attributes, geometry, times and
 * writer, as a new version (inside the caller's transaction). The attributes the latest of
 * their records sets come back too, so that putting their records back then changes nothing.
 * History recorded before it kept times and writer gives the undo's instead.
 */
export async function restoreReplacedFeatures(
  client: Queryable,
  layer: LayerDefinition,
  note: string,
  actor: string,
) {
  const restored = layer.attributes.filter((a) => !a.computed || a.computed === 'latest_record');
  const columns = restored.map((a) => quoteIdentifier(a.name));
  const table = quoteIdentifier(layer.id);
  const times = 'created_at, updated_at, updated_by';
  const result = await client.query(
    `INSERT INTO ${table} (id, ${columns.join(', ')}, geom, version, ${times})
     SELECT h.feature_id, ${columns.map((c) => `r.${c}`).join(', ')}, h.geom_before,
       h.version_before + 1, coalesce(h.created_at_before, now()),
       coalesce(h.updated_at_before, now()), ${writerBefore('h', '$3')}
     FROM simpul_feature_history h
     CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, h.properties_before) r
     WHERE h.layer_id = $1 AND h.note = $2 AND h.operation = 'delete'
     ORDER BY h.feature_id`,
    [layer.id, note, actor],
  );
  return result.rowCount ?? 0;
}

/**
 * Puts back the state before the import of each feature it updated in place (a replace by
 * key), with its time and writer, as a new version (inside the caller's transaction).
 */
export async function revertUpdatedFeatures(
  client: Queryable,
  layer: LayerDefinition,
  note: string,
  actor: string,
) {
  const table = quoteIdentifier(layer.id);
  const columns = layer.attributes.filter((a) => !a.computed).map((a) => quoteIdentifier(a.name));
  const assignments = columns.map((c) => `${c} = r.${c}`);
  const result = await client.query(
    `UPDATE ${table} t SET ${assignments.join(', ')}, geom = h.geom_before,
       version = t.version + 1, updated_at = coalesce(h.updated_at_before, now()),
       updated_by = ${writerBefore('h', '$3')}
     FROM (SELECT DISTINCT ON (feature_id) feature_id, properties_before, geom_before,
             updated_at_before, updated_by_before
           FROM simpul_feature_history
           WHERE layer_id = $1 AND note = $2 AND operation = 'update'
           ORDER BY feature_id, id) h
     CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, h.properties_before) r
     WHERE t.id = h.feature_id`,
    [layer.id, note, actor],
  );
  return result.rowCount ?? 0;
}

/**
 * Puts back the records (surveys, inspections) deleted with the features an import removed,
 * with their ids, times and writer (inside the caller's transaction, after their features are
 * back): a record's history keeps its whole row.
 */
export async function restoreDeletedRecords(
  client: Queryable,
  recordTable: RecordTableDefinition,
  note: string,
) {
  const table = quoteIdentifier(recordTable.id);
  const attributes = recordTable.attributes.filter((a) => !a.computed);
  const columns = attributes.map((a) => quoteIdentifier(a.name));
  const result = await client.query(
    `INSERT INTO ${table} (id, ${columns.join(', ')}, created_at, updated_at, updated_by)
     OVERRIDING SYSTEM VALUE
     SELECT h.feature_id, ${columns.map((c) => `r.${c}`).join(', ')},
       coalesce(r.created_at, now()), coalesce(r.updated_at, now()), r.updated_by
     FROM simpul_feature_history h
     CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, h.properties_before) r
     WHERE h.layer_id = $1 AND h.note = $2 AND h.operation = 'delete'
     ORDER BY h.id`,
    [recordTable.id, note],
  );
  return result.rowCount ?? 0;
}
