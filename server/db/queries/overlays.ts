import type pg from 'pg';
import { quoteIdentifier as q } from '../sql.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Zones cut by polygon units: the geodesic area (m²) of each zone inside each unit. */
export interface AreaOverlay {
  key: string;
  zoneTable: string;
  unitTable: string;
}

/**
 * Zones cut by units and by features: the geodesic length (m) of each line feature inside each
 * zone and unit (`length`), or 1 for each point feature in both (`presence`).
 */
export interface MeasureOverlay {
  key: string;
  zoneTable: string;
  unitTable: string;
  featureTable: string;
  kind: 'length' | 'presence';
}

/** Rows of a source table that changed since an overlay was computed, and rows deleted since. */
export interface ChangedRows {
  changedIds: number[];
  goneIds: number[];
}

/**
 * Grid of the overlays of lon/lat geometries, in degrees (about 0.1 mm): with a grid GEOS
 * snap-rounds, which cannot fail on valid input. Without one it overlays in floating point and,
 * for some neighbouring polygons (or a line along a polygon's edge), falls back to snapping by
 * catching its own error; the embedded engine's GEOS cannot catch it, and there the statement
 * ends with no row and no error, so a whole answer or refresh came back short.
 */
export const overlayGridDeg = 1e-9;

/**
 * A polygon column as GEOS can overlay it. Edits and imports store only valid geometry, but a
 * polygon written straight into the database may not be, and GEOS refuses to cut a
 * self-intersecting ring: the whole analysis failed with a 500. With `repair` an invalid
 * polygon is cut as ST_MakeValid repairs it (flags 0: without a NOTICE per invalid polygon).
 * The test costs about half of a cut when made at each cut, so the overlays make it only when
 * `selectHoldsInvalidPolygon` found one; a request over a few features makes it always.
 */
export function overlayable(geom: string, repair: boolean): string {
  if (!repair) return geom;
  return `CASE WHEN ST_IsValid(${geom}, 0) THEN ${geom} ELSE ST_MakeValid(${geom}) END`;
}

/**
 * True when one of `tables` holds a geometry PostGIS finds invalid: one pass over each (about
 * 80 ms over the seeded hazard zones and desa), where testing at each cut cost 0.3 s more.
 */
export async function selectHoldsInvalidPolygon(
  db: Queryable,
  tables: readonly string[],
): Promise<boolean> {
  const tests = tables.map((t) => `EXISTS (SELECT FROM ${q(t)} WHERE NOT ST_IsValid(geom, 0))`);
  const result = await db.query<{ found: boolean }>(`SELECT ${tests.join(' OR ')} AS found`);
  return result.rows[0]!.found;
}

/** The name an overlay is stored under: its layers in order, e.g. `hazard_zone/desa`. */
export function overlayKey(...tables: string[]): string {
  return tables.join('/');
}

/**
 * The rows of `table` inserted or updated since the overlay last recorded them (their `xmin`,
 * the transaction that wrote the row version, differs from the recorded one), and the ids it
 * recorded whose rows are gone. Reads only ids and tuple headers: about a millisecond.
 */
export async function selectChangedRows(
  db: Queryable,
  overlay: string,
  table: string,
): Promise<ChangedRows> {
  const sql = `SELECT coalesce(t.id, s.feature_id) AS id, t.id IS NULL AS gone
    FROM (SELECT id, xmin::text::bigint AS row_stamp FROM ${q(table)}) AS t
    FULL JOIN (SELECT feature_id, row_stamp FROM simpul_overlay_source
               WHERE overlay = $1 AND layer_id = $2) AS s ON s.feature_id = t.id
    WHERE t.id IS NULL OR s.feature_id IS NULL OR s.row_stamp <> t.row_stamp`;
  const result = await db.query<{ id: number; gone: boolean }>(sql, [overlay, table]);
  return {
    changedIds: result.rows.filter((row) => !row.gone).map((row) => row.id),
    goneIds: result.rows.filter((row) => row.gone).map((row) => row.id),
  };
}

/**
 * Records the current row versions of `ids` as computed into the overlay; with `withArea`, also
 * each row's geodesic area (m²), which the overlay's readers use as the unit's whole area.
 */
export async function upsertSourceRows(
  db: Queryable,
  overlay: string,
  table: string,
  ids: number[],
  withArea: boolean,
): Promise<void> {
  const area = withArea ? 'ST_Area(t.geom::geography)' : 'NULL::double precision';
  const sql = `INSERT INTO simpul_overlay_source (overlay, layer_id, feature_id, row_stamp, area_m2)
    SELECT $1, $2, t.id, t.xmin::text::bigint, ${area} FROM ${q(table)} AS t WHERE t.id = ANY ($3)
    ON CONFLICT (overlay, layer_id, feature_id)
      DO UPDATE SET row_stamp = excluded.row_stamp, area_m2 = excluded.area_m2`;
  await db.query(sql, [overlay, table, ids]);
}

/** Forgets the recorded versions of rows that no longer exist. */
export async function deleteSourceRows(
  db: Queryable,
  overlay: string,
  table: string,
  ids: number[],
): Promise<void> {
  const sql = `DELETE FROM simpul_overlay_source
    WHERE overlay = $1 AND layer_id = $2 AND feature_id = ANY ($3)`;
  await db.query(sql, [overlay, table, ids]);
}

/**
 * The rows an INSERT stored. A statement whose tag is not INSERT did not complete: the embedded
 * engine ends a statement that GEOS aborts so, with no error and part of its rows written (an
 * overlay of an invalid geometry, which even a grid cannot make), and recording the sources as
 * computed after it would lose the missing pieces until their rows change.
 */
function insertedCount(result: pg.QueryResult): number {
  if (result.command !== 'INSERT') {
    throw new Error(`an overlay statement ended without completing (tag ${result.command})`);
  }
  return result.rowCount ?? 0;
}

/** Drops the stored areas of an overlay that involve any of the given zones or units. */
export async function deleteOverlayAreas(
  db: Queryable,
  overlay: string,
  zoneIds: number[],
  unitIds: number[],
): Promise<void> {
  const sql = `DELETE FROM simpul_overlay_area
    WHERE overlay = $1 AND (zone_id = ANY ($2) OR unit_id = ANY ($3))`;
  await db.query(sql, [overlay, zoneIds, unitIds]);
}

/**
 * The geodesic area (m²) of zone `z` inside unit `u`. A unit equal to the zone or wholly inside
 * it keeps its own area without a cut: in desa-shaped hazard data most pairs are such, and the
 * test runs on the prepared zone, while a cut of two polygons costs 0.1 to 1 ms.
 */
function areaSql(repair: boolean): string {
  const [zone, unit] = [overlayable('z.geom', repair), overlayable('u.geom', repair)];
  const cut = `ST_Intersection(${zone}, ${unit}, ${overlayGridDeg})`;
  return `ST_Area(CASE WHEN z.geom = u.geom OR ST_ContainsProperly(z.geom, u.geom)
    THEN u.geom ELSE ${cut} END::geography)`;
}

/**
 * Computes and stores the area of every zone in every unit it overlaps, for the pairs that
 * involve one of `zoneIds` or `unitIds` (each pair once). Returns the pairs stored.
 */
export async function insertOverlayAreas(
  db: Queryable,
  overlay: AreaOverlay,
  zoneIds: number[],
  unitIds: number[],
): Promise<number> {
  const repair = await selectHoldsInvalidPolygon(db, [overlay.zoneTable, overlay.unitTable]);
  const pairs = `SELECT z.id AS zone_id, u.id AS unit_id, ${areaSql(repair)} AS area_m2
    FROM ${q(overlay.zoneTable)} AS z
    JOIN ${q(overlay.unitTable)} AS u ON ST_Intersects(z.geom, u.geom)`;
  // MATERIALIZED: else the area expression is inlined into the filter and computed twice.
  const sql = `WITH pair AS MATERIALIZED (
      ${pairs} WHERE z.id = ANY ($2)
      UNION ALL
      ${pairs} WHERE u.id = ANY ($3) AND z.id <> ALL ($2))
    INSERT INTO simpul_overlay_area (overlay, zone_id, unit_id, area_m2)
    SELECT $1, zone_id, unit_id, area_m2 FROM pair
    -- Neighbours that only touch the zone have no area in it.
    WHERE area_m2 > 0`;
  return insertedCount(await db.query(sql, [overlay.key, zoneIds, unitIds]));
}

/** Drops the stored measures of an overlay that involve any given zone, unit or feature. */
export async function deleteOverlayMeasures(
  db: Queryable,
  overlay: string,
  zoneIds: number[],
  unitIds: number[],
  featureIds: number[],
): Promise<void> {
  const sql = `DELETE FROM simpul_overlay_measure
    WHERE overlay = $1 AND (zone_id = ANY ($2) OR unit_id = ANY ($3) OR feature_id = ANY ($4))`;
  await db.query(sql, [overlay, zoneIds, unitIds, featureIds]);
}

/** The SQL pieces that differ between line features (lengths) and point features (presence). */
function measureExpressions(kind: MeasureOverlay['kind'], repair: boolean) {
  if (kind === 'presence') return { inZone: 'NULL::geometry', inside: 'true', amount: '1' };
  // A line wholly inside a zone or unit is not cut by it: the containment test runs on the
  // prepared polygon and costs far less than cutting by a polygon of a thousand vertices. Only
  // the lines of a cut are kept: a gridded cut refuses a piece that holds a touching point too.
  const zone = overlayable('z.geom', repair);
  const cut = `ST_CollectionExtract(ST_Intersection(f.geom, ${zone}, ${overlayGridDeg}), 2)`;
  return {
    inZone: `CASE WHEN ST_ContainsProperly(z.geom, f.geom) THEN f.geom ELSE ${cut} END`,
    inside: 'ST_ContainsProperly(u.geom, f.geom)',
    amount: `ST_Length(CASE WHEN c.inside THEN p.geom
      ELSE ST_Intersection(p.geom, ${overlayable('u.geom', repair)}, ${overlayGridDeg})
      END::geography)`,
  };
}

/**
 * Computes and stores each feature's length (m, geodesic) or presence in every zone and unit it
 * meets, for the triples that involve one of the given zones, units or features (each triple
 * once). Zones and units are tested apart, each with its polygons prepared once for many
 * features, and only lines that cross a unit's edge are cut by it. Returns the triples stored.
 */
export async function insertOverlayMeasures(
  db: Queryable,
  overlay: MeasureOverlay,
  zoneIds: number[],
  unitIds: number[],
  featureIds: number[],
): Promise<number> {
  const [zone, unit, feature] = [overlay.zoneTable, overlay.unitTable, overlay.featureTable].map(q);
  const repair = await selectHoldsInvalidPolygon(db, [overlay.zoneTable, overlay.unitTable]);
  const { inZone, inside, amount } = measureExpressions(overlay.kind, repair);
  // Every piece of a changed zone; of the other zones, the pieces of changed features and of
  // features in changed units. MATERIALIZED keeps each expression from being inlined twice.
  const sql = `
    WITH in_zone AS MATERIALIZED (
      SELECT z.id AS zone_id, f.id AS feature_id, ${inZone} AS geom
      FROM ${zone} AS z JOIN ${feature} AS f ON ST_Intersects(f.geom, z.geom)
      WHERE z.id = ANY ($2)
      UNION ALL
      SELECT z.id, f.id, ${inZone}
      FROM ${feature} AS f JOIN ${zone} AS z ON ST_Intersects(f.geom, z.geom)
      WHERE z.id <> ALL ($2) AND (f.id = ANY ($4) OR f.id IN (
        SELECT member.id FROM ${unit} AS changed_unit
        JOIN ${feature} AS member ON ST_Intersects(member.geom, changed_unit.geom)
        WHERE changed_unit.id = ANY ($3)))),
    in_unit AS MATERIALIZED (
      SELECT u.id AS unit_id, m.feature_id, m.inside
      FROM ${unit} AS u CROSS JOIN LATERAL (
        SELECT f.id AS feature_id, ${inside} AS inside
        FROM ${feature} AS f
        WHERE ST_Intersects(f.geom, u.geom) AND f.id IN (SELECT feature_id FROM in_zone)
        -- OFFSET 0 keeps the units outermost, so each unit's polygon is prepared once.
        OFFSET 0) AS m),
    hit AS MATERIALIZED (
      SELECT p.zone_id, c.unit_id, p.feature_id, ${amount} AS amount
      FROM in_zone AS p
      JOIN in_unit AS c USING (feature_id)
      JOIN ${unit} AS u ON u.id = c.unit_id
      WHERE p.zone_id = ANY ($2) OR c.unit_id = ANY ($3) OR p.feature_id = ANY ($4))
    INSERT INTO simpul_overlay_measure (overlay, zone_id, unit_id, feature_id, amount)
    SELECT $1, zone_id, unit_id, feature_id, amount FROM hit
    -- A line that only touches a zone or unit has no length in it.
    WHERE amount > 0`;
  return insertedCount(await db.query(sql, [overlay.key, zoneIds, unitIds, featureIds]));
}
