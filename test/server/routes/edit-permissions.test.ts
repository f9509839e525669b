import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, type LayerDefinition, type Role } from '../../../layers/index.js';
import { createApiToken, knownRoles } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** What the declaration promises a role on a layer, derived independently of the server. */
function expectedAccess(role: Role | undefined, layer: LayerDefinition) {
  const edit = role === 'admin' || (role !== undefined && layer.access.edit.includes(role));
  const read =
    layer.access.read === 'public' ||
    edit ||
    (role !== undefined && layer.access.read.includes(role));
  return { read, edit };
}

/**
 * The status a write must get when permission is the only question: an unreadable layer is
 * hidden (404), a visitor must log in (401), a reader may not write (403). An allowed create
 * reaches validation (422 for an empty feature) and an allowed change reaches the If-Match
 * check (428), so nothing is written by this test.
 */
function expectedStatus(role: Role | undefined, layer: LayerDefinition, method: string) {
  const { read, edit } = expectedAccess(role, layer);
  if (!read) return 404;
  if (!role) return 401;
  if (!edit) return 403;
  return method === 'POST' ? 422 : 428;
}

const roles: (Role | undefined)[] = [undefined, ...knownRoles()];
const methods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

describe('edit permissions of every role on every layer and method', () => {
  let server: TestServer;
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    for (const role of knownRoles()) {
      // a role that edits nothing gets no write token (refused): its token reads, as a viewer's
      const write = layerDefinitions.some((layer) => expectedAccess(role, layer).edit);
      const request = { name: role, roles: [role], write };
      tokens.set(role, (await createApiToken(pool, request, 'test')).secret);
    }
  });
  afterAll(() => server.close());

  const request = (method: string, path: string, role: Role | undefined) => {
    const headers: Record<string, string> = { 'content-type': 'application/geo+json' };
    if (role) headers.authorization = `Bearer ${tokens.get(role)}`;
    const body = method === 'DELETE' ? undefined : JSON.stringify({ type: 'Feature' });
    return fetch(`${server.baseUrl}${path}`, { method, headers, body });
  };

  it('answers each role, layer and method as the declaration says', async () => {
    const mismatches: string[] = [];
    for (const layer of layerDefinitions) {
      for (const role of roles) {
        for (const method of methods) {
          const path = `/collections/${layer.id}/items${method === 'POST' ? '' : '/999999'}`;
          const response = await request(method, path, role);
          await response.arrayBuffer();

          const expected = expectedStatus(role, layer, method);
          if (response.status !== expected) {
            mismatches.push(
              `${role ?? 'visitor'} ${method} ${layer.id}: ${response.status} ≠ ${expected}`,
            );
          }
        }
      }
    }

    expect(mismatches).toEqual([]);
  });

  it('lists in OPTIONS exactly the methods each role may use', async () => {
    const mismatches: string[] = [];
    for (const layer of layerDefinitions) {
      for (const role of roles) {
        const response = await request('OPTIONS', `/collections/${layer.id}/items/1`, role);
        const { read, edit } = expectedAccess(role, layer);

        const expected = !read
          ? '404'
          : edit
            ? 'GET, HEAD, OPTIONS, PUT, PATCH, DELETE'
            : 'GET, HEAD, OPTIONS';
        const got = response.status === 404 ? '404' : response.headers.get('allow');
        if (got !== expected)
          mismatches.push(`${role ?? 'visitor'} ${layer.id}: ${got} ≠ ${expected}`);
      }
    }

    expect(mismatches).toEqual([]);
  });

  it('keeps an irrigation editor away from every roads layer', async () => {
    const roadLayers = layerDefinitions.filter((l) => l.theme === 'roads');
    expect(roadLayers.length).toBeGreaterThan(0);

    for (const layer of roadLayers) {
      const response = await request('POST', `/collections/${layer.id}/items`, 'irrigation:editor');
      expect([403, 404]).toContain(response.status);
    }
  });

  it('lists to a visitor only the public layers', async () => {
    const response = await fetch(`${server.baseUrl}/collections`, {
      headers: { accept: 'application/json' },
    });
    const { collections } = (await response.json()) as { collections: { id: string }[] };

    const publicIds = layerDefinitions.filter((l) => l.access.read === 'public').map((l) => l.id);
    expect(collections.map((c) => c.id).sort()).toEqual(publicIds.sort());
  });
});
