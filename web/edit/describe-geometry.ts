import GeoJSON from 'ol/format/GeoJSON.js';
import type MultiPolygon from 'ol/geom/MultiPolygon.js';
import type Polygon from 'ol/geom/Polygon.js';
import type SimpleGeometry from 'ol/geom/SimpleGeometry.js';
import { getCenter } from 'ol/extent.js';
import { getArea, getLength } from 'ol/sphere.js';
import { getLocale } from '../i18n/i18n.js';
import { formatArea, formatLength, localEarthRadiusM } from '../measure/measure-geometry.js';
import { editText } from './edit-messages.js';

/** Geometries as the feature API gives them: GeoJSON in CRS84, read without reprojection. */
const geoJson = new GeoJSON();

function countRings(geometry: SimpleGeometry): number {
  if (geometry.getType() === 'Polygon') return (geometry as Polygon).getLinearRingCount();
  if (geometry.getType() !== 'MultiPolygon') return 0;
  const polygons = (geometry as MultiPolygon).getPolygons();
  return polygons.reduce((rings, polygon) => rings + polygon.getLinearRingCount(), 0);
}

/** Vertices as drawn: a ring's closing position repeats its first and is not counted. */
function countVertices(geometry: SimpleGeometry): number {
  const positions = geometry.getFlatCoordinates().length / geometry.getStride();
  return positions - countRings(geometry);
}

function formatDegrees(value: number): string {
  const digits = { minimumFractionDigits: 6, maximumFractionDigits: 6 };
  return new Intl.NumberFormat(getLocale(), digits).format(value);
}

/**
 * A geometry in words that tell two versions of it apart in the conflict dialog: a line's
 * length, a polygon's area, each with its vertices, or a point's latitude and longitude.
 * Lengths and areas are measured on the sphere that fits the ellipsoid at its latitude.
 */
export function describeGeometry(value: { type: string; coordinates?: unknown }): string {
  const geometry = geoJson.readGeometry(value) as SimpleGeometry;
  const [lon, lat] = getCenter(geometry.getExtent()) as [number, number];
  const measuredOn = { projection: 'EPSG:4326', radius: localEarthRadiusM(lat) };
  const vertices = countVertices(geometry);

  if (geometry.getType().endsWith('LineString')) {
    const length = formatLength(getLength(geometry, measuredOn));
    return editText('conflict.lineShape', { length, vertices });
  }
  if (geometry.getType().endsWith('Polygon')) {
    const area = formatArea(getArea(geometry, measuredOn));
    return editText('conflict.areaShape', { area, vertices });
  }
  const [x, y] = vertices === 1 ? geometry.getFlatCoordinates() : [lon, lat];
  return editText('conflict.pointShape', { lat: formatDegrees(y!), lon: formatDegrees(x!) });
}
