import { gunzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { HttpProblem } from '../http/problem.js';
import type { SavedCachePosition, SavedTile } from './tile-cache-manifest.js';
import { TileDiskCache } from './tile-disk-cache.js';
import {
  rangeHolds,
  rangeSize,
  tileRangeOfBox,
  type LonLatBox,
  type TileCoord,
} from './tile-grid.js';

/** A finished tile: its bytes in each stored encoding, its ETag, or the problem it answers. */
export interface CachedTile {
  /** `<layer ids>/<z>/<x>/<y>`: the layers present at that zoom, in request order. */
  key: string;
  layerIds: readonly string[];
  tile: TileCoord;
  /**
   * The MVT bytes (empty when no feature touches the tile). A cached tile that compresses
   * keeps only `gzip`, and `rawBytes` inflates it for the rare client without gzip.
   */
  raw?: Buffer;
  gzip?: Buffer;
  /** Quoted strong validator of `raw`, e.g. `"3q2-7w"`. */
  etag: string;
  /** Set when the tile is answered with a problem (over the size limit) instead of bytes. */
  problem?: HttpProblem;
  /** The header lines of its 200 answer per representation, built on first use. */
  wireHeaders?: { gzip?: string[]; identity?: string[] };
}

// What one entry costs beyond its bytes: the object, its key and its place in the index.
const entryOverheadBytes = 256;

function entrySize(entry: CachedTile): number {
  const bytes = (entry.raw?.length ?? 0) + (entry.gzip?.length ?? 0);
  return bytes + entry.key.length * 2 + entryOverheadBytes;
}

/** The uncompressed MVT bytes of a tile. */
export function rawBytes(entry: CachedTile): Buffer {
  return entry.raw ?? (entry.gzip ? gunzipSync(entry.gzip) : Buffer.alloc(0));
}

/** The cache key of a tile of some layers. */
export function tileKey(layerIds: readonly string[], tile: TileCoord): string {
  return `${layerIds.join(',')}/${tile.z}/${tile.x}/${tile.y}`;
}

function cellOf(tile: TileCoord): number {
  // Unique per zoom up to zoom 26 (2^52 cells), inside the exact range of a double.
  return tile.x * 2 ** tile.z + tile.y;
}

/** Counters since start, for the logs and the benchmark. */
export interface TileCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  invalidated: number;
  /** The disk tier, when there is one: its size, and the misses it answered. */
  disk?: { entries: number; bytes: number; maxBytes: number; hits: number };
}

/** Where the disk tier keeps tiles, and how much it may keep. */
export interface TileDiskOptions {
  dir: string;
  maxBytes: number;
}

/**
 * Encoded tiles in memory, least recently used dropped first once `maxBytes` is reached
 * (into the disk tier when there is one), with a spatial index (layer → zoom → tile → keys)
 * over both tiers, so that a change removes exactly the cached tiles its box reaches, at every
 * zoom, without scanning the whole cache.
 */
export class TileCache {
  private readonly entries: LRUCache<string, CachedTile>;
  private readonly disk: TileDiskCache | undefined;
  private readonly index = new Map<string, Map<number, Map<number, Set<string>>>>();
  private hits = 0;
  private misses = 0;
  private diskHits = 0;
  private invalidated = 0;

  constructor(
    readonly maxBytes: number,
    disk?: TileDiskOptions,
  ) {
    this.entries = new LRUCache<string, CachedTile>({
      maxSize: maxBytes,
      sizeCalculation: entrySize,
      dispose: (entry, _key, reason) => {
        if (reason === 'evict') this.disk?.put(entry);
        if (!this.disk?.has(entry.key)) this.unindex(entry);
      },
    });
    this.disk =
      disk &&
      new TileDiskCache(disk.dir, disk.maxBytes, (entry) => {
        if (!this.entries.has(entry.key)) this.unindex(entry);
      });
  }

  /** The cached tile, counting a hit or a miss. */
  get(key: string): CachedTile | undefined {
    const entry = this.entries.get(key);
    if (entry) this.hits += 1;
    else this.misses += 1;
    return entry;
  }

  /**
   * The cached tile, counting a hit when there is one; a miss is left uncounted, for the
   * `get` of whoever then renders the tile to count once.
   */
  getIfCached(key: string): CachedTile | undefined {
    const entry = this.entries.get(key);
    if (entry) this.hits += 1;
    return entry;
  }

  /** The cached tile without counting a hit or making it recently used. */
  peek(key: string): CachedTile | undefined {
    return this.entries.peek(key);
  }

  /**
   * The tile kept by the disk tier, read back into memory; undefined when it has none, or
   * when a change reached it while it was read.
   */
  async getFromDisk(key: string): Promise<CachedTile | undefined> {
    const entry = await this.disk?.get(key);
    if (!entry) return undefined;
    this.diskHits += 1;
    this.set(entry);
    return entry;
  }

  /** Stores a tile; one larger than the whole memory tier is kept on disk only, if at all. */
  set(entry: CachedTile): void {
    if (this.disk?.has(entry.key) && this.disk.etag(entry.key) !== entry.etag) {
      this.disk.delete(entry.key);
    }
    this.entries.set(entry.key, entry);
    // A tile larger than the whole memory tier goes straight to disk.
    if (!this.entries.has(entry.key)) this.disk?.put(entry);
    if (this.entries.has(entry.key) || this.disk?.has(entry.key)) this.addToIndex(entry);
  }

  /** Removes the cached tiles of a layer that any of the boxes (EPSG:4326) reaches. */
  invalidateBoxes(layerId: string, boxes: readonly LonLatBox[]): number {
    const zooms = this.index.get(layerId);
    if (!zooms) return 0;

    const doomed = new Set<string>();
    for (const [z, cells] of zooms) {
      for (const box of boxes) this.collectKeys(cells, tileRangeOfBox(box, z), doomed);
    }
    return this.deleteKeys(doomed);
  }

  /** Removes every cached tile holding the layer (after a TRUNCATE, for example). */
  invalidateLayer(layerId: string): number {
    const doomed = new Set<string>();
    for (const cells of this.index.get(layerId)?.values() ?? []) {
      for (const keys of cells.values()) for (const key of keys) doomed.add(key);
    }
    return this.deleteKeys(doomed);
  }

  /** Empties the cache (when changes may have been missed). */
  clear(): void {
    this.invalidated += this.entries.size + (this.disk?.stats().entries ?? 0);
    this.entries.clear();
    this.disk?.clear();
  }

  /** Whether the cache has a disk tier, which can be saved and claimed across restarts. */
  get hasDisk(): boolean {
    return this.disk !== undefined;
  }

  /** The saved disk tiers of stopped processes this cache may claim, newest first. */
  savedFolders(): string[] {
    return this.disk?.savedFolders() ?? [];
  }

  /**
   * Claims a saved folder for the disk tier and keeps the tiles its manifest lists, indexed
   * like any other; returns how many, or undefined when another process claimed it first.
   */
  adoptSaved(folder: string, tiles: readonly SavedTile[]): number | undefined {
    if (!this.disk?.claim(folder)) return undefined;
    const kept = this.disk.load(tiles);
    for (const tile of kept) this.addToIndex(tile);
    return kept.length;
  }

  /**
   * Empties both tiers and removes the disk tier's folder; with a position in the change log,
   * writes the memory tier's tiles to disk too and saves the disk tier for the next process.
   */
  async close(position?: SavedCachePosition): Promise<void> {
    if (position && this.disk) {
      // Least recently used first: the disk tier then ranks memory's tiles as its newest.
      for (const entry of this.entries.rvalues()) if (entry) this.disk.put(entry);
      await this.disk.close(position);
      this.entries.clear();
      return;
    }
    this.entries.clear();
    await this.disk?.close();
  }

  stats(): TileCacheStats {
    const disk = this.disk && { ...this.disk.stats(), hits: this.diskHits };
    return {
      disk,
      entries: this.entries.size,
      bytes: this.entries.calculatedSize,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      invalidated: this.invalidated,
    };
  }

  private collectKeys(
    cells: Map<number, Set<string>>,
    range: ReturnType<typeof tileRangeOfBox>,
    into: Set<string>,
  ) {
    if (rangeSize(range) < cells.size) {
      // A small box: look up each tile it covers.
      for (let x = range.minX; x <= range.maxX; x += 1) {
        for (let y = range.minY; y <= range.maxY; y += 1) {
          for (const key of cells.get(cellOf({ z: range.z, x, y })) ?? []) into.add(key);
        }
      }
      return;
    }
    // A large box: walk the cached tiles of this zoom instead.
    const size = 2 ** range.z;
    for (const [cell, keys] of cells) {
      const tile = { z: range.z, x: Math.floor(cell / size), y: cell % size };
      if (rangeHolds(range, tile)) for (const key of keys) into.add(key);
    }
  }

  private deleteKeys(keys: Set<string>): number {
    for (const key of keys) {
      this.entries.delete(key);
      this.disk?.delete(key);
    }
    this.invalidated += keys.size;
    return keys.size;
  }

  private addToIndex(entry: Pick<CachedTile, 'key' | 'layerIds' | 'tile'>) {
    const cell = cellOf(entry.tile);
    for (const layerId of entry.layerIds) {
      let zooms = this.index.get(layerId);
      if (!zooms) this.index.set(layerId, (zooms = new Map()));
      let cells = zooms.get(entry.tile.z);
      if (!cells) zooms.set(entry.tile.z, (cells = new Map()));
      let keys = cells.get(cell);
      if (!keys) cells.set(cell, (keys = new Set()));
      keys.add(entry.key);
    }
  }

  private unindex(entry: Pick<CachedTile, 'key' | 'layerIds' | 'tile'>) {
    const cell = cellOf(entry.tile);
    for (const layerId of entry.layerIds) {
      const cells = this.index.get(layerId)?.get(entry.tile.z);
      const keys = cells?.get(cell);
      if (!keys) continue;
      keys.delete(entry.key);
      if (keys.size === 0) cells!.delete(cell);
    }
  }
}
