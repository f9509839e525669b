import { describe, expect, it } from 'vitest';
import { checkGeometry } from '../../layers/validate-geometry.js';

const squareInCilacap = [
  [
    [109.0, -7.7],
    [109.01, -7.7],
    [109.01, -7.71],
    [109.0, -7.7],
  ],
];

function codeOf(check: ReturnType<typeof checkGeometry>) {
  return check.problems.map((p) => p.code);
}

describe('geometry shape checks shared by the server and the editor', () => {
  it('promotes a single polygon sent to a multipolygon layer', () => {
    const check = checkGeometry('MultiPolygon', { type: 'Polygon', coordinates: squareInCilacap });

    expect(check.problems).toEqual([]);
    expect(check.geometry).toEqual({ type: 'MultiPolygon', coordinates: [squareInCilacap] });
  });

  it('promotes a line to a multiline and a point to a multipoint', () => {
    const line = checkGeometry('MultiLineString', {
      type: 'LineString',
      coordinates: [
        [109, -7.7],
        [109.01, -7.7],
      ],
    });
    const point = checkGeometry('MultiPoint', { type: 'Point', coordinates: [109, -7.7] });

    expect(line.geometry?.type).toBe('MultiLineString');
    expect(point.geometry).toEqual({ type: 'MultiPoint', coordinates: [[109, -7.7]] });
  });

  it('refuses a line sent to a polygon layer, naming what it accepts', () => {
    const check = checkGeometry('MultiPolygon', {
      type: 'LineString',
      coordinates: [
        [109, -7.7],
        [109.01, -7.7],
      ],
    });

    expect(codeOf(check)).toEqual(['geometry-wrong-type']);
    expect(check.problems[0]?.message).toContain('Polygon or MultiPolygon');
  });

  it('refuses Z values instead of dropping them', () => {
    const check = checkGeometry('Point', { type: 'Point', coordinates: [109, -7.7, 12] });

    expect(codeOf(check)).toEqual(['geometry-has-z']);
  });

  it('refuses latitude and longitude swapped out of range', () => {
    const check = checkGeometry('Point', { type: 'Point', coordinates: [-7.7, 109] });

    expect(codeOf(check)).toEqual(['geometry-out-of-range']);
  });

  it('refuses an unclosed ring and a one-position line', () => {
    const openRing = [squareInCilacap[0]!.slice(0, 3)];
    const polygon = checkGeometry('MultiPolygon', { type: 'Polygon', coordinates: openRing });
    const line = checkGeometry('MultiLineString', { type: 'LineString', coordinates: [[109, -7]] });

    expect(codeOf(polygon)).toEqual(['geometry-malformed']);
    expect(codeOf(line)).toEqual(['geometry-malformed']);
  });

  it('refuses a missing geometry and text where coordinates belong', () => {
    expect(codeOf(checkGeometry('Point', null))).toEqual(['geometry-missing']);
    expect(codeOf(checkGeometry('Point', { type: 'Point', coordinates: 'x' }))).toEqual([
      'geometry-malformed',
    ]);
  });
});
