import { describe, expect, it } from 'vitest';
import { splitLineAt } from '../../../web/edit/split-line.js';

const segment = {
  type: 'MultiLineString',
  coordinates: [
    [
      [109.0, -7.7],
      [109.01, -7.7],
      [109.02, -7.71],
    ],
  ],
};

describe('splitting a line', () => {
  it('cuts at the nearest point on the line, both halves sharing it', () => {
    const parts = splitLineAt(segment, [109.005, -7.6999]);

    expect(parts?.[0].coordinates).toEqual([
      [
        [109.0, -7.7],
        [109.005, -7.7],
      ],
    ]);
    expect(parts?.[1].coordinates).toEqual([
      [
        [109.005, -7.7],
        [109.01, -7.7],
        [109.02, -7.71],
      ],
    ]);
  });

  it('cuts at an inner vertex without repeating it', () => {
    const parts = splitLineAt(segment, [109.01, -7.7]);

    expect((parts?.[0].coordinates as unknown[][])[0]).toHaveLength(2);
    expect((parts?.[1].coordinates as unknown[][])[0]).toHaveLength(2);
  });

  it('refuses a cut at an end, which would leave an empty half', () => {
    expect(splitLineAt(segment, [108.99, -7.7])).toBeUndefined();
  });
});
