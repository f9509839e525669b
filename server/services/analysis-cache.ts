import type pg from 'pg';
import { selectTablesFingerprint } from '../db/queries/table-fingerprint.js';

interface CacheEntry {
  fingerprint: string;
  value: Promise<unknown>;
}

const caches = new WeakMap<pg.Pool, Map<string, CacheEntry>>();

/**
 * The result of `compute`, reused while the tables it reads are unchanged: before answering,
 * the tables' fingerprint (row count and row versions) is read, about a millisecond, and any
 * insert, update or delete since the last computation makes it compute again. So a repeated
 * analysis is fast and still always from current data. Concurrent callers share one
 * computation; a failed one is not kept.
 */
export async function reuseWhileUnchanged<Value>(
  pool: pg.Pool,
  key: string,
  tables: readonly string[],
  compute: () => Promise<Value>,
): Promise<{ value: Value; reused: boolean }> {
  const cache = caches.get(pool) ?? new Map<string, CacheEntry>();
  caches.set(pool, cache);
  const fingerprint = await selectTablesFingerprint(pool, [...new Set(tables)].sort());

  const cached = cache.get(key);
  if (cached?.fingerprint === fingerprint) {
    return { value: (await cached.value) as Value, reused: true };
  }
  const value = compute();
  cache.set(key, { fingerprint, value });
  value.catch(() => {
    if (cache.get(key)?.value === value) cache.delete(key);
  });
  return { value: await value, reused: false };
}
