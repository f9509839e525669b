import pg from 'pg';
import { startLocalCluster, type LocalCluster } from '../../support/local-cluster.js';

/**
 * The server settings of the shared benchmark harness (its `pg-up.sh`), tuned for 2 cores
 * with no durability: the dataset fits in shared buffers, and no parallel workers or JIT take
 * the other core from a concurrent request.
 */
const harnessSettings = {
  shared_buffers: '1GB',
  effective_cache_size: '12GB',
  work_mem: '32MB',
  maintenance_work_mem: '512MB',
  random_page_cost: '1.1',
  effective_io_concurrency: '200',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
  max_parallel_workers_per_gather: '0',
  jit: 'off',
};

/** A throwaway cluster set up as the harness sets up its own. */
export function startBenchCluster(): Promise<LocalCluster> {
  return startLocalCluster(harnessSettings);
}

/** Reads every table and index of the database's public schema into shared buffers. */
export async function prewarm(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    await client.query(
      `SELECT pg_prewarm(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')`,
    );
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the cluster of `adminUrl` and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
