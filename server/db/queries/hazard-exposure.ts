import type pg from 'pg';
import { quoteIdentifier as q } from '../sql.js';
import { queryWithoutJit } from '../without-jit.js';

/** How the people of each population unit are known, in SQL terms of declared layers. */
export interface PeopleSource {
  /** The population units (desa): table, code of their reporting unit. */
  table: string;
  reportingUnitCodeColumn: string;
  /** The unit's own population column; without it, `reportingPopulationColumn` shared by area. */
  populationColumn?: string;
  /** The reporting units (kecamatan): table, code and population column. */
  reportingTable: string;
  reportingCodeColumn: string;
  reportingPopulationColumn: string;
}

/** Something counted or measured inside the hazard zones, per reporting unit. */
export interface ExposureMeasure {
  /** Name of the measure in the result rows, e.g. `road_km`. */
  name: string;
  table: string;
  /** `length_km` of lines, `count` of points, `sum` of `sumColumn` of points. */
  kind: 'length_km' | 'count' | 'sum';
  /** Column whose value splits the measure into categories (a condition class). */
  categoryColumn?: string;
  sumColumn?: string;
}

/** The layers of one exposure query, as table and column names from declarations. */
export interface ExposureSource {
  hazardTable: string;
  hazardTypeColumn: string;
  hazardClassColumn: string;
  unitTable: string;
  unitCodeColumn: string;
  people: PeopleSource;
  measures: ExposureMeasure[];
}

/** One value of the long result: a measure of one hazard type and class in one unit. */
export interface ExposureRow {
  hazardType: string;
  hazardClass: string;
  unitCode: string;
  measure: string;
  category: string | null;
  value: number;
}

function peopleSql(people: PeopleSource): string {
  const unitCode = `d.${q(people.reportingUnitCodeColumn)}`;
  const population = people.populationColumn
    ? `d.${q(people.populationColumn)}`
    : // Without desa figures: the kecamatan's population shared by each desa's area.
      `k.${q(people.reportingPopulationColumn)} * ST_Area(d.geom::geography)
         / sum(ST_Area(d.geom::geography)) OVER (PARTITION BY ${unitCode})`;
  return `SELECT d.geom, ${unitCode}::text AS unit_code, ${population} AS population
    FROM ${q(people.table)} AS d
    JOIN ${q(people.reportingTable)} AS k ON k.${q(people.reportingCodeColumn)} = ${unitCode}`;
}

function measureSql(measure: ExposureMeasure, index: number): string {
  const alias = `m${index}`;
  const category = measure.categoryColumn ? `${alias}.${q(measure.categoryColumn)}::text` : 'NULL';
  const value = {
    length_km: `sum(ST_Length(ST_Intersection(${alias}.geom, p.geom)::geography)) / 1000`,
    count: 'count(*)',
    sum: `coalesce(sum(${alias}.${q(measure.sumColumn ?? 'id')}), 0)`,
  }[measure.kind];
  return `SELECT p.hazard_type, p.hazard_class, p.unit_code, '${measure.name}' AS measure,
      ${category} AS category, ${value} AS value
    FROM piece AS p JOIN ${q(measure.table)} AS ${alias} ON ST_Intersects(${alias}.geom, p.geom)
    GROUP BY 1, 2, 3, 5`;
}

/**
 * Exposure to every hazard type and class, per reporting unit, as long rows:
 * `area_ha` of the zone in the unit, `population` exposed, and each measure. Zones of the same
 * type and class are dissolved first, so overlapping polygons count once. Areas and lengths are
 * geodesic (WGS 84 ellipsoid); population is each population unit's count times the share of
 * its area inside the zone (areal weighting), attributed to the unit's reporting unit.
 */
export async function selectHazardExposure(
  pool: pg.Pool,
  source: ExposureSource,
): Promise<ExposureRow[]> {
  const sql = `
    WITH hazard AS MATERIALIZED (
      SELECT ${q(source.hazardTypeColumn)}::text AS hazard_type,
        ${q(source.hazardClassColumn)}::text AS hazard_class,
        -- A union of one polygon still costs a full overlay: dissolve only where needed.
        CASE WHEN count(*) = 1 THEN (array_agg(geom))[1]
             ELSE ST_UnaryUnion(ST_Collect(geom)) END AS geom
      FROM ${q(source.hazardTable)} GROUP BY 1, 2),
    piece AS MATERIALIZED (
      SELECT h.hazard_type, h.hazard_class, u.${q(source.unitCodeColumn)}::text AS unit_code,
        CASE WHEN ST_Covers(h.geom, u.geom) THEN u.geom
             ELSE ST_CollectionExtract(ST_Intersection(h.geom, u.geom), 3) END AS geom
      FROM hazard AS h JOIN ${q(source.unitTable)} AS u ON ST_Intersects(h.geom, u.geom)
      -- A unit that only shares an edge with a zone is not in it.
      WHERE NOT ST_Touches(h.geom, u.geom)),
    people AS MATERIALIZED (${peopleSql(source.people)})
    SELECT hazard_type, hazard_class, unit_code, 'area_ha' AS measure, NULL AS category,
      sum(ST_Area(geom::geography)) / 10000 AS value
    FROM piece GROUP BY 1, 2, 3
    UNION ALL
    SELECT h.hazard_type, h.hazard_class, pe.unit_code, 'population', NULL,
      sum(pe.population * CASE WHEN ST_Covers(h.geom, pe.geom) THEN 1
        ELSE ST_Area(ST_Intersection(h.geom, pe.geom)::geography)
             / nullif(ST_Area(pe.geom::geography), 0) END)
    FROM hazard AS h JOIN people AS pe ON ST_Intersects(h.geom, pe.geom)
    GROUP BY 1, 2, 3
    ${source.measures.map((m, i) => `UNION ALL ${measureSql(m, i)}`).join('\n')}`;
  const result = await queryWithoutJit(pool, sql);
  return result.rows.map((row) => ({
    hazardType: row.hazard_type,
    hazardClass: row.hazard_class,
    unitCode: row.unit_code,
    measure: row.measure,
    category: row.category,
    value: Number(row.value ?? 0),
  }));
}
