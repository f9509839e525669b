import type pg from 'pg';

/**
 * Runs one statement with PostgreSQL's JIT compiler off, in its own short transaction.
 * PostGIS declares its overlay functions very costly, so an analysis over a whole regency is
 * estimated far above `jit_above_cost` and PostgreSQL 15 spends about a second compiling it
 * with LLVM, longer than the query itself runs (measured: 1.0 s JIT for a 0.5 s exposure query).
 */
export async function queryWithoutJit<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  sql: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<Row>> {
  return inTransactionWithoutJit(pool, 'BEGIN', (client) => client.query<Row>(sql, values));
}

/** Runs `work` in a transaction opened by `begin`, with JIT off for its statements. */
export async function inTransactionWithoutJit<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    await client.query('SET LOCAL jit = off');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
