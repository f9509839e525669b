/**
 * The load table of an import: rows are bulk-loaded into it with COPY while the file is read,
 * their geometries parsed by PostGIS on the way in (GeoJSON text is valid geometry input) and
 * checked there set-wise, then the valid rows are moved into the layer in one transaction.
 * Until that transaction commits the layer is untouched, so a cancelled or refused import
 * leaves nothing behind.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LayerDefinition } from '../../../layers/index.js';
import { dropSpatialIndexStatement, spatialIndexStatement } from '../migrations/layer-schema.js';
import { quoteIdentifier } from '../sql.js';
import { staleJobCondition, type RejectionRow } from './import-jobs.js';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * A row to load: its source row number, values and geometry (GeoJSON in EPSG:4326). A row
 * `refused` by a check made before loading carries no values and is never written; it is
 * loaded only so that its geometry's problems are reported with the others.
 */
export interface StagedRow {
  rowNumber: number;
  values: Record<string, unknown>;
  geometry: unknown;
  refused: boolean;
}

/** The load table of a job (an ordinary unlogged table, so any pooled session sees it). */
export function stagingTableName(jobId: string): string {
  return quoteIdentifier(`simpul_import_staging_${jobId.replace(/-/g, '')}`);
}

/** Creates the empty load table. */
export async function createStagingTable(db: Queryable, table: string) {
  await db.query(`CREATE UNLOGGED TABLE ${table} (
    row_number bigint NOT NULL, properties jsonb NOT NULL, geometry geometry(Geometry, 4326),
    refused boolean NOT NULL)`);
}

/** Drops the load table if it exists. */
export async function dropStagingTable(db: Queryable, table: string) {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
}

/** COPY text format escapes backslashes; JSON.stringify never emits raw tabs or newlines. */
function copyLine(row: StagedRow): string {
  const properties = JSON.stringify(row.values).replace(/\\/g, '\\\\');
  const geometry = row.geometry ? JSON.stringify(row.geometry).replace(/\\/g, '\\\\') : '\\N';
  return `${row.rowNumber}\t${properties}\t${geometry}\t${row.refused ? 't' : 'f'}\n`;
}

/** Bulk-loads rows into the load table with COPY (one round trip per call). */
export async function copyIntoStaging(
  client: pg.PoolClient,
  table: string,
  rows: readonly StagedRow[],
) {
  if (rows.length === 0) return;
  const stream = client.query(
    copyFrom(`COPY ${table} (row_number, properties, geometry, refused) FROM STDIN`),
  );
  await pipeline(Readable.from([rows.map(copyLine).join('')]), stream);
}

/**
 * Loads rows with one multi-row INSERT: the fallback for servers where COPY FROM STDIN does
 * not work (the embedded database), about three times slower than COPY.
 */
export async function insertIntoStaging(
  client: pg.PoolClient,
  table: string,
  rows: readonly StagedRow[],
) {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} (row_number, properties, geometry, refused)
     SELECT r, p, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326), f
     FROM unnest($1::bigint[], $2::jsonb[], $3::text[], $4::boolean[]) AS t(r, p, g, f)`,
    [
      rows.map((r) => r.rowNumber),
      rows.map((r) => JSON.stringify(r.values)),
      rows.map((r) => (r.geometry ? JSON.stringify(r.geometry) : null)),
      rows.map((r) => r.refused),
    ],
  );
}

/**
 * Rows whose value of a unique attribute repeats an earlier row of the same file, with the
 * row they repeat. (Values already held by stored features are found by the validation.)
 */
export async function selectRepeatedUniqueValues(
  db: Queryable,
  layer: LayerDefinition,
  table: string,
): Promise<RejectionRow[]> {
  const repeated: RejectionRow[] = [];
  for (const attribute of layer.attributes.filter((a) => a.unique && !a.computed)) {
    const result = await db.query<{ row: number; value: string; first: number }>(
      `SELECT row, value, first FROM (
         SELECT row_number AS row, properties->>$1 AS value,
           min(row_number) OVER (PARTITION BY properties->>$1) AS first
         FROM ${table} WHERE NOT refused AND properties->>$1 IS NOT NULL) numbered
       WHERE row <> first ORDER BY row`,
      [attribute.name],
    );
    for (const r of result.rows) {
      const reason = `${attribute.name} must be unique; ${r.value} is already used by row ${r.first} of this file.`;
      repeated.push({ row: r.row, field: attribute.name, reason });
    }
  }
  return repeated;
}

/** Removes rows from the load table (those refused after loading). */
export async function deleteStagedRows(db: Queryable, table: string, rowNumbers: number[]) {
  if (rowNumbers.length === 0) return;
  await db.query(`DELETE FROM ${table} WHERE row_number = ANY($1::bigint[])`, [rowNumbers]);
}

/** Who writes, for the history trigger and `updated_by`. */
export interface WriterContext {
  actor: string;
  /** Recorded with each history row: `import <jobId>`; undo finds the job's rows by it. */
  note: string;
}

/** Names the writer for the history trigger, for the current transaction only. */
export async function setWriterContext(client: Queryable, writer: WriterContext) {
  await client.query(
    `SELECT set_config('simpul.actor', $1, true), set_config('simpul.client', 'import', true),
       set_config('simpul.note', $2, true)`,
    [writer.actor, writer.note],
  );
}

function writableColumns(layer: LayerDefinition): string[] {
  return layer.attributes.filter((a) => !a.computed).map((a) => quoteIdentifier(a.name));
}

/** Deletes every feature of the layer (inside the caller's transaction); returns how many. */
export async function deleteAllFeatures(client: Queryable, layer: LayerDefinition) {
  const result = await client.query(`DELETE FROM ${quoteIdentifier(layer.id)}`);
  return result.rowCount ?? 0;
}

function stagedGeometry(layer: LayerDefinition): string {
  const promote = layer.geometry.type.startsWith('Multi') ? 'ST_Multi' : '';
  return `${promote}(s.geometry)`;
}

/**
 * Inserts the loaded rows into the layer in file order (inside the caller's transaction);
 * `jsonb_populate_record` with the layer's own row type converts each value to its column type.
 * With `newKeysOnly`, rows whose value of that attribute a feature already holds are skipped.
 */
export async function insertStagedRows(
  client: Queryable,
  layer: LayerDefinition,
  table: string,
  actor: string,
  newKeysOnly?: string,
) {
  const target = quoteIdentifier(layer.id);
  const columns = writableColumns(layer);
  const values = columns.map((c) => `r.${c}`);
  const key = newKeysOnly && quoteIdentifier(newKeysOnly);
  const onlyNew = key ? `AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.${key} = r.${key})` : '';
  const result = await client.query(
    `INSERT INTO ${target} (${[...columns, 'geom', 'updated_by'].join(', ')})
     SELECT ${values.join(', ')}, ${stagedGeometry(layer)}, $1
     FROM ${table} s
     CROSS JOIN LATERAL jsonb_populate_record(NULL::${target}, s.properties) r
     WHERE NOT s.refused ${onlyNew}
     ORDER BY s.row_number`,
    [actor],
  );
  return result.rowCount ?? 0;
}

/**
 * Deletes the features whose `key` value no loaded row holds (inside the caller's
 * transaction); the records of those features go with them (the foreign key cascades).
 */
export async function deleteFeaturesMissingFrom(
  client: Queryable,
  layer: LayerDefinition,
  table: string,
  key: string,
) {
  const column = quoteIdentifier(key);
  const result = await client.query(
    `DELETE FROM ${quoteIdentifier(layer.id)} t WHERE NOT EXISTS (
       SELECT 1 FROM ${table} s WHERE NOT s.refused AND s.properties->>$1 = t.${column}::text)`,
    [key],
  );
  return result.rowCount ?? 0;
}

/**
 * Updates, as a new version, each feature whose `key` value a loaded row holds, with that row's
 * attributes and geometry (inside the caller's transaction): its id and records stay.
 */
export async function updateFeaturesFromStaging(
  client: Queryable,
  layer: LayerDefinition,
  table: string,
  key: string,
  actor: string,
) {
  const target = quoteIdentifier(layer.id);
  const columns = writableColumns(layer);
  const assignments = columns.map((c) => `${c} = r.${c}`);
  const result = await client.query(
    `UPDATE ${target} t SET ${assignments.join(', ')}, geom = ${stagedGeometry(layer)},
       version = t.version + 1, updated_at = now(), updated_by = $1
     FROM ${table} s CROSS JOIN LATERAL jsonb_populate_record(NULL::${target}, s.properties) r
     WHERE NOT s.refused AND t.${quoteIdentifier(key)} = r.${quoteIdentifier(key)}`,
    [actor],
  );
  return result.rowCount ?? 0;
}

/** Import load tables left behind by a server that stopped mid-import (to be dropped). */
export async function selectOrphanStagingTables(db: Queryable) {
  const result = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relkind = 'r' AND c.relname LIKE 'simpul\\_import\\_staging\\_%'
       AND NOT EXISTS (SELECT 1 FROM simpul_import_job j
         WHERE replace(j.id::text, '-', '') = substr(c.relname, 23)
           AND j.status IN ('running', 'committing') AND NOT ${staleJobCondition})`,
  );
  return result.rows.map((r) => r.name);
}

/** How many of these rows of the load table were not refused before loading. */
export async function countUnrefusedRows(db: Queryable, table: string, rowNumbers: number[]) {
  if (rowNumbers.length === 0) return 0;
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE NOT refused AND row_number = ANY($1::bigint[])`,
    [rowNumbers],
  );
  return result.rows[0]!.n;
}

/** True when the layer holds no feature (inside the caller's transaction). */
export async function isLayerEmpty(db: Queryable, layer: LayerDefinition): Promise<boolean> {
  const table = quoteIdentifier(layer.id);
  const result = await db.query<{ empty: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`,
  );
  return result.rows[0]!.empty;
}

/** Drops the layer's spatial index (inside the caller's transaction, which then locks it). */
export async function dropSpatialIndex(db: Queryable, layer: LayerDefinition) {
  await db.query(dropSpatialIndexStatement(layer));
}

/** Builds the layer's spatial index again, in one pass over its rows. */
export async function createSpatialIndex(db: Queryable, layer: LayerDefinition) {
  await db.query(spatialIndexStatement(layer));
}
