import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerAccess } from '../../../layers/types.js';
import { findLayer, requireLayer } from '../../../server/services/layer-registry.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

const hiddenLayer = findLayer('desa')!;
const absentLayerId = 'no_such_layer';

/** The paths by which a caller may name a layer, for one layer id. */
const pathsNaming = (layerId: string) => [
  `/collections/${layerId}`,
  `/collections/${layerId}/items`,
  `/collections/${layerId}/history`,
  `/tiles/${layerId}.json`,
  `/tiles/${layerId}/12/3288/2136.mvt`,
  `/exports/${layerId}?format=geojson`,
];

async function problemAt(baseUrl: string, path: string) {
  const response = await fetch(`${baseUrl}${path}`);
  const body = (await response.json()) as { type: string; detail: string };
  return { status: response.status, type: body.type, detail: body.detail };
}

describe('layers a visitor may not read', () => {
  let server: TestServer;
  const access = hiddenLayer.access;
  beforeAll(async () => {
    (hiddenLayer as { access: LayerAccess }).access = { ...access, read: ['admin'] };
    server = await startTestServer();
  });
  afterAll(async () => {
    (hiddenLayer as { access: LayerAccess }).access = access;
    await server.close();
  });

  it('names no restricted layer in the 404 of an unknown one', () => {
    const lookUp = () => requireLayer(absentLayerId);

    expect(lookUp).toThrow(/Known layers: .*kecamatan/);
    expect(lookUp).not.toThrow(/\bdesa\b/);
  });

  it('answers a hidden layer and an absent one with the same 404 everywhere', async () => {
    const hiddenPaths = pathsNaming(hiddenLayer.id);
    const absentPaths = pathsNaming(absentLayerId);

    for (const [index, path] of hiddenPaths.entries()) {
      const hidden = await problemAt(server.baseUrl, path);
      const absent = await problemAt(server.baseUrl, absentPaths[index]!);

      expect(hidden.status, path).toBe(404);
      expect(absent.status, path).toBe(404);
      expect(hidden.type, path).toBe(absent.type);
      expect(hidden.detail.replace(hiddenLayer.id, absentLayerId), path).toBe(absent.detail);
    }
  });

  it('lists in /tiles only the layers the caller may read', async () => {
    const tileSets = (await (await fetch(`${server.baseUrl}/tiles`)).json()) as {
      layers: { id: string }[];
    };

    const ids = tileSets.layers.map((layer) => layer.id);
    expect(ids).toContain('kecamatan');
    expect(ids).not.toContain(hiddenLayer.id);
  });
});
