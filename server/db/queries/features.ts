import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier, SqlParameters } from '../sql.js';

/** A feature row: its id, version, attribute values and GeoJSON geometry. */
export interface FeatureRow {
  id: number;
  version: number;
  properties: Record<string, unknown>;
  geometry: unknown;
}

/** Conditions on a layer's rows as SQL fragments over `$n` parameters collected in `params`. */
export interface FeatureConditions {
  clauses: string[];
  params: SqlParameters;
}

/** How a page of features is read: the conditions, the page and the output CRS. */
export interface FeaturePageQuery extends FeatureConditions {
  limit: number;
  offset: number;
  /** EPSG code of the output geometry; the storage CRS when equal to the layer's. */
  outputSrid: number;
  /** Decimal places of output coordinates. */
  precision: number;
  /** Attribute names to return; all attributes when undefined. */
  attributeNames?: string[];
  /** ORDER BY terms, already resolved through the declaration; the id always ends the order. */
  orderBy?: string[];
}

type Queryable = Pick<pg.Pool, 'query'>;

/** An empty set of conditions with a fresh parameter list. */
export function noConditions(): FeatureConditions {
  return { clauses: [], params: new SqlParameters() };
}

function whereClause(conditions: FeatureConditions): string {
  return conditions.clauses.length > 0 ? `WHERE ${conditions.clauses.join(' AND ')}` : '';
}

function geometryExpression(layer: LayerDefinition, srid: number, precision: number): string {
  const geom = srid === layer.geometry.srid ? 'geom' : `ST_Transform(geom, ${Number(srid)})`;
  return `ST_AsGeoJSON(${geom}, ${Number(precision)})::json`;
}

function propertiesExpression(names: string[]): string {
  if (names.length === 0) return `'{}'::jsonb`;
  const pairs = names.map((name) => `'${name}', ${quoteIdentifier(name)}`);
  return `jsonb_build_object(${pairs.join(', ')})`;
}

/** The attributes of a layer to read, checked against the declaration. */
function selectedNames(layer: LayerDefinition, names?: string[]): string[] {
  const declared = layer.attributes.map((a) => a.name);
  return names ? declared.filter((name) => names.includes(name)) : declared;
}

/** One page of a layer's features in the order asked, then by id (stable paging). */
export async function selectFeaturePage(
  db: Queryable,
  layer: LayerDefinition,
  query: FeaturePageQuery,
) {
  const names = selectedNames(layer, query.attributeNames);
  const params = query.params;
  const order = [...(query.orderBy ?? []), 'id'].join(', ');
  const sql = `SELECT id, version, ${propertiesExpression(names)} AS properties,
      ${geometryExpression(layer, query.outputSrid, query.precision)} AS geometry
    FROM ${quoteIdentifier(layer.id)} ${whereClause(query)}
    ORDER BY ${order}
    LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`;
  const result = await db.query<FeatureRow>(sql, params.values);
  return result.rows;
}

/** How many features match the conditions. */
export async function countFeatures(
  db: Queryable,
  layer: LayerDefinition,
  conditions: FeatureConditions,
) {
  const sql = `SELECT count(*)::int AS n FROM ${quoteIdentifier(layer.id)} ${whereClause(conditions)}`;
  const result = await db.query<{ n: number }>(sql, conditions.params.values);
  return result.rows[0]?.n ?? 0;
}

/** One feature by id, or undefined. */
export async function selectFeatureById(
  db: Queryable,
  layer: LayerDefinition,
  featureId: number,
  outputSrid: number,
  precision: number,
) {
  const names = selectedNames(layer);
  const sql = `SELECT id, version, ${propertiesExpression(names)} AS properties,
      ${geometryExpression(layer, outputSrid, precision)} AS geometry
    FROM ${quoteIdentifier(layer.id)} WHERE id = $1`;
  const result = await db.query<FeatureRow>(sql, [featureId]);
  return result.rows[0];
}

/** The bounding box of a layer in CRS84 as [minLon, minLat, maxLon, maxLat], or null if empty. */
export async function selectLayerExtent(db: Queryable, layer: LayerDefinition) {
  const sql = `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
    FROM (SELECT ST_Extent(geom)::geometry AS e FROM ${quoteIdentifier(layer.id)}) s`;
  const result = await db.query<{ x0: number | null; y0: number; x1: number; y1: number }>(sql);
  const row = result.rows[0];
  return row && row.x0 !== null ? [row.x0, row.y0, row.x1, row.y1] : null;
}

/**
 * Inserts a feature, or with `conflictAttribute` updates the row holding the same value of that
 * unique attribute. The geometry is GeoJSON in EPSG:4326, promoted to the declared multi type.
 * Returns the id and whether a row was inserted (false: updated); undefined when an existing
 * row already held exactly these values and nothing was written.
 */
export async function upsertFeature(
  db: Queryable,
  layer: LayerDefinition,
  properties: Record<string, unknown>,
  geometry: unknown,
  conflictAttribute?: string,
) {
  const params = new SqlParameters();
  const names = Object.keys(properties);
  const columns = [...names.map(quoteIdentifier), 'geom'];
  const values = names.map((name) => params.add(properties[name]));
  const geom = `ST_SetSRID(ST_GeomFromGeoJSON(${params.add(JSON.stringify(geometry))}), 4326)`;
  values.push(layer.geometry.type.startsWith('Multi') ? `ST_Multi(${geom})` : geom);

  let sql = `INSERT INTO ${quoteIdentifier(layer.id)} (${columns.join(', ')})
    VALUES (${values.join(', ')})`;
  if (conflictAttribute) {
    const updates = columns.map((c) => `${c} = EXCLUDED.${c}`);
    updates.push('version = t.version + 1', 'updated_at = now()');
    sql = sql.replace(
      `INSERT INTO ${quoteIdentifier(layer.id)}`,
      `INSERT INTO ${quoteIdentifier(layer.id)} AS t`,
    );
    const current = columns.map((c) => `t.${c}`).join(', ');
    const incoming = columns.map((c) => `EXCLUDED.${c}`).join(', ');
    sql += ` ON CONFLICT (${quoteIdentifier(conflictAttribute)}) DO UPDATE SET ${updates.join(', ')}
      WHERE (${current}) IS DISTINCT FROM (${incoming})`;
  }
  sql += ' RETURNING id, (xmax = 0) AS inserted';
  const result = await db.query<{ id: number; inserted: boolean }>(sql, params.values);
  return result.rows[0];
}
