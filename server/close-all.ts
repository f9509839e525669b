/**
 * Runs each closing step in order, each one even when a step before it failed, so that a
 * failure to stop the imports or the tile service never leaves the database open (and the
 * embedded database's folder locked for the next start). Once all have run, a single failure
 * is thrown as it was, several as one AggregateError holding them all.
 */
export async function closeAll(steps: ReadonlyArray<() => Promise<unknown> | void>) {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'closing steps failed');
}
