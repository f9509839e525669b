import fs from 'node:fs';
import path from 'node:path';
import { closeAll } from '../close-all.js';
import { log } from '../log.js';
import { isProcessAlive } from '../process-alive.js';

/** Thrown when another live process holds the embedded database folder. */
export class DataDirLockedError extends Error {}

/** Thrown when the embedded database folder cannot be made or written (a file, read-only). */
export class DataDirUnusableError extends Error {}

/** A running embedded PostGIS served over the PostgreSQL wire protocol on loopback. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function readLockHolder(lockPath: string): number | null {
  const holder = Number(fs.readFileSync(lockPath, 'utf8').trim());
  return Number.isSafeInteger(holder) && holder > 0 ? holder : null;
}

/**
 * Takes `<dataDir>/simpul.lock` for this process and returns its release. PGlite has no locking
 * of its own and two writers on one folder silently lose rows, so a second process is refused;
 * a lock left by a dead process, or one that names no process, is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'simpul.lock');
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;

    const holder = readLockHolder(lockPath);
    if (holder !== null && holder !== process.pid && isProcessAlive(holder)) {
      throw new DataDirLockedError(
        `the embedded database in ${dataDir} is in use by process ${holder} (one process at ` +
          `a time): stop that process, then run this again; a second server needs a ` +
          `SIMPUL_DATA_DIR of its own (if no Simpul runs there, remove ${lockPath})`,
      );
    }
    // FIXME: two processes starting in the same instant over a stale lock may both take it
    // over; an atomic takeover (rename, then check what was renamed) would close that window.
    log.warn({ lockPath, stalePid: holder }, 'taking over a stale embedded database lock');
    fs.writeFileSync(lockPath, String(process.pid));
  }
  return () => fs.rmSync(lockPath, { force: true });
}

function makeDataDir(dataDir: string) {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new DataDirUnusableError(
      `${dataDir} cannot hold the embedded database (${code}); ` +
        'set SIMPUL_DATA_DIR to a folder this process can write',
    );
  }
}

/**
 * Opens (or creates) the embedded PostGIS in `dataDir` and serves it on a free loopback port.
 * Aborted by `signal`, it closes what it opened once PGlite's current step ends (creating a
 * database cannot be cut short) and rejects with the signal's reason, the folder unlocked.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  signal?: AbortSignal,
): Promise<EmbeddedDatabase> {
  // Loaded here, not at the top: PGlite's modules add about 60 MB to every process that
  // imports them, and a server on DATABASE_URL never needs them.
  const [{ PGlite }, { postgis }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-postgis'),
    import('@electric-sql/pglite-socket'),
  ]);
  signal?.throwIfAborted();
  makeDataDir(dataDir);
  const releaseLock = lockDataDir(dataDir);

  try {
    const db = await PGlite.create({
      dataDir: path.join(dataDir, 'pgdata'),
      extensions: { postgis },
    });
    try {
      signal?.throwIfAborted();
      await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
      signal?.throwIfAborted();
      // PGlite runs one session: the pool uses one connection; a few spare ones serve tools.
      const options = { db, port: 0, host: '127.0.0.1', maxConnections: 4 };
      const server = new PGLiteSocketServer(options);
      await server.start();

      const url = `postgres://postgres@${server.getServerConn()}/postgres`;
      const stop = () => closeAll([() => server.stop(), () => db.close(), releaseLock]);
      return { url, stop };
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch (error) {
    releaseLock();
    throw error;
  }
}
