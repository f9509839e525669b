import { describe, expect, it } from 'vitest';
import { parsePointPlace } from '../../../server/services/place-input.js';
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
