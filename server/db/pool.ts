import pg from 'pg';
import { config, redactUrl } from '../config.js';
import { log } from '../log.js';
import { noTileCachesElsewhere } from '../tiles/tile-changes.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';

/** Thrown when the database cannot be used; its message is the one line start-up prints. */
export class DatabaseUnavailableError extends Error {}

/** The capabilities probed once at start; code paths are chosen by these, not by engine name. */
export interface DatabaseCapabilities {
  postgisVersion: string;
  /** `ST_AsMVT` works (PostGIS built with protobuf-c). */
  hasAsMvt: boolean;
  embedded: boolean;
}

/** An open database: the pool all queries go through and what the server can do with it. */
export interface Database {
  pool: pg.Pool;
  /**
   * Connections of exports (EXPORT_POOL_SIZE), which a slow download holds for as long as its
   * client reads; a wait past EXPORT_WAIT_MS fails. The embedded database's one session is
   * `pool` itself.
   */
  exportPool: pg.Pool;
  capabilities: DatabaseCapabilities;
  url: string;
  close(): Promise<void>;
}

// bigint (int8) and numeric come back as JS numbers; counts and ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
// dates stay ISO text (`YYYY-MM-DD`), not JS dates shifted by the time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

async function probeCapabilities(pool: pg.Pool, embedded: boolean): Promise<DatabaseCapabilities> {
  const installed = await pool.query(
    "SELECT extversion FROM pg_extension WHERE extname = 'postgis'",
  );
  if (installed.rowCount === 0) {
    throw new DatabaseUnavailableError(
      'PostGIS is not installed in this database: run CREATE EXTENSION postgis as its owner',
    );
  }
  const version = await pool.query<{ v: string }>('SELECT postgis_lib_version() AS v');
  const postgisVersion = version.rows[0]?.v ?? String(installed.rows[0].extversion);

  let hasAsMvt = true;
  try {
    await pool.query('SELECT ST_AsMVT(t) FROM (SELECT 1 AS a, ST_Point(0, 0) AS g) t');
  } catch {
    hasAsMvt = false;
  }
  return { postgisVersion, hasAsMvt, embedded };
}

/**
 * Listens for the end of each connection of `pool` while a caller holds it. PostgreSQL ending a
 * held connection between two queries (a restart, a failover, an administrator) emits 'error'
 * on it, which pg's pool hears only while the connection is idle: unheard, the event ended the
 * whole process. The holder's next query fails and is answered like any other failure.
 */
function hearHeldConnectionErrors(pool: pg.Pool) {
  pool.on('connect', (client) => {
    client.on('error', (error) => log.debug({ err: error }, 'held database connection ended'));
  });
}

// FIXME: the embedded database has no statement timeout. PGlite accepts `SET
// statement_timeout` but never fires it (its WebAssembly build has no timer signal): under a
// 100 ms timeout, pg_sleep(0.5) and a 15 s scan both ran to the end (PGlite 0.5.8 and 0.5.16).
// Nor can this process time a query out: PGlite runs in it, and a statement holds its event
// loop until it ends (no timer, no request, not even /health is served meanwhile), so a
// client-side `query_timeout` fires only once the statement has ended. The cost: a runaway
// statement (a costly filter) stops the whole server until it ends, and QUERY_TIMEOUT_MS
// bounds only a server given by DATABASE_URL. A PGlite that honours the timeout, or a real
// PostgreSQL, lifts it; so might PGlite in a worker thread, ended and reopened past the
// timeout (imports and exports exempt), once reopening a folder PGlite was ended in mid-write
// is shown safe.
function createPool(url: string, embedded: boolean): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    // The embedded database runs one session: one connection, queries in turn.
    max: embedded ? 1 : config.poolSize,
    connectionTimeoutMillis: 10000,
    ...(embedded ? {} : { statement_timeout: config.queryTimeoutMs }),
  });
  pool.on('error', (error) => log.error({ err: error }, 'idle database connection failed'));
  hearHeldConnectionErrors(pool);
  return pool;
}

/**
 * The export pool of a real server: a download holds its connection until the client has read
 * the file, so slow downloads fill these connections and leave the others to the rest of the API.
 */
function createExportPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: config.exportPoolSize,
    connectionTimeoutMillis: config.exportWaitMs,
    // No statement timeout: the cursor's one statement lasts as long as the client reads, and a
    // slow client reading all along is served; one that stops reading is cut (EXPORT_STALL_MS).
    statement_timeout: 0,
  });
  pool.on('error', (error) => log.error({ err: error }, 'idle export connection failed'));
  hearHeldConnectionErrors(pool);
  return pool;
}

async function connectOrExplain(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    const reason = (error as Error).message;
    throw new DatabaseUnavailableError(`cannot connect to ${redactUrl(url)}: ${reason}`);
  }
}

/**
 * Opens `DATABASE_URL`, or the embedded PostGIS in `SIMPUL_DATA_DIR` without it; `signal`
 * stops the embedded database's start (see `startEmbeddedDatabase`).
 */
export async function openDatabase(
  databaseUrl = config.databaseUrl,
  signal?: AbortSignal,
): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  if (!databaseUrl) embedded = await startEmbeddedDatabase(config.dataDir, signal);

  const url = databaseUrl ?? embedded!.url;
  const pool = createPool(url, Boolean(embedded));
  if (embedded) noTileCachesElsewhere(pool);
  // FIXME: on the embedded database an export reads on the one session, so a download read
  // slowly holds every other request until it ends (GeoPackage and Shapefile excepted: they
  // release it once their file is written). A real PostgreSQL (DATABASE_URL) lifts it.
  const exportPool = embedded ? pool : createExportPool(url);
  try {
    await connectOrExplain(pool, url);
    const capabilities = await probeCapabilities(pool, Boolean(embedded));
    const close = async () => {
      if (exportPool !== pool) await exportPool.end();
      await pool.end();
      await embedded?.stop();
    };
    return { pool, exportPool, capabilities, url, close };
  } catch (error) {
    if (exportPool !== pool) await exportPool.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
}
