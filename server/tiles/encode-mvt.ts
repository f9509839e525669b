import vtpbf from 'vt-pbf';
import type { TileFeatureRow } from '../db/queries/tiles.js';
import { tileExtent } from './tile-grid.js';

type Position = number[];

/** A feature as vt-pbf takes it: MVT geometry type, points or parts in tile units, tags. */
interface EncodableFeature {
  id: number;
  type: 1 | 2 | 3;
  geometry: Position[] | Position[][];
  tags: Record<string, unknown>;
}

function encodableGeometry(
  geometry: GeoJSON.Geometry,
): Pick<EncodableFeature, 'type' | 'geometry'> {
  switch (geometry.type) {
    case 'Point':
      return { type: 1, geometry: [geometry.coordinates] };
    case 'MultiPoint':
      return { type: 1, geometry: geometry.coordinates };
    case 'LineString':
      return { type: 2, geometry: [geometry.coordinates] };
    case 'MultiLineString':
      return { type: 2, geometry: geometry.coordinates };
    case 'Polygon':
      return { type: 3, geometry: geometry.coordinates };
    case 'MultiPolygon':
      // MVT keeps the rings of all parts in one list; orientation tells exterior from hole.
      return { type: 3, geometry: geometry.coordinates.flat() };
    default:
      throw new Error(`no MVT encoding for ${geometry.type}`);
  }
}

/**
 * Encodes MVT 2.1 in the server, for databases without `ST_AsMVT` (the embedded PostGIS).
 * The rows arrive clipped, snapped to the 4096 grid and oriented by `selectTileFeatures`, so
 * this only writes the protobuf. A layer without features is left out; no layer at all gives
 * an empty buffer.
 */
export function encodeMvtTile(layers: { layerId: string; rows: TileFeatureRow[] }[]): Buffer {
  const encodable: Record<string, { features: EncodableFeature[] }> = {};
  for (const { layerId, rows } of layers) {
    if (rows.length === 0) continue;
    const features = rows.map((row) => ({
      id: row.id,
      tags: row.properties,
      ...encodableGeometry(row.geometry),
    }));
    encodable[layerId] = { features };
  }
  if (Object.keys(encodable).length === 0) return Buffer.alloc(0);

  const bytes = vtpbf.fromGeojsonVt(encodable, { version: 2, extent: tileExtent });
  return Buffer.from(bytes);
}
