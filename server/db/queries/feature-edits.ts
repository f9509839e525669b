import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier, SqlParameters, woundAsGeoJson } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** Who makes the edits of the current transaction, as the history trigger records them. */
export interface EditAuthor {
  actor: string;
  client: string;
  requestId?: string;
  /** Free text kept with each history row of the transaction, e.g. "restore of version 3". */
  note?: string;
}

/** Names the author of the current transaction's edits (settings local to the transaction). */
export async function setEditAuthor(db: Queryable, author: EditAuthor) {
  await db.query(
    `SELECT set_config('simpul.actor', $1, true), set_config('simpul.client', $2, true),
      set_config('simpul.request_id', $3, true), set_config('simpul.note', $4, true)`,
    [author.actor, author.client, author.requestId ?? '', author.note ?? ''],
  );
}

/** A geometry to write: GeoJSON in EPSG:4326, or a stored one as hex EWKB (copied exactly). */
export type GeometryToWrite = object | { ewkbHex: string };

function geometryValue(params: SqlParameters, geometry: GeometryToWrite): string {
  if ('ewkbHex' in geometry)
    return `ST_GeomFromEWKB(decode(${params.add(geometry.ewkbHex)}, 'hex'))`;
  return `ST_SetSRID(ST_GeomFromGeoJSON(${params.add(JSON.stringify(geometry))}), 4326)`;
}

/**
 * Inserts a feature from validated values and a GeoJSON geometry already of the declared type
 * (EPSG:4326). `id` and `version` are given only when a deleted feature is brought back.
 */
export async function insertFeatureRow(
  db: Queryable,
  layer: LayerDefinition,
  row: { values: Record<string, unknown>; geometry: GeometryToWrite; actor: string },
  identity: { id?: number; version?: number } = {},
) {
  const params = new SqlParameters();
  const names = Object.keys(row.values);
  const columns = [...names.map(quoteIdentifier), 'geom', 'updated_by'];
  const values = names.map((name) => params.add(row.values[name]));
  values.push(geometryValue(params, row.geometry), params.add(row.actor));
  if (identity.id !== undefined) {
    columns.push('id', 'version');
    values.push(params.add(identity.id), params.add(identity.version ?? 1));
  }
  const sql = `INSERT INTO ${quoteIdentifier(layer.id)} (${columns.join(', ')})
    VALUES (${values.join(', ')}) RETURNING id, version`;
  const result = await db.query<{ id: number; version: number }>(sql, params.values);
  return result.rows[0]!;
}

/**
 * Updates the given columns (and the geometry when given) of the feature only if it still
 * has `expectedVersion`, bumping the version; undefined when the id or version did not match.
 * Of concurrent writers holding the same version exactly one matches.
 */
export async function updateFeatureRow(
  db: Queryable,
  layer: LayerDefinition,
  target: { id: number; expectedVersion: number },
  row: { values: Record<string, unknown>; geometry?: GeometryToWrite; actor: string },
) {
  const params = new SqlParameters();
  const sets = Object.keys(row.values).map(
    (name) => `${quoteIdentifier(name)} = ${params.add(row.values[name])}`,
  );
  if (row.geometry !== undefined) sets.push(`geom = ${geometryValue(params, row.geometry)}`);
  sets.push('version = version + 1', 'updated_at = now()', `updated_by = ${params.add(row.actor)}`);

  const sql = `UPDATE ${quoteIdentifier(layer.id)} SET ${sets.join(', ')}
    WHERE id = ${params.add(target.id)} AND version = ${params.add(target.expectedVersion)}
    RETURNING id, version`;
  const result = await db.query<{ id: number; version: number }>(sql, params.values);
  return result.rows[0];
}

/**
 * True when the feature is at `expectedVersion` and `updateFeatureRow` with these values (and
 * geometry, when given) would store exactly what it holds: each value compared as its column
 * reads it, as the update would store it, and the geometry as PostGIS stores it (the same
 * coordinates in the same order, `=` on geometry), not as JSON text. Other columns stay as
 * they are in an update, so they are not compared.
 */
export async function isFeatureUnchangedBy(
  db: Queryable,
  layer: LayerDefinition,
  target: { id: number; expectedVersion: number },
  row: { values: Record<string, unknown>; geometry?: GeometryToWrite },
) {
  const params = new SqlParameters();
  const same = Object.keys(row.values).map(
    (name) => `${quoteIdentifier(name)} IS NOT DISTINCT FROM ${params.add(row.values[name])}`,
  );
  if (row.geometry !== undefined) same.push(`geom = ${geometryValue(params, row.geometry)}`);

  const sql = `SELECT EXISTS (SELECT 1 FROM ${quoteIdentifier(layer.id)}
    WHERE id = ${params.add(target.id)} AND version = ${params.add(target.expectedVersion)}
      ${same.map((condition) => `AND ${condition}`).join(' ')}) AS unchanged`;
  const result = await db.query<{ unchanged: boolean }>(sql, params.values);
  return result.rows[0]!.unchanged;
}

/**
 * True when `geometry` is the feature's stored geometry exactly as the feature API shows it,
 * its coordinates rounded to `shownIn.decimals`: in EPSG:4326 (longitude first), or in the
 * projected CRS of `shownIn.srid` (UTM, Web Mercator) when the client read and sent it there.
 * Stored coordinates often carry more digits (drawn in the web map, reprojected from UTM), so a
 * client sending back the geometry it read, as the web editor does with every attribute edit,
 * would otherwise move the feature by up to half the last decimal and count as a change.
 */
export async function isStoredGeometryAsShown(
  db: Queryable,
  layer: LayerDefinition,
  featureId: number,
  geometry: GeometryToWrite,
  shownIn: { srid: number; decimals: number },
) {
  const params = new SqlParameters();
  const srid = `${params.add(shownIn.srid)}::int`;
  const stored = woundAsGeoJson('geom');
  const projected = shownIn.srid === 4326 ? stored : `ST_Transform(${stored}, ${srid})`;
  const printed = `ST_AsGeoJSON(${projected}, ${params.add(shownIn.decimals)}::int)`;
  const shown = `ST_SetSRID(ST_GeomFromGeoJSON(${printed}), ${srid})`;
  // the API winds rings as RFC 7946 has them: a polygon sent back either way is as shown
  const sent =
    shownIn.srid === 4326
      ? geometryValue(params, geometry)
      : `ST_SetSRID(ST_GeomFromGeoJSON(${params.add(JSON.stringify(geometry))}), ${srid})`;
  const sql = `SELECT ${woundAsGeoJson(shown)} = ${woundAsGeoJson(sent)} AS "asShown"
    FROM ${quoteIdentifier(layer.id)} WHERE id = ${params.add(featureId)}`;
  const result = await db.query<{ asShown: boolean }>(sql, params.values);
  return result.rows[0]?.asShown ?? false;
}

/** Deletes the feature only if it still has `expectedVersion`; false when nothing matched. */
export async function deleteFeatureRow(
  db: Queryable,
  layer: LayerDefinition,
  target: { id: number; expectedVersion: number },
) {
  const sql = `DELETE FROM ${quoteIdentifier(layer.id)} WHERE id = $1 AND version = $2`;
  const result = await db.query(sql, [target.id, target.expectedVersion]);
  return result.rowCount === 1;
}

/** The current version of a feature, or undefined when it does not exist. */
export async function selectFeatureVersion(db: Queryable, layer: LayerDefinition, id: number) {
  const sql = `SELECT version FROM ${quoteIdentifier(layer.id)} WHERE id = $1`;
  const result = await db.query<{ version: number }>(sql, [id]);
  return result.rows[0]?.version;
}

/**
 * A feature as just written, in CRS84 with 7 decimals (about 1 cm), read inside the writing
 * transaction so the answer shows exactly what was committed; undefined when absent.
 */
export async function selectWrittenFeature(db: Queryable, layer: LayerDefinition, id: number) {
  const pairs = layer.attributes.map((a) => `'${a.name}', ${quoteIdentifier(a.name)}`);
  const sql = `SELECT id, version, json_build_object(${pairs.join(', ')}) AS properties,
      ST_AsGeoJSON(${woundAsGeoJson('geom')}, 7)::json AS geometry
    FROM ${quoteIdentifier(layer.id)} WHERE id = $1`;
  const result = await db.query<{
    id: number;
    version: number;
    properties: Record<string, unknown>;
    geometry: unknown;
  }>(sql, [id]);
  return result.rows[0];
}
