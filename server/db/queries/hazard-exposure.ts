import type pg from 'pg';
import { quoteIdentifier as q, SqlParameters } from '../sql.js';
import { overlayable, overlayGridDeg, overlayKey } from './overlays.js';
import { selectHoldsInvalidPolygon } from './overlays.js';
import type { AreaOverlay, MeasureOverlay } from './overlays.js';

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

/** Whether zone `z` is of a class in `overlapped` (the classes whose figures are dissolved). */
const inOverlappedClass = `EXISTS (SELECT FROM overlapped AS o
  WHERE o.hazard_type = z.hazard_type AND o.hazard_class = z.hazard_class)`;

/**
 * The hazard types and classes that have two zones whose interiors overlap inside a population
 * unit: only their figures are dissolved (slower, and exact), the others are summed from the
 * stored overlays as they are. Candidate pairs come from the stored area overlay (two zones of
 * one class that both have area in one desa), so the geometric test runs on a few pairs, not
 * on every pair of neighbours. An overlap outside every desa is not seen: it holds no people,
 * and the reporting units that measures are cut by cover the same land as the desa.
 */
function overlappedClassesSql(source: ExposureSource, areaOverlay: string): string {
  const hazard = q(source.hazardTable);
  // Zones are paired by desa first (OFFSET 0), and the class is compared as a filter (IS NOT
  // DISTINCT FROM is no join key): joined by class, the planner paired every two zones of a
  // class first (16,000 pairs on the seeded data, 70 ms instead of a few).
  return `SELECT DISTINCT z1.hazard_type, z1.hazard_class
    FROM (SELECT a1.zone_id AS first_id, a2.zone_id AS second_id
          FROM simpul_overlay_area AS a1
          JOIN simpul_overlay_area AS a2
            ON a2.overlay = a1.overlay AND a2.unit_id = a1.unit_id AND a2.zone_id > a1.zone_id
          WHERE a1.overlay = ${areaOverlay} OFFSET 0) AS pair
    JOIN zone AS z1 ON z1.id = pair.first_id
    JOIN zone AS z2 ON z2.id = pair.second_id
      AND (z2.hazard_type, z2.hazard_class) IS NOT DISTINCT FROM (z1.hazard_type, z1.hazard_class)
    JOIN ${hazard} AS g1 ON g1.id = pair.first_id
    JOIN ${hazard} AS g2 ON g2.id = pair.second_id
    WHERE ST_Relate(g1.geom, g2.geom, '2********')`;
}

/**
 * The exposed area (m²) of each desa per hazard type and class: the stored area of each zone
 * in the desa, and for a class whose zones overlap, the zones' pieces in the desa dissolved so
 * their common part counts once.
 */
function pieceSql(source: ExposureSource, areaOverlay: string, repair: boolean): string {
  const [hazard, desa] = [q(source.hazardTable), q(source.people.table)];
  const columns = 'z.hazard_type, z.hazard_class, pe.unit_code, pe.population, pe.area_m2';
  const stored = `FROM simpul_overlay_area AS a
      JOIN zone AS z ON z.id = a.zone_id
      JOIN people AS pe ON pe.id = a.unit_id`;
  const grid = overlayGridDeg;
  // Only the polygons of each piece: a gridded union refuses pieces that hold lines too.
  const [zone, unit] = [overlayable('g.geom', repair), overlayable('d.geom', repair)];
  const cut = `ST_Intersection(${zone}, ${unit}, ${grid})`;
  const piece = `ST_CollectionExtract(${cut}, 3)`;
  const dissolved = `ST_Union(${piece}, ${grid})`;
  return `SELECT ${columns}, a.area_m2 AS exposed_m2
    ${stored}
    WHERE a.overlay = ${areaOverlay} AND NOT ${inOverlappedClass}
    UNION ALL
    SELECT ${columns}, ST_Area(${dissolved}::geography)
    ${stored}
    JOIN ${hazard} AS g ON g.id = a.zone_id
    JOIN ${desa} AS d ON d.id = a.unit_id
    WHERE a.overlay = ${areaOverlay} AND ${inOverlappedClass}
    GROUP BY ${columns}, pe.id`;
}

function measureHitsSql(
  source: ExposureSource,
  measure: ExposureMeasure,
  params: SqlParameters,
  repair: boolean,
) {
  const overlay = params.add(overlayKey(source.hazardTable, source.unitTable, measure.table));
  const category = measure.categoryColumn ? `f.${q(measure.categoryColumn)}::text` : 'NULL';
  const summed = measure.kind === 'sum' ? `f.${q(measure.sumColumn!)}` : '1';
  const unitCode = `u.${q(source.unitCodeColumn)}::text`;
  const joins = `FROM simpul_overlay_measure AS m
    JOIN zone AS z ON z.id = m.zone_id
    JOIN ${q(source.unitTable)} AS u ON u.id = m.unit_id
    JOIN ${q(measure.table)} AS f ON f.id = m.feature_id`;
  if (measure.kind !== 'length_km') {
    return `SELECT z.hazard_type, z.hazard_class, ${unitCode} AS unit_code,
        f.id, ${category} AS category, ${summed} AS amount
      ${joins}
      WHERE m.overlay = ${overlay}`;
  }
  // A line in two overlapping zones of one class: its pieces in them dissolved, then cut by
  // the unit, so the stretch in both counts once. On a grid, as the stored overlays are cut,
  // and only the lines of each piece.
  const grid = overlayGridDeg;
  const zone = overlayable('g.geom', repair);
  const pieces = `ST_Union(ST_CollectionExtract(ST_Intersection(f.geom, ${zone}, ${grid}), 2),
    ${grid})`;
  const dissolved = `ST_Intersection(${pieces}, ${overlayable('u.geom', repair)}, ${grid})`;
  return `SELECT z.hazard_type, z.hazard_class, ${unitCode} AS unit_code,
      f.id, ${category} AS category, m.amount / 1000 AS amount
    ${joins}
    WHERE m.overlay = ${overlay} AND NOT ${inOverlappedClass}
    UNION ALL
    SELECT z.hazard_type, z.hazard_class, ${unitCode}, f.id, ${category},
      ST_Length(${dissolved}::geography) / 1000
    ${joins}
    JOIN ${q(source.hazardTable)} AS g ON g.id = m.zone_id
    WHERE m.overlay = ${overlay} AND ${inOverlappedClass}
    GROUP BY z.hazard_type, z.hazard_class, u.id, f.id`;
}

function measureSql(
  source: ExposureSource,
  measure: ExposureMeasure,
  params: SqlParameters,
  repair: boolean,
) {
  const hits = measureHitsSql(source, measure, params, repair);
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
 * unit's reporting unit. Overlapping zones of one type and class count their common part once.
 */
export async function selectHazardExposure(
  db: Pick<pg.PoolClient, 'query'>,
  source: ExposureSource,
): Promise<ExposureRow[]> {
  const params = new SqlParameters();
  const polygonTables = [source.hazardTable, source.people.table, source.unitTable];
  const repair = await selectHoldsInvalidPolygon(db, polygonTables);
  const areaOverlay = params.add(overlayKey(source.hazardTable, source.people.table));
  const measureSqls = source.measures.map((m) => measureSql(source, m, params, repair));
  const measures = measureSqls.map((sql) => `UNION ALL ${sql}`);
  // Zones of one class that overlap are dissolved only where they do (`overlapped`): dissolving
  // every class cost several seconds on the seeded data, finding the overlaps under 10 ms.
  const sql = `
    WITH zone AS (
      SELECT id, ${q(source.hazardTypeColumn)}::text AS hazard_type,
        ${q(source.hazardClassColumn)}::text AS hazard_class
      FROM ${q(source.hazardTable)}),
    overlapped AS MATERIALIZED (${overlappedClassesSql(source, areaOverlay)}),
    people AS MATERIALIZED (${peopleSql(source, params)}),
    piece AS MATERIALIZED (${pieceSql(source, areaOverlay, repair)})
    SELECT hazard_type, hazard_class, unit_code, 'area_ha' AS measure, NULL AS category,
      sum(exposed_m2) / 10000 AS value
    FROM piece GROUP BY 1, 2, 3
    UNION ALL
    SELECT hazard_type, hazard_class, unit_code, 'population', NULL,
      sum(population * exposed_m2 / nullif(area_m2, 0))
    FROM piece GROUP BY 1, 2, 3
    ${measures.join('\n')}`;
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
