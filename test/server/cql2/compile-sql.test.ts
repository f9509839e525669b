import { describe, expect, it } from 'vitest';
import type { LayerDefinition } from '../../../layers/index.js';
import { kecamatan } from '../../../layers/administrative/kecamatan.js';
import { compileFilter, type FilterLimits } from '../../../server/cql2/compile-sql.js';
import { parseFilter } from '../../../server/cql2/parse-filter.js';
import { SqlParameters } from '../../../server/db/sql.js';
import { crs84, parseCrs } from '../../../server/http/crs.js';
import { problemOf } from '../../support/problem-of.js';

const limits: FilterLimits = { maxNodes: 50, maxDepth: 10 };
const microsecond = "interval '1 microsecond'";

const surveyLayer: LayerDefinition = {
  ...kecamatan,
  id: 'survey_fixture',
  timeAttribute: 'surveyed_on',
  attributes: [
    { name: 'surveyed_on', type: 'date', titleId: 'Tanggal', titleEn: 'Date' },
    { name: 'checked_at', type: 'timestamp', titleId: 'Waktu', titleEn: 'Time' },
    { name: 'paved', type: 'boolean', titleId: 'Diaspal', titleEn: 'Paved' },
  ],
};

function compile(text: string, layer: LayerDefinition = kecamatan, filterCrs = crs84) {
  const params = new SqlParameters();
  const sql = compileFilter(parseFilter(text, 'cql2-text'), { layer, params, filterCrs, limits });
  return { sql, values: params.values };
}

describe('the CQL2 to SQL compiler', () => {
  it('sends every literal as a parameter and names columns only from the declaration', () => {
    const { sql, values } = compile("name = 'x'' OR 1=1 --' AND population_2016 > 5");

    expect(sql).toBe('(("name" = $1::text) AND ("population_2016" > $2::integer))');
    expect(values).toEqual(["x' OR 1=1 --", 5]);
  });

  it('types a literal after the column it meets: integers stay integers, fractions float', () => {
    expect(compile('desa_count = 3.5').sql).toBe('("desa_count" = $1::float8)');
    expect(compile('id IN (1, 2)').sql).toBe('(id IN ($1::bigint, $2::bigint))');
  });

  it('answers an unknown property with 400 listing the queryables', () => {
    const problem = problemOf(() => compile('nosuchfield = 1'));

    expect(problem.status).toBe(400);
    expect(problem.detail).toContain('Unknown property "nosuchfield"');
    expect(problem.detail).toContain('population_2016');
  });

  it('refuses comparing text with a number, and LIKE on numbers', () => {
    expect(problemOf(() => compile('name = 5')).detail).toContain('Cannot compare');
    expect(problemOf(() => compile("desa_count LIKE '1%'")).detail).toContain('LIKE');
  });

  it('refuses functions it does not offer and accent-insensitive comparison', () => {
    expect(problemOf(() => compile('pg_sleep(5) = 0')).detail).toContain('Unknown operator');
    expect(problemOf(() => compile("ACCENTI(name) = 'x'")).detail).toContain('ACCENTI');
  });

  it('refuses an operator named after a property every JavaScript object has', () => {
    const constructor = problemOf(() => compile('constructor(geometry, POINT(109 -7.6))'));
    const proto = problemOf(() => compile("__proto__(name, 'x')"));

    expect(constructor.detail).toContain('Unknown operator or function "constructor"');
    expect(proto.detail).toContain('Unknown operator or function "__proto__"');
  });

  it('compiles CASEI to lower() on both sides', () => {
    expect(compile("CASEI(name) = CASEI('KROYA')").sql).toBe('(lower("name") = lower($1::text))');
  });

  it('transforms geometry literals from filter-crs, latitude first for EPSG:4326', () => {
    const epsg4326 = parseCrs('http://www.opengis.net/def/crs/EPSG/0/4326', 'filter-crs');
    const utm = parseCrs('http://www.opengis.net/def/crs/EPSG/0/32749', 'filter-crs');

    const latLon = compile('S_INTERSECTS(geometry, POINT(-7.7 109))', kecamatan, epsg4326);
    const projected = compile('S_INTERSECTS(geometry, POINT(282000 9148000))', kecamatan, utm);

    expect(JSON.parse(latLon.values[0] as string)).toEqual({
      type: 'Point',
      coordinates: [109, -7.7],
    });
    expect(projected.sql).toContain(
      'ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1::text), 32749), 4326)',
    );
  });

  it('refuses positions outside the CRS area and unclosed rings', () => {
    expect(problemOf(() => compile('S_INTERSECTS(geometry, POINT(200 0))')).type).toBe(
      'invalid-filter-geometry',
    );
    const open = 'S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 2)))';
    expect(problemOf(() => compile(open)).detail).toContain('ring must end where it starts');
  });

  it('compiles temporal operators over [start, end] with open interval ends', () => {
    const during = compile("T_DURING(surveyed_on, INTERVAL('2020-01-01', '..'))", surveyLayer);
    const after = compile("T_AFTER(checked_at, DATE('2020-01-01'))", surveyLayer);

    expect(during.sql).toBe(`("surveyed_on" > $1::date AND "surveyed_on" < 'infinity'::date)`);
    const lastInstant = `((($1::date) + 1)::timestamp AT TIME ZONE 'UTC' - ${microsecond})`;
    expect(after.sql).toBe(`"checked_at" > ${lastInstant}`);
  });

  it('compares a date column met by a timestamp with its UTC day, so its index serves', () => {
    const instant = "TIMESTAMP('2024-06-22T10:00:00Z')";

    const { sql, values } = compile(`T_INTERSECTS(surveyed_on, ${instant})`, surveyLayer);

    const day = "(($1::timestamptz) AT TIME ZONE 'UTC')::date";
    expect(sql).toBe(`("surveyed_on" <= ${day} AND "surveyed_on" >= ${day})`);
    expect(values).toEqual(['2024-06-22T10:00:00Z']);
  });

  it('binds only the interval ends a temporal operator compares', () => {
    const interval = "INTERVAL('2020-01-01', '2021-01-01')";

    const after = compile(`T_AFTER(surveyed_on, ${interval})`, surveyLayer);
    const before = compile(`T_BEFORE(${interval}, checked_at)`, surveyLayer);

    expect(after).toEqual({ sql: '"surveyed_on" > $1::date', values: ['2021-01-01'] });
    expect(before).toEqual({
      sql: `((($1::date) + 1)::timestamp AT TIME ZONE 'UTC' - ${microsecond}) < "checked_at"`,
      values: ['2021-01-01'],
    });
  });

  it('refuses impossible dates before the database sees them', () => {
    const problem = problemOf(() => compile("surveyed_on = DATE('2023-02-29')", surveyLayer));

    expect(problem.detail).toContain('real day');
  });

  it('reads a text literal met by a date column as a date', () => {
    expect(compile("surveyed_on >= '2024-01-31'", surveyLayer).sql).toBe(
      '("surveyed_on" >= $1::date)',
    );
  });

  it('accepts a boolean property as a predicate and refuses a text one', () => {
    expect(compile('paved AND NOT paved', surveyLayer).sql).toBe('("paved" AND (NOT "paved"))');
    expect(problemOf(() => compile('name')).detail).toContain('not boolean');
  });

  it('answers a filter past the node limit with 400 naming the limit', () => {
    const list = Array.from({ length: 60 }, (_, i) => `'c${i}'`).join(',');

    const problem = problemOf(() => compile(`code IN (${list})`));

    expect(problem.type).toBe('filter-too-complex');
    expect(problem.extra).toEqual({ limit: 'maxNodes', maximum: 50 });
  });

  it('validates CQL2 JSON node by node', () => {
    const params = new SqlParameters();
    const context = { layer: kecamatan, params, filterCrs: crs84, limits };
    const json = (value: unknown) => () => compileFilter(value, context);

    expect(problemOf(json({ op: 'and', args: [true] })).detail).toContain('two arguments');
    expect(problemOf(json({ op: '=', args: [{ property: 'name' }, null] })).status).toBe(400);
    expect(problemOf(json({ op: '=', args: [{ property: ['name'] }, 'x'] })).status).toBe(400);
    expect(problemOf(json({ op: 'like', args: 'x' })).detail).toContain('args list');
    expect(problemOf(json({ op: '=', args: [{ property: 'name' }, 'a\u0000b'] })).detail).toContain(
      'NUL',
    );
  });
});
