import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { mercatorColumn } from '../migrations/layer-schema.js';
import { quoteIdentifier, SqlParameters, woundAsGeoJson } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** One recorded edit of a feature: who, when, from which client, and both states. */
export interface HistoryRow {
  historyId: number;
  featureId: number;
  operation: 'insert' | 'update' | 'delete';
  versionBefore: number | null;
  versionAfter: number | null;
  changedAt: string;
  changedBy: string;
  client: string;
  requestId: string | null;
  note: string | null;
  propertiesBefore: Record<string, unknown> | null;
  propertiesAfter: Record<string, unknown> | null;
  /** GeoJSON in CRS84 (full precision), or null. */
  geometryBefore: unknown;
  geometryAfter: unknown;
}

/** The columns of a layer table that are not properties (`to_jsonb` of a row minus these). */
const systemColumns = `ARRAY['id', 'geom', '${mercatorColumn}', 'version', 'created_at',
  'updated_at', 'updated_by']`;

/**
 * Joins, to history rows `h`, the state an insert produced when its row holds no copy of it
 * (inserts are recorded lean since core migration 0013): the state the feature's next edit
 * found (`next_edit`), else, when nothing was recorded after the insert, the stored feature
 * while it still has the inserted version (`live`). Read as `coalesce(h.properties_after,
 * next_edit.properties, <live as JSON>)` (`afterProperties`) and likewise for the geometry
 * (`afterGeometry`). Both subqueries run only for such rows; for every other row they are
 * empty. A feature emptied by TRUNCATE (no history of its own) has no known inserted state:
 * its after-state is then null, even once a new feature takes its id (whose insert is then
 * the next row: the stored row is that feature's, not this one's). `live`
 * yields the stored row whole, turned into JSON only once joined: a hash join (which
 * PostgreSQL picks on statistics older than a bulk load) would otherwise convert every
 * feature of the layer, 4 s per 100,000 road segments, for a page of a few rows.
 */
function insertedStateJoins(layerId: string, h: string): string {
  const lean = `${h}.operation = 'insert' AND ${h}.properties_after IS NULL`;
  return `LEFT JOIN LATERAL (
      SELECT n.id, n.properties_before AS properties, n.geom_before AS geom
      FROM simpul_feature_history n
      WHERE ${lean} AND n.layer_id = ${h}.layer_id AND n.feature_id = ${h}.feature_id
        AND n.id > ${h}.id
      ORDER BY n.id LIMIT 1
    ) next_edit ON true
    LEFT JOIN LATERAL (
      SELECT t AS row, t.geom
      FROM ${quoteIdentifier(layerId)} t
      WHERE ${lean} AND next_edit.id IS NULL
        AND t.id = ${h}.feature_id AND t.version = ${h}.version_after
    ) live ON true`;
}

function afterProperties(h: string): string {
  const live = `to_jsonb(live.row) - ${systemColumns}`;
  return `coalesce(${h}.properties_after, next_edit.properties, ${live})`;
}

function afterGeometry(h: string): string {
  return `coalesce(${h}.geom_after, next_edit.geom, live.geom)`;
}

/** The columns of a `HistoryRow` but the geometries, from history rows `h` (joined as above). */
function historyColumns(h: string): string {
  return `${h}.id AS "historyId", ${h}.feature_id AS "featureId", ${h}.operation,
    ${h}.version_before AS "versionBefore", ${h}.version_after AS "versionAfter",
    ${h}.changed_at AS "changedAt", ${h}.changed_by AS "changedBy", ${h}.client,
    ${h}.request_id AS "requestId", ${h}.note,
    ${h}.properties_before AS "propertiesBefore", ${afterProperties(h)} AS "propertiesAfter"`;
}

/** Every recorded edit of one feature, oldest first, with both geometries as GeoJSON. */
export async function selectFeatureHistory(db: Queryable, layerId: string, featureId: number) {
  const sql = `SELECT ${historyColumns('h')},
      ST_AsGeoJSON(${woundAsGeoJson('h.geom_before')}, 15)::json AS "geometryBefore",
      ST_AsGeoJSON(${woundAsGeoJson(afterGeometry('h'))}, 15)::json AS "geometryAfter"
    FROM simpul_feature_history h ${insertedStateJoins(layerId, 'h')}
    WHERE h.layer_id = $1 AND h.feature_id = $2 ORDER BY h.id`;
  return (await db.query<HistoryRow>(sql, [layerId, featureId])).rows;
}

/** A feature as it was at one version: its attributes, geometry (GeoJSON and exact EWKB). */
export interface HistoricState {
  version: number;
  properties: Record<string, unknown>;
  geometry: unknown;
  ewkbHex: string;
}

/**
 * The state of a feature at `version`, from the edit that produced it or, for a version made
 * before history was recorded, from the edit that replaced or deleted it; undefined if unknown.
 */
export async function selectHistoricState(
  db: Queryable,
  layerId: string,
  featureId: number,
  version: number,
) {
  const sql = `SELECT version, properties,
      ST_AsGeoJSON(${woundAsGeoJson('geom')}, 15)::json AS geometry,
      encode(ST_AsEWKB(geom), 'hex') AS "ewkbHex"
    FROM (
      SELECT h.version_after AS version, ${afterProperties('h')} AS properties,
        ${afterGeometry('h')} AS geom, 0 AS pick
      FROM simpul_feature_history h ${insertedStateJoins(layerId, 'h')}
      WHERE h.layer_id = $1 AND h.feature_id = $2 AND h.version_after = $3
      UNION ALL
      SELECT version_before, properties_before, geom_before, 1
      FROM simpul_feature_history
      WHERE layer_id = $1 AND feature_id = $2 AND version_before = $3
    ) s WHERE properties IS NOT NULL ORDER BY pick LIMIT 1`;
  return (await db.query<HistoricState>(sql, [layerId, featureId, version])).rows[0];
}

/** The highest version a feature ever had, deleted or not; undefined for an unknown feature. */
export async function selectLastVersion(db: Queryable, layerId: string, featureId: number) {
  const sql = `SELECT max(greatest(version_before, version_after)) AS version
    FROM simpul_feature_history WHERE layer_id = $1 AND feature_id = $2`;
  const result = await db.query<{ version: number | null }>(sql, [layerId, featureId]);
  return result.rows[0]?.version ?? undefined;
}

/** One recent edit of a layer, without geometries. */
export type LayerChangeRow = Omit<HistoryRow, 'geometryBefore' | 'geometryAfter'>;

/**
 * The edits of a layer in a time range, newest first, a page at a time: `before` a history id
 * (keyset, as the next links page: edits made meanwhile do not shift the pages), then `offset`.
 */
export async function selectLayerChanges(
  db: Queryable,
  layerId: string,
  range: { since?: string; until?: string; limit: number; offset: number; before?: number },
) {
  const sql = `SELECT ${historyColumns('h')}
    FROM (SELECT * FROM simpul_feature_history
      WHERE layer_id = $1 AND ($2::timestamptz IS NULL OR changed_at >= $2)
        AND ($3::timestamptz IS NULL OR changed_at < $3)
        AND ($6::bigint IS NULL OR id < $6)
      ORDER BY id DESC LIMIT $4 OFFSET $5) h
    ${insertedStateJoins(layerId, 'h')}
    ORDER BY h.id DESC`;
  const { since, until, limit, offset, before } = range;
  const values = [layerId, since ?? null, until ?? null, limit, offset, before ?? null];
  return (await db.query<LayerChangeRow>(sql, values)).rows;
}

/**
 * `column` within (after, upTo]: open where a bound is undefined, empty when `upTo` is null.
 */
function idRangeSql(
  column: string,
  params: SqlParameters,
  range: { after?: number; upTo?: number | null },
): string {
  if (range.upTo === null) return 'false';
  const bounds = ['true'];
  if (range.after !== undefined) bounds.push(`${column} > ${params.add(range.after)}`);
  if (range.upTo !== undefined) bounds.push(`${column} <= ${params.add(range.upTo)}`);
  return bounds.join(' AND ');
}

/**
 * The recorded features (those with history) of a layer whose ids are in `range`, that it
 * held at instant `at`, each with the history row of its state then: `state_after`, the edit
 * that made it (the last at or before `at`, unless it deleted the feature), or, for a feature
 * stored before history was recorded and first edited after `at`, `state_before`, that first
 * edit (the state it replaced). One pass over the index of migration 0016, feature by
 * feature in id order, decides both: history row ids are doubled and carry in their low bit
 * whether the row leaves the feature present, so a plain max and min pick row and verdict.
 */
function recordedFeaturesAsOfSql(layerId: string, at: string, range: string): string {
  return `SELECT feature_id AS id, last_state / 2 AS state_after,
      CASE WHEN last_state IS NULL THEN first_edit / 2 END AS state_before
    FROM (
      SELECT feature_id,
        max(id * 2 + (operation <> 'delete')::int) FILTER (WHERE changed_at <= ${at})
          AS last_state,
        min(id * 2 + (operation <> 'insert')::int) AS first_edit
      FROM simpul_feature_history
      WHERE layer_id = ${layerId} AND ${range}
      GROUP BY feature_id
    ) f
    WHERE coalesce(last_state, first_edit) % 2 = 1`;
}

/** How far the next recorded features of a layer as it was reach: `selectRecordedReachAsOf`. */
export interface RecordedReach {
  /** How many there are: `atMost`, or fewer when history records no more. */
  found: number;
  /** The id of the last of them; null when there are none. */
  lastId: number | null;
}

/**
 * How far the next `atMost` recorded features of a layer as it was at instant `at` reach,
 * after feature `after` (from the first without it). It reads the history of the features up
 * to the last of them only, under a millisecond for a page of 100; but when fewer are left,
 * all the history after `after`, to know that (0.14 s for 430,000 history rows, 0.4 s for
 * 1.2 million), and the features it passes that the layer did not hold then.
 */
export async function selectRecordedReachAsOf(
  db: Queryable,
  layerId: string,
  reach: { at: string; after?: number; atMost: number },
): Promise<RecordedReach> {
  const params = new SqlParameters();
  const range = idRangeSql('feature_id', params, { after: reach.after });
  const features = recordedFeaturesAsOfSql(params.add(layerId), params.add(reach.at), range);
  const sql = `SELECT count(*)::int AS found, max(id) AS "lastId"
    FROM (${features} ORDER BY id LIMIT ${params.add(reach.atMost)}) reached`;
  return (await db.query<RecordedReach>(sql, params.values)).rows[0]!;
}

/** Which page of a layer as it was `selectLayerAsOf` reads, and where its features lie. */
export interface AsOfPage {
  /** The instant, RFC 3339. */
  at: string;
  /** Only features after this id (keyset paging); from the first without it. */
  after?: number;
  /** Recorded features lie up to this id (`RecordedReach.lastId`); null: there are none. */
  recordedUpTo: number | null;
  /** Features stored before history was recorded lie up to this id; undefined: anywhere. */
  unrecordedUpTo?: number;
  limit: number;
  offset: number;
  /** Decimal places of the coordinates. */
  precision: number;
}

/** A feature of a layer as it was at an instant; geometry as GeoJSON in CRS84. */
export interface AsOfRow {
  id: number;
  version: number;
  properties: Record<string, unknown>;
  geometry: unknown;
}

/**
 * A page of the features of a layer as they were at instant `page.at`, in CRS84, ordered by
 * id: each feature's last recorded state at or before `at` unless that edit deleted it.
 * Features stored before history was recorded count from their `created_at` when never
 * edited, else from their first edit's previous state (their creation time is then unknown:
 * they count as present). The ids come from the stretch `selectRecordedReachAsOf` found, read
 * in the same snapshot; only that stretch of the history and of the stored features is read,
 * and only the page's features' states.
 *
 * Measured at 400,000 road segments (430,000 history rows), a page of 100 with its reach:
 * 4–10 ms for the first page or after an id, where reading every feature's state before
 * paging took 0.6–1.1 s (a page of the current layer: 3 ms, plus 25–50 ms to count it).
 * Still slow: an `offset` reads the features it skips (0.25–0.55 s at 200,000–400,000); a
 * page with fewer features left than it asks (an instant before most of the layer existed,
 * an offset past the end) reads the history of the rest of the layer and, through a hash of
 * it, which stored features have none (0.15–0.3 s, 0.7 s at 1.2 million history rows); and
 * features deleted before the page's first are read too (a first page after an import
 * replaced all 400,000: 0.47 s, then 6–10 ms a page by the next links).
 */
export async function selectLayerAsOf(
  db: Queryable,
  layer: LayerDefinition,
  page: AsOfPage,
): Promise<AsOfRow[]> {
  const table = quoteIdentifier(layer.id);
  const params = new SqlParameters();
  const layerId = params.add(layer.id);
  const at = params.add(page.at);
  const recordedRange = { after: page.after, upTo: page.recordedUpTo };
  const unrecordedRange = { after: page.after, upTo: page.unrecordedUpTo };
  const recorded = recordedFeaturesAsOfSql(
    layerId,
    at,
    idRangeSql('feature_id', params, recordedRange),
  );
  // OFFSET 0 keeps the features without history apart, so that only their `created_at` is
  // read, not that of every feature of the stretch.
  const sql = `WITH page AS (
      SELECT * FROM (
        ${recorded}
        UNION ALL
        SELECT u.id, NULL, NULL
        FROM (
          SELECT t.id FROM ${table} t
          WHERE ${idRangeSql('t.id', params, unrecordedRange)} AND NOT EXISTS (
            SELECT 1 FROM simpul_feature_history h
            WHERE h.layer_id = ${layerId} AND h.feature_id = t.id
              AND ${idRangeSql('h.feature_id', params, unrecordedRange)})
          OFFSET 0
        ) u
        WHERE (SELECT s.created_at FROM ${table} s WHERE s.id = u.id) <= ${at}
      ) members
      ORDER BY id LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.offset)}
    ),
    states AS (
      SELECT p.id, coalesce(h.version_after, b.version_before, stored.version) AS version,
        coalesce(${afterProperties('h')}, b.properties_before,
          to_jsonb(stored) - ${systemColumns}) AS properties,
        coalesce(${afterGeometry('h')}, b.geom_before, stored.geom) AS geom
      FROM page p
      LEFT JOIN simpul_feature_history h ON h.id = p.state_after
      ${insertedStateJoins(layer.id, 'h')}
      LEFT JOIN simpul_feature_history b ON b.id = p.state_before
      LEFT JOIN ${table} stored
        ON p.state_after IS NULL AND p.state_before IS NULL AND stored.id = p.id
    )
    SELECT id, version, properties,
      ST_AsGeoJSON(${woundAsGeoJson('geom')}, ${params.add(page.precision)}::int)::json AS geometry
    FROM states ORDER BY id`;
  return (await db.query<AsOfRow>(sql, params.values)).rows;
}

/**
 * The record rows (whole, as `to_jsonb`) of the given record tables that were deleted in the
 * same transaction as the feature's last deletion: those its foreign key cascaded to.
 */
export async function selectRecordsDeletedWith(
  db: Queryable,
  layerId: string,
  featureId: number,
  tableIds: readonly string[],
) {
  const sql = `WITH deletion AS (
      SELECT changed_at, request_id, properties_before FROM simpul_feature_history
      WHERE layer_id = $1 AND feature_id = $2 AND operation = 'delete'
      ORDER BY id DESC LIMIT 1
    )
    SELECT h.layer_id AS "tableId", h.properties_before AS row,
      d.properties_before AS "deletedFeature"
    FROM simpul_feature_history h JOIN deletion d ON h.changed_at = d.changed_at
      AND h.request_id IS NOT DISTINCT FROM d.request_id
    WHERE h.layer_id = ANY($3::text[]) AND h.operation = 'delete'
    ORDER BY h.id`;
  type Deleted = {
    tableId: string;
    row: Record<string, unknown>;
    /** The feature's attributes as its deletion found them (null if not recorded). */
    deletedFeature: Record<string, unknown> | null;
  };
  const result = await db.query<Deleted>(sql, [layerId, featureId, tableIds]);
  return result.rows;
}

/** Puts a deleted record row back exactly as it was (same id, same timestamps). */
export async function insertRecordAsItWas(
  db: Queryable,
  tableId: string,
  row: Record<string, unknown>,
) {
  const table = quoteIdentifier(tableId);
  await db.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_record(NULL::${table}, $1)`, [
    row,
  ]);
}
