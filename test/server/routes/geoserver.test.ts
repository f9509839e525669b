import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectLastGeoServerRun } from '../../../server/db/queries/geoserver-runs.js';
import { startGeoServerStandIn, type GeoServerStandIn } from '../../support/geoserver-stand-in.js';
import type { TestServer } from '../../support/app-server.js';

const password = 'rahasia-sekali-123';

describe('the GeoServer admin endpoints', () => {
  let geoserver: GeoServerStandIn;
  let server: TestServer;

  beforeAll(async () => {
    geoserver = await startGeoServerStandIn();
    vi.stubEnv('GEOSERVER_URL', geoserver.restUrl);
    vi.stubEnv('GEOSERVER_USER', geoserver.user);
    vi.stubEnv('GEOSERVER_PASSWORD', geoserver.password);
    vi.stubEnv('GEOSERVER_DATASTORE_URL', 'postgres://reader:db-secret@db.internal/simpul');
    vi.stubEnv('GEOSERVER_TIMEOUT_MS', '500');
    // The configuration is read once at import: load the app after the variables are set.
    vi.resetModules();
    const { startTestServer } = await import('../../support/app-server.js');
    const { createUser } = await import('../../../server/services/account-service.js');
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    await createUser(pool, { name: 'admin', password, roles: ['admin'] });
    await createUser(pool, { name: 'editor', password, roles: ['roads:editor'] });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
    await geoserver.close();
  });

  async function logIn(name: string) {
    const response = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    const body = (await response.json()) as { csrfToken: string };
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    return { cookie, csrf: body.csrfToken };
  }

  const get = (path: string, cookie = '') =>
    fetch(`${server.baseUrl}${path}`, { headers: cookie ? { cookie } : {} });

  const apply = (cookie: string, csrf?: string, body: unknown = {}) =>
    fetch(`${server.baseUrl}/admin/geoserver/apply`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie,
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      body: JSON.stringify(body),
    });

  it('answers a visitor 401 and an editor 403, as problem details', async () => {
    const { cookie } = await logIn('editor');

    const visitor = await get('/admin/geoserver/plan');
    const editor = await get('/admin/geoserver/plan', cookie);

    expect(visitor.status).toBe(401);
    expect(visitor.headers.get('content-type')).toContain('application/problem+json');
    expect(editor.status).toBe(403);
    expect((await editor.json()).type).toBe('/problems/admin-only');
    expect(geoserver.requests).toEqual([]);
  });

  it('refuses an apply whose body is not UTF-8, applying nothing', async () => {
    const { cookie, csrf } = await logIn('admin');
    // Windows-1252 bytes: each stray byte was read as U+FFFD and the body taken as sent
    const body = Buffer.from('{"force": "ya\u00e9"}', 'latin1');

    const response = await fetch(`${server.baseUrl}/admin/geoserver/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body,
    });

    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe('/problems/body-not-utf8');
    expect(geoserver.requests).toEqual([]);
  });

  it('tells an administrator whose token may not write why it may not apply', async () => {
    const { createApiToken } = await import('../../../server/services/account-service.js');
    const pool = server.testDatabase.database.pool;
    const reader = await createApiToken(pool, { name: 'admin', roles: ['admin'] }, 'test');
    const authorization = `Bearer ${reader.secret}`;

    const plan = await fetch(`${server.baseUrl}/admin/geoserver/plan`, {
      headers: { authorization },
    });
    const applied = await fetch(`${server.baseUrl}/admin/geoserver/apply`, {
      method: 'POST',
      headers: { authorization },
    });

    expect(plan.status).toBe(200);
    expect(applied.status).toBe(403);
    expect((await applied.json()).detail).toBe(
      'This API token may not write: applying needs an administrator token that may write ' +
        'every layer, or an administrator login.',
    );
  });

  it('shows an administrator the status, then the plan, without writing', async () => {
    const { cookie } = await logIn('admin');

    const status = await (await get('/admin/geoserver', cookie)).json();
    const response = await get('/admin/geoserver/plan', cookie);
    const plan = await response.json();

    expect(status).toMatchObject({ configured: true, url: geoserver.restUrl, lastApply: null });
    expect(response.status).toBe(200);
    expect(plan.workspace).toBe('cilacap');
    expect(plan.counts.create).toBeGreaterThan(3);
    expect(JSON.stringify(plan)).not.toContain('db-secret');
    expect(geoserver.writes()).toEqual([]);
  });

  it('applies only with the session CSRF token, and records the last result', async () => {
    const { cookie, csrf } = await logIn('admin');

    const withoutToken = await apply(cookie);
    const applied = await apply(cookie, csrf);
    const result = await applied.json();
    const status = await (await get('/admin/geoserver', cookie)).json();

    expect(withoutToken.status).toBe(403);
    expect(applied.status).toBe(200);
    expect(result.report.outcome).toBe('applied');
    expect(status.lastApply).toMatchObject({ outcome: 'applied', requestedBy: 'user:admin' });
    expect(status.lastApply.report.report.steps.length).toBe(result.report.steps.length);
    expect(JSON.stringify(status)).not.toContain('db-secret');
  });

  it('refuses an apply it would misread, asking GeoServer nothing', async () => {
    const { cookie, csrf } = await logIn('admin');
    const post = (path: string, type: string, body: string) =>
      fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, cookie, 'x-csrf-token': csrf },
        body,
      });
    const asked = geoserver.requests.length;

    const dryRun = await post('/admin/geoserver/apply?dryRun=1', 'application/json', '{}');
    const misspelt = await post('/admin/geoserver/apply', 'application/json', '{"forse":true}');
    const list = await post('/admin/geoserver/apply', 'application/json', '[]');
    const form = await post(
      '/admin/geoserver/apply',
      'application/x-www-form-urlencoded',
      'force=1',
    );

    expect([dryRun, misspelt, list, form].map((answer) => answer.status)).toEqual([
      400, 400, 400, 415,
    ]);
    expect((await dryRun.json()).detail).toBe(
      'Unknown query parameter "dryRun". This request takes no query parameters.',
    );
    expect((await misspelt.json()).detail).toBe(
      'Unknown member "forse" in the body. An apply takes force (a switch), or no body.',
    );
    expect((await list.json()).detail).toBe(
      'The body must be a JSON object such as {"force": true}, or absent; got an array.',
    );
    expect(form.headers.get('content-type')).toContain('application/problem+json');
    expect((await form.json()).detail).toBe(
      'Send the body as application/json, or no body; got application/x-www-form-urlencoded.',
    );
    expect(geoserver.requests.length).toBe(asked);
  });

  it('refuses a vulnerable GeoServer with 409 naming the CVE, unless forced', async () => {
    const { cookie } = await logIn('admin');
    geoserver.setVersion('2.25.1');

    const refused = await get('/admin/geoserver/plan', cookie);
    const forced = await get('/admin/geoserver/plan?force=1', cookie);
    geoserver.setVersion('2.28.2');

    const problem = await refused.json();
    expect(refused.status).toBe(409);
    expect(problem.type).toBe('/problems/geoserver-version-refused');
    expect(problem.vulnerabilities.map((v: { id: string }) => v.id)).toContain('CVE-2024-36401');
    expect(forced.status).toBe(200);
    expect((await forced.json()).geoserver.warning).toMatch(/CVE-2024-36401/);
  });

  it('reads force as a switch, yes included, and refuses a word that is none', async () => {
    const { cookie } = await logIn('admin');
    geoserver.setVersion('2.25.1');

    const yes = await get('/admin/geoserver/plan?force=yes', cookie);
    const no = await get('/admin/geoserver/plan?force=no', cookie);
    const maybe = await get('/admin/geoserver/plan?force=maybe', cookie);
    geoserver.setVersion('2.28.2');

    expect(yes.status).toBe(200);
    expect(no.status).toBe(409);
    expect(maybe.status).toBe(400);
    expect(maybe.headers.get('content-type')).toContain('application/problem+json');
    expect((await maybe.json()).detail).toBe(
      'force must be 1 or 0 (true/false, yes/no, on/off); got "maybe".',
    );
  });

  it('answers 502 naming the cause when GeoServer does not answer in time', async () => {
    const { cookie } = await logIn('admin');
    geoserver.addFault({ path: /about\/version/, delayMs: 1000, times: 1 });

    const response = await get('/admin/geoserver/plan', cookie);
    const problem = await response.json();

    expect(response.status).toBe(502);
    expect(problem.type).toBe('/problems/geoserver-unavailable');
    expect(problem.detail).toMatch(/no answer within 500 ms/);
  });

  it('records an apply GeoServer refuses, and keeps showing the last success', async () => {
    const { cookie, csrf } = await logIn('admin');
    geoserver.addFault({ path: /about\/version/, status: 401, times: 1 });

    const refused = await apply(cookie, csrf);
    const problem = await refused.json();
    const status = await (await get('/admin/geoserver', cookie)).json();

    expect(refused.status).toBe(502);
    expect(problem.type).toBe('/problems/geoserver-credentials-refused');
    expect(status.lastApply).toMatchObject({
      outcome: 'failed',
      failedStage: 'connect',
      requestedBy: 'user:admin',
      geoserverUrl: geoserver.restUrl,
      error: problem.detail,
      report: { plan: null, report: { outcome: 'failed', steps: [] } },
    });
    expect(status.lastSuccess).toMatchObject({ outcome: 'applied', failedStage: null });
    expect(status.lastSuccess.finishedAt < status.lastApply.finishedAt).toBe(true);
  });

  it('records an apply refused for a vulnerable version, and one unread half-way', async () => {
    const { cookie, csrf } = await logIn('admin');

    geoserver.setVersion('2.25.1');
    const refused = await apply(cookie, csrf);
    geoserver.setVersion('2.28.2');
    const afterRefusal = await (await get('/admin/geoserver', cookie)).json();
    geoserver.addFault({ method: 'GET', path: /featuretypes\/desa\.json$/, status: 500 });
    const unread = await apply(cookie, csrf);
    geoserver.clearFaults();
    const afterUnread = await (await get('/admin/geoserver', cookie)).json();

    expect(refused.status).toBe(409);
    expect(afterRefusal.lastApply).toMatchObject({ outcome: 'failed', failedStage: 'connect' });
    expect(afterRefusal.lastApply.error).toMatch(/CVE-2024-36401/);
    expect(unread.status).toBe(502);
    expect(afterUnread.lastApply).toMatchObject({
      outcome: 'failed',
      failedStage: 'plan',
      geoserverVersion: '2.28.2',
    });
    expect(afterUnread.lastApply.error).toMatch(/answered 500 to GET .*desa\.json/);
    expect(afterUnread.lastSuccess.outcome).toBe('applied');
  });

  it('records each plan, a failed one with where it stopped and why', async () => {
    const { cookie } = await logIn('admin');
    const pool = server.testDatabase.database.pool;

    const planned = await get('/admin/geoserver/plan', cookie);
    const afterPlan = await selectLastGeoServerRun(pool, 'plan');
    geoserver.addFault({ path: /about\/version/, status: 401, times: 1 });
    const refused = await get('/admin/geoserver/plan', cookie);
    const problem = await refused.json();
    const afterRefusal = await selectLastGeoServerRun(pool, 'plan');

    expect(planned.status).toBe(200);
    expect(afterPlan).toMatchObject({ outcome: 'planned', requestedBy: 'user:admin' });
    expect(refused.status).toBe(502);
    expect(afterRefusal).toMatchObject({
      outcome: 'failed',
      failedStage: 'connect',
      requestedBy: 'user:admin',
      geoserverUrl: geoserver.restUrl,
      error: problem.detail,
    });
  });

  it('refuses a second apply while one runs, 409, recording only the one that ran', async () => {
    const { cookie, csrf } = await logIn('admin');
    const pool = server.testDatabase.database.pool;
    const countSql = "SELECT count(*)::int AS n FROM simpul_geoserver_run WHERE kind = 'apply'";
    const countApplies = async () => (await pool.query(countSql)).rows[0].n as number;
    const appliesBefore = await countApplies();
    const versionAsked = () =>
      geoserver.requests.filter((request) => request.path.includes('about/version'));
    const askedBefore = versionAsked().length;
    geoserver.catalog.layerGroups.delete('cilacap/administrative');
    // Holds the first apply in its plan, past its version check, long enough for the second.
    geoserver.addFault({
      method: 'GET',
      path: /featuretypes\/desa\.json$/,
      delayMs: 300,
      times: 1,
    });

    const first = apply(cookie, csrf);
    await expect.poll(() => versionAsked().length).toBeGreaterThan(askedBefore);
    const second = await apply(cookie, csrf);
    const firstDone = await first;
    const status = await (await get('/admin/geoserver', cookie)).json();

    expect(second.status).toBe(409);
    expect((await second.json()).type).toBe('/problems/geoserver-busy');
    expect(firstDone.status).toBe(200);
    expect(await countApplies()).toBe(appliesBefore + 1);
    expect(status.lastApply.outcome).toBe('applied');
  });

  it('answers 502 with the report when a step fails, and records where it stopped', async () => {
    const { cookie, csrf } = await logIn('admin');
    geoserver.catalog.styles.delete('cilacap/desa');
    geoserver.catalog.layerGroups.delete('cilacap/administrative');
    geoserver.addFault({ method: 'POST', path: /\/styles/, status: 500, times: 1 });

    const response = await apply(cookie, csrf);
    const problem = await response.json();
    const status = await (await get('/admin/geoserver', cookie)).json();

    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.type).toBe('/problems/geoserver-apply-failed');
    expect(problem.detail).toMatch(/^Step create style desa failed: GeoServer refused .*; /);
    expect(problem.detail).toMatch(/0 steps done, 1 not done; apply again to resume/);
    expect(problem.plan.workspace).toBe('cilacap');
    const statuses = (problem.report.steps as { status: string }[]).map((step) => step.status);
    expect(statuses).toEqual(expect.arrayContaining(['failed', 'not-done']));
    expect(problem.report.outcome).toBe('failed');
    expect(status.lastApply).toMatchObject({ outcome: 'failed', failedStage: 'apply' });
    expect(status.lastApply.error).toMatch(/^style desa: /);
    const steps = status.lastApply.report.report.steps as { status: string }[];
    expect(steps.some((step) => step.status === 'failed')).toBe(true);
    expect(status.lastSuccess.outcome).toBe('applied');
  });

  it('applies a POST without a body, sent with Content-Length: 0 as fetch does', async () => {
    const { cookie, csrf } = await logIn('admin');

    const applied = await fetch(`${server.baseUrl}/admin/geoserver/apply`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-length': '0' },
    });

    expect(applied.status).toBe(200);
    expect((await applied.json()).report.steps).toBeDefined();
  });
});

describe('the GeoServer admin endpoints with a password written into GEOSERVER_URL', () => {
  let server: TestServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    vi.stubEnv('GEOSERVER_URL', 'http://admin:gs-secret-4@127.0.0.1:9/geoserver/rest');
    vi.stubEnv('GEOSERVER_USER', 'admin');
    vi.stubEnv('GEOSERVER_PASSWORD', 'gs-secret-5');
    vi.stubEnv('GEOSERVER_DATASTORE_URL', 'postgres://reader:db-secret@db.internal/simpul');
    vi.resetModules();
    const { startTestServer } = await import('../../support/app-server.js');
    const { createApiToken } = await import('../../../server/services/account-service.js');
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    const admin = { name: 'admin', roles: ['admin'], write: true };
    const token = await createApiToken(pool, admin, 'test');
    headers = { authorization: `Bearer ${token.secret}` };
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  it('says it is not configured, and never shows the password', async () => {
    const status = await fetch(`${server.baseUrl}/admin/geoserver`, { headers });
    const plan = await fetch(`${server.baseUrl}/admin/geoserver/plan`, { headers });

    const statusText = await status.text();
    const planText = await plan.text();
    expect(JSON.parse(statusText)).toMatchObject({
      configured: false,
      url: 'http://admin:***@127.0.0.1:9/geoserver/rest',
      problem: expect.stringContaining('set GEOSERVER_USER and GEOSERVER_PASSWORD instead'),
    });
    expect(plan.status).toBe(503);
    expect(statusText + planText).not.toContain('gs-secret-4');
  });

  it('records an apply and a plan the configuration stops, the password hidden', async () => {
    const pool = server.testDatabase.database.pool;

    const applied = await fetch(`${server.baseUrl}/admin/geoserver/apply`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    const problem = await applied.json();
    const status = await (await fetch(`${server.baseUrl}/admin/geoserver`, { headers })).json();
    const plan = await selectLastGeoServerRun(pool, 'plan');

    expect(applied.status).toBe(503);
    expect(status.lastApply).toMatchObject({
      outcome: 'failed',
      failedStage: 'configure',
      requestedBy: 'token:admin',
      geoserverUrl: 'http://admin:***@127.0.0.1:9/geoserver/rest',
      error: problem.detail,
    });
    expect(plan).toMatchObject({ outcome: 'failed', failedStage: 'configure' });
    expect(plan?.error).toContain('set GEOSERVER_USER and GEOSERVER_PASSWORD instead');
    expect(JSON.stringify([status, plan])).not.toContain('gs-secret-4');
  });
});
