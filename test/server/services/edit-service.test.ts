import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { HttpProblem } from '../../../server/http/problem.js';
import type { Principal } from '../../../server/services/access.js';
import {
  applyBatch,
  applySingleEdit,
  type Edit,
  type EditContext,
} from '../../../server/services/edit-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { validFeature } from '../../support/valid-feature.js';

const layer = layerDefinitions.find((l) => l.id === 'road_segment')!;

function tokenPrincipal(name: string, withoutIfMatch: boolean): Principal {
  const scope = { layerIds: 'all' as const, write: true, withoutIfMatch };
  return { kind: 'token', name, tokenId: 1, roles: ['roads:editor'], scope };
}

const desktop = tokenPrincipal('qgis-desktop', true);
const script = tokenPrincipal('sync-script', false);

describe('the If-Match requirement of edits', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  const context = (principal: Principal): EditContext => ({
    principal,
    client: 'QGIS/33400',
    requestId: 'test',
  });
  const apply = (edit: Edit, principal: Principal) =>
    applySingleEdit(testDatabase.database.pool, edit, context(principal));
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as HttpProblem,
    );
  const createRoad = async () => {
    const edit: Edit = { op: 'create', layerId: layer.id, feature: validFeature(layer) };
    return (await apply(edit, script)).featureId;
  };

  it('lets a token that opted out patch, replace and delete without If-Match', async () => {
    const featureId = await createRoad();
    const patch = { properties: { width_m: 6.5 } };
    const replacement = validFeature(layer, { width_m: 7 });

    const patched = await apply({ op: 'patch', layerId: layer.id, featureId, patch }, desktop);
    const replaced = await apply(
      { op: 'replace', layerId: layer.id, featureId, feature: replacement },
      desktop,
    );
    const deleted = await apply({ op: 'delete', layerId: layer.id, featureId }, desktop);

    expect(patched.feature?.properties.width_m).toBe(6.5);
    expect(patched.feature?.version).toBe(2);
    expect(replaced.feature?.properties.width_m).toBe(7);
    expect(deleted.feature).toBeNull();
  });

  it('still answers 412 to that token when it sends a stale If-Match', async () => {
    const featureId = await createRoad();
    const patch = { properties: { width_m: 5 } };
    await apply({ op: 'patch', layerId: layer.id, featureId, patch }, desktop);

    const stale = `"${featureId}-1"`;
    const problem = await failure(
      apply({ op: 'patch', layerId: layer.id, featureId, ifMatch: stale, patch }, desktop),
    );

    expect(problem?.status).toBe(412);
  });

  it('answers 428 without If-Match to every other caller', async () => {
    const featureId = await createRoad();
    const user: Principal = { kind: 'user', name: 'sari', roles: ['roads:editor'] };
    const patch = { properties: { width_m: 5 } };

    const byToken = await failure(
      apply({ op: 'patch', layerId: layer.id, featureId, patch }, script),
    );
    const byUser = await failure(apply({ op: 'delete', layerId: layer.id, featureId }, user));

    expect(byToken?.status).toBe(428);
    expect(byUser?.status).toBe(428);
  });

  it('applies batch edits of that token without etag, refuses them to others', async () => {
    const featureId = await createRoad();
    const edits: Edit[] = [
      { op: 'patch', layerId: layer.id, featureId, patch: { properties: { width_m: 8 } } },
    ];

    const { pool } = testDatabase.database;
    const refused = await failure(applyBatch(pool, edits, context(script)));
    const reports = await applyBatch(pool, edits, context(desktop));

    expect(refused?.status).toBe(428);
    expect(reports[0]).toMatchObject({ outcome: 'applied', etag: `"${featureId}-2"` });
  });
});
