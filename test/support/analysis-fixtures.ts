import type pg from 'pg';

/**
 * Inserts one row straight into a layer or record table of a test database, with a GeoJSON
 * geometry in EPSG:4326 when given (promoted to multi, as layer tables store it). Table and
 * column names are the test's own literals.
 */
export async function insertRow(
  pool: pg.Pool,
  table: string,
  values: Record<string, unknown>,
  geometry?: object,
): Promise<number> {
  const columns = Object.keys(values).map((name) => `"${name}"`);
  const params = Object.values(values);
  const placeholders = params.map((_, i) => `$${i + 1}`);
  if (geometry) {
    params.push(JSON.stringify(geometry));
    columns.push('geom');
    const text = `ST_SetSRID(ST_GeomFromGeoJSON($${params.length}), 4326)`;
    const multi = ['Polygon', 'LineString'].includes((geometry as { type: string }).type);
    placeholders.push(multi ? `ST_Multi(${text})` : text);
  }
  const sql = `INSERT INTO "${table}" (${columns.join(', ')})
    VALUES (${placeholders.join(', ')}) RETURNING id`;
  const result = await pool.query<{ id: number }>(sql, params);
  return result.rows[0]!.id;
}

/** A GeoJSON LineString through the given lon/lat positions. */
export function line(...positions: [number, number][]) {
  return { type: 'LineString' as const, coordinates: positions };
}
