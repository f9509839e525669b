import { describe, expect, it } from 'vitest';
import { nameOfCrsMember, namesLonLat, readCrsName } from '../../server/crs-name.js';
import { crs84Spellings, epsgSpellings } from '../support/crs-spellings.js';

describe('the names of coordinate reference systems', () => {
  it.each(crs84Spellings)('reads %s as CRS84', (name) => {
    const crs84 = { authority: 'OGC', code: 'CRS84' };

    expect(readCrsName(name)).toEqual(crs84);
    expect(readCrsName(` ${name.toLowerCase()} `)).toEqual(crs84);
  });

  it.each(epsgSpellings(32749))('reads %s as EPSG:32749', (name) => {
    expect(readCrsName(name)).toEqual({ authority: 'EPSG', code: 32749 });
  });

  it('reads the URN without its version separator and the code part of the URN alone', () => {
    const names = ['urn:ogc:def:crs:EPSG:32749', 'EPSG::32749', 'EPSG:9.9:32749'];

    const utm = { authority: 'EPSG', code: 32749 };

    expect(names.map(readCrsName)).toEqual([utm, utm, utm]);
  });

  it.each([
    'notCRS84',
    'urn:ogc:def:crs:OGC:1.3:CRS84h',
    'http://example.org/def/crs/EPSG/0/4326',
    'http://www.opengis.net/def/crs/EPSG/0/4326; DROP',
    '[EPSG:4326',
    'EPSG:4326]',
    'EPSG:',
    'EPSG:12',
    '4326',
    '',
  ])('reads no CRS in "%s"', (name) => {
    expect(readCrsName(name)).toBeUndefined();
  });

  it('takes CRS84 and EPSG:4326 for lon and lat, as a legacy crs member means them', () => {
    const lonLat = [...crs84Spellings, ...epsgSpellings(4326)];

    expect(lonLat.filter((name) => !namesLonLat(name))).toEqual([]);
    expect(epsgSpellings(32749).some(namesLonLat)).toBe(false);
    expect(namesLonLat('EPSG:4979')).toBe(false);
  });

  it('quotes a crs member as sent, and one nested past the stack as too deep', () => {
    // JSON.parse reads nesting that JSON.stringify cannot write back: a place or an edit
    // holding such a crs member answered 500
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;

    expect(nameOfCrsMember({ type: 'name', properties: { name: 'EPSG:32749' } })).toBe(
      'EPSG:32749',
    );
    expect(nameOfCrsMember({ code: 4326 })).toBe('{"code":4326}');
    expect(nameOfCrsMember(deep)).toBe('a value nested too deep to quote');
  });
});
