import GeoJsonVt from 'geojson-vt';
import vtpbf from 'vt-pbf';
import type { TileCoord, TileFeatureRow } from '../db/queries/tiles.js';
import { tileBuffer, tileExtent } from '../db/queries/tiles.js';

/**
 * Encodes one MVT 2.1 layer in the server, for databases without `ST_AsMVT` (the embedded
 * PostGIS). geojson-vt clips to the tile plus its buffer and quantises to the 4096 grid, as
 * `ST_AsMVTGeom` does; vt-pbf writes the protobuf. Returns an empty buffer for no features.
 */
export function encodeMvtLayer(layerId: string, tile: TileCoord, rows: TileFeatureRow[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);

  const collection: GeoJSON.FeatureCollection = {
    type: 'FeatureCollection',
    features: rows.map((row) => ({
      type: 'Feature',
      id: row.id,
      properties: row.properties,
      geometry: row.geometry,
    })),
  };
  const index = new GeoJsonVt(collection, {
    maxZoom: tile.z,
    indexMaxZoom: 0,
    extent: tileExtent,
    buffer: tileBuffer,
    tolerance: 1,
  });
  const encoded = index.getTile(tile.z, tile.x, tile.y);
  if (!encoded || encoded.features.length === 0) return Buffer.alloc(0);

  const bytes = vtpbf.fromGeojsonVt({ [layerId]: encoded }, { version: 2, extent: tileExtent });
  return Buffer.from(bytes);
}
