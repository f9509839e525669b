import type pg from 'pg';
import type { AttributeDefinition, LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';

/** How many features of each kind the benchmark loads. */
export interface DatasetSize {
  roads: number;
  points: number;
  zones: { columns: number; rows: number };
}

/** The figure: 200,000 road segments, 50,000 point assets, 5,000 plan zones. */
export const fullDataset: DatasetSize = {
  roads: 200000,
  points: 50000,
  zones: { columns: 100, rows: 50 },
};

/** Cilacap regency: west, south, east, north in degrees. */
export const cilacapExtent = [108.07, -7.8, 109.51, -7.2] as const;

/** Kecamatan capitals, roughly: roads cluster around them as in a real regency. */
export const townCentres: readonly [number, number][] = [
  [109.01, -7.72],
  [108.76, -7.3],
  [108.8, -7.48],
  [109.25, -7.63],
  [109.12, -7.62],
  [109.02, -7.58],
  [109.14, -7.61],
  [109.15, -7.66],
  [109.29, -7.62],
  [109.36, -7.65],
  [108.88, -7.51],
  [108.68, -7.33],
  [108.62, -7.24],
  [108.84, -7.4],
  [108.84, -7.33],
  [108.76, -7.42],
  [108.72, -7.53],
  [108.9, -7.55],
  [108.93, -7.59],
  [108.75, -7.6],
  [109.2, -7.57],
  [109.02, -7.69],
];

/**
 * A deterministic pseudo-random number in [0, 1) from a row number and a salt: the same
 * dataset on every run and every machine, without a seeded session state.
 */
const randomFunctionSql = `CREATE OR REPLACE FUNCTION bench_random(i bigint, salt int)
  RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('x' || substr(md5(i::text || ':' || salt::text), 1, 8))::bit(32)::bigint
      / 4294967296.0
  $$`;

/** A SQL value for an attribute of row `i` that its declaration accepts. */
function attributeValue(attribute: AttributeDefinition, salt: number): string {
  const h = `bench_random(i, ${salt})`;
  if (attribute.domain) {
    const codes = attribute.domain.map((v) => `'${v.code}'`).join(', ');
    return `(ARRAY[${codes}])[1 + floor(${h} * ${attribute.domain.length})::int]`;
  }
  const min = attribute.min ?? 0;
  const max = attribute.max ?? min + 1000;
  switch (attribute.type) {
    case 'integer':
      return `${min} + floor(${h} * ${max - min})::int`;
    case 'number':
      return `${min} + round((${h} * ${max - min})::numeric, 2)`;
    case 'boolean':
      return `${h} < 0.5`;
    case 'date':
      return `date '2019-01-01' + floor(${h} * 2000)::int`;
    case 'timestamp':
      return `timestamptz '2024-01-01' + ${h} * interval '365 days'`;
    default: {
      const text = attribute.unique ? `'B' || i` : `'${attribute.name} ' || (i % 997)`;
      return attribute.maxLength ? `left(${text}, ${attribute.maxLength})` : text;
    }
  }
}

/**
 * Column list and values of every stored attribute (computed ones are the database's). An
 * attribute a rule keeps at or above another (chainage to ≥ from) takes the larger of the two.
 */
function attributeColumns(layer: LayerDefinition) {
  const stored = layer.attributes.filter(
    (a) => a.computed !== 'length_m' && a.computed !== 'area_ha',
  );
  const values = new Map(stored.map((a, index) => [a.name, attributeValue(a, 100 + index)]));
  for (const rule of layer.attributeRules ?? []) {
    const low = values.get(rule.attribute);
    const high = values.get(rule.other);
    if (!low || !high) continue;
    values.set(rule.other, `GREATEST(${high}, ${low}${rule.comparison === '<' ? ' + 1' : ''})`);
  }
  return {
    names: stored.map((a) => quoteIdentifier(a.name)),
    values: stored.map((a) => values.get(a.name)!),
  };
}

function roadsSql(layer: LayerDefinition, count: number): string {
  const columns = attributeColumns(layer);
  const townXs = townCentres.map(([x]) => x).join(', ');
  const townYs = townCentres.map(([, y]) => y).join(', ');
  const town = `1 + (i % ${townCentres.length})`;
  const [west, south, east, north] = cilacapExtent;
  // A road is a random walk: from a town (70 %) or anywhere, 2–30 vertices of 60–330 m.
  return `INSERT INTO ${quoteIdentifier(layer.id)} (geom, ${columns.names.join(', ')})
    WITH starts AS (
      SELECT i, (ARRAY[${townXs}])[${town}] AS town_x, (ARRAY[${townYs}])[${town}] AS town_y,
        bench_random(i, 1) < 0.7 AS near_town,
        2 + floor(bench_random(i, 3) ^ 2 * 29)::int AS vertices,
        2 * pi() * bench_random(i, 4) AS heading
      FROM generate_series(1, ${count}) AS i
    ), origins AS (
      SELECT i, vertices, heading,
        CASE WHEN near_town THEN town_x + 0.12 * bench_random(i, 5) ^ 2 * cos(2 * pi() * bench_random(i, 6))
          ELSE ${west} + bench_random(i, 5) * ${east - west} END AS x0,
        CASE WHEN near_town THEN town_y + 0.12 * bench_random(i, 5) ^ 2 * sin(2 * pi() * bench_random(i, 6))
          ELSE ${south} + bench_random(i, 7) * ${north - south} END AS y0
      FROM starts
    ), steps AS (
      SELECT i, k, x0, y0, 0.0005 + 0.0025 * bench_random(i * 31 + k, 8) AS step,
        heading + sum((bench_random(i * 31 + k, 9) - 0.5) * 0.8) OVER (PARTITION BY i ORDER BY k) AS theta
      FROM origins, generate_series(0, vertices - 1) AS k
    ), points AS (
      SELECT i, k, x0 + sum(CASE WHEN k = 0 THEN 0 ELSE step * cos(theta) END) OVER w AS x,
        y0 + sum(CASE WHEN k = 0 THEN 0 ELSE step * sin(theta) END) OVER w AS y
      FROM steps WINDOW w AS (PARTITION BY i ORDER BY k)
    ), lines AS (
      SELECT i, ST_Multi(ST_MakeLine(array_agg(ST_Point(x, y, 4326) ORDER BY k))) AS geom
      FROM points GROUP BY i
    )
    SELECT geom, ${columns.values.join(', ')} FROM lines ORDER BY i`;
}

function pointsSql(layer: LayerDefinition, roads: LayerDefinition, count: number): string {
  const columns = attributeColumns(layer);
  const geometry =
    layer.geometry.type === 'MultiPoint'
      ? 'ST_Multi(ST_Point(x, y, 4326))'
      : 'ST_Point(x, y, 4326)';
  // 90 % sit a few metres from a road vertex (culverts, lights); the rest anywhere.
  return `INSERT INTO ${quoteIdentifier(layer.id)} (geom, ${columns.names.join(', ')})
    WITH picked AS (
      SELECT i, r.geom AS road FROM generate_series(1, ${count}) AS i
      LEFT JOIN ${quoteIdentifier(roads.id)} r
        ON bench_random(i, 20) < 0.9 AND r.id = 1 + floor(bench_random(i, 21) * (SELECT max(id) FROM ${quoteIdentifier(roads.id)}))::bigint
    ), placed AS (
      SELECT i,
        coalesce(ST_X(ST_PointN(ST_GeometryN(road, 1), 1)), ${cilacapExtent[0]} + bench_random(i, 22) * ${cilacapExtent[2] - cilacapExtent[0]})
          + (bench_random(i, 23) - 0.5) * 0.0002 AS x,
        coalesce(ST_Y(ST_PointN(ST_GeometryN(road, 1), 1)), ${cilacapExtent[1]} + bench_random(i, 24) * ${cilacapExtent[3] - cilacapExtent[1]})
          + (bench_random(i, 25) - 0.5) * 0.0002 AS y
      FROM picked
    )
    SELECT ${geometry}, ${columns.values.join(', ')} FROM placed ORDER BY i`;
}

/**
 * Zones tile the extent as a mesh of jittered cells: corners and the three points inside each
 * edge are functions of the edge, so neighbours share them exactly (no gap, no overlap).
 */
function zonesSql(layer: LayerDefinition, size: DatasetSize['zones']): string {
  const columns = attributeColumns(layer);
  const [west, south, east, north] = cilacapExtent;
  const dx = (east - west) / size.columns;
  const dy = (north - south) / size.rows;
  const corner = (a: string, b: string) =>
    `ARRAY[${west} + (${a} + (bench_random(${a} * 1000 + ${b}, 30) - 0.5) * 0.4) * ${dx},
      ${south} + (${b} + (bench_random(${a} * 1000 + ${b}, 31) - 0.5) * 0.4) * ${dy}]`;
  return `INSERT INTO ${quoteIdentifier(layer.id)} (geom, ${columns.names.join(', ')})
    WITH cells AS (
      SELECT (i - 1) % ${size.columns} AS a, (i - 1) / ${size.columns} AS b, i
      FROM generate_series(1, ${size.columns * size.rows}) AS i
    ), corners AS (
      SELECT i, a, b, ${corner('a', 'b')} AS sw, ${corner('a + 1', 'b')} AS se,
        ${corner('a + 1', 'b + 1')} AS ne, ${corner('a', 'b + 1')} AS nw
      FROM cells
    ), rings AS (
      SELECT i, ST_MakePolygon(ST_MakeLine(ARRAY[
        bench_edge(sw, se, a * 1000 + b, 0), bench_edge(se, ne, (a + 1) * 1000 + b, 1),
        bench_edge(nw, ne, a * 1000 + b + 1, 0, true), bench_edge(sw, nw, a * 1000 + b, 1, true),
        ST_Point(sw[1], sw[2], 4326)])) AS geom
      FROM corners
    )
    SELECT ST_Multi(geom), ${columns.values.join(', ')} FROM rings ORDER BY i`;
}

/**
 * The points of one mesh edge from its start, with three inner points shifted across the
 * edge by a hash of the edge: the two cells sharing it compute the same points.
 */
const edgeFunctionSql = `CREATE OR REPLACE FUNCTION bench_edge(
    p float8[], q float8[], edge bigint, axis int, reversed boolean DEFAULT false)
  RETURNS geometry LANGUAGE sql IMMUTABLE AS $$
    SELECT ST_MakeLine(array_agg(ST_Point(
        p[1] + t * (q[1] - p[1]) + CASE WHEN axis = 1 THEN shift * 0.004 ELSE 0 END,
        p[2] + t * (q[2] - p[2]) + CASE WHEN axis = 0 THEN shift * 0.002 ELSE 0 END, 4326)
      ORDER BY CASE WHEN reversed THEN -t ELSE t END))
    FROM (
      SELECT t, CASE WHEN t IN (0, 1) THEN 0
        ELSE bench_random(edge * 10 + axis * 5 + (t * 4)::int, 32) - 0.5 END AS shift
      FROM unnest(ARRAY[0, 0.25, 0.5, 0.75, 1]::float8[]) AS t
    ) points
    WHERE (NOT reversed AND t < 1) OR (reversed AND t > 0)
  $$`;

/** The layers the dataset fills: the road segments, a point asset layer and the plan zones. */
export function datasetLayers(layers: readonly LayerDefinition[]) {
  const byId = (id: string) => layers.find((l) => l.id === id);
  const roads = byId('road_segment') ?? layers.find((l) => l.geometry.type === 'MultiLineString');
  const points =
    byId('irrigation_structure') ?? layers.find((l) => l.geometry.type.endsWith('Point'));
  const zones = byId('plan_zone') ?? layers.find((l) => l.geometry.type === 'MultiPolygon');
  if (!roads || !points || !zones)
    throw new Error('the benchmark needs line, point and polygon layers');
  return { roads, points, zones };
}

/** Row counts, sizes and a fingerprint of what was loaded. */
export interface DatasetReport {
  rows: Record<string, number>;
  megabytes: Record<string, number>;
  invalidZones: number;
  fingerprint: string;
  loadS: number;
}

/**
 * Loads the benchmark dataset into the freshly migrated, empty layer tables with SQL alone, without
 * triggers (no history, no notices), then indexes statistics. Deterministic: the same rows and
 * the same fingerprint on every run.
 */
export async function loadDataset(
  pool: pg.Pool,
  layers: readonly LayerDefinition[],
  size: DatasetSize = fullDataset,
): Promise<DatasetReport> {
  const started = performance.now();
  const { roads, points, zones } = datasetLayers(layers);
  const client = await pool.connect();
  try {
    await client.query(randomFunctionSql);
    await client.query(edgeFunctionSql);
    // Triggers off for this session: a load is not an edit.
    await client.query("SET session_replication_role = 'replica'");
    await client.query(roadsSql(roads, size.roads));
    await client.query(pointsSql(points, roads, size.points));
    await client.query(zonesSql(zones, size.zones));
    await client.query("SET session_replication_role = 'origin'");
  } finally {
    client.release();
  }
  await pool.query('VACUUM ANALYZE');
  return describeDataset(pool, [roads, points, zones], started);
}

async function describeDataset(pool: pg.Pool, layers: LayerDefinition[], started: number) {
  const report: DatasetReport = {
    rows: {},
    megabytes: {},
    invalidZones: 0,
    fingerprint: '',
    loadS: 0,
  };
  const hashes: string[] = [];
  for (const layer of layers) {
    const table = quoteIdentifier(layer.id);
    const result = await pool.query<{ n: number; mb: number; hash: string }>(
      `SELECT count(*)::int AS n, pg_total_relation_size('${table}') / 1048576.0 AS mb,
        md5(string_agg(md5(ST_AsBinary(geom)::text), '' ORDER BY id)) AS hash FROM ${table}`,
    );
    const row = result.rows[0]!;
    report.rows[layer.id] = row.n;
    report.megabytes[layer.id] = Math.round(row.mb);
    hashes.push(row.hash);
  }
  const zones = layers[2]!;
  const invalid = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${quoteIdentifier(zones.id)} WHERE NOT ST_IsValid(geom)`,
  );
  report.invalidZones = invalid.rows[0]!.n;
  report.fingerprint = hashes.map((h) => h.slice(0, 6)).join('-');
  report.loadS = Math.round((performance.now() - started) / 100) / 10;
  return report;
}
