import type { Place } from '../api/analysis-api.js';

type GeoJsonObject = {
  type?: string;
  geometry?: GeoJsonObject;
  features?: GeoJsonObject[];
  coordinates?: unknown;
};

function polygonsOf(geometry: GeoJsonObject | undefined): number[][][][] {
  if (geometry?.type === 'Polygon') return [geometry.coordinates as number[][][]];
  if (geometry?.type === 'MultiPolygon') return geometry.coordinates as number[][][][];
  throw new Error(`expected polygons, found ${geometry?.type ?? 'nothing'}`);
}

/**
 * The parcel of an uploaded GeoJSON text: a Polygon or MultiPolygon, a Feature of one, or a
 * FeatureCollection of polygons (joined into one MultiPolygon). Coordinates must be longitude
 * and latitude (EPSG:4326), as GeoJSON requires; the server checks them again.
 */
export function readParcelGeoJson(text: string): Place {
  const parsed = JSON.parse(text) as GeoJsonObject;
  const geometries =
    parsed.type === 'FeatureCollection'
      ? (parsed.features ?? []).map((feature) => feature.geometry)
      : [parsed.type === 'Feature' ? parsed.geometry : parsed];
  const polygons = geometries.flatMap(polygonsOf);
  if (polygons.length === 0) throw new Error('the file holds no polygon');
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons };
}
