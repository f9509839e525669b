import type pg from 'pg';
import { quoteIdentifier as q, SqlParameters } from '../sql.js';
import { overlayKey, type AreaOverlay, type MeasureOverlay } from './overlays.js';

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

/** The stored overlays the exposure query reads: zones × desa, and zones × kecamatan × measure. */
export function exposureOverlays(source: ExposureSource) {
  const zoneTable = source.hazardTable;
  const areas: AreaOverlay[] = [
    {
      key: overlayKey(zoneTable, source.people.table),
      zoneTable,
      unitTable: source.people.table,
    },
  ];
  const tables = [...new Map(source.measures.map((m) => [m.table, m])).values()];
  const measures = tables.map((measure): MeasureOverlay => ({
    key: overlayKey(zoneTable, source.unitTable, measure.table),
    zoneTable,
    unitTable: source.unitTable,
    featureTable: measure.table,
    kind: measure.kind === 'length_km' ? 'length' : 'presence',
  }));
  return { areas, measures };
}

function peopleSql(source: ExposureSource, params: SqlParameters): string {
  const people = source.people;
  const unitCode = `d.${q(people.reportingUnitCodeColumn)}`;
  const population = people.populationColumn
    ? `d.${q(people.populationColumn)}`
    : // Without desa figures: the kecamatan's population shared by each desa's area.
      `k.${q(people.reportingPopulationColumn)} * s.area_m2
         / sum(s.area_m2) OVER (PARTITION BY ${unitCode})`;
  return `SELECT d.id, ${unitCode}::text AS unit_code, ${population} AS population, s.area_m2
    FROM ${q(people.table)} AS d
    JOIN simpul_overlay_source AS s
      ON s.overlay = ${params.add(overlayKey(source.hazardTable, people.table))}
        AND s.layer_id = ${params.add(people.table)} AND s.feature_id = d.id
    JOIN ${q(people.reportingTable)} AS k ON k.${q(people.reportingCodeColumn)} = ${unitCode}`;
}

function measureHitsSql(source: ExposureSource, measure: ExposureMeasure, params: SqlParameters) {
  const overlay = params.add(overlayKey(source.hazardTable, source.unitTable, measure.table));
  const category = measure.categoryColumn ? `f.${q(measure.categoryColumn)}::text` : 'NULL';
  const summed = measure.kind === 'sum' ? `f.${q(measure.sumColumn!)}` : '1';
  const amount = measure.kind === 'length_km' ? 'm.amount / 1000' : summed;
  return `SELECT z.hazard_type, z.hazard_class, u.${q(source.unitCodeColumn)}::text AS unit_code,
      f.id, ${category} AS category, ${amount} AS amount
    FROM simpul_overlay_measure AS m
    JOIN zone AS z ON z.id = m.zone_id
    JOIN ${q(source.unitTable)} AS u ON u.id = m.unit_id
    JOIN ${q(measure.table)} AS f ON f.id = m.feature_id
    WHERE m.overlay = ${overlay}`;
}

function measureSql(source: ExposureSource, measure: ExposureMeasure, params: SqlParameters) {
  const hits = measureHitsSql(source, measure, params);
  if (measure.kind === 'length_km') {
    return `SELECT hazard_type, hazard_class, unit_code, '${measure.name}', category, sum(amount)
      FROM (${hits}) AS hit GROUP BY 1, 2, 3, 5`;
  }
  // DISTINCT: a point in two zones of one type and class is counted once.
  return `SELECT hazard_type, hazard_class, unit_code, '${measure.name}', category,
      coalesce(sum(amount), 0)
    FROM (SELECT DISTINCT * FROM (${hits}) AS hit) AS once GROUP BY 1, 2, 3, 5`;
}

/**
 * Exposure to every hazard type and class, per reporting unit, as long rows: `area_ha` of the
 * zone in the unit, `population` exposed, and each measure. Read from the stored overlays (see
 * `exposureOverlays`; refresh them first, in the same transaction) joined to the current
 * attributes. Areas and lengths are geodesic (WGS 84 ellipsoid); population is each population
 * unit's count times the share of its area inside the zone (areal weighting), attributed to the
 * unit's reporting unit.
 */
export async function selectHazardExposure(
  db: Pick<pg.PoolClient, 'query'>,
  source: ExposureSource,
): Promise<ExposureRow[]> {
  const params = new SqlParameters();
  const areaOverlay = params.add(overlayKey(source.hazardTable, source.people.table));
  // FIXME: zones of one type and class are summed as they are; where two of them overlap, the
  // overlap is counted twice. Dissolving them first cost several seconds on the seeded data;
  // the hazard layer's topology check (no overlaps within a class) is what keeps this exact.
  const sql = `
    WITH zone AS (
      SELECT id, ${q(source.hazardTypeColumn)}::text AS hazard_type,
        ${q(source.hazardClassColumn)}::text AS hazard_class
      FROM ${q(source.hazardTable)}),
    people AS MATERIALIZED (${peopleSql(source, params)}),
    piece AS MATERIALIZED (
      SELECT z.hazard_type, z.hazard_class, pe.unit_code, pe.population, pe.area_m2,
        a.area_m2 AS exposed_m2
      FROM simpul_overlay_area AS a
      JOIN zone AS z ON z.id = a.zone_id
      JOIN people AS pe ON pe.id = a.unit_id
      WHERE a.overlay = ${areaOverlay})
    SELECT hazard_type, hazard_class, unit_code, 'area_ha' AS measure, NULL AS category,
      sum(exposed_m2) / 10000 AS value
    FROM piece GROUP BY 1, 2, 3
    UNION ALL
    SELECT hazard_type, hazard_class, unit_code, 'population', NULL,
      sum(population * exposed_m2 / nullif(area_m2, 0))
    FROM piece GROUP BY 1, 2, 3
    ${source.measures.map((m) => `UNION ALL ${measureSql(source, m, params)}`).join('\n')}`;
  const result = await db.query(sql, params.values);
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
