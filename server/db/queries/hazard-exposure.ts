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
  return `SELECT d.id, ${unitCode}::text AS unit_code, ${population} AS population,
      ST_Area(d.geom::geography) AS area_m2
    FROM ${q(people.table)} AS d
    JOIN ${q(people.reportingTable)} AS k ON k.${q(people.reportingCodeColumn)} = ${unitCode}`;
}

function lineMeasureSql(measure: ExposureMeasure): string {
  const category = measure.categoryColumn ? `m.${q(measure.categoryColumn)}::text` : 'NULL';
  return `SELECT z.hazard_type, z.hazard_class, u.unit_code, '${measure.name}' AS measure,
      ${category} AS category,
      sum(ST_Length(ST_Intersection(ST_Intersection(m.geom, z.geom), u.geom)::geography)) / 1000
    FROM zone_part AS z
    JOIN ${q(measure.table)} AS m ON ST_Intersects(m.geom, z.geom)
    JOIN unit AS u ON ST_Intersects(m.geom, u.geom)
    GROUP BY 1, 2, 3, 5`;
}

function pointMeasureSql(measure: ExposureMeasure): string {
  const category = measure.categoryColumn ? `m.${q(measure.categoryColumn)}::text` : 'NULL';
  const summed = measure.kind === 'sum' ? `m.${q(measure.sumColumn!)}` : '1';
  // DISTINCT: a point on the edge between two parts is counted once.
  return `SELECT hazard_type, hazard_class, unit_code, '${measure.name}' AS measure, category,
      coalesce(sum(amount), 0)
    FROM (SELECT DISTINCT z.hazard_type, z.hazard_class, u.unit_code, m.id,
            ${category} AS category, ${summed} AS amount
          FROM zone_part AS z
          JOIN ${q(measure.table)} AS m ON ST_Intersects(m.geom, z.geom)
          JOIN unit AS u ON ST_Intersects(m.geom, u.geom)) AS hit
    GROUP BY 1, 2, 3, 5`;
}

function measureSql(measure: ExposureMeasure): string {
  return measure.kind === 'length_km' ? lineMeasureSql(measure) : pointMeasureSql(measure);
}

/**
 * Exposure to every hazard type and class, per reporting unit, as long rows:
 * `area_ha` of the zone in the unit, `population` exposed, and each measure. Areas and lengths
 * are geodesic (WGS 84 ellipsoid); population is each population unit's count times the share
 * of its area inside the zone (areal weighting), attributed to the unit's reporting unit.
 * Zones are cut into parts of at most 128 vertices first, so each overlay is small.
 */
export async function selectHazardExposure(
  pool: pg.Pool,
  source: ExposureSource,
): Promise<ExposureRow[]> {
  // FIXME: zones of one type and class are summed as they are; where two of them overlap, the
  // overlap is counted twice. Dissolving them first cost several seconds on the seeded data;
  // the hazard layer's topology check (no overlaps within a class) is what keeps this exact.
  const sql = `
    WITH unit AS (
      SELECT ${q(source.unitCodeColumn)}::text AS unit_code, geom FROM ${q(source.unitTable)}),
    zone_part AS MATERIALIZED (
      SELECT ${q(source.hazardTypeColumn)}::text AS hazard_type,
        ${q(source.hazardClassColumn)}::text AS hazard_class, ST_Subdivide(geom, 128) AS geom
      FROM ${q(source.hazardTable)}),
    people AS MATERIALIZED (${peopleSql(source.people)}),
    piece AS MATERIALIZED (
      SELECT z.hazard_type, z.hazard_class, pe.unit_code, pe.population, pe.area_m2,
        ST_Area(CASE WHEN ST_CoveredBy(z.geom, d.geom) THEN z.geom
                     ELSE ST_Intersection(z.geom, d.geom) END::geography) AS exposed_m2
      FROM zone_part AS z
      -- The layer table, not the CTE, so that its spatial index finds the candidates.
      JOIN ${q(source.people.table)} AS d ON ST_Intersects(z.geom, d.geom)
      JOIN people AS pe ON pe.id = d.id)
    SELECT hazard_type, hazard_class, unit_code, 'area_ha' AS measure, NULL AS category,
      sum(exposed_m2) / 10000 AS value
    FROM piece GROUP BY 1, 2, 3
    UNION ALL
    SELECT hazard_type, hazard_class, unit_code, 'population', NULL,
      sum(population * exposed_m2 / nullif(area_m2, 0))
    FROM piece GROUP BY 1, 2, 3
    ${source.measures.map((m) => `UNION ALL ${measureSql(m)}`).join('\n')}`;
  const result = await queryWithoutJit(pool, sql);
  return result.rows
    .map((row) => ({
      hazardType: row.hazard_type,
      hazardClass: row.hazard_class,
      unitCode: row.unit_code,
      measure: row.measure,
      category: row.category,
      value: Number(row.value ?? 0),
    }))
    .filter((row) => row.measure !== 'area_ha' || row.value >= 0.0001);
}
