import { afterEach, describe, expect, it } from 'vitest';
import { describeGeometry } from '../../../web/edit/describe-geometry.js';
import { setLanguage } from '../../../web/i18n/i18n.js';

afterEach(() => setLanguage('id'));

/** About 1.1 km east–west at Cilacap's latitude, in two and in three vertices. */
const straight = {
  type: 'MultiLineString',
  coordinates: [
    [
      [109.0, -7.7],
      [109.01, -7.7],
    ],
  ],
};
const bent = {
  type: 'MultiLineString',
  coordinates: [
    [
      [109.0, -7.7],
      [109.005, -7.705],
      [109.01, -7.7],
    ],
  ],
};
const square = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [109.0, -7.7],
        [109.001, -7.7],
        [109.001, -7.701],
        [109.0, -7.701],
        [109.0, -7.7],
      ],
    ],
  ],
};

describe('a geometry told apart from another version of it', () => {
  it("gives a line's length and vertices, so two versions read differently", () => {
    const indonesian = [straight, bent].map(describeGeometry);
    setLanguage('en');
    const english = [straight, bent].map(describeGeometry);

    expect(indonesian).toEqual(['garis 1,10 km, 2 titik', 'garis 1,56 km, 3 titik']);
    expect(english).toEqual(['line of 1.10 km, 2 vertices', 'line of 1.56 km, 3 vertices']);
  });

  it("gives a polygon's area and vertices without counting a ring's closing one twice", () => {
    setLanguage('en');

    expect(describeGeometry(square)).toBe('area of 1.22 ha, 4 vertices');
  });

  it('gives a point its latitude and longitude', () => {
    const point = { type: 'MultiPoint', coordinates: [[109.012345, -7.654321]] };

    expect(describeGeometry(point)).toBe('titik -7,654321; 109,012345');
  });
});
