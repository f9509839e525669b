import type pg from 'pg';
import { quoteIdentifier as q } from '../sql.js';
import { queryWithoutJit } from '../without-jit.js';
import { overlayable, overlayGridDeg, selectHoldsInvalidPolygon } from './overlays.js';

/** A line layer whose length is split by a condition class and by reporting unit. */
export interface ConditionSource {
  table: string;
  conditionColumn: string;
  /** Only features whose `filter.column` is one of `filter.values`. */
  filter?: { column: string; values: string[] };
  unitTable: string;
  unitCodeColumn: string;
  /** The history of surveys: rows joined to the layer on `keyColumn`, dated by `dateColumn`. */
  history?: { table: string; keyColumn: string; dateColumn: string; conditionColumn: string };
}

/** Kilometres of one condition class in one unit, now (`year` null) or at the end of a year. */
export interface ConditionLengthRow {
  year: number | null;
  unitCode: string;
  condition: string | null;
  lengthKm: number;
}

function historySql(source: ConditionSource): string {
  const h = source.history!;
  const key = q(h.keyColumn);
  const date = q(h.dateColumn);
  // Each segment's class at the end of each survey year: its newest survey up to then.
  return `UNION ALL
    SELECT y.year, p.unit_code, s.condition, sum(p.m) / 1000
    FROM (SELECT DISTINCT extract(year FROM ${date})::int AS year FROM ${q(h.table)}) AS y
    CROSS JOIN LATERAL (
      SELECT DISTINCT ON (${key}) ${key}::text AS key, ${q(h.conditionColumn)}::text AS condition
      FROM ${q(h.table)} WHERE ${date} < make_date(y.year + 1, 1, 1)
      ORDER BY ${key}, ${date} DESC, id DESC) AS s
    JOIN part AS p ON p.key = s.key
    GROUP BY 1, 2, 3`;
}

/**
 * Length in km (WGS 84 ellipsoid) of a line layer per condition class and reporting unit: the
 * current class, and, with a history, the class at the end of every year that has a survey.
 * A line crossing units is cut at their boundaries. Past years use today's geometry.
 */
export async function selectConditionLengths(
  pool: pg.Pool,
  source: ConditionSource,
): Promise<ConditionLengthRow[]> {
  const values: unknown[] = [];
  let filter = '';
  if (source.filter) {
    values.push(source.filter.values);
    filter = `WHERE r.${q(source.filter.column)} = ANY ($1)`;
  }
  const key = source.history ? `r.${q(source.history.keyColumn)}::text` : 'r.id::text';
  const repair = await selectHoldsInvalidPolygon(pool, [source.unitTable]);
  const cut = `ST_Intersection(r.geom, ${overlayable('u.geom', repair)}, ${overlayGridDeg})`;
  const sql = `
    WITH part AS MATERIALIZED (
      SELECT ${key} AS key, r.${q(source.conditionColumn)}::text AS condition,
        u.${q(source.unitCodeColumn)}::text AS unit_code,
        ST_Length(CASE WHEN ST_CoveredBy(r.geom, u.geom) THEN r.geom
                       ELSE ${cut} END::geography) AS m
      FROM (SELECT * FROM ${q(source.table)} AS r ${filter}) AS r
      JOIN ${q(source.unitTable)} AS u ON ST_Intersects(r.geom, u.geom))
    SELECT NULL::int AS year, unit_code, condition, sum(m) / 1000 AS km
    FROM part GROUP BY 1, 2, 3
    ${source.history ? historySql(source) : ''}`;
  const result = await queryWithoutJit(pool, sql, values);
  return result.rows
    .map((row) => ({
      year: row.year,
      unitCode: row.unit_code,
      condition: row.condition,
      lengthKm: Number(row.km),
    }))
    .filter((row) => row.lengthKm > 0);
}

/** How the assets of irrigation areas are read: tables and columns from declarations. */
export interface IrrigationSource {
  areaTable: string;
  areaCodeColumn: string;
  canalTable: string;
  canalAreaCodeColumn: string;
  canalConditionColumn: string;
  structureTable: string;
  structureAreaCodeColumn: string;
  structureConditionColumn: string;
  structureIksiColumn: string;
}

/** One figure of an irrigation area: canal km or structures of one condition class. */
export interface IrrigationConditionRow {
  areaCode: string | null;
  asset: 'canal' | 'structure';
  condition: string | null;
  /** Canal length in km on the WGS 84 ellipsoid, or the number of structures. */
  amount: number;
  /** Mean and count of IKSI scores recorded (structures only). */
  iksiMean: number | null;
  iksiCount: number;
}

/**
 * Canal length and structure counts per irrigation area code and condition class, with the mean
 * IKSI score of the structures that have one. Assets whose area code names no irrigation area
 * are grouped under a null area code.
 */
export async function selectIrrigationCondition(
  pool: pg.Pool,
  source: IrrigationSource,
): Promise<IrrigationConditionRow[]> {
  const areaCode = (table: string, column: string) =>
    `(SELECT a.${q(source.areaCodeColumn)}::text FROM ${q(source.areaTable)} AS a
      WHERE a.${q(source.areaCodeColumn)} = ${table}.${q(column)})`;
  const sql = `
    SELECT ${areaCode('c', source.canalAreaCodeColumn)} AS area_code, 'canal' AS asset,
      c.${q(source.canalConditionColumn)}::text AS condition,
      sum(ST_Length(c.geom::geography)) / 1000 AS amount, NULL::float8 AS iksi_mean,
      0 AS iksi_count
    FROM ${q(source.canalTable)} AS c GROUP BY 1, 3
    UNION ALL
    SELECT ${areaCode('s', source.structureAreaCodeColumn)}, 'structure',
      s.${q(source.structureConditionColumn)}::text, count(*),
      avg(s.${q(source.structureIksiColumn)}), count(s.${q(source.structureIksiColumn)})
    FROM ${q(source.structureTable)} AS s GROUP BY 1, 3`;
  const result = await queryWithoutJit(pool, sql);
  return result.rows.map((row) => ({
    areaCode: row.area_code,
    asset: row.asset,
    condition: row.condition,
    amount: Number(row.amount),
    iksiMean: row.iksi_mean === null ? null : Number(row.iksi_mean),
    iksiCount: Number(row.iksi_count),
  }));
}

/** An irrigation area's identity and served areas in ha. */
export interface IrrigationAreaRow {
  code: string;
  name: string;
  potentialAreaHa: number | null;
  functionalAreaHa: number | null;
}

/** Every irrigation area with its potential and functional area, by code. */
export async function selectIrrigationAreas(
  db: Pick<pg.Pool, 'query'>,
  table: string,
  columns: { code: string; name: string; potentialHa: string; functionalHa: string },
): Promise<IrrigationAreaRow[]> {
  const sql = `SELECT ${q(columns.code)}::text AS code, ${q(columns.name)}::text AS name,
      ${q(columns.potentialHa)} AS "potentialAreaHa", ${q(columns.functionalHa)} AS "functionalAreaHa"
    FROM ${q(table)} ORDER BY 1`;
  const result = await db.query<IrrigationAreaRow>(sql);
  return result.rows;
}
