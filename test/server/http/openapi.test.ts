import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, recordTables } from '../../../layers/index.js';
import { createApp } from '../../../server/app.js';
import { openApiDocument } from '../../../server/http/openapi.js';
import { crs84Spellings, epsgSpellings } from '../../support/crs-spellings.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

type Json = Record<string, unknown>;

/** A route of the router stack as Express keeps it (router 2 keeps these undocumented). */
interface StackLayer {
  route?: { path: string | RegExp; _methods(): string[] };
  handle: { stack?: StackLayer[] };
}

/** The index just past the group that opens at `start` of a RegExp source, escapes skipped. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  for (let at = start; at < source.length; at += 1) {
    if (source[at] === '\\') at += 1;
    else if (source[at] === '(') depth += 1;
    else if (source[at] === ')' && --depth === 0) return at + 1;
  }
  return source.length;
}

/**
 * A route's path. One given as a RegExp reads as the Express path it stands for: a named group
 * is a parameter (`(?<jobId>…)` as `:jobId`), a lookahead is left out. Anything else it holds
 * reads as its literal start and `…` (`/imports/…`), which no description matches.
 */
function expressPath(path: string | RegExp): string {
  if (typeof path === 'string') return path;
  const source = path.source.replace(/^\^/, '').replace(/(\\\/\?)?\$$/, '');
  let read = '';
  for (let at = 0; at < source.length;) {
    const group = /^\(\?(?:<(\w+)>|[!=])/.exec(source.slice(at));
    if (group) {
      if (group[1]) read += `:${group[1]}`;
      at = groupEnd(source, at);
    } else if (source.startsWith('\\/', at)) {
      read += '/';
      at += 2;
    } else {
      read += source[at];
      at += 1;
    }
  }
  return /^[\w/:-]*$/.test(read) ? read : `${/^[\w/-]*/.exec(read)![0]}…`;
}

/** Every method and path the routes of `stack`, and of the routers mounted in it, take. */
function registeredRoutes(stack: readonly StackLayer[]): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = expressPath(layer.route.path);
      return layer.route._methods().map((method) => ({ method: method.toLowerCase(), path }));
    }
    return layer.handle.stack ? registeredRoutes(layer.handle.stack) : [];
  });
}

/** True when a string schema lets `value` through, as far as its enum, pattern and format go. */
function admits(schema: { enum?: string[]; pattern?: string; format?: string }, value: string) {
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.pattern && !new RegExp(schema.pattern).test(value)) return false;
  return schema.format !== 'uri' || URL.canParse(value);
}

/** An Express path or an OpenAPI path, each parameter (`:layerId`, `{featureId}`) as `{}`. */
function pathShape(path: string): string {
  return path.replace(/:\w+|\{\w+\}/g, '{}');
}

describe('the OpenAPI document', () => {
  let testDatabase: TestDatabase;
  let router: Router;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    router = createApp({ database: testDatabase.database }).router as unknown as Router;
  });
  afterAll(() => testDatabase.drop());

  it('describes every route the app registers', () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions, recordTables);
    const paths = document.paths as Record<string, Record<string, unknown>>;

    const described = (method: string, path: string) => {
      const shape = pathShape(path);
      const item = Object.entries(paths).find(([p]) => pathShape(p) === shape)?.[1];
      return item?.[method] !== undefined;
    };

    const missing = registeredRoutes(router.stack as unknown as StackLayer[])
      .filter(({ method }) => method !== 'head')
      // a path of every layer (record table) is described once per layer (record table)
      .filter(({ method, path }) =>
        layerDefinitions.some((l) => !described(method, path.replace(':layerId', l.id))),
      )
      .filter(({ method, path }) =>
        recordTables.some((t) => !described(method, path.replace(':tableId', t.id))),
      )
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);

    expect(missing).toEqual([]);
  });

  it('is a valid OpenAPI 3.0 document whose every $ref resolves', async () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions, recordTables);
    const validator = new Validator();

    const validation = await validator.validate(document);

    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('describes the restore of a version with its headers, responses and problem types', () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions);
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;

    const restorePath = '/collections/desa/items/{featureId}/history/{version}/restore';
    const restore = paths[restorePath]!.post!;

    const parameters = restore.parameters as { name?: string; in?: string }[];
    const headers = parameters.filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers).toEqual(['If-Match', 'If-None-Match']);
    expect(parameters.map((p) => p.name)).toContain('version');
    const responses = restore.responses as Record<string, { description: string }>;
    expect(Object.keys(responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '412', '422', '428'].sort(),
    );
    expect(responses['412']!.description).toContain('/problems/stale-version');
    expect(responses['428']!.description).toContain('/problems/if-match-required');
  });

  it('admits every spelling of a CRS the server reads in crs, bbox-crs and filter-crs', () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions);
    const components = document.components as { parameters: Record<string, { schema: never }> };
    const spellings = [
      ...crs84Spellings,
      ...[4326, 3857, 32749].flatMap(epsgSpellings),
      'crs84',
      ' EPSG:32749 ',
    ];

    const refused = ['crs', 'bboxCrs', 'filterCrs'].flatMap((name) => {
      const { schema } = components.parameters[name]!;
      return spellings.filter((s) => !admits(schema, s)).map((s) => `${name}: ${s}`);
    });

    expect(refused).toEqual([]);
  });

  it('admits every spelling of force the server reads, and refuses the others', () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions);
    const paths = document.paths as Record<string, Record<string, { parameters: Json[] }>>;
    const plan = paths['/admin/geoserver/plan']!.get!;
    const force = plan.parameters.find((p) => p.name === 'force');
    const schema = force!.schema as Parameters<typeof admits>[0];

    const read = ['1', '0', 'true', 'TRUE', ' yes ', 'On', 'off', 'No', 'False'];
    const refused = ['', 'y', 'perhaps', '2', 'truee', 'constructor'];

    expect(read.filter((s) => !admits(schema, s))).toEqual([]);
    expect(refused.filter((s) => admits(schema, s))).toEqual([]);
  });

  it('admits a tile address of readable layers and themes, not of others', () => {
    // desa stands for a layer this caller may not read
    const readable = layerDefinitions.filter((l) => l.id !== 'desa');
    const document = openApiDocument('http://127.0.0.1', readable);
    const paths = document.paths as Record<string, Record<string, { parameters: Json[] }>>;
    const tile = paths['/tiles/{layerList}/{z}/{x}/{y}.mvt']!.get!.parameters[0]!;
    const schema = tile.schema as Parameters<typeof admits>[0];

    const lists = ['kecamatan', 'kecamatan,road_segment', 'theme:roads', 'bridge,theme:roads'];
    const refused = ['desa', 'kecamatan,desa', 'kecamatan,', 'theme:nothing', 'theme:'];

    expect(lists.filter((list) => !admits(schema, list))).toEqual([]);
    expect(refused.filter((list) => admits(schema, list))).toEqual([]);
  });

  it('gives each operation its own id and the parameters of its path', () => {
    const document = openApiDocument('http://127.0.0.1', layerDefinitions, recordTables);
    const paths = document.paths as Record<string, Record<string, Json>>;
    const shared = (document.components as { parameters: Record<string, Json> }).parameters;
    const resolve = (p: Json) => (p.$ref ? shared[(p.$ref as string).split('/').pop()!]! : p);

    const faults: string[] = [];
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(item)) {
        const id = operation.operationId as string;
        if (ids.has(id)) faults.push(`${method} ${path}: operationId ${id} taken`);
        ids.add(id);
        const parameters = ((operation.parameters ?? []) as Json[]).map(resolve);
        const named = parameters.filter((p) => p.in === 'path').map((p) => p.name);
        if (named.sort().join() !== inPath.join()) faults.push(`${method} ${path}: ${named}`);
      }
    }

    expect(faults).toEqual([]);
  });
});
