import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { log } from '../log.js';
import { isProcessAlive } from '../process-alive.js';
import type { CachedTile } from './tile-cache.js';

/** What the disk tier knows of a tile without reading its file. */
interface DiskEntry {
  key: string;
  file: string;
  bytes: number;
  layerIds: readonly string[];
  tile: CachedTile['tile'];
  etag: string;
  /** Whether the file holds the gzip form (else the raw MVT). */
  gzip: boolean;
  /** Set once the file is complete; a read before then waits for it. */
  written: Promise<boolean>;
}

/** Thrown when `TILE_CACHE_DIR` cannot be made or written (a file, read-only). */
export class TileCacheDirUnusableError extends Error {}

/** The folders of this process's disk tiers, which a second tier must not take for leftovers. */
const foldersInUse = new Set<string>();

/** Whether a folder of `dir` is a process folder left by a process no longer running. */
function isLeftOver(dir: string, name: string): boolean {
  const pid = Number(/^process-(\d+)(-\w+)?$/.exec(name)?.[1]);
  if (!pid || foldersInUse.has(path.join(dir, name))) return false;
  return pid === process.pid || !isProcessAlive(pid);
}

/**
 * The second tier of the tile cache: tiles the memory tier drops for room are written to
 * files under `<dir>/process-<pid>-<random>/`, least recently used removed first past
 * `maxBytes`, and read back on a memory miss instead of rendering again. Changes invalidate
 * them exactly as they do the memory tier (the cache's spatial index covers both).
 *
 * The tier lives as long as its process: a process folder is emptied when the process starts
 * and removed when it stops, and folders of processes no longer running are removed. Across a
 * restart the tiles would need the changes committed meanwhile, which no one heard; keeping
 * them would need a change log in the database. Until then a restart starts cold, which costs
 * one rendering per tile asked for again.
 */
export class TileDiskCache {
  private readonly entries: LRUCache<string, DiskEntry>;
  private readonly folder: string;
  /** Writes not finished yet: a folder is removed only after them. */
  private readonly writing = new Set<Promise<boolean>>();
  private sequence = 0;
  private failures = 0;

  constructor(
    dir: string,
    readonly maxBytes: number,
    private readonly onDrop: (entry: Pick<CachedTile, 'key' | 'layerIds' | 'tile'>) => void,
  ) {
    try {
      // The parent recursively, the folder itself not: Node 20's recursive mkdir never returns
      // for a missing folder under /proc, where a plain one fails at once.
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      if (!fs.existsSync(dir)) fs.mkdirSync(dir);
      for (const name of fs.readdirSync(dir)) {
        if (isLeftOver(dir, name))
          fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      }
      // A random suffix: tiers that share a folder and a pid (two in one process, or processes
      // of containers on one volume, each pid 1) never write each other's files. A container's
      // start still takes the folder of a running container with its pid for a leftover: that
      // tier's reads and writes then fail and it renders instead, never serving another's bytes.
      this.folder = fs.mkdtempSync(path.join(dir, `process-${process.pid}-`));
      foldersInUse.add(this.folder);
      fs.accessSync(this.folder, fs.constants.W_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new TileCacheDirUnusableError(
        `TILE_CACHE_DIR ${dir} cannot hold the tile cache (${reason}); ` +
          'set it to a writable folder or unset it',
      );
    }
    this.entries = new LRUCache<string, DiskEntry>({
      maxSize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      dispose: (entry) => {
        void fsp.rm(entry.file, { force: true });
        this.onDrop(entry);
      },
    });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The ETag of the kept tile, without making it recently used. */
  etag(key: string): string | undefined {
    return this.entries.peek(key)?.etag;
  }

  /** Keeps a tile dropped from memory; a tile with a problem or one already kept is skipped. */
  put(tile: CachedTile): void {
    const bytes = tile.gzip ?? tile.raw;
    if (!bytes || tile.problem || this.entries.get(tile.key)?.etag === tile.etag) return;
    if (bytes.length > this.maxBytes) return;

    this.sequence += 1;
    const file = path.join(this.folder, `${this.sequence}.tile`);
    const written = fsp.writeFile(file, bytes).then(
      () => true,
      (error: unknown) => {
        this.failures += 1;
        if (this.failures <= 3) log.warn({ err: error, file }, 'tile not written to disk');
        if (this.entries.peek(tile.key) === entry) this.entries.delete(tile.key);
        return false;
      },
    );
    this.writing.add(written);
    void written.then(() => this.writing.delete(written));
    const entry: DiskEntry = {
      key: tile.key,
      file,
      bytes: bytes.length,
      layerIds: tile.layerIds,
      tile: tile.tile,
      etag: tile.etag,
      gzip: tile.gzip !== undefined,
      written,
    };
    this.entries.set(tile.key, entry);
  }

  /**
   * The kept tile, read back; undefined when it is not kept, or when a change removed it
   * while it was being read (the caller then renders it anew).
   */
  async get(key: string): Promise<CachedTile | undefined> {
    const entry = this.entries.get(key);
    if (!entry || !(await entry.written)) return undefined;
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(entry.file);
    } catch {
      return undefined;
    }
    if (this.entries.peek(key) !== entry) return undefined;
    const tile: CachedTile = { key, layerIds: entry.layerIds, tile: entry.tile, etag: entry.etag };
    if (entry.gzip) tile.gzip = bytes;
    else tile.raw = bytes;
    return tile;
  }

  /** Removes kept tiles (a change reached them). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): { entries: number; bytes: number; maxBytes: number } {
    return {
      entries: this.entries.size,
      bytes: this.entries.calculatedSize,
      maxBytes: this.maxBytes,
    };
  }

  /** Removes the process folder (at shutdown), once the writes under way have landed. */
  async close(): Promise<void> {
    this.entries.clear();
    // A write still running would put a file back into the folder being removed (ENOTEMPTY).
    await Promise.all(this.writing);
    await fsp.rm(this.folder, { recursive: true, force: true });
    foldersInUse.delete(this.folder);
  }
}
