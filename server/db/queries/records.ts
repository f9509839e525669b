import type pg from 'pg';
import type { RecordTableDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** How many records a record table holds. */
export async function countRecords(db: Queryable, table: RecordTableDefinition) {
  const sql = `SELECT count(*)::int AS n FROM ${quoteIdentifier(table.id)}`;
  const result = await db.query<{ n: number }>(sql);
  return result.rows[0]?.n ?? 0;
}

/**
 * Inserts records (objects keyed by attribute name; undeclared keys are ignored) in one
 * statement, so a domain or reference violation rejects them all. Returns how many were
 * inserted. Each row fires the table's triggers, which keep the parent's current state.
 */
export async function insertRecords(
  db: Queryable,
  table: RecordTableDefinition,
  records: readonly Record<string, unknown>[],
) {
  if (records.length === 0) return 0;
  const name = quoteIdentifier(table.id);
  const columns = table.attributes.map((attribute) => quoteIdentifier(attribute.name)).join(', ');

  const sql = `INSERT INTO ${name} (${columns})
    SELECT ${columns} FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`;
  const result = await db.query(sql, [JSON.stringify(records)]);
  return result.rowCount ?? 0;
}
