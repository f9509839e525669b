/**
 * Geometry glue between OpenLayers (EPSG:3857 on the map) and the feature API (CRS84), and the
 * draw type each declared geometry type needs.
 */
import type Feature from 'ol/Feature.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import type { Type as DrawType } from 'ol/geom/Geometry.js';
import type { GeometryType } from '../../layers/types.js';
import type { Geometry, WorkingFeature } from './edit-session.js';

const format = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

/** Seven decimals of a degree (about 1 cm): what the server keeps in its answers. */
const decimals = 7;

/** The single-part type to draw for a declared type; drawn parts are promoted when stored. */
export function drawTypeOf(type: GeometryType): DrawType {
  const drawTypes: Record<GeometryType, DrawType> = {
    Point: 'Point',
    MultiPoint: 'Point',
    MultiLineString: 'LineString',
    MultiPolygon: 'Polygon',
  };
  return drawTypes[type];
}

/** An OpenLayers feature of a working feature, its id the session key. */
export function toOlFeature(feature: WorkingFeature): Feature {
  const olFeature = format.readFeature({
    type: 'Feature',
    geometry: feature.geometry,
    properties: {},
  }) as Feature;
  olFeature.setId(feature.key);
  return olFeature;
}

/** The CRS84 geometry of an OpenLayers feature, promoted to the declared type. */
export function toApiGeometry(olFeature: Feature, declared: GeometryType): Geometry {
  const written = format.writeGeometryObject(olFeature.getGeometry()!, { decimals }) as Geometry;
  if (declared.startsWith('Multi') && !written.type.startsWith('Multi')) {
    return { type: declared, coordinates: [written.coordinates] };
  }
  return written;
}
