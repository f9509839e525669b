import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

const fixtures = path.join(import.meta.dirname, '../fixtures/geometry');

/**
 * Two adjacent plan zones of the Cilacap seed (kept at full precision) that GEOS cannot overlay
 * in floating point: their union, their intersection, and the intersection of one with the
 * other's outline. GEOS then falls back by catching its own error, which the embedded engine's
 * build cannot do, and that engine answers no row and no error. As GeoJSON geometries.
 */
export const zonesFloatingOverlayFails = (
  JSON.parse(
    fs.readFileSync(path.join(fixtures, 'zones-floating-overlay-fails.geojson'), 'utf8'),
  ) as { features: { geometry: unknown }[] }
).features.map((feature) => JSON.stringify(feature.geometry));

/** An in-memory embedded engine (PGlite) with PostGIS, as `npm start` runs without a server. */
export async function openEmbeddedEngine(): Promise<PGlite> {
  const db = await PGlite.create({ extensions: { postgis } });
  await db.exec('CREATE EXTENSION postgis');
  return db;
}
