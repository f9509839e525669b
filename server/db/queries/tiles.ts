import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../sql.js';

/** A tile address in the XYZ scheme (y counted from the top), Web Mercator. */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** MVT geometry space and the buffer beyond each edge, in tile units. */
export const tileExtent = 4096;
// 64-unit buffer: a line or label crossing a tile edge is cut the same way on both sides.
export const tileBuffer = 64;

type Queryable = Pick<pg.Pool, 'query'>;

function tileAttributes(layer: LayerDefinition): string[] {
  return layer.attributes.filter((a) => a.inTiles).map((a) => quoteIdentifier(a.name));
}

/**
 * One layer of a tile encoded by PostGIS (`ST_AsMVT`), named by the layer id, feature ids set.
 * Returns an empty buffer when no feature touches the tile.
 */
export async function selectMvtLayer(db: Queryable, layer: LayerDefinition, tile: TileCoord) {
  const columns = ['id', ...tileAttributes(layer)].join(', ');
  const sql = `WITH bounds AS (
      SELECT ST_TileEnvelope($1, $2, $3) AS env,
             ST_Transform(ST_TileEnvelope($1, $2, $3, margin => $4::float8 / $5), 4326) AS query_env
    ), rows AS (
      SELECT ${columns},
        ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.env, $5::int, $6::int, true) AS mvt_geom
      FROM ${quoteIdentifier(layer.id)} t, bounds
      WHERE t.geom && bounds.query_env
    )
    SELECT ST_AsMVT(rows, $7::text, $5::int, 'mvt_geom', 'id') AS mvt FROM rows WHERE mvt_geom IS NOT NULL`;
  const params = [tile.z, tile.x, tile.y, tileBuffer, tileExtent, tileBuffer, layer.id];
  const result = await db.query<{ mvt: Buffer | null }>(sql, params);
  return result.rows[0]?.mvt ?? Buffer.alloc(0);
}

/** A feature touching a tile, for encoding in the server: GeoJSON in EPSG:4326. */
export interface TileFeatureRow {
  id: number;
  properties: Record<string, unknown>;
  geometry: GeoJSON.Geometry;
}

/** The features touching a tile and its buffer, with their tile attributes, in EPSG:4326. */
export async function selectTileFeatures(db: Queryable, layer: LayerDefinition, tile: TileCoord) {
  const names = layer.attributes.filter((a) => a.inTiles).map((a) => a.name);
  const pairs = names.map((name) => `'${name}', ${quoteIdentifier(name)}`).join(', ');
  const sql = `WITH bounds AS (
      SELECT ST_Transform(ST_TileEnvelope($1, $2, $3, margin => $4::float8 / $5), 4326) AS env
    )
    SELECT id, jsonb_build_object(${pairs}) AS properties,
      ST_AsGeoJSON(ST_Intersection(t.geom, bounds.env), 7)::json AS geometry
    FROM ${quoteIdentifier(layer.id)} t, bounds
    WHERE t.geom && bounds.env AND ST_Intersects(t.geom, bounds.env)`;
  const result = await db.query<TileFeatureRow>(sql, [
    tile.z,
    tile.x,
    tile.y,
    tileBuffer,
    tileExtent,
  ]);
  return result.rows;
}
