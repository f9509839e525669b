import type pg from 'pg';
import type { AttributeDefinition, LayerDefinition } from '../../../layers/index.js';
import type { CrsDefinition } from '../../http/crs.js';
import { quoteIdentifier, SqlParameters, woundAsGeoJson } from '../sql.js';

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

/** One ORDER BY key, its name already checked against the declaration (or `id`). */
export interface OrderKey {
  name: string;
  descending: boolean;
}

/** How a page of features is read: the conditions, the page, the output CRS and attributes. */
export interface FeaturePageQuery extends FeatureConditions {
  limit: number;
  offset: number;
  /** CRS of the output geometry, with its axis order and precision. */
  crs: CrsDefinition;
  /** Attribute names to return; all attributes when undefined. */
  attributeNames?: string[];
  /** Sort keys; the id always ends the order, so paging is stable. */
  orderBy?: OrderKey[];
}

/** A page as GeoJSON text from the database, the rows it fetched (up to limit+1), its last id. */
export interface FeaturePageJson {
  featuresJson: string;
  fetched: number;
  lastId?: number;
}

type Queryable = Pick<pg.Pool, 'query'>;

/** An empty set of conditions with a fresh parameter list. */
export function noConditions(): FeatureConditions {
  return { clauses: [], params: new SqlParameters() };
}

function whereClause(conditions: FeatureConditions): string {
  return conditions.clauses.length > 0 ? `WHERE ${conditions.clauses.join(' AND ')}` : '';
}

/**
 * GeoJSON geometry in the requested CRS: transformed, axes swapped, rounded; no CRS member.
 * Polygon rings are wound as RFC 7946 has them (woundAsGeoJson) before any swap of axes.
 */
function geometryJson(layer: LayerDefinition, crs: CrsDefinition): string {
  const wound = woundAsGeoJson('geom');
  let geom =
    crs.srid === layer.geometry.srid ? wound : `ST_Transform(${wound}, ${Number(crs.srid)})`;
  if (crs.latitudeFirst) geom = `ST_FlipCoordinates(${geom})`;
  return `ST_AsGeoJSON(${geom}, ${Number(crs.decimals)}, 0)`;
}

/**
 * One attribute value as JSON text. Whole `number` values keep a decimal point (`1200.0`):
 * GDAL and QGIS infer field types from the first page, and would otherwise make a real
 * attribute an integer field and cut the fractions of later pages.
 */
function valueJson(attribute: AttributeDefinition): string {
  const column = quoteIdentifier(attribute.name);
  if (attribute.type !== 'number') return `coalesce(to_json(${column})::text, 'null')`;
  return `coalesce(CASE WHEN ${column} = trunc(${column}) AND abs(${column}) < 1e15
    THEN trunc(${column})::bigint::text || '.0' ELSE to_json(${column})::text END, 'null')`;
}

/** A JSON object of the given attributes as text, keys in declaration order. */
function propertiesJson(attributes: AttributeDefinition[]): string {
  if (attributes.length === 0) return `'{}'`;
  const members = attributes.map(
    (a, i) => `'${i === 0 ? '{' : ','}"${a.name}":' || ${valueJson(a)}`,
  );
  return `${members.join(' || ')} || '}'`;
}

/** The attributes of a layer to read, in declaration order; all when `names` is undefined. */
function selectedAttributes(layer: LayerDefinition, names?: string[]): AttributeDefinition[] {
  return names ? layer.attributes.filter((a) => names.includes(a.name)) : [...layer.attributes];
}

function orderSql(keys: OrderKey[]): string {
  const terms = keys.map((k) => {
    const column = k.name === 'id' ? 'id' : quoteIdentifier(k.name);
    return `${column} ${k.descending ? 'DESC' : 'ASC'}`;
  });
  return [...terms, 'id ASC'].join(', ');
}

/** One GeoJSON Feature as text: id, geometry in the requested CRS, then the properties. */
function featureJson(
  layer: LayerDefinition,
  crs: CrsDefinition,
  attributes: AttributeDefinition[],
): string {
  return `'{"type":"Feature","id":' || id || ',"geometry":' ||
    coalesce(${geometryJson(layer, crs)}, 'null') || ',"properties":' ||
    ${propertiesJson(attributes)} || '}'`;
}

/**
 * The SQL of one page of features in the order asked, then by id (stable paging). It reads
 * limit+1 rows so the caller knows whether a next page exists without counting, and builds the
 * GeoJSON in the database, so Node only relays text. `lastId` is the id of the page's last row,
 * for the next link of a page in id order.
 */
export function featurePageSql(layer: LayerDefinition, query: FeaturePageQuery) {
  const attributes = selectedAttributes(layer, query.attributeNames);
  const params = query.params;
  const order = orderSql(query.orderBy ?? []);
  const limit = params.add(query.limit);
  const sql = `SELECT count(*)::int AS fetched,
      coalesce(string_agg(feature, ',' ORDER BY n) FILTER (WHERE n <= ${limit}), '') AS features,
      (array_agg(id ORDER BY n DESC) FILTER (WHERE n <= ${limit}))[1] AS last_id
    FROM (
      SELECT row_number() OVER (ORDER BY ${order}) AS n, id,
        ${featureJson(layer, query.crs, attributes)} AS feature
      FROM (
        SELECT * FROM ${quoteIdentifier(layer.id)} ${whereClause(query)}
        ORDER BY ${order}
        LIMIT ${limit}::int + 1 OFFSET ${params.add(query.offset)}
      ) page
    ) numbered`;
  return { sql, values: params.values };
}

/** One page of features as GeoJSON text; see featurePageSql. */
export async function selectFeaturePageJson(
  db: Queryable,
  layer: LayerDefinition,
  query: FeaturePageQuery,
): Promise<FeaturePageJson> {
  const { sql, values } = featurePageSql(layer, query);
  type Row = { fetched: number; features: string; last_id: number | null };
  const row = (await db.query<Row>(sql, values)).rows[0]!;
  return {
    featuresJson: `[${row.features}]`,
    fetched: row.fetched,
    lastId: row.last_id ?? undefined,
  };
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

/** One feature by id in the requested CRS, with its version for the ETag; or undefined. */
export async function selectFeatureById(
  db: Queryable,
  layer: LayerDefinition,
  featureId: number,
  crs: CrsDefinition,
  attributeNames?: string[],
) {
  const attributes = selectedAttributes(layer, attributeNames);
  const sql = `SELECT id, version, (${propertiesJson(attributes)})::json AS properties,
      ${geometryJson(layer, crs)}::json AS geometry
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

/** The first and last value of the layer's time attribute as ISO text, or null when none. */
export async function selectTimeExtent(db: Queryable, layer: LayerDefinition) {
  if (!layer.timeAttribute) return null;
  const column = quoteIdentifier(layer.timeAttribute);
  const sql = `SELECT to_json(min(${column}))#>>'{}' AS first, to_json(max(${column}))#>>'{}' AS last
    FROM ${quoteIdentifier(layer.id)}`;
  const result = await db.query<{ first: string | null; last: string | null }>(sql);
  const row = result.rows[0];
  return row && row.first !== null ? [row.first, row.last] : null;
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
