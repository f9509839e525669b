import LineString from 'ol/geom/LineString.js';
import Polygon from 'ol/geom/Polygon.js';
import { fromLonLat } from 'ol/proj.js';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../../web/i18n/i18n.js';
import {
  formatArea,
  formatLength,
  measureGeometry,
} from '../../../web/measure/measure-geometry.js';
import { meridianLengthM, rectangle, rectangleAreaHa } from '../../support/ellipsoid.js';

afterEach(() => setLanguage('id'));

/** A rice-field block of about 2 × 1.5 km near Kroya, in lon/lat degrees. */
const blockNearKroya: [number, number, number, number] = [109.2, -7.64, 109.218, -7.626];

function relativeError(measured: number, expected: number) {
  return Math.abs(measured - expected) / expected;
}

describe('measuring on the map', () => {
  it('gives a polygon the area the WGS 84 ellipsoid gives it, to 0.02%', () => {
    const ring = rectangle(blockNearKroya).coordinates[0]!.map((point) => fromLonLat(point));

    const measurement = measureGeometry(new Polygon([ring]), 'EPSG:3857');

    if (measurement.kind !== 'area') throw new Error('a polygon measures an area');
    expect(
      relativeError(measurement.areaM2 / 10_000, rectangleAreaHa(blockNearKroya)),
    ).toBeLessThan(0.0002);
  });

  it('gives a line along a meridian its ellipsoidal length to 0.35% (the local sphere)', () => {
    const line = new LineString([fromLonLat([109.0, -7.7]), fromLonLat([109.0, -7.6])]);

    const measurement = measureGeometry(line, 'EPSG:3857');

    if (measurement.kind !== 'length') throw new Error('a line measures a length');
    expect(relativeError(measurement.lengthM, meridianLengthM(-7.7, -7.6))).toBeLessThan(0.0035);
  });

  it('writes lengths in metres below a kilometre, in kilometres above, in both languages', () => {
    const lengths = [12.34, 850.4, 11_059.3, 152_345].map(formatLength);
    setLanguage('en');
    const englishLengths = [12.34, 850.4, 11_059.3, 152_345].map(formatLength);

    expect(lengths).toEqual(['12,3 m', '850 m', '11,06 km', '152,3 km']);
    expect(englishLengths).toEqual(['12.3 m', '850 m', '11.06 km', '152.3 km']);
  });

  it('writes areas in m², then hectares, then km² with the hectares beside them', () => {
    const areas = [850.4, 27_012.5, 2_345_678, 213_800_000].map(formatArea);
    setLanguage('en');
    const englishAreas = [850.4, 27_012.5, 2_345_678, 213_800_000].map(formatArea);

    expect(areas).toEqual(['850 m²', '2,70 ha', '234,6 ha', '213,80 km² (21.380 ha)']);
    expect(englishAreas).toEqual(['850 m²', '2.70 ha', '234.6 ha', '213.80 km² (21,380 ha)']);
  });
});
