import { describe, expect, it } from 'vitest';
import { compareVersions, mergeVersions } from '../../../web/edit/merge-versions.js';

const names = ['surface', 'width_m', 'name'];

const line = (x: number) => ({
  type: 'MultiLineString',
  coordinates: [
    [
      [x, -7.7],
      [x + 0.01, -7.7],
    ],
  ],
});

const base = { geometry: line(109), properties: { surface: 'aspal', width_m: 6, name: 'A' } };

describe('the three-way comparison of an edit conflict', () => {
  it('keeps the attribute only someone else changed when the user changed another', () => {
    const mine = { ...base, properties: { ...base.properties, width_m: 7 } };
    const theirs = { ...base, properties: { ...base.properties, surface: 'beton' } };

    const comparison = compareVersions(names, base, mine, theirs);
    const merged = mergeVersions(comparison, theirs);

    expect(comparison.conflicts).toEqual([]);
    expect(comparison.changedByThem.map((v) => v.field)).toEqual(['surface']);
    expect(merged.properties).toEqual({ surface: 'beton', width_m: 7, name: 'A' });
  });

  it('makes a conflict only of a field both changed to different values', () => {
    const mine = { ...base, properties: { ...base.properties, width_m: 7, name: 'B' } };
    const theirs = {
      ...base,
      properties: { surface: 'beton', width_m: 10.5, name: 'B' },
    };

    const comparison = compareVersions(names, base, mine, theirs);

    expect(comparison.conflicts).toEqual([{ field: 'width_m', base: 6, mine: 7, theirs: 10.5 }]);
    expect(comparison.changedByThem.map((v) => v.field)).toEqual(['surface']);
    expect(comparison.changedByMe).toEqual([]);
  });

  it("writes the user's side of a conflict onto theirs, or theirs where chosen", () => {
    const mine = { ...base, properties: { ...base.properties, width_m: 7, name: 'B' } };
    const theirs = { ...base, properties: { surface: 'beton', width_m: 10.5, name: 'C' } };
    const comparison = compareVersions(names, base, mine, theirs);

    const keptMine = mergeVersions(comparison, theirs);
    const picked = mergeVersions(comparison, theirs, (f) => (f === 'name' ? 'theirs' : 'mine'));

    expect(keptMine.properties).toEqual({ surface: 'beton', width_m: 7, name: 'B' });
    expect(picked.properties).toEqual({ surface: 'beton', width_m: 7, name: 'C' });
  });

  it('keeps the geometry someone else moved when the user changed an attribute only', () => {
    const mine = { ...base, properties: { ...base.properties, width_m: 7 } };
    const theirs = { ...base, geometry: line(109.001) };

    const merged = mergeVersions(compareVersions(names, base, mine, theirs), theirs);

    expect(merged.geometry).toEqual(line(109.001));
    expect(merged.properties.width_m).toBe(7);
  });

  it('keeps the geometry the user moved over attributes someone else changed', () => {
    const mine = { ...base, geometry: line(109.002) };
    const theirs = { ...base, properties: { ...base.properties, name: 'C' } };

    const merged = mergeVersions(compareVersions(names, base, mine, theirs), theirs);

    expect(merged).toEqual({ geometry: line(109.002), properties: { ...theirs.properties } });
  });

  it('takes a missing attribute for an empty one, so neither side seems to change it', () => {
    const withoutName = { geometry: line(109), properties: { surface: 'aspal', width_m: 6 } };
    const mine = { ...base, properties: { ...base.properties, name: null } };

    const comparison = compareVersions(['name'], withoutName, mine, withoutName);

    expect(comparison).toEqual({ conflicts: [], changedByThem: [], changedByMe: [] });
  });
});
