import type pg from 'pg';
import { quoteIdentifier as q } from '../sql.js';

/**
 * A cheap fingerprint of the current contents of some tables: per table its row count and the
 * sum of its rows' `xmin`. Every insert, update and delete changes it, because each row version
 * carries the id of the transaction that wrote it; reading it scans only tuple headers.
 */
export async function selectTablesFingerprint(
  db: Pick<pg.Pool, 'query'>,
  tables: readonly string[],
): Promise<string> {
  const parts = tables.map(
    (table) =>
      `SELECT ${Number(tables.indexOf(table))} AS n, count(*) || ':' ||
        coalesce(sum(xmin::text::bigint), 0) AS print FROM ${q(table)}`,
  );
  const sql = `SELECT string_agg(print, ',' ORDER BY n) AS fingerprint
    FROM (${parts.join(' UNION ALL ')}) AS t`;
  const result = await db.query<{ fingerprint: string }>(sql);
  return result.rows[0]!.fingerprint;
}
