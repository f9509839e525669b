import { describe, expect, it } from 'vitest';
import { readParcelGeoJson } from '../../../web/plan-lookup/read-parcel-file.js';

const square = [
  [
    [109, -7.6],
    [109.01, -7.6],
    [109.01, -7.61],
    [109, -7.6],
  ],
];

describe('reading an uploaded parcel file', () => {
  it('takes the polygon of a Feature', () => {
    const text = JSON.stringify({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: square },
    });

    expect(readParcelGeoJson(text)).toEqual({ type: 'Polygon', coordinates: square });
  });

  it('joins the polygons of a FeatureCollection into one MultiPolygon', () => {
    const feature = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: square },
    };
    const text = JSON.stringify({ type: 'FeatureCollection', features: [feature, feature] });

    expect(readParcelGeoJson(text)).toEqual({
      type: 'MultiPolygon',
      coordinates: [square, square],
    });
  });

  it('refuses a file without polygons, saying what it found', () => {
    const text = JSON.stringify({ type: 'Point', coordinates: [109, -7.6] });

    expect(() => readParcelGeoJson(text)).toThrow(/expected polygons, found Point/);
  });
});
