import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerDefinition } from '../../../layers/types.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { validateFeatures } from '../../../server/services/feature-validation.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const desa = findLayer('desa')!;

/** A desa-shaped square in Cilacap city, well inside the regency. */
const squareInCilacapCity = {
  type: 'Polygon',
  coordinates: [
    [
      [109.0, -7.7],
      [109.01, -7.7],
      [109.01, -7.71],
      [109.0, -7.71],
      [109.0, -7.7],
    ],
  ],
};

/** Two triangles touching at a point drawn as one ring: a self-intersection. */
const bowTie = {
  type: 'Polygon',
  coordinates: [
    [
      [109.0, -7.7],
      [109.01, -7.71],
      [109.01, -7.7],
      [109.0, -7.71],
      [109.0, -7.7],
    ],
  ],
};

const pointInJakarta = { type: 'Point', coordinates: [106.82, -6.18] };

/** A layer without a table: the geometry and extent checks do not need one. */
const pointLayer = {
  id: 'test_point',
  geometry: { type: 'Point', srid: 4326 },
  attributes: [],
} as unknown as LayerDefinition;

function newDesa(geometry: unknown, code = '33.01.99.2099') {
  return {
    type: 'Feature',
    geometry,
    properties: { name: 'Desa Uji', code, type: 'desa' },
  };
}

describe('feature validation against the declaration and the database', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());
  const db = () => testDatabase.database.pool;

  it('accepts a valid polygon inside the regency and promotes it to a multipolygon', async () => {
    const outcome = await validateFeatures(db(), desa, [newDesa(squareInCilacapCity)], {
      mode: 'create',
    });

    expect(outcome.errors).toEqual([]);
    expect(outcome.features[0]?.geometry?.type).toBe('MultiPolygon');
  });

  it('refuses a self-intersecting polygon with the reason PostGIS gives', async () => {
    const outcome = await validateFeatures(db(), desa, [newDesa(bowTie)], { mode: 'create' });

    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ field: 'geometry', code: 'geometry-invalid' });
    expect(outcome.errors[0]?.message).toMatch(/self-intersection/i);
  });

  it('refuses a feature far outside the regency and says how far', async () => {
    const outcome = await validateFeatures(db(), pointLayer, [{ geometry: pointInJakarta }], {
      mode: 'create',
    });

    expect(outcome.errors[0]).toMatchObject({ code: 'geometry-outside-regency', index: 0 });
    expect(outcome.errors[0]?.message).toMatch(/\d+(\.\d)? km outside/);
  });

  it('refuses a geometry too large to check in time, not with a database error', async () => {
    const lineLayer = { ...pointLayer, id: 'test_line', geometry: { type: 'MultiLineString' } };
    const small = {
      type: 'LineString',
      coordinates: [
        [109.0, -7.7],
        [109.01, -7.7],
      ],
    };
    // 200,000 vertices wandering near Jakarta: each is measured against the outline
    const coordinates = Array.from({ length: 200000 }, (_, i) => [
      106.8 + (i % 1000) / 10000,
      -6.2 + Math.floor(i / 1000) / 10000,
    ]);
    const client = await db().connect();
    try {
      await client.query("SET statement_timeout = '50ms'");
      const inputs = [{ geometry: small }, { geometry: { type: 'LineString', coordinates } }];
      const outcome = await validateFeatures(client, lineLayer as LayerDefinition, inputs, {
        mode: 'create',
      });

      expect(outcome.errors).toEqual([
        expect.objectContaining({ index: 1, field: 'geometry', code: 'geometry-too-complex' }),
      ]);
      expect(outcome.errors[0]?.message).toMatch(/simplify it or split it/);
    } finally {
      await client.query('RESET statement_timeout');
      client.release();
    }
  });

  it('accepts a point just outside the outline when within the tolerance', async () => {
    const offshore = { type: 'Point', coordinates: [109.0, -7.8] };
    const { rows } = await db().query<{ m: number }>(
      `SELECT ST_Distance(geom::geography, ST_SetSRID(ST_Point(109.0, -7.8), 4326)::geography) AS m
       FROM regency`,
    );
    const distanceM = rows[0]!.m;
    expect(distanceM).toBeGreaterThan(0);

    const within = await validateFeatures(db(), pointLayer, [{ geometry: offshore }], {
      mode: 'create',
      toleranceM: distanceM + 50,
    });
    const beyond = await validateFeatures(db(), pointLayer, [{ geometry: offshore }], {
      mode: 'create',
      toleranceM: distanceM - 50,
    });

    expect(within.errors).toEqual([]);
    expect(beyond.errors.map((e) => e.code)).toEqual(['geometry-outside-regency']);
  });

  it('refuses a code another feature already holds, but not the feature keeping its own', async () => {
    const { rows } = await db().query<{ id: number; code: string }>(
      'SELECT id, code FROM desa ORDER BY id LIMIT 1',
    );
    const holder = rows[0]!;

    const create = await validateFeatures(db(), desa, [newDesa(squareInCilacapCity, holder.code)], {
      mode: 'create',
    });
    const replace = await validateFeatures(
      db(),
      desa,
      [newDesa(squareInCilacapCity, holder.code)],
      { mode: 'replace', featureIds: [holder.id] },
    );

    expect(create.errors).toMatchObject([{ field: 'code', code: 'not-unique' }]);
    expect(create.errors[0]?.message).toContain(`feature ${holder.id}`);
    expect(replace.errors).toEqual([]);
  });

  it('refuses the same unique code twice in one request', async () => {
    const twice = [newDesa(squareInCilacapCity), newDesa(squareInCilacapCity)];

    const outcome = await validateFeatures(db(), desa, twice, { mode: 'create' });

    expect(outcome.errors).toMatchObject([{ index: 1, field: 'code', code: 'not-unique' }]);
  });

  it('lists every problem of every feature with its index', async () => {
    const features = [
      { type: 'Feature', geometry: bowTie, properties: { type: 'kota', code: 'x'.repeat(20) } },
      newDesa(squareInCilacapCity, '33.01.99.2098'),
      {
        type: 'Feature',
        geometry: pointInJakarta,
        properties: { name: 'A', code: 'B', type: 'desa' },
      },
    ];

    const outcome = await validateFeatures(db(), desa, features, { mode: 'create' });

    const found = outcome.errors.map((e) => `${e.index}:${e.field}:${e.code}`);
    expect(found).toEqual([
      '0:name:required',
      '0:code:too-long',
      '0:type:not-in-domain',
      '0:geometry:geometry-invalid',
      '2:geometry:geometry-wrong-type',
    ]);
  });
});
