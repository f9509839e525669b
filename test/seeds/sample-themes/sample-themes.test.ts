import path from 'node:path';
import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, recordTables } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const sampleLayers = layerDefinitions.filter((layer) => layer.metadata.sample);

describe('the generated sample themes of Cilacap', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  const query = (sql: string) => testDatabase.database.pool.query(sql);

  it('cover every layer of roads, irrigation, spatial plan and disaster risk', () => {
    const themes = new Set(sampleLayers.map((layer) => layer.theme));

    expect([...themes].sort()).toEqual(['disaster-risk', 'irrigation', 'roads', 'spatial-plan']);
    for (const layer of sampleLayers) expect(layer.metadata.abstractEn).toMatch(/CONTOH \/ SAMPLE/);
  });

  it.each(sampleLayers.map((layer) => [layer.id]))(
    'seed %s with features that all say they are sample data',
    async (layerId) => {
      const result = await query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE source NOT LIKE 'CONTOH / SAMPLE%')::int
           AS unmarked FROM ${quoteIdentifier(layerId)}`,
      );

      expect(result.rows[0].n).toBeGreaterThan(0);
      expect(result.rows[0].unmarked).toBe(0);
    },
  );

  it.each(sampleLayers.map((layer) => [layer.id]))(
    'keep every %s feature valid and inside the bounding box of the regency',
    async (layerId) => {
      const result = await query(`
        SELECT count(*)::int AS n FROM ${quoteIdentifier(layerId)} f, regency r
        WHERE NOT ST_Within(f.geom, ST_Expand(r.geom, 0.01)) OR NOT ST_IsValid(f.geom)`);

      expect(result.rows[0].n).toBe(0);
    },
  );

  it('seed every record table', async () => {
    for (const table of recordTables) {
      const result = await query(`SELECT count(*)::int AS n FROM ${quoteIdentifier(table.id)}`);
      expect(result.rows[0].n, table.id).toBeGreaterThan(0);
    }
  });

  it('keep every seeded coded value inside its domain and every number in its range', async () => {
    const outside: string[] = [];
    for (const table of [...layerDefinitions, ...recordTables]) {
      for (const attribute of table.attributes) {
        const column = quoteIdentifier(attribute.name);
        const tests = [
          attribute.domain && `${column}::text <> ALL ($1::text[])`,
          attribute.min !== undefined && `${column} < ${attribute.min}`,
          attribute.max !== undefined && `${column} > ${attribute.max}`,
          attribute.required && `${column} IS NULL`,
        ].filter(Boolean);
        if (tests.length === 0) continue;

        const codes = attribute.domain?.map((value) => value.code);
        const result = await testDatabase.database.pool.query(
          `SELECT count(*)::int AS n FROM ${quoteIdentifier(table.id)} WHERE ${tests.join(' OR ')}`,
          codes ? [codes] : [],
        );
        if (result.rows[0].n > 0)
          outside.push(`${table.id}.${attribute.name}: ${result.rows[0].n}`);
      }
    }

    expect(outside).toEqual([]);
  });

  it('give every seeded road segment the condition of its latest survey', async () => {
    const result = await query(`
      SELECT count(*)::int AS n FROM road_segment s
      WHERE s.condition_class IS DISTINCT FROM (
        SELECT r.condition_class FROM road_condition_survey r
        WHERE r.segment_code = s.segment_code ORDER BY r.survey_date DESC, r.id DESC LIMIT 1)`);

    expect(result.rows[0].n).toBe(0);
  });

  it('tile the regency with plan zones that add no overlap to their desa boundaries', async () => {
    const overlapM2 = async (table: string) => {
      const result = await query(`
        SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) AS m2
        FROM ${table} a JOIN ${table} b
          ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')`);
      return Number(result.rows[0].m2);
    };

    const zones = await overlapM2('plan_zone');
    const desa = await overlapM2('desa');

    // The desa seeds carry slivers of a few m² (Bulupayung); zones cut from them inherit those.
    expect(zones).toBeLessThanOrEqual(desa + 0.5);
    expect(zones).toBeLessThan(10);
  });

  it('leave no gap between plan zones inside the regency', async () => {
    const result = await query(`
      SELECT ST_Area(ST_Difference(r.geom, z.geom)::geography) AS gap_m2,
             ST_Area(r.geom::geography) AS regency_m2
      FROM regency r, (SELECT ST_Union(geom) AS geom FROM plan_zone) z`);

    // Floating-point slivers along shared edges stay far below a square metre per km².
    const { gap_m2: gap, regency_m2: regency } = result.rows[0];
    expect(gap).toBeLessThan(regency / 1e6);
  });

  it('store only valid zone geometries', async () => {
    const result = await query(
      'SELECT count(*)::int AS n FROM plan_zone WHERE NOT ST_IsValid(geom)',
    );

    expect(result.rows[0].n).toBe(0);
  });

  it('are generated again exactly as they were seeded', async () => {
    const { seedSources } = await import('../../../seeds/cilacap/index.js');

    const batch = await seedSources.plan_zone!(path.resolve('seeds/cilacap'));

    const seeded = await query(
      'SELECT zone_code, ST_AsGeoJSON(geom, 6)::json AS geometry FROM plan_zone ORDER BY id',
    );
    const generated = batch.features.map((f) => ({
      zone_code: f.properties.zone_code,
      geometry: turf.truncate(f.geometry, { precision: 6 }),
    }));
    expect(seeded.rows).toEqual(generated);
  }, 120000);
});
