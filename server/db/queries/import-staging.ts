/**
 * The load table of an import: rows are bulk-loaded into it with COPY while the file is read,
 * each attribute in a column of the layer's own type and the geometry as WKB (hexadecimal in
 * COPY text), which PostgreSQL reads several times faster than GeoJSON or jsonb text. The rows
 * are checked there set-wise, then the valid rows are moved into the layer in one transaction.
 * Until that transaction commits the layer is untouched, so a cancelled or refused import
 * leaves nothing behind.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import type { StoredGeometry } from '../../../layers/validate-geometry.js';
import { dropSpatialIndexStatement, spatialIndexStatement } from '../migrations/layer-schema.js';
import { quoteIdentifier } from '../sql.js';
import { staleJobCondition, type RejectionRow } from './import-jobs.js';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * A row to load: its source row number, values and geometry (GeoJSON in EPSG:4326). A row
 * `refused` by a check made before loading carries no values (but the key of a replace by key)
 * and is never written; it is loaded so that its geometry's problems are reported with the
 * others, and its feature left as it was by a replace by key.
 */
export interface StagedRow {
  rowNumber: number;
  values: Record<string, unknown>;
  /** As validated, in EPSG:4326 (the load column's SRID); absent when it was refused. */
  geometry: StoredGeometry | undefined;
  refused: boolean;
}

/** The load table of a job (an ordinary unlogged table, so any pooled session sees it). */
export function stagingTableName(jobId: string): string {
  return quoteIdentifier(`simpul_import_staging_${jobId.replace(/-/g, '')}`);
}

/** The columns every load table has before the layer's attributes. */
const stagingColumns = ['row_number', 'refused', 'geometry'];

/** The layer's attributes an import writes, in the order of the load table's columns. */
function writableAttributeNames(layer: LayerDefinition): string[] {
  return layer.attributes.filter((a) => !a.computed).map((a) => a.name);
}

/**
 * Creates the empty load table: the row number, the refusal flag, the geometry, and a column
 * per writable attribute with the type of the layer's column (taken from the layer's table).
 */
export async function createStagingTable(db: Queryable, table: string, layer: LayerDefinition) {
  const names = writableAttributeNames(layer);
  const clash = names.find((name) => stagingColumns.includes(name));
  if (clash) throw new Error(`${layer.id}.${clash} has the name of a load table column`);
  const columns = [
    'NULL::bigint AS row_number',
    'NULL::boolean AS refused',
    'NULL::geometry(Geometry, 4326) AS geometry',
    ...names.map(quoteIdentifier),
  ];
  await db.query(`CREATE UNLOGGED TABLE ${table} AS
    SELECT ${columns.join(', ')} FROM ${quoteIdentifier(layer.id)} WITH NO DATA`);
}

/** Drops the load table if it exists. */
export async function dropStagingTable(db: Queryable, table: string) {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
}

/** The COPY stream and WKB encoder, loaded by the first import rather than by every process. */
async function copyLibraries() {
  const [{ from: copyFrom }, { default: wkx }] = await Promise.all([
    import('pg-copy-streams'),
    import('wkx'),
  ]);
  /** A geometry as hexadecimal WKB; its SRID is the load column's (EPSG:4326). */
  const toWkbHex = (geometry: StoredGeometry) =>
    wkx.Geometry.parseGeoJSON(geometry).toWkb().toString('hex');
  return { copyFrom, toWkbHex };
}

/** A value in COPY text format: `\N` for null, backslash, tab and line ends escaped. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, escapeCopyCharacter) : text;
}

const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCopyCharacter(character: string): string {
  return copyEscapes[character]!;
}

/** One row in COPY text format, columns in the load table's order. */
function copyLine(
  row: StagedRow,
  names: readonly string[],
  toWkbHex: (geometry: StoredGeometry) => string,
): string {
  const geometry = row.geometry ? toWkbHex(row.geometry) : '\\N';
  const fields = [row.rowNumber, row.refused ? 't' : 'f', geometry];
  for (const name of names) fields.push(copyValue(row.values[name]));
  return `${fields.join('\t')}\n`;
}

/** Bulk-loads rows into the load table with COPY (one round trip per call). */
export async function copyIntoStaging(
  client: pg.PoolClient,
  table: string,
  layer: LayerDefinition,
  rows: readonly StagedRow[],
) {
  if (rows.length === 0) return;
  const names = writableAttributeNames(layer);
  const columns = [...stagingColumns, ...names.map(quoteIdentifier)].join(', ');
  const { copyFrom, toWkbHex } = await copyLibraries();
  const stream = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  const text = rows.map((row) => copyLine(row, names, toWkbHex)).join('');
  await pipeline(Readable.from([text]), stream);
}

/**
 * Loads rows with one INSERT of a JSON array (each value read by its column's type, as COPY
 * reads it): the fallback for servers where COPY FROM STDIN does not work (the embedded
 * database), about three times slower than COPY.
 */
export async function insertIntoStaging(
  client: pg.PoolClient,
  table: string,
  _layer: LayerDefinition,
  rows: readonly StagedRow[],
) {
  if (rows.length === 0) return;
  const { toWkbHex } = await copyLibraries();
  const records = rows.map((row) => ({
    ...row.values,
    row_number: row.rowNumber,
    refused: row.refused,
    geometry: row.geometry ? toWkbHex(row.geometry) : null,
  }));
  await client.query(
    `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
    [JSON.stringify(records)],
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
    const column = quoteIdentifier(attribute.name);
    const result = await db.query<{ row: number; value: string; first: number }>(
      `SELECT row, value, first FROM (
         SELECT row_number AS row, ${column}::text AS value,
           min(row_number) OVER (PARTITION BY ${column}) AS first
         FROM ${table} WHERE NOT refused AND ${column} IS NOT NULL) numbered
       WHERE row <> first ORDER BY row`,
    );
    for (const r of result.rows) {
      const reason =
        `${attribute.name} must be unique; ${r.value} is already used by row ${r.first} ` +
        'of this file.';
      const params = { value: r.value, firstRow: r.first };
      repeated.push({ row: r.row, field: attribute.name, reason, code: 'not-unique', params });
    }
  }
  return repeated;
}

/**
 * Marks rows of the load table refused (by a check after loading): never written, their key
 * still naming the feature a replace by key leaves as it was.
 */
export async function refuseStagedRows(db: Queryable, table: string, rowNumbers: number[]) {
  if (rowNumbers.length === 0) return;
  await db.query(`UPDATE ${table} SET refused = true WHERE row_number = ANY($1::bigint[])`, [
    rowNumbers,
  ]);
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
  return writableAttributeNames(layer).map(quoteIdentifier);
}

/**
 * Locks the layer against every other writer until the caller's transaction ends (a mode that
 * conflicts with itself and with INSERT, UPDATE and DELETE, not with SELECT), so that an
 * import writes into the layer as the writer before it left it: a replace deletes what is
 * there, an append finds the unique values stored since it checked its rows.
 */
export async function lockLayerAgainstWriters(client: Queryable, layer: LayerDefinition) {
  await client.query(`LOCK TABLE ${quoteIdentifier(layer.id)} IN SHARE ROW EXCLUSIVE MODE`);
}

/**
 * Rows of the load table whose value of a unique attribute a feature of the layer holds, with
 * that feature: a value stored by another writer after the rows were checked. Reliable only
 * while the layer is locked against writers (`lockLayerAgainstWriters`).
 */
export async function selectStagedValuesTaken(
  db: Queryable,
  layer: LayerDefinition,
  table: string,
): Promise<RejectionRow[]> {
  const taken: RejectionRow[] = [];
  for (const attribute of layer.attributes.filter((a) => a.unique && !a.computed)) {
    const column = quoteIdentifier(attribute.name);
    const result = await db.query<{ row: number; value: string; id: number }>(
      `SELECT s.row_number AS row, s.${column}::text AS value, t.id
       FROM ${table} s JOIN ${quoteIdentifier(layer.id)} t ON t.${column} = s.${column}
       WHERE NOT s.refused ORDER BY s.row_number`,
    );
    for (const r of result.rows) {
      const reason =
        `${attribute.name} must be unique; ${r.value} already exists in feature ${r.id}, ` +
        'stored by another writer while this import ran.';
      const params = { value: r.value };
      taken.push({ row: r.row, field: attribute.name, reason, code: 'not-unique', params });
    }
  }
  return taken;
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

/** Which loaded rows `insertStagedRows` writes; by default all of them. */
export interface StagedRowChoice {
  /** Only rows whose value of this attribute no feature holds yet (a replace by key). */
  newKeysOnly?: string;
  /** Only rows numbered after the first and up to the second (`indexStagedRowNumbers`). */
  rowNumbers?: [after: number, upTo: number];
}

/** Inserts the loaded rows into the layer in file order (inside the caller's transaction). */
export async function insertStagedRows(
  client: Queryable,
  layer: LayerDefinition,
  table: string,
  actor: string,
  choice: StagedRowChoice = {},
) {
  const target = quoteIdentifier(layer.id);
  const columns = writableColumns(layer);
  const values = columns.map((c) => `s.${c}`);
  const conditions = ['NOT s.refused'];
  const key = choice.newKeysOnly && quoteIdentifier(choice.newKeysOnly);
  if (key) conditions.push(`NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.${key} = s.${key})`);
  const parameters: unknown[] = [actor];
  if (choice.rowNumbers) {
    conditions.push('s.row_number > $2 AND s.row_number <= $3');
    parameters.push(...choice.rowNumbers);
  }
  const result = await client.query(
    `INSERT INTO ${target} (${[...columns, 'geom', 'updated_by'].join(', ')})
     SELECT ${values.join(', ')}, ${stagedGeometry(layer)}, $1
     FROM ${table} s
     WHERE ${conditions.join(' AND ')}
     ORDER BY s.row_number`,
    parameters,
  );
  return result.rowCount ?? 0;
}

/**
 * Indexes the load table by row number, so that rows are taken from it a range at a time
 * without reading the whole table for each range.
 */
export async function indexStagedRowNumbers(db: Queryable, table: string) {
  await db.query(`CREATE INDEX ON ${table} (row_number)`);
}

/**
 * The features whose `key` value only refused rows hold: a replace by key leaves them as they
 * were, since the file holds them, if not in a form that can be written.
 */
export async function countFeaturesOfRefusedRowsOnly(
  client: Queryable,
  layer: LayerDefinition,
  table: string,
  key: string,
) {
  const column = quoteIdentifier(key);
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${quoteIdentifier(layer.id)} t
     WHERE EXISTS (SELECT 1 FROM ${table} s WHERE s.refused AND s.${column} = t.${column})
       AND NOT EXISTS (
         SELECT 1 FROM ${table} s WHERE NOT s.refused AND s.${column} = t.${column})`,
  );
  return result.rows[0]!.n;
}

/**
 * Deletes the features whose `key` value no loaded row holds, refused or not (inside the
 * caller's transaction); the records of those features go with them (the foreign key
 * cascades). A valid-only replace deleted the road segment of a row refused for a typo, with
 * its years of condition surveys.
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
       SELECT 1 FROM ${table} s WHERE s.${column} = t.${column})`,
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
  const assignments = columns.map((c) => `${c} = s.${c}`);
  const column = quoteIdentifier(key);
  const result = await client.query(
    `UPDATE ${target} t SET ${assignments.join(', ')}, geom = ${stagedGeometry(layer)},
       version = t.version + 1, updated_at = now(), updated_by = $1
     FROM ${table} s
     WHERE NOT s.refused AND t.${column} = s.${column}`,
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

/** The highest row number of the load table; 0 when it holds no row. */
export async function selectLastStagedRow(db: Queryable, table: string): Promise<number> {
  const sql = `SELECT coalesce(max(row_number), 0)::float8 AS last FROM ${table}`;
  const result = await db.query<{ last: number }>(sql);
  return result.rows[0]!.last;
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
