import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const [lon, lat] = [109.2239, -7.6301];

let server: TestServer;
/** The zone code of the zone made invalid. */
let bowTieZoneCode: string;

beforeAll(async () => {
  server = await startTestServer();
  // The plan zone, hazard zone, desa and kecamatan nearest the clicked point written straight
  // into the database, past the edit rules: a bow tie, two triangles meeting at the point,
  // which GEOS refuses to intersect ("Self-intersection").
  const d = 0.002;
  const bowTie =
    `POLYGON((${lon - d} ${lat - d}, ${lon + d} ${lat + d}, ${lon + d} ${lat - d}, ` +
    `${lon - d} ${lat + d}, ${lon - d} ${lat - d}))`;
  const pool = server.testDatabase.database.pool;
  const nearest = `WHERE id = (SELECT id FROM %s
    ORDER BY geom <-> ST_SetSRID(ST_MakePoint($2, $3), 4326) LIMIT 1)`;
  const spoil = (table: string, returning = '') =>
    pool.query(
      `UPDATE ${table} SET geom = ST_Multi(ST_GeomFromText($1, 4326))
       ${nearest.replace('%s', table)} ${returning}`,
      [bowTie, lon, lat],
    );
  const updated = await spoil('plan_zone', 'RETURNING zone_code');
  for (const table of ['hazard_zone', 'desa', 'kecamatan']) await spoil(table);
  bowTieZoneCode = updated.rows[0].zone_code;
});

afterAll(() => server?.close());

describe('the analyses over polygons stored invalid', () => {
  it('still draws the map, clipping the zone without intersecting it', async () => {
    const response = await fetch(
      `${server.baseUrl}/analysis/plan-information?lon=${lon}&lat=${lat}&f=html`,
    );

    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<svg class="map__svg"');
  });

  it('answers a parcel over it with the share of the zone as repaired', async () => {
    const d = 0.001;
    const ring = [
      [lon - d, lat - d],
      [lon + d, lat - d],
      [lon + d, lat + d],
      [lon - d, lat + d],
      [lon - d, lat - d],
    ];
    const response = await fetch(`${server.baseUrl}/analysis/plan-information`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Polygon', coordinates: [ring] }),
    });

    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    const zone = body.zones.find((z: { zoneCode: string }) => z.zoneCode === bowTieZoneCode);
    // the parcel's middle half of each axis lies in the two triangles: a quarter of it at least
    expect(zone?.share).toBeGreaterThan(0.2);
  });

  it('answers hazard exposure, cutting the invalid zone and desa as repaired', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/hazard-exposure`);

    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.hazards.length).toBeGreaterThan(0);
  }, 120000);

  it('answers the road condition per kecamatan, one of them stored invalid', async () => {
    const response = await fetch(`${server.baseUrl}/analysis/road-condition`);

    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
  });
});
