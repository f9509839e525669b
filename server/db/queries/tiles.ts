import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { tileAttributesAt } from '../../../layers/tile-attributes.js';
import type { Generalisation } from '../../tiles/generalisation.js';
import { tileBuffer, tileExtent, type TileCoord } from '../../tiles/tile-grid.js';
import { mercatorColumn } from '../migrations/layer-schema.js';
import { quoteIdentifier } from '../sql.js';

export { tileBuffer, tileExtent, type TileCoord } from '../../tiles/tile-grid.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** How a tile query runs: generalisation, size cap, and whether it may be a prepared statement. */
export interface TileQueryOptions {
  generalisation: Generalisation;
  /** Encoded tiles longer than this come back as their length only, in bytes. */
  maxBytes: number;
  /** Use named (server-side prepared) statements; never on the single shared embedded session. */
  prepared: boolean;
}

/** An encoded tile, or only its length when it passed `maxBytes`. */
export interface EncodedTile {
  bytes: number;
  mvt: Buffer | null;
}

function isPointLayer(layer: LayerDefinition): boolean {
  return layer.geometry.type === 'Point' || layer.geometry.type === 'MultiPoint';
}

/**
 * The layer's geometry for a tile, from its stored Web Mercator copy (no reprojection per
 * row), simplified below the full-detail zoom.
 */
function sourceGeometry(layer: LayerDefinition, simplify: boolean): string {
  const geometry = `t.${mercatorColumn}`;
  if (!simplify || isPointLayer(layer)) return geometry;
  // preserveCollapsed: a small ring stays a ring instead of vanishing into nothing.
  return `ST_Simplify(${geometry}, bounds.tolerance, true)`;
}

/** The rows of a layer near a tile: its buffered envelope, minus features too small to see. */
function rowFilter(layer: LayerDefinition): string {
  const near = `t.${mercatorColumn} && bounds.clip_env`;
  if (isPointLayer(layer)) return near;
  // The box stored with the geometry: ST_XMax(geom) itself would walk every vertex.
  const box = `t.${mercatorColumn}::box2d`;
  const size = `greatest(ST_XMax(${box}) - ST_XMin(${box}), ST_YMax(${box}) - ST_YMin(${box}))`;
  return `${near} AND ${size} >= bounds.min_size`;
}

function boundsCte(): string {
  const margin = tileBuffer / tileExtent;
  return `bounds AS (
      SELECT ST_TileEnvelope($1, $2, $3) AS env,
        ST_TileEnvelope($1, $2, $3, margin => ${margin}) AS clip_env,
        $4::float8 AS tolerance, $5::float8 AS min_size
    )`;
}

/** Parameters shared by both tile queries; tolerance and size in Web Mercator metres. */
function tileParameters(tile: TileCoord, generalisation: Generalisation) {
  return [
    tile.z,
    tile.x,
    tile.y,
    generalisation.simplifyToleranceM,
    generalisation.minFeatureSizeM,
  ];
}

function layerMvtSql(layer: LayerDefinition, simplify: boolean, z: number): string {
  const attributes = tileAttributesAt(layer, z);
  const columns = ['t.id', ...attributes.map((a) => `t.${quoteIdentifier(a.name)}`)];
  const geometry = sourceGeometry(layer, simplify);
  return `(SELECT ST_AsMVT(r, '${layer.id}', ${tileExtent}, 'mvt_geom', 'id') FROM (
        SELECT ${columns.join(', ')},
          ST_AsMVTGeom(${geometry}, bounds.env, ${tileExtent}, ${tileBuffer}, true) AS mvt_geom
        FROM ${quoteIdentifier(layer.id)} t, bounds
        WHERE ${rowFilter(layer)}
      ) r)`;
}

interface Statement {
  text: string;
  name: string;
}

const statements = new Map<string, Statement>();

function cachedStatement(key: string, build: () => string): Statement {
  let statement = statements.get(key);
  if (!statement) {
    const text = build();
    const name = `tile_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statement = { text, name };
    statements.set(key, statement);
  }
  return statement;
}

function mvtStatement(layers: LayerDefinition[], simplify: boolean, z: number): Statement {
  // One statement per layer list and set of attributes: zooms carrying the same share it.
  const carried = layers.map((l) => `${l.id}(${tileAttributesAt(l, z).map((a) => a.name)})`);
  const key = `mvt:${simplify}:${carried.join(',')}`;
  return cachedStatement(key, () => {
    const parts = layers.map((layer) => `coalesce(${layerMvtSql(layer, simplify, z)}, '')`);
    // MATERIALIZED: the tile is read twice below and must be built once. ST_AsMVT skips the
    // rows whose ST_AsMVTGeom is NULL (outside the tile), so no filter computes it twice.
    // The bytes travel as base64 text: node-postgres reads every value as text, and bytea's
    // hex form is half as long again (measured: about 10 % less server time per cold tile).
    return `WITH ${boundsCte()},
      tile AS MATERIALIZED (SELECT ${parts.join(' || ')} AS mvt FROM bounds)
      SELECT octet_length(mvt) AS bytes,
        CASE WHEN octet_length(mvt) <= $6 THEN encode(mvt, 'base64') END AS mvt
      FROM tile`;
  });
}

/**
 * One tile of several layers encoded by PostGIS (`ST_AsMVT`) in one statement: an MVT layer
 * per declared layer, named by its id, with feature ids and the `inTiles` attributes.
 * Generalised per zoom; `ST_AsMVTGeom` snaps to the 4096 grid and repairs any polygon the
 * snap or the simplification made invalid. An empty buffer means no feature touches the tile.
 */
export async function selectMvtTile(
  db: Queryable,
  layers: LayerDefinition[],
  tile: TileCoord,
  options: TileQueryOptions,
): Promise<EncodedTile> {
  const simplify = options.generalisation.simplifyToleranceM > 0;
  const statement = mvtStatement(layers, simplify, tile.z);
  const values = [...tileParameters(tile, options.generalisation), options.maxBytes];

  const result = await db.query<{ bytes: number; mvt: string | null }>({
    text: statement.text,
    values,
    ...(options.prepared ? { name: statement.name } : {}),
  });
  const row = result.rows[0];
  // A null mvt is a tile over the limit; no row at all cannot happen (one row of bounds).
  if (!row) return { bytes: 0, mvt: Buffer.alloc(0) };
  return { bytes: row.bytes, mvt: row.mvt === null ? null : Buffer.from(row.mvt, 'base64') };
}

/** A feature of a tile for encoding in the server: geometry in tile units (0–4096, y down). */
export interface TileFeatureRow {
  id: number;
  properties: Record<string, unknown>;
  geometry: GeoJSON.Geometry;
}

function propertiesSql(layer: LayerDefinition, z: number): string {
  const pairs = tileAttributesAt(layer, z).map((a) => {
    const column = `t.${quoteIdentifier(a.name)}`;
    // ST_AsMVT writes dates and instants as their text form; the server encoder does the same.
    const value = a.type === 'date' || a.type === 'timestamp' ? `${column}::text` : column;
    return `'${a.name}', ${value}`;
  });
  return `jsonb_strip_nulls(jsonb_build_object(${pairs.join(', ')}))`;
}

/**
 * The steps of `ST_AsMVTGeom` spelt out for a PostGIS without protobuf: clip to the buffered
 * tile, move into tile units with y down, round to the integer grid keeping lines and polygons
 * valid, and orient rings (exterior counter-clockwise in tile units: positive area, as MVT 2.1
 * asks).
 */
function tileGeometrySql(layer: LayerDefinition, simplify: boolean): string {
  let mercator = sourceGeometry(layer, simplify);
  // ST_Simplify can make a ring cross itself, and ST_ClipByBox2D turns such a polygon inside
  // out (the whole buffered tile minus the feature), so a simplified polygon is repaired first.
  if (simplify && layer.geometry.type === 'MultiPolygon') mercator = `ST_MakeValid(${mercator})`;
  const inTileUnits = `ST_TransScale(ST_ClipByBox2D(${mercator}, bounds.clip_env),
      -ST_XMin(bounds.env), -ST_YMax(bounds.env), bounds.scale, -bounds.scale)`;
  if (isPointLayer(layer)) return `ST_RemoveRepeatedPoints(ST_SnapToGrid(${inTileUnits}, 1))`;
  // Simplifying and clipping may leave a polygon invalid, and ST_ReducePrecision needs a valid
  // input. It then rounds to the integer grid and keeps the result valid: collapsed rings and
  // lines drop out, and no repair leaves a vertex between grid points (as ST_MakeValid would).
  const snapped = `ST_ReducePrecision(ST_MakeValid(${inTileUnits}), 1)`;
  if (layer.geometry.type === 'MultiPolygon') {
    return `ST_ForcePolygonCCW(ST_CollectionExtract(${snapped}, 3))`;
  }
  return `ST_CollectionExtract(${snapped}, 2)`;
}

/**
 * The features of one layer touching a tile, generalised and in tile units, for the server's
 * own MVT encoder (`server/tiles/encode-mvt.ts`), with their `inTiles` attributes.
 */
export async function selectTileFeatures(
  db: Queryable,
  layer: LayerDefinition,
  tile: TileCoord,
  generalisation: Generalisation,
): Promise<TileFeatureRow[]> {
  const simplify = generalisation.simplifyToleranceM > 0;
  const values = tileParameters(tile, generalisation);
  const text = tileFeaturesSql(layer, simplify, tile.z);
  const result = await db.query<TileFeatureRow>(text, values);
  return result.rows;
}

function tileFeaturesSql(layer: LayerDefinition, simplify: boolean, z: number): string {
  return `WITH ${boundsCte()}, scaled AS (
      SELECT bounds.*, ${tileExtent} / (ST_XMax(bounds.env) - ST_XMin(bounds.env)) AS scale
      FROM bounds
    ), shaped AS (
      SELECT t.id, ${propertiesSql(layer, z)} AS properties,
        ${tileGeometrySql(layer, simplify)} AS tile_geom
      FROM ${quoteIdentifier(layer.id)} t, scaled bounds
      WHERE ${rowFilter(layer)}
    )
    SELECT id, properties, ST_AsGeoJSON(tile_geom)::json AS geometry
    FROM shaped WHERE tile_geom IS NOT NULL AND NOT ST_IsEmpty(tile_geom)
    ORDER BY id`;
}

/**
 * The SQL texts a layer's tiles are cut with, by either encoder, simplified or not: a tile
 * cache saved by a server whose texts differ (another generalisation, other tile attributes)
 * holds tiles of another format.
 */
export function tileSqlTexts(layer: LayerDefinition): string[] {
  const texts = new Set<string>();
  for (let z = layer.zoom.min; z <= layer.zoom.max; z += 1) {
    for (const simplify of [false, true]) {
      texts.add(mvtStatement([layer], simplify, z).text);
      texts.add(tileFeaturesSql(layer, simplify, z));
    }
  }
  return [...texts];
}
