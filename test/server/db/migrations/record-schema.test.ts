import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../support/database.js';

/** A segment with its current condition, read from the layer table. */
async function readSegment(testDatabase: TestDatabase, segmentCode: string) {
  const result = await testDatabase.database.pool.query<{
    condition_class: string | null;
    iri: number | null;
    survey_date: string | null;
    version: number;
  }>(
    `SELECT condition_class, iri, survey_date::text AS survey_date, version
     FROM road_segment WHERE segment_code = $1`,
    [segmentCode],
  );
  return result.rows[0]!;
}

async function addSurvey(
  testDatabase: TestDatabase,
  segmentCode: string,
  date: string,
  iri: number,
  condition: string,
) {
  await testDatabase.database.pool.query(
    `INSERT INTO road_condition_survey (segment_code, survey_date, condition_class, iri, source)
     VALUES ($1, $2, $3, $4, 'test')`,
    [segmentCode, date, condition, iri],
  );
}

describe('record tables and the current state they derive', () => {
  let testDatabase: TestDatabase;
  const segmentCode = 'TEST.1';
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    await testDatabase.database.pool.query(
      `INSERT INTO road_segment (segment_code, road_number, name, status, geom)
       VALUES ($1, 'TEST', 'Ruas uji', 'kabupaten',
         ST_GeomFromText('MULTILINESTRING((109.0 -7.65, 109.01 -7.65))', 4326))`,
      [segmentCode],
    );
  });
  afterAll(() => testDatabase.drop());

  it('give a segment without surveys no current condition', async () => {
    const segment = await readSegment(testDatabase, segmentCode);

    expect(segment.condition_class).toBeNull();
    expect(segment.survey_date).toBeNull();
  });

  it('change the current condition when a newer survey is added and keep the old one', async () => {
    await addSurvey(testDatabase, segmentCode, '2023-06-01', 3.1, 'baik');
    const before = await readSegment(testDatabase, segmentCode);

    await addSurvey(testDatabase, segmentCode, '2024-06-01', 9.5, 'rusak_ringan');

    const after = await readSegment(testDatabase, segmentCode);
    const history = await testDatabase.database.pool.query(
      `SELECT survey_date::text AS date, condition_class FROM road_condition_survey
       WHERE segment_code = $1 ORDER BY survey_date`,
      [segmentCode],
    );
    expect(before).toMatchObject({ condition_class: 'baik', iri: 3.1, survey_date: '2023-06-01' });
    expect(after).toMatchObject({ condition_class: 'rusak_ringan', survey_date: '2024-06-01' });
    expect(after.version).toBeGreaterThan(before.version);
    expect(history.rows).toEqual([
      { date: '2023-06-01', condition_class: 'baik' },
      { date: '2024-06-01', condition_class: 'rusak_ringan' },
    ]);
  });

  it('keep the current condition when an older survey is added late', async () => {
    await addSurvey(testDatabase, segmentCode, '2021-06-01', 14, 'rusak_berat');

    expect((await readSegment(testDatabase, segmentCode)).condition_class).toBe('rusak_ringan');
  });

  it('fall back to the previous survey when the newest one is deleted', async () => {
    await testDatabase.database.pool.query(
      `DELETE FROM road_condition_survey WHERE segment_code = $1 AND survey_date = '2024-06-01'`,
      [segmentCode],
    );

    expect((await readSegment(testDatabase, segmentCode)).condition_class).toBe('baik');
  });

  it('follow a renamed segment code with its surveys', async () => {
    await testDatabase.database.pool.query(
      `UPDATE road_segment SET segment_code = 'TEST.9' WHERE segment_code = $1`,
      [segmentCode],
    );

    const moved = await testDatabase.database.pool.query(
      `SELECT count(*)::int AS n FROM road_condition_survey WHERE segment_code = 'TEST.9'`,
    );
    expect(moved.rows[0].n).toBe(2);
    expect((await readSegment(testDatabase, 'TEST.9')).condition_class).toBe('baik');
  });

  it('refuse a survey of a segment that does not exist', async () => {
    const attempt = addSurvey(testDatabase, 'NO.SUCH', '2024-01-01', 3, 'baik');

    await expect(attempt).rejects.toThrow(/road_condition_survey_parent_fkey/);
  });

  it('refuse a survey whose condition class is outside the domain', async () => {
    const attempt = addSurvey(testDatabase, 'TEST.9', '2025-01-01', 3, 'bagus');

    await expect(attempt).rejects.toThrow(/road_condition_survey_condition_class_check/);
  });

  it('refuse a surveyor name past the 4000 characters of text declaring no limit', async () => {
    const attempt = testDatabase.database.pool.query(
      `INSERT INTO road_condition_survey (segment_code, survey_date, condition_class, surveyor)
       VALUES ('TEST.9', '2025-02-01', 'baik', repeat('s', 4001))`,
    );

    await expect(attempt).rejects.toThrow(/road_condition_survey_surveyor_text_limit/);
  });

  it('refuse a second survey of the same segment on the same day', async () => {
    const attempt = addSurvey(testDatabase, 'TEST.9', '2023-06-01', 3, 'baik');

    await expect(attempt).rejects.toThrow(/road_condition_survey_natural_key/);
  });

  it('refuse an activity rule other than I, T, B or X', async () => {
    const attempt = testDatabase.database.pool.query(
      `INSERT INTO plan_activity_rule (zone_code, activity, rule)
       VALUES ('hutan_lindung', 'industri', 'Y')`,
    );

    await expect(attempt).rejects.toThrow(/plan_activity_rule_rule_check/);
  });

  it('copy the newest inspection of a structure into its condition and IKSI score', async () => {
    const { pool } = testDatabase.database;
    const code = (await pool.query('SELECT code FROM irrigation_structure LIMIT 1')).rows[0].code;

    await pool.query(
      `INSERT INTO irrigation_structure_inspection
         (code, inspection_date, condition_class, iksi_score)
       VALUES ($1, '2030-01-01', 'rusak_berat', 12)`,
      [code],
    );

    const structure = await pool.query(
      'SELECT condition_class, iksi_score FROM irrigation_structure WHERE code = $1',
      [code],
    );
    expect(structure.rows[0]).toEqual({ condition_class: 'rusak_berat', iksi_score: 12 });
  });
});
