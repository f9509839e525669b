import GeoJSON from 'ol/format/GeoJSON.js';
import type SimpleGeometry from 'ol/geom/SimpleGeometry.js';
import { getLength } from 'ol/sphere.js';
import type { Geometry } from './edit-session.js';
import { localEarthRadiusM } from '../measure/measure-geometry.js';

/** Geometries as the feature API gives them: GeoJSON in CRS84, read without reprojection. */
const geoJson = new GeoJSON();

function lengthOf(geometry: Geometry): number {
  const read = geoJson.readGeometry(geometry) as SimpleGeometry;
  const latitude = read.getFlatCoordinates()[1] ?? 0;
  return getLength(read, { projection: 'EPSG:4326', radius: localEarthRadiusM(latitude) });
}

const toCentimetres = (metres: number) => Math.round(metres * 100) / 100;

/**
 * The route measures of a line split in `first` and `second` (chainage from and to): the cut
 * lies where the first part's share of the length puts it between the line's two measures,
 * so a surveyed chainage that differs from the drawn length is divided, not replaced. Returns
 * the values each part takes, or undefined when the line has no two numbers to divide.
 */
export function splitRouteMeasures(
  properties: Record<string, unknown>,
  measures: { from: string; to: string },
  first: Geometry,
  second: Geometry,
): [Record<string, number>, Record<string, number>] | undefined {
  const from = properties[measures.from];
  const to = properties[measures.to];
  if (typeof from !== 'number' || typeof to !== 'number') return undefined;
  const firstLength = lengthOf(first);
  const whole = firstLength + lengthOf(second);
  if (!(whole > 0)) return undefined;
  const cut = toCentimetres(from + ((to - from) * firstLength) / whole);
  return [{ [measures.to]: cut }, { [measures.from]: cut }];
}
