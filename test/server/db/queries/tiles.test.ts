import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTile, resolveTileLayers } from '../../../../server/services/tile-service.js';
import type { TileCoord } from '../../../../server/tiles/tile-grid.js';
import { createTestDatabase, type TestDatabase } from '../../../support/database.js';

/** The area of each feature of a tile layer in tile units², by feature id. */
function featureAreas(bytes: Buffer, layerId: string): Map<number, number> {
  const areas = new Map<number, number>();
  const layer = new VectorTile(new Pbf(new Uint8Array(bytes))).layers[layerId];
  for (let i = 0; i < (layer?.length ?? 0); i += 1) {
    const feature = layer!.feature(i);
    let area = 0;
    for (const ring of feature.loadGeometry()) {
      for (let k = 0; k < ring.length - 1; k += 1) {
        area += (ring[k]!.x * ring[k + 1]!.y - ring[k + 1]!.x * ring[k]!.y) / 2;
      }
    }
    areas.set(Number(feature.id), area);
  }
  return areas;
}

// Tiles where ST_Simplify makes a seeded polygon cross itself: plan zone 488 at z11 and
// desa Kebonmanis at z13. Clipped unrepaired, each came out as the buffered tile minus itself.
const tilesWithSelfCrossingSimplification: [string, TileCoord][] = [
  ['plan_zone', { z: 11, x: 1643, y: 1067 }],
  ['desa', { z: 13, x: 6576, y: 4271 }],
];

describe('the server tile encoder', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it.each(tilesWithSelfCrossingSimplification)(
    'encodes %s polygons that simplification made self-crossing as themselves, like ST_AsMVT',
    async (layerId, tile) => {
      const { pool, capabilities } = testDatabase.database;
      const layers = resolveTileLayers(layerId);

      const fromDatabase = featureAreas(
        await renderTile(pool, capabilities, layers, tile),
        layerId,
      );
      const serverCapabilities = { ...capabilities, hasAsMvt: false };
      const fromServer = featureAreas(
        await renderTile(pool, serverCapabilities, layers, tile),
        layerId,
      );

      const differing = [...fromServer].filter(([id, area]) => {
        const expected = fromDatabase.get(id) ?? 0;
        return Math.abs(area - expected) > Math.max(0.05 * expected, 2000);
      });
      expect(capabilities.hasAsMvt).toBe(true);
      expect(fromServer.size).toBeGreaterThan(0);
      expect(differing).toEqual([]);
    },
  );
});
