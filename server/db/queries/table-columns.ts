import type pg from 'pg';

/** The column names of a table of the current schema search path; empty when it does not exist. */
export async function selectTableColumns(pool: pg.Pool, table: string): Promise<string[]> {
  const result = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_name = $1 AND table_schema = ANY (current_schemas(false))`,
    [table],
  );
  return result.rows.map((row) => row.column_name);
}
