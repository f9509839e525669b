import { describe, expect, it } from 'vitest';
import wkx from 'wkx';
import type { StoredGeometry } from '../../../layers/validate-geometry.js';
import { toWkbHex } from '../../../server/formats/write-wkb.js';

const alunAlunCilacap = [109.0153, -7.7266];
const kroya = [109.2456, -7.6329];

const squareAround = ([lon, lat]: number[], d: number) => [
  [lon! - d, lat! - d],
  [lon! + d, lat! - d],
  [lon! + d, lat! + d],
  [lon! - d, lat! + d],
  [lon! - d, lat! - d],
];

/** Each stored geometry type, with several parts and a polygon with a hole. */
const geometries: Record<string, StoredGeometry> = {
  point: { type: 'Point', coordinates: alunAlunCilacap },
  multiPoint: { type: 'MultiPoint', coordinates: [alunAlunCilacap, kroya] },
  roadOfTwoLines: {
    type: 'MultiLineString',
    coordinates: [
      [alunAlunCilacap, kroya],
      [kroya, [109.3, -7.6], [109.31, -7.59]],
    ],
  },
  parcelWithPond: {
    type: 'MultiPolygon',
    coordinates: [
      [squareAround(kroya, 0.01), squareAround(kroya, 0.002).reverse()],
      [squareAround(alunAlunCilacap, 0.005)],
    ],
  },
};

describe('writing geometries as WKB', () => {
  it.each(Object.entries(geometries))('writes a %s with the bytes wkx writes', (_, geometry) => {
    const expected = wkx.Geometry.parseGeoJSON(geometry).toWkb().toString('hex');

    expect(toWkbHex(geometry)).toBe(expected);
  });

  it('writes coordinates to the last bit of a double', () => {
    const precise: StoredGeometry = { type: 'Point', coordinates: [109.01530000000001, -1e-300] };

    const read = wkx.Geometry.parse(Buffer.from(toWkbHex(precise), 'hex')).toGeoJSON();

    expect(read).toEqual(precise);
  });
});
