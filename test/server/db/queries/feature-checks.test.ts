import type { Point } from 'geojson';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../../layers/index.js';
import {
  selectGeometryChecks,
  selectStagedGeometryProblems,
} from '../../../../server/db/queries/feature-checks.js';
import {
  createStagingTable,
  dropStagingTable,
  insertIntoStaging,
} from '../../../../server/db/queries/import-staging.js';
import { createTestDatabase, type TestDatabase } from '../../../support/database.js';

const outline = layerDefinitions.filter((l) => l.regencyOutline);

/** A line of `vertices` points zigzagging in Kalimantan, far outside Cilacap. */
function longLineOutside(vertices: number) {
  const coordinates = Array.from({ length: vertices }, (_, i) => [
    112 + i * 1e-6,
    -2 + (i % 2) * 1e-6,
  ]);
  return JSON.stringify({ type: 'LineString', coordinates });
}

describe('checks of geometries against the regency outline', () => {
  let testDatabase: TestDatabase;
  let client: pg.PoolClient;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    client = await testDatabase.database.pool.connect();
  });
  afterAll(async () => {
    client.release();
    await testDatabase.drop();
  });

  it('measures a long line outside without copying the outline for each vertex', async () => {
    const line = longLineOutside(5000);
    const { rows } = await client.query<{ m: number }>(
      `WITH r AS MATERIALIZED (SELECT geom::geography AS area FROM regency)
       SELECT max(ST_Distance(r.area, p.geom::geography)) AS m
       FROM r, ST_DumpPoints(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) p`,
      [line],
    );
    // Sorting 5,000 copies of the outline (50 kB each) wrote 250 MB of temporary files.
    await client.query("SET temp_file_limit = '20MB'");

    const started = performance.now();
    const [checked] = await selectGeometryChecks(client, [line], outline).finally(() =>
      client.query('RESET temp_file_limit'),
    );
    const tookMs = performance.now() - started;

    expect(checked!.outsideM).toBeCloseTo(rows[0]!.m, 3);
    expect(tookMs).toBeLessThan(2000);
  });

  // An import's problems were read all at once: 150,000 rejected rows held 60 MB more memory.
  it("reads the problems of an import's load table a range of rows at a time", async () => {
    const layer = layerDefinitions.find((l) => l.id === 'evacuation_point')!;
    const table = 'simpul_import_staging_feature_checks_test';
    const inside: Point = { type: 'Point', coordinates: [109.2456, -7.6329] };
    const outside: Point = { type: 'Point', coordinates: [109.0, -8.3] };
    await createStagingTable(client, table, layer);
    const rows = [1, 2, 3, 4, 5, 6].map((rowNumber) => ({
      rowNumber,
      values: {},
      geometry: rowNumber % 2 === 0 ? outside : inside,
      refused: false,
    }));
    await insertIntoStaging(client, table, layer, rows);

    const found = await selectStagedGeometryProblems(client, table, outline, {
      after: 2,
      upTo: 5,
    }).finally(() => dropStagingTable(client, table));

    expect(found.map((row) => Number(row.index))).toEqual([4]);
    expect(found[0]!.outsideM).toBeGreaterThan(40000);
  });
});
