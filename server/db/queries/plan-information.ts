import type pg from 'pg';
import type { ActivityRuleBinding } from '../../../layers/analysis-bindings.js';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier as q } from '../sql.js';
import { overlayable, overlayGridDeg } from './overlays.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** The asked place: a GeoJSON geometry in EPSG:4326, without Z or M. */
const sentPlace = 'ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))';
/**
 * The place `g` made valid by structure (polygons: the union of their rings, holes cut out; the
 * default method keeps where an odd number of rings overlap and took minutes on a ring crossing
 * itself a few hundred times), of its own dimension: a repair may leave lines where polygons
 * touch, and an overlay of that collection failed ("mixed-dimension", a 500).
 */
const madeValid = (g: string) => `ST_CollectionExtract(ST_MakeValid(${g}, 'method=structure'),
  CASE ST_Dimension(${g}) WHEN 2 THEN 3 WHEN 1 THEN 2 ELSE 1 END)`;

/**
 * A place made valid once for all the queries of a request (see `selectPlaceValidity`): its
 * geometry in EPSG:4326 as PostGIS's hex EWKB, which each query reads back exactly.
 */
export interface RepairedPlace {
  readonly ewkb: string;
}
/** The repaired place as a query's first parameter. */
const placeSql = '$1::geometry';

/** One group of a layer's features overlapping a place, with how much of the place they cover. */
export interface OverlapRow {
  values: Record<string, unknown>;
  /** Area of the overlap on the ellipsoid; 0 for a point or line place. */
  areaHa: number;
  /** Overlap area ÷ place area (0–1); null when the place has no area (a point). */
  share: number | null;
}

/**
 * The features of `layer` that the place touches, grouped by the values of `attributeNames`,
 * with the overlap area in hectares on the WGS 84 ellipsoid and its share of the place.
 * Largest overlap first. The pieces of a group are dissolved before they are measured, so
 * two overlapping features of one group count their common part once.
 */
export async function selectOverlapShares(
  db: Queryable,
  layer: LayerDefinition,
  attributeNames: string[],
  place: RepairedPlace,
): Promise<OverlapRow[]> {
  const columns = attributeNames.map((name) => q(name));
  const pairs = attributeNames.map((name, i) => `'${name}', ${columns[i]}`).join(', ');
  const sql = `
    WITH place AS (SELECT geom, NULLIF(ST_Area(geom::geography), 0) AS area_m2
                   FROM (SELECT ${placeSql} AS geom) AS p),
    grouped AS (
      SELECT ${columns.join(', ')}, jsonb_build_object(${pairs}) AS values, place.area_m2,
        ST_Union(ST_Intersection(${overlayable('f.geom', true)}, place.geom, ${overlayGridDeg}),
          ${overlayGridDeg})
          AS inside
      FROM ${q(layer.id)} AS f, place
      WHERE ST_Intersects(f.geom, place.geom)
      GROUP BY ${columns.join(', ')}, place.area_m2)
    SELECT values, coalesce(ST_Area(inside::geography), 0) / 10000 AS area_ha,
      ST_Area(inside::geography) / area_m2 AS share
    FROM grouped
    -- A parcel that only shares an edge with a feature does not lie in it.
    WHERE area_m2 IS NULL OR ST_Area(inside) > 0
    ORDER BY area_ha DESC, ${columns.join(', ')}`;
  const result = await db.query<{
    values: Record<string, unknown>;
    area_ha: number;
    share: number;
  }>(sql, [place.ewkb]);
  return result.rows.map((row) => ({ values: row.values, areaHa: row.area_ha, share: row.share }));
}

/**
 * Whether the place as sent is valid, why not (PostGIS's reason) and its vertex count: cheap
 * checks that stop at the first fault. The place made valid comes with them when it is valid
 * or has at most `maxRepairedPoints` vertices, else none: the repair is not even started.
 */
export async function selectPlaceValidity(
  db: Queryable,
  placeGeoJson: string,
  maxRepairedPoints: number,
) {
  const sql = `SELECT valid, reason, points,
      CASE WHEN valid OR points <= $2 THEN ${madeValid('g')} END AS repaired
    FROM (SELECT g, ST_IsValid(g, 0) AS valid, ST_IsValidReason(g) AS reason,
            ST_NPoints(g) AS points
          FROM (SELECT ${sentPlace} AS g) AS sent) AS p`;
  const result = await db.query<{
    valid: boolean;
    reason: string;
    points: number;
    repaired: string | null;
  }>(sql, [placeGeoJson, maxRepairedPoints]);
  const { valid, reason, points, repaired } = result.rows[0]!;
  const place: RepairedPlace | null = repaired === null ? null : { ewkb: repaired };
  return { valid, reason, points, place };
}

/** What the place is: its area in hectares (0 for a point), centroid and bbox in EPSG:4326. */
export async function selectPlaceSummary(db: Queryable, place: RepairedPlace) {
  const sql = `
    SELECT ST_GeometryType(geom) AS type, ST_IsEmpty(geom) AS empty,
      ST_Area(geom::geography) / 10000 AS area_ha,
      ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat,
      ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
    FROM (SELECT ${placeSql} AS geom) AS p`;
  const result = await db.query(sql, [place.ewkb]);
  const row = result.rows[0];
  return {
    geometryType: String(row.type).replace(/^ST_/, ''),
    empty: Boolean(row.empty),
    areaHa: Number(row.area_ha),
    pointOnSurface: row.empty ? null : ([row.lon, row.lat] as [number, number]),
    bbox: row.empty ? null : ([row.x0, row.y0, row.x1, row.y1] as number[]),
  };
}

/** A row of the activity matrix: the rule of one activity in one zone. */
export interface ActivityRuleRow {
  zoneCode: string;
  activity: string;
  rule: string;
  condition: string | null;
  conditionEn: string | null;
}

function activityColumns(binding: ActivityRuleBinding) {
  const conditionEn = binding.conditionEnAttribute ? q(binding.conditionEnAttribute) : 'NULL::text';
  return `${q(binding.zoneCodeAttribute)} AS "zoneCode",
    ${q(binding.activityAttribute)} AS activity,
    upper(${q(binding.ruleAttribute)}) AS rule,
    ${q(binding.conditionAttribute)} AS condition,
    ${conditionEn} AS "conditionEn"`;
}

/** The rules of one activity code in the given zone codes. */
export async function selectActivityRules(
  db: Queryable,
  binding: ActivityRuleBinding,
  activity: string,
  zoneCodes: string[],
): Promise<ActivityRuleRow[]> {
  const sql = `SELECT ${activityColumns(binding)} FROM ${q(binding.tableId)}
    WHERE ${q(binding.activityAttribute)} = $1 AND ${q(binding.zoneCodeAttribute)} = ANY ($2)`;
  const result = await db.query<ActivityRuleRow>(sql, [activity, zoneCodes]);
  return result.rows;
}

/** Every activity code the matrix has a rule for, with the number of zone codes it rules. */
export async function selectActivities(db: Queryable, binding: ActivityRuleBinding) {
  const activity = q(binding.activityAttribute);
  const sql = `SELECT ${activity} AS activity, count(*)::int AS zones
    FROM ${q(binding.tableId)} GROUP BY ${activity} ORDER BY ${activity}`;
  const result = await db.query<{ activity: string; zones: number }>(sql);
  return result.rows;
}

/** A shape of the printed map: an SVG path in UTM 49S metres (y negated, as SVG draws down). */
export interface MapShapeRow {
  code: string | null;
  svgPath: string;
}

/** A map frame in EPSG:32749 metres: [minX, minY, maxX, maxY]. */
export type UtmFrame = [number, number, number, number];

/**
 * The features of `layer` inside the frame, clipped to it and drawn as SVG paths in EPSG:32749
 * with one decimal (10 cm), with the value of `codeAttribute` to colour them by. The clip is
 * ST_ClipByBox2D, not ST_Intersection: a drawing needs no valid overlay, and a geometry written
 * invalid straight into the database (GEOS refuses to intersect a self-intersecting ring) still
 * draws instead of failing the whole page.
 */
export async function selectMapShapes(
  db: Queryable,
  layer: LayerDefinition,
  codeAttribute: string | undefined,
  frame: UtmFrame,
): Promise<MapShapeRow[]> {
  const code = codeAttribute ? `${q(codeAttribute)}::text` : 'NULL::text';
  const sql = `
    WITH frame AS (SELECT ST_MakeEnvelope($1, $2, $3, $4, 32749) AS box)
    SELECT ${code} AS code,
      ST_AsSVG(ST_ClipByBox2D(ST_Transform(f.geom, 32749), frame.box), 0, 1) AS "svgPath"
    FROM ${q(layer.id)} AS f, frame
    WHERE f.geom && ST_Transform(frame.box, 4326)
      AND ST_Intersects(ST_Transform(f.geom, 32749), frame.box)`;
  const result = await db.query<MapShapeRow>(sql, frame);
  return result.rows.filter((row) => row.svgPath);
}

/**
 * The place in EPSG:32749 as an SVG path (a point as its x and y), and a frame around it: the
 * place's extent plus 20% on each side and at least `minMarginM`, widened to `aspect`
 * (width ÷ height) so the map fills its box.
 */
export async function selectPlaceFrame(
  db: Queryable,
  repaired: RepairedPlace,
  minMarginM: number,
  aspect: number,
) {
  const sql = `
    WITH place AS (SELECT ST_Transform(${placeSql}, 32749) AS geom),
    box AS (SELECT ST_Envelope(geom) AS e FROM place),
    margin AS (
      SELECT greatest($2, 0.2 * greatest(ST_XMax(e) - ST_XMin(e), ST_YMax(e) - ST_YMin(e))) AS m
      FROM box),
    grown AS (SELECT ST_Expand(e, m) AS g FROM box, margin)
    SELECT ST_AsSVG(place.geom, 0, 1) AS "svgPath",
      ST_X(ST_PointOnSurface(place.geom)) AS cx, ST_Y(ST_PointOnSurface(place.geom)) AS cy,
      ST_XMin(g) AS x0, ST_YMin(g) AS y0, ST_XMax(g) AS x1, ST_YMax(g) AS y1
    FROM place, grown`;
  const row = (await db.query(sql, [repaired.ewkb, minMarginM])).rows[0];
  return {
    svgPath: String(row.svgPath ?? ''),
    center: [row.cx, row.cy] as [number, number],
    frame: widenToAspect([row.x0, row.y0, row.x1, row.y1], aspect),
  };
}

function widenToAspect([x0, y0, x1, y1]: UtmFrame, aspect: number): UtmFrame {
  const width = x1 - x0;
  const height = y1 - y0;
  if (width / height < aspect) {
    const grow = (height * aspect - width) / 2;
    return [x0 - grow, y0, x1 + grow, y1];
  }
  const grow = (width / aspect - height) / 2;
  return [x0, y0 - grow, x1, y1 + grow];
}

/**
 * True when the place touches a feature of one of `outlines` (the regency's outline layers), or
 * when they hold no feature at all.
 */
export async function placeTouchesAny(
  db: Queryable,
  outlines: readonly LayerDefinition[],
  place: RepairedPlace,
): Promise<boolean> {
  if (outlines.length === 0) return true;
  // an outline not loaded yet tells nothing: the place is not refused for it
  const loaded = outlines.map((layer) => `EXISTS (SELECT 1 FROM ${q(layer.id)})`).join(' OR ');
  const touches = outlines.map(
    (layer) => `EXISTS (SELECT 1 FROM ${q(layer.id)} AS f WHERE ST_Intersects(f.geom, p.geom))`,
  );
  const result = await db.query<{ inside: boolean }>(
    `SELECT NOT (${loaded}) OR ${touches.join(' OR ')} AS inside
     FROM (SELECT ${placeSql} AS geom) AS p`,
    [place.ewkb],
  );
  return result.rows[0]!.inside;
}
