import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../server/cql2/parse-filter.js';
import { problemOf } from '../../support/problem-of.js';

describe('the CQL2 text parser', () => {
  it.each([
    ["name = 'Kroya'", { op: '=', args: [{ property: 'name' }, 'Kroya'] }],
    ["\"name\" <> 'it''s'", { op: '<>', args: [{ property: 'name' }, "it's"] }],
    [
      'population_2016 >= 1e5 AND desa_count < 20',
      {
        op: 'and',
        args: [
          { op: '>=', args: [{ property: 'population_2016' }, 100000] },
          { op: '<', args: [{ property: 'desa_count' }, 20] },
        ],
      },
    ],
    [
      "casei(name) NOT LIKE casei('k%')",
      {
        op: 'not',
        args: [
          {
            op: 'like',
            args: [
              { op: 'casei', args: [{ property: 'name' }] },
              { op: 'casei', args: ['k%'] },
            ],
          },
        ],
      },
    ],
    ['x BETWEEN -1 AND 2.5', { op: 'between', args: [{ property: 'x' }, -1, 2.5] }],
    ["code IN ('a', 'b')", { op: 'in', args: [{ property: 'code' }, ['a', 'b']] }],
    [
      'kecamatan IS NOT NULL',
      { op: 'not', args: [{ op: 'isNull', args: [{ property: 'kecamatan' }] }] },
    ],
    [
      's_intersects(geometry, POINT(109 -7.7))',
      {
        op: 's_intersects',
        args: [{ property: 'geometry' }, { type: 'Point', coordinates: [109, -7.7] }],
      },
    ],
    [
      'S_WITHIN(geometry, BBOX(108, -8, 110, -7))',
      { op: 's_within', args: [{ property: 'geometry' }, { bbox: [108, -8, 110, -7] }] },
    ],
    [
      "T_DURING(survey_date, INTERVAL('2020-01-01', '..'))",
      {
        op: 't_during',
        args: [{ property: 'survey_date' }, { interval: ['2020-01-01', '..'] }],
      },
    ],
    [
      "t_after(updated, TIMESTAMP('2024-05-01T08:00:00Z'))",
      { op: 't_after', args: [{ property: 'updated' }, { timestamp: '2024-05-01T08:00:00Z' }] },
    ],
    [
      'a + 2 * b > 10',
      {
        op: '>',
        args: [
          { op: '+', args: [{ property: 'a' }, { op: '*', args: [2, { property: 'b' }] }] },
          10,
        ],
      },
    ],
    ['NOT (TRUE OR FALSE)', { op: 'not', args: [{ op: 'or', args: [true, false] }] }],
    // CQL2's arithmeticFactor takes a minus before a property or a function, not only a number
    ['-depth_m < -5', { op: '<', args: [{ op: '*', args: [-1, { property: 'depth_m' }] }, -5] }],
    [
      '2 - -a = 4',
      { op: '=', args: [{ op: '-', args: [2, { op: '*', args: [-1, { property: 'a' }] }] }, 4] },
    ],
  ])('reads %s as its CQL2 JSON form', (text, expected) => {
    expect(parseFilter(text, 'cql2-text')).toEqual(expected);
  });

  it('reads every WKT geometry type, with MULTIPOINT members bracketed or not', () => {
    const polygon = 'POLYGON((109 -7.7, 109.1 -7.7, 109.1 -7.6, 109 -7.7))';
    const collection = `GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(1 2, 3 4), ${polygon})`;

    const parsed = parseFilter(`S_INTERSECTS(geometry, ${collection})`, 'cql2-text') as {
      args: { geometries: { type: string }[] }[];
    };
    const multipoint = parseFilter('S_INTERSECTS(geometry, MULTIPOINT((1 2), 3 4))', 'cql2-text');

    expect(parsed.args[1]!.geometries.map((g) => g.type)).toEqual([
      'Point',
      'LineString',
      'Polygon',
    ]);
    expect(multipoint).toMatchObject({
      args: [
        {},
        {
          coordinates: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    });
  });

  it('answers a syntax error with 400 naming the character where it happened', () => {
    const problem = problemOf(() => parseFilter("name = 'x';DROP TABLE kecamatan", 'cql2-text'));

    expect(problem.status).toBe(400);
    expect(problem.type).toBe('invalid-filter');
    expect(problem.detail).toContain('character 11');
  });

  it('says a filter ends too early, and which quote it leaves open', () => {
    const early = problemOf(() => parseFilter('name = 1 AND', 'cql2-text'));
    const text = problemOf(() => parseFilter("name = 'Kroya''s", 'cql2-text'));
    const name = problemOf(() => parseFilter('"name = 1', 'cql2-text'));

    expect(early.detail).toMatch(
      /^CQL2 text syntax error at character 13: the filter ends early\./,
    );
    expect(text.detail).toContain("the text opened with ' at character 8 is not closed");
    expect(name.detail).toContain('the name opened with " at character 1 is not closed');
  });

  it('refuses brackets nested past the limit before parsing', () => {
    const deep = `${'('.repeat(5000)}a = 1${')'.repeat(5000)}`;

    const problem = problemOf(() => parseFilter(deep, 'cql2-text'));

    expect(problem.type).toBe('filter-too-complex');
    expect(problem.extra).toMatchObject({ limit: 'maxBracketDepth' });
  });

  it('refuses deep JSON nesting and malformed JSON with 400', () => {
    const deep = `${'{"op":"not","args":['.repeat(100)}true${']}'.repeat(100)}`;

    expect(problemOf(() => parseFilter(deep, 'cql2-json')).type).toBe('filter-too-complex');
    expect(problemOf(() => parseFilter('{"op":', 'cql2-json')).type).toBe('invalid-filter');
  });

  it('parses nested brackets up to the limit in linear time', () => {
    const nested = `${'('.repeat(60)}name = 'x'${')'.repeat(60)}`;

    const started = performance.now();
    const parsed = parseFilter(nested, 'cql2-text');

    expect(parsed).toEqual({ op: '=', args: [{ property: 'name' }, 'x'] });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
