import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerDefinition } from '../../../layers/index.js';
import { kecamatan } from '../../../layers/administrative/kecamatan.js';
import { desa } from '../../../layers/administrative/desa.js';
import { layerSchemaStatements } from '../../../server/db/migrations/layer-schema.js';
import { parseItemsQuery } from '../../../server/http/items-query.js';
import { HttpProblem } from '../../../server/http/problem.js';
import { listFeatures } from '../../../server/services/feature-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** A point layer with a date time attribute and a timestamp, as a condition survey would have. */
const surveyFixture: LayerDefinition = {
  ...kecamatan,
  id: 'survey_fixture',
  geometry: { type: 'Point', srid: 4326 },
  timeAttribute: 'surveyed_on',
  attributes: [
    { name: 'label', type: 'text', titleId: 'Label', titleEn: 'Label' },
    { name: 'surveyed_on', type: 'date', titleId: 'Tanggal survei', titleEn: 'Survey date' },
    { name: 'checked_at', type: 'timestamp', titleId: 'Diperiksa', titleEn: 'Checked at' },
  ],
};

const marchFirst = '2024-03-01';

const surveys = [
  ['jan', '2024-01-15', '2024-01-15T08:00:00Z'],
  ['mar', '2024-03-01', '2024-03-01T23:30:00Z'],
  ['jun', '2024-06-30', '2024-06-30T12:00:00Z'],
  ['dec', '2024-12-31', null],
] as const;

describe('listing features of a layer with a time attribute', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    const { pool } = testDatabase.database;
    for (const statement of layerSchemaStatements(surveyFixture)) await pool.query(statement);
    for (const [i, [label, day, time]] of surveys.entries()) {
      await pool.query(
        `INSERT INTO survey_fixture (label, surveyed_on, checked_at, geom)
        VALUES ($1, $2, $3, ST_SetSRID(ST_Point(109 + $4 / 100.0, -7.7), 4326))`,
        [label, day, time, i],
      );
    }
  });
  afterAll(() => testDatabase.drop());

  const labels = async (parameters: Record<string, string>) => {
    const query = parseItemsQuery(parameters, surveyFixture);
    const page = await listFeatures(testDatabase.database.pool, surveyFixture, query);
    const features = JSON.parse(page.featuresJson) as { properties: { label: string } }[];
    return features.map((f) => f.properties.label);
  };

  it.each([
    ['2024-03-01', ['mar']],
    ['2024-03-01/2024-06-30', ['mar', 'jun']],
    ['2024-06-01/..', ['jun', 'dec']],
    ['../2024-02-01', ['jan']],
    ['/2024-02-01', ['jan']],
    ['2024-03-01T00:00:00Z/2024-07-01T00:00:00Z', ['mar', 'jun']],
  ])('filters datetime=%s on the time attribute', async (datetime, expected) => {
    expect(await labels({ datetime })).toEqual(expected);
  });

  it.each([
    ['2024-03-01T10:00:00Z', ['mar']],
    ['2024-01-15T23:59:59.999999Z', ['jan']],
    ['2024-06-30T12:00:00Z/2024-07-01T00:00:00Z', ['jun']],
    ['2024-02-01T00:00:00Z/2024-03-01T00:00:00Z', ['mar']],
    ['2024-01-15T12:00:00Z/2024-03-01', ['jan', 'mar']],
    ['2024-03-01T10:00:00Z/2024-03-01', ['mar']],
    ['2024-03-02T00:00:00Z/..', ['jun', 'dec']],
    ['../2024-03-01T00:00:00Z', ['jan', 'mar']],
  ])('matches datetime=%s with the date whose UTC day it meets', async (datetime, want) => {
    expect(await labels({ datetime })).toEqual(want);
  });

  it.each([
    ["T_INTERSECTS(surveyed_on, TIMESTAMP('2024-06-30T23:00:00Z'))", ['jun']],
    ["T_DURING(TIMESTAMP('2024-03-01T12:00:00Z'), surveyed_on)", ['mar']],
    ["T_AFTER(surveyed_on, TIMESTAMP('2024-06-30T12:00:00Z'))", ['dec']],
    ["T_BEFORE(surveyed_on, TIMESTAMP('2024-03-01T00:00:00Z'))", ['jan']],
    [
      `T_CONTAINS(surveyed_on, INTERVAL('${marchFirst}T01:00:00Z', '${marchFirst}T02:00:00Z'))`,
      ['mar'],
    ],
    ["T_INTERSECTS(checked_at, DATE('2024-03-01'))", ['mar']],
    ["T_EQUALS(checked_at, DATE('2024-06-30'))", []],
  ])('reads a date met by a timestamp as its whole day in %s', async (filter, expected) => {
    expect(await labels({ filter })).toEqual(expected);
  });

  it.each([
    ["T_AFTER(surveyed_on, DATE('2024-06-30'))", ['dec']],
    ["T_BEFORE(surveyed_on, DATE('2024-03-01'))", ['jan']],
    ["T_DURING(surveyed_on, INTERVAL('2024-01-15', '2024-12-31'))", ['mar', 'jun']],
    ["T_INTERSECTS(surveyed_on, INTERVAL('2024-01-15', '2024-03-01'))", ['jan', 'mar']],
    ["T_EQUALS(checked_at, TIMESTAMP('2024-06-30T12:00:00Z'))", ['jun']],
    ["T_DISJOINT(surveyed_on, INTERVAL('2024-02-01', '2024-12-01'))", ['jan', 'dec']],
    ["T_AFTER(checked_at, TIMESTAMP('2024-03-01T23:00:00Z'))", ['mar', 'jun']],
    ["surveyed_on >= DATE('2024-06-30') AND checked_at IS NULL", ['dec']],
  ])('filters with the temporal predicate %s', async (filter, expected) => {
    expect(await labels({ filter })).toEqual(expected);
  });

  it('answers a timestamp that does not exist with 400, not a database error', async () => {
    const run = labels({ filter: "T_AFTER(checked_at, TIMESTAMP('2024-02-30T25:00:00Z'))" });

    await expect(run).rejects.toMatchObject({ status: 400 });
  });
});

describe('the limits of one items request', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('answers a query that runs past the statement timeout with 400 naming the limit', async () => {
    const impatient = new pg.Pool({ connectionString: testDatabase.url, statement_timeout: 1 });
    const query = parseItemsQuery(
      { limit: '1000', filter: 'S_INTERSECTS(geometry, BBOX(108, -8, 110, -7))' },
      desa,
    );

    const error = await listFeatures(impatient, desa, query).catch((e: unknown) => e);
    await impatient.end();

    expect(error).toBeInstanceOf(HttpProblem);
    expect(error).toMatchObject({ status: 400, type: 'query-timeout' });
    expect((error as HttpProblem).extra).toMatchObject({ limit: 'queryTimeoutMs' });
  });

  it('pages in id order by keyset, so a feature deleted between pages shifts nothing', async () => {
    const { pool } = testDatabase.database;
    const page = async (parameters: Record<string, string>) => {
      const result = await listFeatures(pool, desa, parseItemsQuery(parameters, desa));
      const ids = (JSON.parse(result.featuresJson) as { id: number }[]).map((f) => f.id);
      return { ...result, ids };
    };
    const expected = (await page({ limit: '20' })).ids;

    const first = await page({ limit: '10' });
    await pool.query('DELETE FROM desa WHERE id = $1', [first.ids[0]]);
    const second = await page({ limit: '10', offset: '10', after: String(first.lastId) });

    expect(first.lastId).toBe(expected[9]);
    expect(second.ids).toEqual(expected.slice(10, 20));
  });

  it('answers arithmetic the database cannot do with 400', async () => {
    const query = parseItemsQuery({ filter: 'desa_count / 0 > 1' }, kecamatan);

    const error = await listFeatures(testDatabase.database.pool, kecamatan, query).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ status: 400, type: 'invalid-filter-value' });
  });
});
