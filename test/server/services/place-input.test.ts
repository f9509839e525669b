import { describe, expect, it } from 'vitest';
import {
  parsePlace,
  parsePlaceRequest,
  parsePointPlace,
} from '../../../server/services/place-input.js';
import { crs84Spellings, epsgSpellings } from '../../support/crs-spellings.js';
import { problemOf } from '../../support/problem-of.js';

describe('a clicked point from lon and lat', () => {
  it('reads decimal degrees, spaces around them allowed', () => {
    expect(JSON.parse(parsePointPlace(' 109.0 ', '-7.6'))).toEqual({
      type: 'Point',
      coordinates: [109, -7.6],
    });
  });

  it('refuses a blank value rather than reading it as 0', () => {
    const problem = problemOf(() => parsePointPlace(' ', '-7.6'));

    expect(problem.status).toBe(400);
    expect(problem.type).toBe('invalid-place');
  });

  it('refuses hexadecimal and binary notations JavaScript would read as numbers', () => {
    for (const lon of ['0x6d', '0b1101101', '0o155', 'Infinity']) {
      expect(problemOf(() => parsePointPlace(lon, '-7.6')).type, lon).toBe('invalid-place');
    }
  });

  it('says to give lon and lat once each when one is repeated', () => {
    const problem = problemOf(() => parsePointPlace(['109', '110'], '-7.6'));

    expect(problem.detail).toBe('Give lon and lat once each; lon was given 2 times.');
  });
});

/** A parcel in Kroya, as longitude and latitude. */
const parcel = {
  type: 'Polygon',
  coordinates: [
    [
      [109.24, -7.63],
      [109.25, -7.63],
      [109.25, -7.62],
      [109.24, -7.63],
    ],
  ],
};

describe('a posted place', () => {
  it('refuses a polygon whose ring has two positions, saying a ring needs four', () => {
    const twoPoints = { type: 'Polygon', coordinates: [parcel.coordinates[0]!.slice(0, 2)] };

    const problem = problemOf(() => parsePlace(twoPoints));

    expect(problem.status).toBe(400);
    expect(problem.type).toBe('invalid-place');
    expect(problem.detail).toBe(
      'Every ring of a polygon needs at least 4 positions, the last repeating the first; ' +
        'one has 2.',
    );
  });

  it('refuses a short hole of one polygon of a FeatureCollection too', () => {
    const holed = { ...parcel, coordinates: [...parcel.coordinates, [[109.245, -7.625]]] };
    const collection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: {}, geometry: holed }],
    };

    expect(problemOf(() => parsePlace(collection)).detail).toMatch(/at least 4 .* one has 1\.$/);
  });

  it.each([
    ['a geometry', { ...parcel, crs: { type: 'name', properties: { name: 'EPSG:32749' } } }],
    [
      'a Feature',
      {
        type: 'Feature',
        crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32749' } },
        geometry: parcel,
      },
    ],
  ])('refuses a crs member of another system on %s, saying to send lon and lat', (_, place) => {
    const problem = problemOf(() => parsePlace(place));

    expect(problem.status).toBe(400);
    expect(problem.type).toBe('invalid-place');
    expect(problem.detail).toMatch(/^The place names the coordinate system .*32749; /);
    expect(problem.detail).toContain('must be longitude and latitude in WGS 84');
  });

  it('takes a crs member naming WGS 84 longitude and latitude, and leaves it out', () => {
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } };

    const place = JSON.parse(parsePlace({ ...parcel, crs }));

    expect(place).toEqual(parcel);
  });
});

describe('a place posted with its activity, as { geometry, crs }', () => {
  it.each([
    ['a CRS name', 'EPSG:32749', 'EPSG:32749'],
    ['a legacy crs object', { type: 'name', properties: { name: 'EPSG:32749' } }, 'EPSG:32749'],
    ['a number', 32749, '32749'],
  ])('refuses a crs of another system given as %s', (_, crs, named) => {
    const problem = problemOf(() => parsePlaceRequest({ geometry: parcel, crs }));

    expect(problem.status).toBe(400);
    expect(problem.type).toBe('invalid-place');
    expect(problem.detail).toContain(`names the coordinate system ${named}; coordinates`);
  });

  it.each([...crs84Spellings, ...epsgSpellings(4326)])(
    'takes WGS 84 longitude and latitude named %s, as a crs or a legacy crs member',
    (name) => {
      const member = { type: 'name', properties: { name } };

      const asked = parsePlaceRequest({ geometry: parcel, crs: name });
      const legacy = parsePlace({ ...parcel, crs: member });

      expect(JSON.parse(asked)).toEqual(parcel);
      expect(JSON.parse(legacy)).toEqual(parcel);
    },
  );

  it.each(epsgSpellings(32749))('refuses UTM 49S named %s', (name) => {
    const problem = problemOf(() => parsePlaceRequest({ geometry: parcel, crs: name }));

    expect(problem.type).toBe('invalid-place');
  });

  it('takes a crs naming WGS 84 longitude and latitude, and a place without one', () => {
    const named = parsePlaceRequest({ geometry: parcel, crs: 'urn:ogc:def:crs:OGC::CRS84' });
    const unnamed = parsePlaceRequest({ geometry: parcel });

    expect(JSON.parse(named)).toEqual(parcel);
    expect(JSON.parse(unnamed)).toEqual(parcel);
  });

  it('reads a null crs, beside the geometry or on it, as WGS 84 longitude and latitude', () => {
    // GeoJSON 2008 read a null crs as "no CRS said"; the edit API reads it the same way
    const feature = { type: 'Feature', crs: null, properties: {}, geometry: parcel };
    const places = [
      parsePlaceRequest({ geometry: parcel, crs: null }),
      parsePlaceRequest({ geometry: { ...parcel, crs: null }, crs: null }),
      parsePlaceRequest(feature),
      parsePlace({ type: 'FeatureCollection', crs: null, features: [feature] }),
    ];

    for (const place of places) expect(JSON.parse(place)).toEqual(parcel);
  });
});
