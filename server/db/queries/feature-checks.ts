import type pg from 'pg';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** What PostGIS says of one geometry: why it is invalid, and how far it reaches outside. */
export interface GeometryCheckRow {
  index: number;
  /** `ST_IsValidReason` when the geometry is invalid, else null. */
  invalidReason: string | null;
  /**
   * Distance in metres of the farthest vertex outside the outline; 0 when inside, null when
   * there is no outline to compare with or the geometry is invalid.
   */
  outsideM: number | null;
}

function outlineSelect(outlineLayers: readonly LayerDefinition[]): string {
  if (outlineLayers.length === 0) return 'SELECT NULL::geometry AS geom WHERE false';
  return outlineLayers.map((l) => `SELECT geom FROM ${quoteIdentifier(l.id)}`).join(' UNION ALL ');
}

/** The bounding box of the regency outline in lon/lat; undefined while it holds nothing. */
export async function selectOutlineBox(db: Queryable, outlineLayers: readonly LayerDefinition[]) {
  const result = await db.query<{ minX: number; minY: number; maxX: number; maxY: number }>(
    `SELECT ST_XMin(box) AS "minX", ST_YMin(box) AS "minY", ST_XMax(box) AS "maxX",
       ST_YMax(box) AS "maxY"
     FROM (SELECT ST_Extent(geom)::box2d AS box FROM (${outlineSelect(outlineLayers)}) o) e
     WHERE box IS NOT NULL`,
  );
  return result.rows[0];
}

/** The geometries sent with a request, as the `input (index, geom)` of the checks below. */
const sentGeometries = `input AS (
    SELECT (n - 1)::int AS index, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) AS geom
    FROM unnest($1::text[]) WITH ORDINALITY AS t(g, n)
  )`;

/** A load table's geometries, indexed by row number; `only` limits the rows (SQL). */
function stagedGeometries(table: string, only: string) {
  return `input AS (
    SELECT row_number AS index, geometry AS geom FROM ${table}
    WHERE geometry IS NOT NULL AND ${only}
  )`;
}

/** Row numbers of a load table after `after`, up to and with `upTo`. */
export interface StagedRowRange {
  after: number;
  upTo: number;
}

/** Validity of each input geometry, and whether the outline covers it (0) or not (-1). */
function checksSql(outlineLayers: readonly LayerDefinition[], input: string) {
  // Two statements rather than one CASE: the distance subplan's cost estimate alone makes
  // PostgreSQL JIT-compile the query, 200 ms spent on every edit for a branch rarely taken.
  return `WITH outline AS (${outlineSelect(outlineLayers)}), ${input},
    checked AS (SELECT index, geom, ST_IsValid(geom) AS valid FROM input)
    SELECT index,
      CASE WHEN valid THEN NULL ELSE ST_IsValidReason(geom) END AS "invalidReason",
      CASE
        WHEN NOT valid OR NOT EXISTS (SELECT 1 FROM outline) THEN NULL
        WHEN EXISTS (SELECT 1 FROM outline o WHERE ST_Covers(o.geom, checked.geom)) THEN 0
        ELSE -1
      END AS "outsideM"
    FROM checked ORDER BY index`;
}

/**
 * For each input geometry, the geodesic distance in metres of its farthest vertex outside. The
 * outline is made a geography once (MATERIALIZED), not again for every vertex: a file lying
 * wholly outside the regency (a wrong coordinate system, another regency) is measured about
 * seven times faster, 75 µs per point against 0.5 ms, the same metres. Each vertex takes the
 * minimum over the outlines in a subquery of its own: grouping the vertices instead sorted a
 * copy of the outline (50 kB for Cilacap) with each, 2.6 GB of temporary files and 5 s for a
 * line of 50,000 vertices, against 1 s now.
 */
function distancesSql(outlineLayers: readonly LayerDefinition[], input: string) {
  return `WITH outline AS MATERIALIZED (
      SELECT geom, geom::geography AS area FROM (${outlineSelect(outlineLayers)}) layers
    ), ${input}
    SELECT input.index, (
      SELECT max(vertex.nearest)
      FROM ST_DumpPoints(input.geom) p CROSS JOIN LATERAL (
        SELECT min(CASE WHEN ST_Covers(o.geom, p.geom) THEN 0
            ELSE ST_Distance(o.area, p.geom::geography) END) AS nearest
        FROM outline o
      ) vertex
    ) AS "outsideM"
    FROM input ORDER BY input.index`;
}

/**
 * Validity and distance outside the regency outline of GeoJSON geometries in EPSG:4326, in
 * one round trip, plus one more when some geometry is not covered by the outline. Distances
 * are geodesic. Only vertices are measured: an edge whose two ends lie inside a concave
 * outline but which bulges out between them passes (cheap and good enough for a tolerance of
 * hundreds of metres; measuring edges would need a buffered outline).
 */
export async function selectGeometryChecks(
  db: Queryable,
  geometries: readonly string[],
  outlineLayers: readonly LayerDefinition[],
): Promise<GeometryCheckRow[]> {
  const sql = checksSql(outlineLayers, sentGeometries);
  const rows = (await db.query<GeometryCheckRow>(sql, [geometries])).rows;

  const uncovered = rows.filter((row) => row.outsideM === -1);
  if (uncovered.length === 0) return rows;
  const sent = uncovered.map((row) => geometries[row.index]!);
  const distances = await db.query<{ outsideM: number }>(
    distancesSql(outlineLayers, sentGeometries),
    [sent],
  );
  uncovered.forEach((row, i) => (row.outsideM = distances.rows[i]!.outsideM));
  return rows;
}

/**
 * The same checks as `selectGeometryChecks` over the geometries of an import's load table
 * (column `geometry`, EPSG:4326) in `range`, returning only the rows that are invalid or reach
 * outside the outline, `index` being their row number. Set-wise: one pass over the range
 * instead of a round trip and a GeoJSON parse per batch.
 */
export async function selectStagedGeometryProblems(
  db: Queryable,
  table: string,
  outlineLayers: readonly LayerDefinition[],
  range: StagedRowRange,
): Promise<GeometryCheckRow[]> {
  const inRange = stagedGeometries(table, 'row_number > $1 AND row_number <= $2');
  const sql = `SELECT * FROM (${checksSql(outlineLayers, inRange)}) checks
    WHERE "invalidReason" IS NOT NULL OR "outsideM" = -1 ORDER BY index`;
  const rows = (await db.query<GeometryCheckRow>(sql, [range.after, range.upTo])).rows;

  const uncovered = rows.filter((row) => row.outsideM === -1);
  if (uncovered.length === 0) return rows;
  const input = stagedGeometries(table, 'row_number = ANY($1::bigint[])');
  const distances = await db.query<{ index: number; outsideM: number }>(
    distancesSql(outlineLayers, input),
    [uncovered.map((row) => row.index)],
  );
  const byRow = new Map(distances.rows.map((row) => [row.index, row.outsideM]));
  uncovered.forEach((row) => (row.outsideM = byRow.get(row.index) ?? null));
  return rows;
}

/**
 * The stored features holding any of `values` in a unique attribute, compared as text, with
 * their ids; used to report a taken natural key before the unique index refuses it.
 */
export async function selectTakenValues(
  db: Queryable,
  layer: LayerDefinition,
  attributeName: string,
  values: readonly string[],
) {
  const column = quoteIdentifier(attributeName);
  const sql = `SELECT id, ${column}::text AS value FROM ${quoteIdentifier(layer.id)}
    WHERE ${column}::text = ANY($1::text[])`;
  const result = await db.query<{ id: number; value: string }>(sql, [values]);
  return result.rows;
}

/**
 * The stored values of some attributes of some features, keyed by feature id, as JSON reads
 * them (dates and timestamps as ISO text); used to check a patch against the whole feature.
 */
export async function selectStoredValues(
  db: Queryable,
  layer: LayerDefinition,
  featureIds: readonly number[],
  attributeNames: readonly string[],
): Promise<Map<number, Record<string, unknown>>> {
  const columns = attributeNames.map(quoteIdentifier).join(', ');
  const sql = `SELECT id, jsonb_build_array(${columns}) AS "values"
    FROM ${quoteIdentifier(layer.id)} WHERE id = ANY($1::bigint[])`;
  const result = await db.query<{ id: string; values: unknown[] }>(sql, [featureIds]);

  const stored = new Map<number, Record<string, unknown>>();
  for (const row of result.rows) {
    const entries = attributeNames.map((name, i) => [name, row.values[i]]);
    stored.set(Number(row.id), Object.fromEntries(entries));
  }
  return stored;
}
