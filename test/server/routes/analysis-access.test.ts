import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordTables } from '../../../layers/index.js';
import type { LayerAccess } from '../../../layers/types.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

// Every layer is public in the Cilacap declarations; this file restricts hazard zones, as a
// regency would before BPBD releases them (each test file has its own copy of the modules).
const hazardZone = findLayer('hazard_zone')!;
const publicAccess = hazardZone.access;
const restricted: LayerAccess = { ...publicAccess, read: ['disaster-risk:viewer'] };
const roadSurvey = recordTables.find((table) => table.id === 'road_condition_survey')!;
const surveyAccess = roadSurvey.access;

describe('analyses of a restricted layer', () => {
  let server: TestServer;
  let viewer: string;
  let stranger: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const token = (name: string, roles: string[]) =>
      createApiToken(pool, { name, roles, write: false }, 't').then((t) => t.secret);
    viewer = await token('bpbd', ['disaster-risk:viewer']);
    stranger = await token('roads', ['roads:viewer']);
  });
  afterEach(() => {
    (hazardZone as { access: LayerAccess }).access = publicAccess;
    (roadSurvey as { access: LayerAccess }).access = surveyAccess;
  });
  afterAll(() => server.close());

  const get = (path: string, token?: string) =>
    fetch(`${server.baseUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('are refused to visitors and callers who may not read it, answered to others', async () => {
    (hazardZone as { access: LayerAccess }).access = restricted;

    const visitor = await get('/analysis/hazard-exposure');
    const other = await get('/analysis/hazard-exposure', stranger);
    const plan = await get('/analysis/plan-information?lon=109.0&lat=-7.7', stranger);
    const allowed = await get('/analysis/hazard-exposure', viewer);
    const roads = await get('/analysis/road-condition', stranger);

    expect(visitor.status).toBe(401);
    expect(visitor.headers.get('content-type')).toContain('application/problem+json');
    expect((await visitor.json()).detail).toContain('hazard_zone');
    expect(other.status).toBe(403);
    expect(plan.status).toBe(403);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('cache-control')).toBe('private');
    expect(roads.status).toBe(200);
    expect(roads.headers.get('cache-control')).toBeNull();
  });

  it('are answered to anyone while the layer is public', async () => {
    const response = await get('/analysis/hazard-exposure');

    expect(response.status).toBe(200);
  });

  it('refuse only the analyses that read a restricted record table', async () => {
    const internal: LayerAccess = { ...surveyAccess, read: ['roads:viewer'] };
    (roadSurvey as { access: LayerAccess }).access = internal;

    const roads = await get('/analysis/road-condition');
    const exposure = await get('/analysis/hazard-exposure');
    const irrigation = await get('/analysis/irrigation-condition');

    expect(roads.status).toBe(401);
    expect((await roads.json()).detail).toContain('road_condition_survey');
    expect(exposure.status).toBe(200);
    expect(irrigation.status).toBe(200);
  });

  it('are answered to a token scoped to every layer and record table they read', async () => {
    const pool = server.testDatabase.database.pool;
    const layerIds = ['road_segment', 'kecamatan', 'road_condition_survey'];
    const request = { name: 'pkrms', roles: ['roads:viewer'], layerIds, write: false };
    const scoped = (await createApiToken(pool, request, 't')).secret;

    const roads = await get('/analysis/road-condition', scoped);
    const records = await get('/records/road_condition_survey', scoped);

    expect(roads.status).toBe(200);
    expect(records.status).toBe(200);
  });

  it('are answered to a token scoped elsewhere when every layer they read is public', async () => {
    const pool = server.testDatabase.database.pool;
    const request = { name: 'sipd', roles: ['roads:viewer'], layerIds: ['bridge'], write: false };
    const scoped = (await createApiToken(pool, request, 't')).secret;

    const visitor = await get('/analysis/hazard-exposure');
    const exposure = await get('/analysis/hazard-exposure', scoped);
    const roads = await get('/analysis/road-condition', scoped);
    const desa = await get('/collections/desa/items?limit=1', scoped);
    const tile = await get('/tiles/desa/12/3288/2136.mvt', scoped);

    expect(visitor.status).toBe(200);
    expect(exposure.status).toBe(200);
    expect(roads.status).toBe(200);
    expect(desa.status).toBe(200);
    expect([200, 204]).toContain(tile.status);
  });

  it('keep a restricted layer from a token whose scope leaves it out, roles or not', async () => {
    (hazardZone as { access: LayerAccess }).access = restricted;
    const pool = server.testDatabase.database.pool;
    const roles = ['disaster-risk:viewer'];
    const outside = { name: 'bpbd-roads', roles, layerIds: ['road_segment'], write: false };
    const inside = { name: 'bpbd', roles, layerIds: ['hazard_zone'], write: false };
    const scopedOutside = (await createApiToken(pool, outside, 't')).secret;
    const scopedInside = (await createApiToken(pool, inside, 't')).secret;

    const refused = await get('/analysis/hazard-exposure', scopedOutside);
    const hidden = await get('/collections/hazard_zone/items?limit=1', scopedOutside);
    const answered = await get('/analysis/hazard-exposure', scopedInside);

    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toContain('hazard_zone');
    expect(hidden.status).toBe(404);
    expect(answered.status).toBe(200);
  });
});
