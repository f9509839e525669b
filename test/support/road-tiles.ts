import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import type { TileCoord } from '../../server/tiles/tile-grid.js';

/** The XYZ tile holding a point (lon/lat degrees) at a zoom. */
export function tileAt(lon: number, lat: number, z: number): TileCoord {
  const size = 2 ** z;
  const radians = (lat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * size);
  const y = Math.floor(
    ((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * size,
  );
  return { z, x, y };
}

/** Two places in the regency, far apart: tiles of one are untouched by a change at the other. */
export const nearCilacap = { lon: 109.0012, lat: -7.7051 };
export const nearMajenang = { lon: 108.7611, lat: -7.3012 };

/** A road segment of a few tens of metres starting at a place, as WKT in EPSG:4326. */
export function shortRoadAt(place: { lon: number; lat: number }) {
  const { lon, lat } = place;
  return `MULTILINESTRING((${lon} ${lat}, ${lon + 0.0004} ${lat + 0.0003}))`;
}

/** The segment codes of the road features in an MVT tile (none when it has no road layer). */
export function segmentCodes(bytes: ArrayBuffer | Uint8Array): string[] {
  const tile = new VectorTile(new Pbf(new Uint8Array(bytes)));
  const layer = tile.layers.road_segment;
  if (!layer) return [];
  return Array.from({ length: layer.length }, (_, i) =>
    String(layer.feature(i).properties.segment_code),
  );
}

/**
 * The feature ids of the road features in an MVT tile: what tells a segment apart at every
 * zoom (its code travels only in close tiles).
 */
export function roadIds(bytes: ArrayBuffer | Uint8Array): string[] {
  const tile = new VectorTile(new Pbf(new Uint8Array(bytes)));
  const layer = tile.layers.road_segment;
  if (!layer) return [];
  return Array.from({ length: layer.length }, (_, i) => String(layer.feature(i).id));
}
