import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../layers/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { datasetLayers, loadDataset } from './support/dataset.js';
import { percentile } from './support/measure.js';
import { benchTileList, tilesPerZoom } from './support/tile-list.js';

// The benchmark itself runs with `npm run bench`; these check its pieces on a tiny scale.
describe('the tile benchmark', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('replays the same tile list on every run, mostly at zoom 12 to 15', () => {
    const list = benchTileList();

    const counts: Record<number, number> = {};
    for (const tile of list) counts[tile.z] = (counts[tile.z] ?? 0) + 1;
    expect(benchTileList()).toEqual(list);
    expect(new Set(list.map((t) => `${t.z}/${t.x}/${t.y}`)).size).toBe(list.length);
    expect(list.length).toBeGreaterThan(1900);
    for (const z of [12, 13, 14, 15, 16]) expect(counts[z]).toBe(tilesPerZoom[z]);
  });

  it('loads valid roads, points and zones from the declarations', async () => {
    const { pool } = testDatabase.database;
    const { roads, points, zones } = datasetLayers(layerDefinitions);
    const before = await pool.query(`SELECT count(*)::int AS n FROM "${roads.id}"`);

    const report = await loadDataset(pool, layerDefinitions, {
      roads: 300,
      points: 60,
      zones: { columns: 4, rows: 3 },
    });

    expect(report.rows[roads.id]).toBe(before.rows[0].n + 300);
    expect(report.rows[points.id]).toBeGreaterThanOrEqual(60);
    expect(report.rows[zones.id]).toBeGreaterThanOrEqual(12);
    expect(report.invalidZones).toBe(0);
  });

  it('reads percentiles from unsorted samples', () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 99)).toBe(10);
  });
});
