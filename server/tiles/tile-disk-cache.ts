import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { log } from '../log.js';
import { isProcessAlive } from '../process-alive.js';
import type { CachedTile } from './tile-cache.js';
import {
  manifestFileName,
  savedCacheMaxAgeDays,
  writeManifest,
  type SavedCachePosition,
  type SavedTile,
} from './tile-cache-manifest.js';

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

/** Whether a folder holds a manifest young enough to be worth a look (by this clock). */
function holdsRecentManifest(folder: string): boolean {
  try {
    const ageMs = Date.now() - fs.statSync(path.join(folder, manifestFileName)).mtimeMs;
    return ageMs < savedCacheMaxAgeDays * 86400000;
  } catch {
    return false;
  }
}

function fileNumber(file: string): number {
  return Number(/^(\d+)\.tile$/.exec(file)?.[1] ?? 0);
}

/**
 * The second tier of the tile cache: tiles the memory tier drops for room are written to
 * files under `<dir>/process-<pid>-<random>/`, least recently used removed first past
 * `maxBytes`, and read back on a memory miss instead of rendering again. Changes invalidate
 * them exactly as they do the memory tier (the cache's spatial index covers both).
 *
 * A graceful stop saves the tier (`close` with a position): the memory tier's tiles are
 * written too, then a manifest listing every kept tile and the position in the database's
 * change log they reflect. A starting process claims the folder of one stopped process by
 * renaming it to its own (of two starting processes, one wins), and the tile service replays
 * the changes logged since (`server/tiles/saved-tile-cache.ts`). A folder without a manifest
 * (its process crashed or was killed: what it missed is unknown) is removed at the next start,
 * which then starts cold, as does one whose manifest is too old to be checked against the log.
 */
export class TileDiskCache {
  private readonly entries: LRUCache<string, DiskEntry>;
  private readonly folder: string;
  /** Writes not finished yet: a folder is removed only after them. */
  private readonly writing = new Set<Promise<boolean>>();
  private sequence = 0;
  private failures = 0;
  /** Set once saved: a tile finishing late must not change the folder the manifest lists. */
  private saved = false;

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
        const folder = path.join(dir, name);
        // A folder saved at a graceful stop waits for a starting process to claim it.
        if (isLeftOver(dir, name) && !holdsRecentManifest(folder)) {
          fs.rmSync(folder, { recursive: true, force: true });
        }
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
        // after its write: a file removed while still being written would come back, orphaned
        void entry.written.then(() => fsp.rm(entry.file, { force: true }));
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
    if (!bytes || tile.problem || this.saved) return;
    if (this.entries.get(tile.key)?.etag === tile.etag) return;
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

  /**
   * The folders of stopped processes holding a manifest, newest first: saved caches this
   * tier may claim.
   */
  savedFolders(): string[] {
    const dir = path.dirname(this.folder);
    const saved = fs
      .readdirSync(dir)
      .filter((name) => isLeftOver(dir, name))
      .map((name) => path.join(dir, name))
      .filter(holdsRecentManifest);
    const savedAt = (folder: string) => fs.statSync(path.join(folder, manifestFileName)).mtimeMs;
    return saved.sort((a, b) => savedAt(b) - savedAt(a));
  }

  /**
   * Takes a saved folder for this tier's own, by renaming it over the (still empty) own one:
   * false when another process took it first. Its manifest is removed at once, so that the
   * folder of this running process never looks saved.
   */
  claim(folder: string): boolean {
    try {
      fs.renameSync(folder, this.folder);
    } catch {
      return false;
    }
    fs.rmSync(path.join(this.folder, manifestFileName), { force: true });
    return true;
  }

  /**
   * Keeps the tiles of a claimed folder's manifest (least recently used first), those whose
   * file is whole; returns them. Entries the manifest does not list are removed. Only plain
   * files count: a symbolic link (to a file outside the folder) is removed, never followed.
   */
  load(tiles: readonly SavedTile[]): SavedTile[] {
    const sizes = new Map<string, number>();
    const names = fs.readdirSync(this.folder);
    for (const name of names) {
      const stats = fs.lstatSync(path.join(this.folder, name));
      if (stats.isFile()) sizes.set(name, stats.size);
    }
    const whole = tiles.filter((tile) => sizes.get(tile.file) === tile.bytes);
    const listed = new Set(whole.map((tile) => tile.file));
    for (const name of names) {
      // Recursive removes a link itself, not what it points to.
      const entry = path.join(this.folder, name);
      if (!listed.has(name)) fs.rmSync(entry, { recursive: true, force: true });
    }

    for (const tile of whole) {
      const file = path.join(this.folder, tile.file);
      const written = Promise.resolve(true);
      this.entries.set(tile.key, { ...tile, file, written });
      this.sequence = Math.max(this.sequence, fileNumber(tile.file));
    }
    // Past `maxBytes` (a smaller TILE_CACHE_DISK_MB than before) the oldest went again.
    const folder = this.folder;
    return whole.filter(
      (tile) => this.entries.peek(tile.key)?.file === path.join(folder, tile.file),
    );
  }

  /**
   * Removes the process folder (at shutdown), once the writes under way have landed; with a
   * position, keeps it instead and writes its manifest, for the next process to claim.
   */
  async close(position?: SavedCachePosition): Promise<void> {
    if (position) {
      this.saved = true;
      await Promise.all(this.writing);
      await writeManifest(this.folder, { format: 1, ...position, tiles: await this.list() });
      foldersInUse.delete(this.folder);
      return;
    }
    this.entries.clear();
    // A write still running would put a file back into the folder being removed (ENOTEMPTY).
    await Promise.all(this.writing);
    await fsp.rm(this.folder, { recursive: true, force: true });
    foldersInUse.delete(this.folder);
  }

  /** The kept tiles whose file is written, least recently used first. */
  private async list(): Promise<SavedTile[]> {
    const tiles: SavedTile[] = [];
    for (const entry of this.entries.rvalues()) {
      if (!entry || !(await entry.written)) continue;
      const { key, bytes, layerIds, tile, etag, gzip } = entry;
      const file = path.basename(entry.file);
      tiles.push({ key, file, bytes, layerIds: [...layerIds], tile, etag, gzip });
    }
    return tiles;
  }
}
