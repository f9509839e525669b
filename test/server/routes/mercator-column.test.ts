import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { mercatorColumn } from '../../../server/db/migrations/layer-schema.js';
import { createApiToken } from '../../../server/services/account-service.js';
import { apiSender } from '../../support/api-client.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { firstLayerOfType, validFeature } from '../../support/valid-feature.js';

const editable = layerDefinitions.filter((l) => !l.regencyOutline);
const layer = firstLayerOfType(editable, 'MultiLineString')!;

const movedGeometry = {
  type: 'MultiLineString',
  coordinates: [
    [
      [109.02, -7.7],
      [109.03, -7.71],
    ],
  ],
};

describe(`the Web Mercator copy of ${layer.id} geometries`, () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const request = { name: 'mercator-test', roles: [`${layer.theme}:editor`], write: true };
    token = (await createApiToken(pool, request, 't')).secret;
  });
  afterAll(() => server.close());

  const send = apiSender(
    () => server.baseUrl,
    () => token,
  );
  const items = `/collections/${layer.id}/items`;

  /** How far the stored copy lies from the stored geometry reprojected now, in metres. */
  const drift = async (id: number) => {
    const { rows } = await server.testDatabase.database.pool.query<{ metres: number }>(
      `SELECT ST_HausdorffDistance(${mercatorColumn}, ST_Transform(geom, 3857)) AS metres
       FROM ${layer.id} WHERE id = $1`,
      [id],
    );
    return rows[0]!.metres;
  };

  it('follows every change of the geometry', async () => {
    const created = await send('POST', items, validFeature(layer));
    const id = created.body.id as number;
    expect(await drift(id)).toBe(0);

    await send(
      'PATCH',
      `${items}/${id}`,
      { geometry: movedGeometry },
      created.response.headers.get('etag')!,
    );

    expect(await drift(id)).toBe(0);
    const { rows } = await server.testDatabase.database.pool.query<{ x: number }>(
      `SELECT ST_XMin(${mercatorColumn}) AS x FROM ${layer.id} WHERE id = $1`,
      [id],
    );
    // 109.02° east in Web Mercator metres.
    expect(rows[0]!.x).toBeCloseTo(12136050.89, 1);
  });

  it('is never a property: not in the feature API, nor in the history', async () => {
    const created = await send('POST', items, validFeature(layer));
    const id = created.body.id as number;
    await send(
      'PATCH',
      `${items}/${id}`,
      { geometry: movedGeometry },
      created.response.headers.get('etag')!,
    );

    const feature = await send('GET', `${items}/${id}`);
    const history = await send('GET', `${items}/${id}/history`);

    expect(feature.response.status).toBe(200);
    expect(Object.keys(feature.body.properties)).not.toContain(mercatorColumn);
    expect(history.body.versions).toHaveLength(2);
    for (const version of history.body.versions) {
      for (const properties of [version.propertiesBefore, version.propertiesAfter]) {
        if (properties) expect(Object.keys(properties)).not.toContain(mercatorColumn);
      }
    }
    expect(history.body.versions[1].propertiesAfter).toBeDefined();
  });
});
