import { describe, expect, it } from 'vitest';
import { splitRouteMeasures } from '../../../web/edit/split-measures.js';

const chainage = { from: 'chainage_from_m', to: 'chainage_to_m' };

/** A line along latitude -7.7 from longitude `from` to `to`. */
const along = (from: number, to: number) => ({
  type: 'MultiLineString',
  coordinates: [
    [
      [from, -7.7],
      [to, -7.7],
    ],
  ],
});

describe("a split road's chainage", () => {
  it('is divided at the cut in proportion to the parts, centimetres kept', () => {
    const properties = { chainage_from_m: 1000, chainage_to_m: 2000, name: 'A' };

    const divided = splitRouteMeasures(
      properties,
      chainage,
      along(109, 109.003),
      along(109.003, 109.01),
    );

    expect(divided).toEqual([{ chainage_to_m: 1300 }, { chainage_from_m: 1300 }]);
  });

  it('keeps a surveyed chainage that differs from the drawn length, dividing it', () => {
    // about 1.1 km drawn, 5 km surveyed: the cut at a quarter of the line is a quarter on
    const properties = { chainage_from_m: 0, chainage_to_m: 5000 };

    const divided = splitRouteMeasures(
      properties,
      chainage,
      along(109, 109.0025),
      along(109.0025, 109.01),
    );

    expect(divided).toEqual([{ chainage_to_m: 1250 }, { chainage_from_m: 1250 }]);
  });

  it('divides a chainage running down the line as well', () => {
    const properties = { chainage_from_m: 800, chainage_to_m: 0 };

    const divided = splitRouteMeasures(
      properties,
      chainage,
      along(109, 109.005),
      along(109.005, 109.01),
    );

    expect(divided).toEqual([{ chainage_to_m: 400 }, { chainage_from_m: 400 }]);
  });

  it('leaves a line without both measures as it is', () => {
    const first = along(109, 109.005);
    const second = along(109.005, 109.01);

    expect(splitRouteMeasures({ chainage_from_m: 0 }, chainage, first, second)).toBeUndefined();
    expect(
      splitRouteMeasures({ chainage_from_m: '0', chainage_to_m: 10 }, chainage, first, second),
    ).toBeUndefined();
  });
});
