import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { firstLayerOfType, validFeature } from '../../support/valid-feature.js';

const layer = firstLayerOfType(
  layerDefinitions.filter((l) => !l.regencyOutline),
  'MultiPolygon',
)!;
const password = 'rahasia-sekali-123';

describe('accounts, sessions and API tokens', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    await createUser(pool, { name: 'admin', password, roles: ['admin'] });
    await createUser(pool, { name: 'editor', password, roles: [`${layer.theme}:editor`] });
    await createUser(pool, { name: 'viewer', password, roles: [`${layer.theme}:viewer`] });
  });
  afterAll(() => server.close());

  const logIn = async (name: string, secret = password, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name, password: secret }),
    });
    const body = await response.json();
    const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? '';
    return { response, body, cookie, csrf: body.csrfToken as string };
  };
  const post = (
    path: string,
    cookie: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: JSON.stringify(body),
    });

  it('logs in with a session cookie that scripts cannot read and other sites do not send', async () => {
    const { response, body } = await logIn('editor');

    const setCookie = response.headers.get('set-cookie')!;
    expect(response.status).toBe(200);
    expect(setCookie).toMatch(/simpul_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(body.user).toEqual({ name: 'editor', roles: [`${layer.theme}:editor`] });
  });

  it('refuses a login body that is not UTF-8: other bytes read as the same password', async () => {
    const pool = server.testDatabase.database.pool;
    await createUser(pool, { name: 'kasir', password: 'sandi-\uFFFD\uFFFD-panjang', roles: [] });
    // Windows-1252 bytes of another password: each stray byte was read as U+FFFD
    const body = Buffer.from(
      JSON.stringify({ name: 'kasir', password: 'sandi-\u00e9\u00e8-panjang' }),
      'latin1',
    );

    const response = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/body-not-utf8');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('answers 400 naming the fields to a login without name and password', async () => {
    const response = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'editor', password }),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json()).detail).toContain('"name"');
  });

  it('says a JSON body must be an object when sent null or a number', async () => {
    const answers = await Promise.all(
      ['null', '42'].map(async (body) => {
        const response = await fetch(`${server.baseUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return [response.status, (await response.json()).detail];
      }),
    );

    expect(answers).toEqual([
      [400, 'The body must be a JSON object or array, not null.'],
      [400, 'The body must be a JSON object or array, not number.'],
    ]);
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const { response } = await logIn('editor', password, { 'x-forwarded-proto': 'https' });

    expect(response.headers.get('set-cookie')).toMatch(/Secure/i);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await logIn('viewer', 'salah-salah-salah');
    const unknown = await logIn('nobody', 'salah-salah-salah');

    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('pauses logins of a name after repeated failures, even with the right password', async () => {
    await createUser(server.testDatabase.database.pool, {
      name: 'target',
      password,
      roles: ['roads:viewer'],
    });
    for (let i = 0; i < 5; i++) await logIn('target', 'tebakan-salah-' + i);

    const { response, body } = await logIn('target');

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('900');
    expect(body.type).toBe('/problems/too-many-logins');
  });

  it('tells the web client who is logged in, its CSRF token and the layers it may edit', async () => {
    const { cookie, csrf } = await logIn('editor');

    const response = await fetch(`${server.baseUrl}/auth/session`, { headers: { cookie } });
    const body = await response.json();

    expect(body.user.name).toBe('editor');
    expect(body.csrfToken).toBe(csrf);
    expect(body.editableLayers).toContain(layer.id);
    expect(body.editableLayers).not.toContain(
      layerDefinitions.find((l) => l.theme !== layer.theme)!.id,
    );
  });

  it('refuses a cookie write without the CSRF token, and accepts it with the token', async () => {
    const { cookie, csrf } = await logIn('editor');
    const path = `/collections/${layer.id}/items`;

    const without = await post(path, cookie, validFeature(layer));
    const crossSite = await post(path, cookie, validFeature(layer), {
      'x-csrf-token': csrf,
      origin: 'https://evil.example',
    });
    const withToken = await post(path, cookie, validFeature(layer), { 'x-csrf-token': csrf });

    expect(without.status).toBe(403);
    expect((await without.json()).type).toBe('/problems/csrf-token-missing');
    expect(crossSite.status).toBe(403);
    expect(withToken.status).toBe(201);
  });

  it('refuses a login and a cookie write from an opaque origin (Origin: null)', async () => {
    // a sandboxed frame or a file page sends it: a hostile one could log a visitor in to the
    // attacker's account (login CSRF), or write with the visitor's cookie and a leaked token
    const { cookie, csrf } = await logIn('editor');
    const login = await logIn('editor', password, { origin: 'null' });
    const write = await post(`/collections/${layer.id}/items`, cookie, validFeature(layer), {
      'x-csrf-token': csrf,
      origin: 'null',
    });

    expect([login.response.status, login.body.type]).toEqual([403, '/problems/cross-site-request']);
    expect(login.cookie).toBe('');
    expect(write.status).toBe(403);
  });

  it('ends the session at logout', async () => {
    const { cookie, csrf } = await logIn('viewer');

    await post('/auth/logout', cookie, {}, { 'x-csrf-token': csrf });
    const response = await fetch(`${server.baseUrl}/auth/session`, { headers: { cookie } });

    expect((await response.json()).user).toBeNull();
  });

  it('reads a session cookie written as JSON (j:1, j:[]) as none, not a 500', async () => {
    const answers = await Promise.all(
      ['j%3A1', 'j%3A%5B%5D', 'j%3A%7B%22a%22%3A1%7D'].map(async (value) => {
        const cookie = `simpul_session=${value}`;
        const session = await fetch(`${server.baseUrl}/auth/session`, { headers: { cookie } });
        const layers = await fetch(`${server.baseUrl}/collections`, { headers: { cookie } });
        const logout = await post('/auth/logout', cookie, {});
        return [session.status, (await session.json()).user, layers.status, logout.status];
      }),
    );

    expect(answers).toEqual(Array(3).fill([200, null, 200, 204]));
  });

  it('lets an administrator create a scoped token that writes through Bearer, then revoke it', async () => {
    const { cookie, csrf } = await logIn('admin');
    const headers = { 'x-csrf-token': csrf };
    const request = { name: 'sipd-sync', roles: ['admin'], layerIds: [layer.id], write: true };

    const created = await post('/auth/tokens', cookie, request, headers);
    const token = await created.json();
    const write = await fetch(`${server.baseUrl}/collections/${layer.id}/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(validFeature(layer)),
    });
    const revoked = await fetch(`${server.baseUrl}/auth/tokens/${token.id}`, {
      method: 'DELETE',
      headers: { cookie, ...headers },
    });
    const after = await fetch(`${server.baseUrl}/collections/${layer.id}/items`, {
      headers: { authorization: `Bearer ${token.secret}` },
    });

    expect(created.status).toBe(201);
    expect(token.secret).toMatch(/^simpul_/);
    expect(write.status).toBe(201);
    expect(revoked.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('creates a token writing without If-Match, lists it, refuses it read-only', async () => {
    const { cookie, csrf } = await logIn('admin');
    const headers = { 'x-csrf-token': csrf };
    const roles = ['admin'];
    const request = { name: 'qgis-desktop', roles, write: true, withoutIfMatch: true };

    const created = await post('/auth/tokens', cookie, request, headers);
    const token = await created.json();
    const readOnly = await post('/auth/tokens', cookie, { ...request, write: false }, headers);
    const problem = await readOnly.json();
    const list = await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } });
    const listed = (await list.json()).tokens.find((t: { id: number }) => t.id === token.id);

    expect(created.status).toBe(201);
    expect(token.withoutIfMatch).toBe(true);
    expect(readOnly.status).toBe(400);
    expect(readOnly.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.detail).toContain('"write": true');
    expect(listed.withoutIfMatch).toBe(true);
  });

  it('refuses a token id written other than in decimal digits, revoking nothing', async () => {
    const { cookie, csrf } = await logIn('admin');
    const headers = { 'x-csrf-token': csrf };
    const request = { name: 'hex-id', roles: ['admin'], layerIds: [layer.id], write: false };
    const token = await (await post('/auth/tokens', cookie, request, headers)).json();

    const revoked = await fetch(`${server.baseUrl}/auth/tokens/0x${token.id.toString(16)}`, {
      method: 'DELETE',
      headers: { cookie, ...headers },
    });
    const read = await fetch(`${server.baseUrl}/collections/${layer.id}/items`, {
      headers: { authorization: `Bearer ${token.secret}` },
    });

    expect(revoked.status).toBe(400);
    expect((await revoked.json()).type).toBe('/problems/bad-token-id');
    expect(read.status).toBe(200);
  });

  it('keeps account management from editors', async () => {
    const { cookie, csrf } = await logIn('editor');

    const response = await post(
      '/auth/tokens',
      cookie,
      { name: 'x', roles: ['admin'], write: true },
      { 'x-csrf-token': csrf },
    );

    expect(response.status).toBe(403);
  });

  it('tells an admin API token that managing accounts needs a login', async () => {
    const { createApiToken } = await import('../../../server/services/account-service.js');
    const pool = server.testDatabase.database.pool;
    const admin = { name: 'admin', roles: ['admin'], write: true };
    const token = await createApiToken(pool, admin, 'test');
    const authorization = `Bearer ${token.secret}`;

    const users = await fetch(`${server.baseUrl}/auth/users`, { headers: { authorization } });
    const problem = await users.json();

    expect([users.status, problem.type]).toEqual([403, '/problems/admin-login-only']);
    expect(problem.detail).toBe(
      'API tokens may not manage accounts, not even an administrator token; ' +
        'log in as an administrator.',
    );
  });

  const send = (method: string, path: string, cookie: string, csrf: string, body: unknown) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });

  it('refuses an account write with a query parameter it does not take', async () => {
    const { cookie, csrf } = await logIn('admin');
    const tokensBefore = (
      await (await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } })).json()
    ).tokens.length;

    const token = await send('POST', '/auth/tokens?dryRun=1', cookie, csrf, {
      name: 'x',
      roles: ['admin'],
    });
    const disable = await send('PATCH', '/auth/users/viewer?dryRun=1', cookie, csrf, {
      disabled: true,
    });
    const tokensAfter = (
      await (await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } })).json()
    ).tokens.length;
    const viewer = await logIn('viewer');

    expect([token.status, disable.status]).toEqual([400, 400]);
    expect((await disable.json()).type).toBe('/problems/unknown-parameter');
    expect(tokensAfter).toBe(tokensBefore);
    expect(viewer.response.status).toBe(200);
  });

  it('refuses "disabled" other than true or false, leaving the user enabled', async () => {
    await createUser(server.testDatabase.database.pool, {
      name: 'leaver',
      password,
      roles: ['roads:editor'],
    });
    const { cookie, csrf } = await logIn('admin');
    const leaver = await logIn('leaver');

    const asText = await send('PATCH', '/auth/users/leaver', cookie, csrf, { disabled: 'true' });
    const misspelt = await send('PATCH', '/auth/users/leaver', cookie, csrf, { disable: true });
    const session = await fetch(`${server.baseUrl}/auth/session`, {
      headers: { cookie: leaver.cookie },
    });

    expect(asText.status).toBe(400);
    expect(asText.headers.get('content-type')).toContain('application/problem+json');
    expect((await asText.json()).detail).toContain('disabled is true or false');
    expect(misspelt.status).toBe(400);
    expect((await misspelt.json()).detail).toContain('"disable"');
    expect((await session.json()).user?.name).toBe('leaver');
  });

  it('refuses a token request naming a member it does not take, creating no token', async () => {
    const { cookie, csrf } = await logIn('admin');
    const before = (await (
      await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } })
    ).json()) as { tokens: unknown[] };
    // `layers` for `layerIds`: read as no scope, the token reached every layer of its roles
    const scoped = { name: 'typo', roles: ['admin'], layers: [layer.id], write: true };
    const wordy = { name: 'wordy', roles: ['admin'], write: 'yes' };

    const typo = await send('POST', '/auth/tokens', cookie, csrf, scoped);
    const yes = await send('POST', '/auth/tokens', cookie, csrf, wordy);
    const after = (await (
      await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } })
    ).json()) as { tokens: unknown[] };

    expect(typo.status).toBe(400);
    expect(typo.headers.get('content-type')).toContain('application/problem+json');
    expect((await typo.json()).detail).toContain('"layers"');
    expect(yes.status).toBe(400);
    expect((await yes.json()).detail).toContain('write is true or false');
    expect(after.tokens).toHaveLength(before.tokens.length);
  });

  it('refuses "write": true to a token whose roles edit none of its layers', async () => {
    const { cookie, csrf } = await logIn('admin');
    const list = async () =>
      (
        (await (await fetch(`${server.baseUrl}/auth/tokens`, { headers: { cookie } })).json())
          .tokens as unknown[]
      ).length;
    const before = await list();
    const viewer = { name: 'viewer-sync', roles: [`${layer.theme}:viewer`], write: true };
    const elsewhere = layerDefinitions.find(
      (l) => !l.access.edit.includes(`${layer.theme}:editor`),
    )!;
    const outOfScope = { ...viewer, roles: [`${layer.theme}:editor`], layerIds: [elsewhere.id] };

    const refused = await send('POST', '/auth/tokens', cookie, csrf, viewer);
    const problem = await refused.json();
    const scoped = await send('POST', '/auth/tokens', cookie, csrf, outOfScope);
    const readOnly = { ...viewer, write: false };
    const reading = await send('POST', '/auth/tokens', cookie, csrf, readOnly);

    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.type).toBe('/problems/write-without-edit-role');
    expect(problem.detail).toContain('"write": true');
    expect(problem.detail).toContain(`${layer.theme}:viewer`);
    expect(problem.detail).toContain(`${layer.theme}:editor`);
    expect(scoped.status).toBe(400);
    expect((await scoped.json()).detail).toContain(elsewhere.id);
    expect(reading.status).toBe(201);
    expect(await list()).toBe(before + 1);
  });

  it('refuses a new user whose roles are not a list, creating none', async () => {
    const { cookie, csrf } = await logIn('admin');
    const request = { name: 'no-roles', password, roles: 'roads:editor' };

    const response = await send('POST', '/auth/users', cookie, csrf, request);
    const login = await logIn('no-roles');

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain('roles is a list');
    expect(login.response.status).toBe(401);
  });

  it('answers 400, never 500, to a name holding the NUL character', async () => {
    const { cookie, csrf } = await logIn('admin');
    const nul = 'editor\u0000';

    const login = await logIn(nul);
    const user = await send('POST', '/auth/users', cookie, csrf, {
      name: nul,
      password,
      roles: [],
    });
    const tokenRequest = { name: nul, roles: ['admin'] };
    const token = await send('POST', '/auth/tokens', cookie, csrf, tokenRequest);
    const disable = { disabled: true };
    const change = await send('PATCH', '/auth/users/editor%00', cookie, csrf, disable);

    expect([login.response.status, user.status, token.status]).toEqual([400, 400, 400]);
    expect(login.body.detail).toContain('NUL');
    expect(change.status).toBe(404);
    expect(change.headers.get('content-type')).toContain('application/problem+json');
  });

  it('creates the first admin by command, reading the password from the environment', async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      DATABASE_URL: server.testDatabase.url,
      SIMPUL_USER_PASSWORD: password,
    };

    const { stdout } = await run(
      'npx',
      ['tsx', 'server/cli/user.ts', 'add', 'kepala-dinas', '--role', 'admin'],
      {
        env,
      },
    );
    const { response } = await logIn('kepala-dinas');

    expect(stdout).toContain('Created kepala-dinas with roles admin');
    expect(response.status).toBe(200);
  }, 60000);
});
