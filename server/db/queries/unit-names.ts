import type pg from 'pg';
import { quoteIdentifier as q } from '../sql.js';

/** Code → name of every feature of a coded layer (kecamatan, irrigation areas…). */
export async function selectUnitNames(
  db: Pick<pg.Pool, 'query'>,
  table: string,
  codeColumn: string,
  nameColumn: string,
): Promise<Map<string, string>> {
  const sql = `SELECT ${q(codeColumn)}::text AS code, ${q(nameColumn)}::text AS name
    FROM ${q(table)} ORDER BY 1`;
  const result = await db.query<{ code: string; name: string }>(sql);
  return new Map(result.rows.map((row) => [row.code, row.name]));
}
