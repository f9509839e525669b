import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';

type Json = Record<string, unknown>;
type Problem = { type?: string; accepted?: string[] };
type Answer = { $ref?: string; content?: Record<string, unknown> };
type Responses = Record<string, Answer>;

/** The operation of `document` whose path template matches `path` (a literal path wins). */
function documentedOperation(document: Json, method: string, path: string) {
  const paths = document.paths as Record<string, Record<string, { responses: Responses }>>;
  const literal = paths[path];
  const matches = (template: string) => {
    const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    return new RegExp(`^${escaped.replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`).test(path);
  };
  const item = literal ?? Object.entries(paths).find(([template]) => matches(template))?.[1];
  return item?.[method.toLowerCase()];
}

/**
 * Why an answer is not one the document lists for its operation (its status, and its media
 * type without parameters; no body where none is listed), or undefined when it is.
 */
function undocumented(document: Json, method: string, path: string, answer: Response) {
  const operation = documentedOperation(document, method, path);
  if (!operation) return `${method} ${path} is not described`;
  const shared = (document.components as { responses: Responses }).responses;
  const named = operation.responses[String(answer.status)];
  const listed = named?.$ref ? shared[named.$ref.split('/').pop()!] : named;
  if (!listed) return `${method} ${path}: ${answer.status} is not listed`;

  const type = answer.headers.get('content-type')?.split(';')[0]!.trim().toLowerCase();
  const types = Object.keys(listed.content ?? {}).map((t) => t.split(';')[0]!.toLowerCase());
  if (type === undefined) {
    return types.length === 0 ? undefined : `${method} ${path}: no body, but ${types} listed`;
  }
  if (!types.includes(type)) return `${method} ${path} ${answer.status}: ${type} not listed`;
  return undefined;
}

const password = 'rahasia-kontrak-123';
const evacuationPoints = path.resolve('test/fixtures/import/evacuation-sample.geojson');

/** A value for each path parameter of the document, so that its paths can be asked. */
const examples: Record<string, string> = {
  layerList: 'kecamatan',
  z: '12',
  x: '3288',
  y: '2136',
  featureId: '1',
  version: '1',
  jobId: '00000000-0000-0000-0000-000000000000',
};

describe('the OpenAPI document against real answers', () => {
  let server: TestServer;
  let document: Json;
  let session: { cookie: string; csrf: string };
  beforeAll(async () => {
    server = await startTestServer();
    const pool = server.testDatabase.database.pool;
    await createUser(pool, { name: 'kontrak', password, roles: ['admin'] });
    await createUser(pool, { name: 'surveyor', password, roles: ['roads:editor'] });
    document = (await (await fetch(`${server.baseUrl}/api`)).json()) as Json;
    const login = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kontrak', password }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    session = { cookie, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
  });
  afterAll(() => server.close());

  const send = (method: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, { method, ...init });
  const asAdmin = (body?: unknown): RequestInit => ({
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  it('lists the status and media type of answers of the platform endpoints', async () => {
    const requests: [string, string, number, RequestInit?][] = [
      ['GET', '/health', 200],
      ['GET', '/client/config', 200],
      ['GET', '/client/config?layer=desa', 400],
      ['GET', '/tiles', 200],
      ['GET', '/tiles', 406, { headers: { accept: 'text/csv' } }],
      ['GET', '/tiles/kecamatan,desa.json', 200],
      ['GET', '/tiles/theme:roads.json?f=csv', 400],
      ['GET', '/tiles/kecamatan/12/3288/2136.mvt', 200],
      ['GET', '/tiles/kecamatan/2/0/0.mvt', 404],
      ['GET', '/tiles/kecamatan/12/9999/2136.mvt', 400],
      ['GET', '/tiles/no_such_layer/12/3288/2136.mvt', 404],
      ['GET', '/auth/session', 200],
      ['GET', '/auth/session', 200, asAdmin()],
      ['POST', '/auth/login', 400, { body: '{"name": "kontrak"}' }],
      ['POST', '/auth/login', 401, asAdmin({ name: 'kontrak', password: 'salah-sekali-1' })],
      ['GET', '/auth/users', 401],
      ['GET', '/auth/users', 200, asAdmin()],
      ['GET', '/auth/users', 401, { headers: { authorization: 'Bearer simpul_unknown' } }],
      ['POST', '/auth/tokens', 201, asAdmin({ name: 'sipd', roles: ['roads:viewer'] })],
      ['POST', '/auth/tokens', 401, { ...asAdmin({ name: 'sipd' }), headers: { cookie: '' } }],
      ['DELETE', '/auth/tokens/999999', 404, asAdmin()],
      ['PATCH', '/auth/users/surveyor', 200, asAdmin({ roles: ['roads:viewer'] })],
      ['PATCH', '/auth/users/nobody', 404, asAdmin({ disabled: true })],
      ['POST', '/auth/users', 409, asAdmin({ name: 'surveyor', password })],
      ['GET', '/records', 200],
      ['POST', '/records/road_condition_survey', 422, asAdmin({ properties: {} })],
      ['POST', '/records/road_condition_survey', 415, { ...asAdmin(), body: 'x' }],
      ['GET', '/records/road_condition_survey?limit=0', 400],
      ['GET', '/imports/formats', 200],
      ['GET', '/imports?layerId=road_segment', 401],
      ['GET', '/imports?layerId=road_segment', 200, asAdmin()],
      ['GET', '/imports/00000000-0000-0000-0000-000000000000', 404, asAdmin()],
      ['POST', '/imports/uploads', 401],
      ['POST', '/imports/preview', 400, asAdmin({ layerId: 'road_segment' })],
      ['GET', '/exports/kecamatan?format=csv', 200],
      ['GET', '/exports/kecamatan?format=kml', 400],
      ['GET', '/admin/geoserver', 401],
      ['GET', '/admin/geoserver', 200, asAdmin()],
      ['GET', '/admin/geoserver/plan?force=perhaps', 400, asAdmin()],
    ];

    const refused: string[] = [];
    for (const [method, path, status, init] of requests) {
      const answer = await send(method, path, init);
      await answer.arrayBuffer();
      if (answer.status !== status) refused.push(`${method} ${path}: ${answer.status}`);
      const why = undocumented(document, method, path.split('?')[0]!, answer);
      if (why) refused.push(why);
    }

    expect(refused).toEqual([]);
  });

  it('names as query parameters of each operation those the server accepts', async () => {
    const paths = document.paths as Record<string, Record<string, { parameters?: Json[] }>>;
    const methods = ['get', 'post', 'put', 'patch', 'delete'];
    const shared = (document.components as { parameters: Record<string, Json> }).parameters;
    const documentedNames = (parameters: Json[] = []) =>
      parameters
        .map((p) => (p.$ref ? shared[(p.$ref as string).split('/').pop()!]! : p))
        .filter((p) => p.in === 'query')
        .map((p) => p.name as string)
        .sort();

    const drifted: string[] = [];
    let checked = 0;
    const operations = Object.entries(paths).flatMap(([template, item]) =>
      methods.filter((m) => item[m]).map((m) => [m, template, item[m]!] as const),
    );
    for (const [method, template, operation] of operations) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => examples[name]!);
      const answer = await send(method, `${path}?no_such_parameter=1`, asAdmin());
      const problem = (await answer.json().catch(() => ({}))) as Problem;
      // the map page, /health and a tile's address ignore their query
      if (problem.type !== '/problems/unknown-parameter') continue;
      checked += 1;
      const accepted = [...problem.accepted!].sort();
      const documented = documentedNames(operation.parameters);
      if (accepted.join() !== documented.join()) {
        const listed = `takes ${accepted.join()}; listed ${documented.join()}`;
        drifted.push(`${method.toUpperCase()} ${template}: ${listed}`);
      }
    }

    expect(drifted).toEqual([]);
    expect(checked).toBeGreaterThan(operations.length / 2);
  });

  it('lists the answers to a file taken through upload, import and report', async () => {
    const token = await writeToken(server, 'disaster-risk:editor');
    const bearer = { authorization: `Bearer ${token}` };
    const asEditor = (body?: unknown): RequestInit => ({
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(evacuationPoints)]), 'titik.geojson');
    const answers: [string, string, number, Response][] = [];
    const call = async (method: string, url: string, status: number, init?: RequestInit) => {
      const answer = await send(method, url, init);
      answers.push([method, url.split('?')[0]!, status, answer]);
      return answer.status === status && answer.headers.get('content-type')?.includes('json')
        ? ((await answer.clone().json()) as Json)
        : {};
    };

    const multipart = { headers: bearer, body: form };
    const uploaded = await call('POST', '/imports/uploads', 201, multipart);
    const raw = fs.readFileSync(evacuationPoints);
    await call('POST', '/imports/uploads?fileName=titik.geojson', 201, {
      headers: bearer,
      body: raw,
    });
    const options = {
      uploadId: uploaded.uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
    };
    await call('POST', '/imports/preview', 200, asEditor(options));
    await call('POST', '/imports', 400, asEditor({ ...options, dry_run: true }));
    const job = await call('POST', '/imports', 202, asEditor(options));
    let status = String(job.status);
    while (status === 'running' || status === 'committing') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = String(
        (await (await send('GET', `/imports/${job.id}`, { headers: bearer })).json()).status,
      );
    }
    await call('GET', `/imports/${job.id}`, 200, { headers: bearer });
    await call('GET', `/imports/${job.id}/rejections`, 200, { headers: bearer });
    await call('GET', `/imports/${job.id}/rejections?f=csv`, 200, { headers: bearer });
    await call('POST', `/imports/${job.id}/cancel`, 409, { headers: bearer });
    await call('POST', `/imports/${job.id}/undo`, 200, { headers: bearer });
    await call('POST', `/imports/${job.id}/undo`, 409, { headers: bearer });
    await call('GET', '/exports/evacuation_point?format=gpkg&crs=EPSG:32749', 200);

    const refused: string[] = [];
    for (const [method, url, status, answer] of answers) {
      await answer.arrayBuffer();
      if (answer.status !== status) refused.push(`${method} ${url}: ${answer.status}`);
      const why = undocumented(document, method, url, answer);
      if (why) refused.push(why);
    }
    expect(refused).toEqual([]);
  });

  // A generated client (openapi-generator, orval) refuses an answer whose null its schema
  // does not admit: a seeded record, which nobody has changed, has updatedBy null.
  it('admits the members of a record as the table answers them, null where unchanged', async () => {
    const answer = await send('GET', '/records/plan_activity_rule?limit=1');
    const { records } = (await answer.json()) as { records: Json[] };
    const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
    const { properties } = schemas.plan_activity_rule_record as { properties: Json };

    const refused = Object.entries(records[0]!).filter(([name, value]) => {
      const schema = properties[name] as { type: string; nullable?: boolean };
      if (value === null) return schema.nullable !== true;
      const type = Number.isInteger(value) ? 'integer' : typeof value;
      return type !== schema.type;
    });

    expect(records[0]!.updatedBy).toBeNull();
    expect(refused).toEqual([]);
  });
});
