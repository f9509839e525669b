import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { renderSummaryPage } from '../../../server/http/analysis-summary-page.js';
import {
  getIrrigationCondition,
  getRoadCondition,
} from '../../../server/services/condition-statistics-service.js';
import { getHazardExposure } from '../../../server/services/hazard-exposure-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let testDatabase: TestDatabase;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
});

afterAll(() => testDatabase?.drop());

describe('the monthly summary page', () => {
  it('says which of its figures were computed from invented sample data', async () => {
    const { pool } = testDatabase.database;
    const sampleTitles = layerDefinitions
      .filter((l) => ['hazard_zone', 'road_segment', 'irrigation_canal'].includes(l.id))
      .filter((l) => l.metadata.sample)
      .map((l) => l.titleId);

    const page = renderSummaryPage({
      regencyName: 'Uji',
      generatedAt: new Date(),
      exposure: await getHazardExposure(pool),
      roads: await getRoadCondition(pool),
      irrigation: await getIrrigationCondition(pool),
    });

    expect(sampleTitles.length).toBeGreaterThan(0);
    expect(page).toContain('CONTOH: dihitung dari data contoh buatan, bukan data resmi:');
    for (const title of sampleTitles) expect(page).toContain(title);
  }, 60000);
});
