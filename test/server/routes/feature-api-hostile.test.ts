import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** A small seeded generator, so a failing input can be reproduced from the test's output. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick, int: (max: number) => Math.floor(next() * max) };
}

type Random = ReturnType<typeof seededRandom>;

/** Hand-written attacks and edge values, tried in every parameter. */
const nastyValues = [
  "'",
  "''",
  '"',
  "name'; DROP TABLE kecamatan; --",
  "1' OR '1'='1",
  '1; SELECT pg_sleep(5)',
  '$1',
  '$$;$$',
  '/*',
  '--',
  '\\',
  '%',
  '%%',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '𝕊𝕚𝕞𝕡𝕦𝕝 🗺️',
  'ÁÉÍ ñ ß',
  '\u202eevil',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '99999999999999999999999999',
  '-0',
  '0x10',
  '1,2',
  '1,2,3,4,5',
  'NaN,NaN,NaN,NaN',
  '1e308,1e308,1e308,1e308',
  '-181,-91,181,91',
  '',
  ' ',
  'null',
  'undefined',
  '[]',
  '{}',
  '{"op":"=","args":[{"property":"name"},{"$ne":1}]}',
  'http://www.opengis.net/def/crs/EPSG/0/4326; DROP',
  'http://www.opengis.net/def/crs/EPSG/0/999999',
  '[EPSG:4326]',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '('.repeat(3000),
  '['.repeat(3000),
  `${'{"op":"not","args":['.repeat(300)}true${']}'.repeat(300)}`,
  "name = 'x' OR 1=1",
  'id = 1 OR TRUE',
  "CASEI(name) LIKE '%' || (SELECT current_user) || '%'",
  'S_INTERSECTS(geometry, POINT(1e400 0))',
  'S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))',
  'S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1)))',
  'S_CONTAINS(geometry, GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 1)))))))',
  "T_AFTER(name, DATE('2020-01-01'))",
  "DATE('0000-00-00') = DATE('9999-99-99')",
  "TIMESTAMP('2020-02-30T24:61:61Z') > name",
  'population_2016 / 0 > 1',
  'population_2016 % 0 > 1',
  'population_2016 ^ 99999 > 1',
  'population_2016 DIV 0 > 1',
  '2 ^ 1e308 > 1',
  'population_2016 BETWEEN NaN AND 1',
  'code IN ()',
  `code IN (${Array.from({ length: 2000 }, (_, i) => `'${i}'`).join(',')})`,
  `S_INTERSECTS(geometry, LINESTRING(${Array.from({ length: 12000 }, (_, i) => `${i % 180} 1`).join(',')}))`,
];

const operators = ['=', '<>', '<', '>', '<=', '>=', 'LIKE', 'NOT LIKE', 'IS NULL', 'IS NOT NULL'];
const functions = ['S_INTERSECTS', 'S_WITHIN', 'S_CONTAINS', 'S_DISJOINT', 'T_AFTER', 'T_DURING'];

function randomLiteral(random: Random): string {
  return random.pick([
    () => String(random.next() * 1e6 - 5e5),
    () => String(random.int(1000)),
    () => `'${random.pick(nastyValues).replace(/'/g, "''").slice(0, 60)}'`,
    () => random.pick(['TRUE', 'FALSE', 'NULL']),
    () => `DATE('20${random.int(40)}-${random.int(14)}-${random.int(33)}')`,
    () => `POINT(${random.next() * 400 - 200} ${random.next() * 200 - 100})`,
    () => `BBOX(${[0, 1, 2, 3].map(() => (random.next() * 400 - 200).toFixed(3)).join(',')})`,
    () => `INTERVAL('2020-01-01', '..')`,
  ])();
}

function randomProperty(random: Random, names: string[]): string {
  return random.pick([
    () => random.pick(names),
    () => `"${random.pick(names)}"`,
    () => random.pick(['geometry', 'id', 'nosuch', 'pg_catalog.pg_user', 'geom', 'version']),
  ])();
}

/** A random CQL2 text expression: mostly well-formed, with hostile values in it. */
function randomText(random: Random, names: string[], depth = 0): string {
  if (depth > 4 || random.next() < 0.3) {
    const op = random.pick(operators);
    const property = randomProperty(random, names);
    if (op.includes('NULL')) return `${property} ${op}`;
    if (random.next() < 0.2)
      return `${random.pick(functions)}(${property}, ${randomLiteral(random)})`;
    return `${property} ${op} ${randomLiteral(random)}`;
  }
  const joiner = random.pick([' AND ', ' OR ', ' and not ', ' + ', ', ']);
  const body = `${randomText(random, names, depth + 1)}${joiner}${randomText(random, names, depth + 1)}`;
  return random.next() < 0.5 ? `(${body})` : `NOT ${body}`;
}

/** A valid filter with a few characters deleted, inserted or swapped. */
function mutate(random: Random, text: string): string {
  const chars = [...text];
  for (let i = 0, n = 1 + random.int(4); i < n; i += 1) {
    const at = random.int(chars.length + 1);
    const action = random.int(3);
    if (action === 0) chars.splice(at, 1);
    else if (action === 1)
      chars.splice(at, 0, random.pick(["'", '(', ')', ',', ' ', '"', '%', '\\', '-']));
    else chars[at] = random.pick(['0', 'Z', '.', 'e', '/', '*']);
  }
  return chars.join('');
}

/** A random CQL2 JSON tree with wrong shapes and types mixed in. */
function randomJson(random: Random, names: string[], depth = 0): unknown {
  const leaf = () =>
    random.pick<() => unknown>([
      () => ({ property: randomProperty(random, names).replace(/"/g, '') }),
      () => random.pick(nastyValues),
      () => random.next() * 1e9,
      () => null,
      () => [],
      () => ({ date: random.pick(['2020-01-01', '2020-13-01', 5]) }),
      () => ({ timestamp: '2020-01-01T00:00:00Z' }),
      () => ({
        type: random.pick(['Point', 'Polygon', 'Nope']),
        coordinates: [random.next() * 360, 'x'],
      }),
      () => ({ bbox: [1, 2, 3] }),
      () => ({ interval: ['..', '..', '..'] }),
    ])();
  if (depth > 5 || random.next() < 0.3) return leaf();
  const op = random.pick([
    'and',
    'or',
    'not',
    '=',
    'like',
    'in',
    'between',
    'isNull',
    's_intersects',
    't_after',
    'casei',
    '+',
    'a_contains',
    42,
    null,
  ]);
  const args = Array.from({ length: random.int(4) }, () => randomJson(random, names, depth + 1));
  return random.next() < 0.1 ? { op, args: 'nope' } : { op, args };
}

const parameters = [
  'limit',
  'offset',
  'after',
  'bbox',
  'bbox-crs',
  'crs',
  'datetime',
  'filter',
  'filter-lang',
  'filter-crs',
  'properties',
  'sortby',
  'f',
  'name',
  'population_2016',
  'type',
];

function buildRequests(random: Random): string[] {
  const requests: string[] = [];
  const add = (layerId: string, query: Record<string, string>) =>
    requests.push(`/collections/${layerId}/items?${new URLSearchParams(query)}`);
  const validFilters = [
    "name = 'Kroya'",
    "CASEI(name) LIKE 'k%' AND population_2016 BETWEEN 1 AND 200000",
    "S_INTERSECTS(geometry, POLYGON((109 -7.7, 109.1 -7.7, 109.1 -7.6, 109 -7.7))) OR code IN ('33.01.06')",
    'desa_count + kelurahan_count * 2 >= 10 AND NOT (elevation_m IS NULL)',
  ];

  for (const layer of ['kecamatan', 'desa']) {
    const names = layerDefinitions.find((l) => l.id === layer)!.attributes.map((a) => a.name);
    for (const parameter of parameters)
      for (const value of nastyValues) add(layer, { [parameter]: value });
    for (let i = 0; i < 500; i += 1) add(layer, { filter: randomText(random, names) });
    for (let i = 0; i < 300; i += 1)
      add(layer, { filter: mutate(random, random.pick(validFilters)) });
    for (let i = 0; i < 300; i += 1)
      add(layer, { filter: JSON.stringify(randomJson(random, names)), 'filter-lang': 'cql2-json' });
    for (let i = 0; i < 100; i += 1) {
      add(layer, {
        filter: randomText(random, names),
        'filter-crs': random.pick([
          'http://www.opengis.net/def/crs/EPSG/0/32749',
          'http://www.opengis.net/def/crs/EPSG/0/3857',
          'http://www.opengis.net/def/crs/EPSG/0/4326',
        ]),
        crs: random.pick([
          'http://www.opengis.net/def/crs/EPSG/0/32749',
          'http://www.opengis.net/def/crs/EPSG/0/3857',
        ]),
        bbox: [0, 1, 2, 3].map(() => (random.next() * 2e7 - 1e7).toFixed(1)).join(','),
        'bbox-crs': 'http://www.opengis.net/def/crs/EPSG/0/3857',
      });
    }
  }
  for (const value of nastyValues.slice(0, 60)) {
    const segment = encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
    requests.push(`/collections/${segment}/items`, `/collections/kecamatan/items/${segment}`);
    requests.push(
      `/collections/${segment}/queryables`,
      `/collections/kecamatan/items/1?crs=${segment}`,
    );
  }
  // Escapes that decode to no valid UTF-8, and bare percent signs.
  for (const raw of ['%FF%FE', '%', '%E0%A4', '%ED%A0%80', '%C0%AF', '%%32%37']) {
    requests.push(
      `/collections/kecamatan/items?filter=${raw}`,
      `/collections/kecamatan/items?${raw}=1`,
    );
    requests.push(`/collections/${raw}/items`, `/collections/kecamatan/items/${raw}`);
  }
  return requests;
}

async function layerChecksums(server: TestServer): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const layer of layerDefinitions) {
    const table = quoteIdentifier(layer.id);
    const sql = `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '') AS sum FROM ${table} t`;
    const result = await server.testDatabase.database.pool.query<{ sum: string }>(sql);
    sums[layer.id] = result.rows[0]!.sum;
  }
  return sums;
}

describe('the feature API under hostile input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers thousands of generated and hand-written hostile requests without a 5xx and changes no data', async () => {
    const before = await layerChecksums(server);
    const requests = buildRequests(seededRandom(20261204));
    const failures: string[] = [];
    const statuses = new Map<number, number>();

    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const path = requests[next++]!;
        const response = await fetch(`${server.baseUrl}${path}`, {
          headers: { accept: 'application/geo+json' },
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const type = response.headers.get('content-type') ?? '';
        // 431: Node's HTTP parser refuses a request line over 16 KB before Express sees it.
        const isProblem =
          response.status < 400 ||
          response.status === 431 ||
          type.includes('application/problem+json');
        if (response.status >= 500 || !isProblem)
          failures.push(`${response.status} ${path.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));

    expect(requests.length).toBeGreaterThan(3000);
    expect(failures).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(1000);
    expect(await layerChecksums(server)).toEqual(before);
  }, 600000);

  it('shows a browser a refusal page that holds hostile input as text', async () => {
    const markup = '<img src=x onerror="window.ran=1">';
    const paths = [
      `/collections/${encodeURIComponent(markup)}/items`,
      `/collections/kecamatan/items?limit=${encodeURIComponent(markup)}`,
      `/collections/kecamatan/items?f=html&bbox=${encodeURIComponent(markup)}`,
    ];
    const accept = 'text/html,application/xhtml+xml,*/*;q=0.8';

    for (const path of paths) {
      const response = await fetch(`${server.baseUrl}${path}`, { headers: { accept } });
      const page = await response.text();

      expect([400, 404], path).toContain(response.status);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page).toContain('Kembali ke peta / Back to the map');
      expect(page).not.toContain('<img');
      expect(page).toContain('&lt;img src=x onerror=&quot;window.ran=1&quot;&gt;');
    }
  });
});
