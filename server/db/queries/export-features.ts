import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier, woundAsGeoJson } from '../sql.js';
import type { FeatureConditions } from './features.js';

/** A feature row read for export: id, every attribute, GeoJSON geometry in the output CRS. */
export interface ExportRow {
  id: number;
  properties: Record<string, unknown>;
  geometry: unknown;
}

/** Rows fetched per round trip: memory stays flat whatever the layer's size. */
const fetchSize = 1000;

/** The SELECT of an export's rows, in id order, with its parameters in `conditions`. */
function exportRowsSql(
  layer: LayerDefinition,
  conditions: FeatureConditions,
  srid: number,
  precision: number,
): string {
  const names = layer.attributes.map((a) => a.name);
  const pairs = names.map((name) => `'${name}', ${quoteIdentifier(name)}`);
  const properties = pairs.length > 0 ? `jsonb_build_object(${pairs.join(', ')})` : `'{}'::jsonb`;
  const wound = woundAsGeoJson('geom');
  const geom = srid === layer.geometry.srid ? wound : `ST_Transform(${wound}, ${Number(srid)})`;
  const where = conditions.clauses.length > 0 ? `WHERE ${conditions.clauses.join(' AND ')}` : '';
  return `SELECT id, ${properties} AS properties,
      ST_AsGeoJSON(${geom}, ${Number(precision)})::json AS geometry
    FROM ${quoteIdentifier(layer.id)} ${where} ORDER BY id`;
}

/**
 * Streams the layer's features matching `conditions`, in id order, through a server-side
 * cursor, with geometry in `srid` at `precision` decimals. The client is the caller's.
 */
export function streamExportRows(
  client: pg.PoolClient,
  layer: LayerDefinition,
  conditions: FeatureConditions,
  srid: number,
  precision: number,
): AsyncIterable<ExportRow> {
  const sql = exportRowsSql(layer, conditions, srid, precision);
  return client.query(new QueryStream(sql, conditions.params.values, { batchSize: fetchSize }));
}

/**
 * The first row `streamExportRows` would give, or undefined when none matches: the same
 * statement, so it fails where the export would fail on its first row.
 */
export async function selectFirstExportRow(
  db: Pick<pg.Pool, 'query'>,
  layer: LayerDefinition,
  conditions: FeatureConditions,
  srid: number,
  precision: number,
): Promise<ExportRow | undefined> {
  const sql = `${exportRowsSql(layer, conditions, srid, precision)} LIMIT 1`;
  const result = await db.query<ExportRow>(sql, conditions.params.values);
  return result.rows[0];
}

/** Kinds of CRS: degrees, metres on a plane, or X, Y, Z from the Earth's centre. */
export type CrsKind = 'geographic' | 'projected' | 'geocentric';

/**
 * The kind of the CRS of an EPSG code, from its PROJ definition in spatial_ref_sys (the WKT
 * there starts GEOGCS or GEOGCRS depending on the row's age); undefined when it is unknown.
 */
export async function selectCrsKind(db: Pick<pg.Pool, 'query'>, srid: number) {
  const result = await db.query<{ kind: CrsKind }>(
    `SELECT CASE
        WHEN proj4text ~ '\\+proj=(longlat|latlong|lonlat|latlon)\\M' THEN 'geographic'
        WHEN proj4text ~ '\\+proj=geocent\\M' THEN 'geocentric'
        ELSE 'projected' END AS kind
      FROM spatial_ref_sys WHERE srid = $1`,
    [srid],
  );
  return result.rows[0]?.kind;
}
