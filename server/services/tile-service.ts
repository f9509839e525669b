import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import type { Database } from '../db/pool.js';
import { deleteTileChangesBefore, selectDatabaseIdentity } from '../db/queries/tile-change-log.js';
import { selectMvtTile, selectTileFeatures, type TileCoord } from '../db/queries/tiles.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { log } from '../log.js';
import { encodeMvtTile } from '../tiles/encode-mvt.js';
import { generalisationAt } from '../tiles/generalisation.js';
import {
  adoptSavedTiles,
  selectSavePosition,
  type TileCacheOrigin,
} from '../tiles/saved-tile-cache.js';
import { changeLogRetentionDays, tileFormatFingerprint } from '../tiles/tile-cache-manifest.js';
import { TileCache, tileKey, type CachedTile, type TileCacheStats } from '../tiles/tile-cache.js';
import {
  listenForTileChanges,
  type TileChange,
  type TileChangeFeed,
} from '../tiles/tile-changes.js';
import { rangeHolds, tileRangeOfBox } from '../tiles/tile-grid.js';
import { listLayers, listThemes, requireLayer } from './layer-registry.js';

export type { CachedTile } from '../tiles/tile-cache.js';

/** The deepest zoom a tile may be asked for. */
export const maxTileZoom = 24;

/**
 * Parses `{z}/{x}/{y}`: decimal integers without leading zeros (`012` is not a zoom, and one
 * tile has one address, hence one cache entry); an address outside the tile matrix is a 400.
 */
export function parseTileCoord(zText: string, xText: string, yText: string): TileCoord {
  const [z, x, y] = [zText, xText, yText].map((t) =>
    /^(0|[1-9]\d{0,9})$/.test(t) ? Number(t) : NaN,
  );
  if (z === undefined || x === undefined || y === undefined || !(z >= 0 && z <= maxTileZoom)) {
    throw badRequest(
      'invalid-tile-address',
      `z must be an integer from 0 to ${maxTileZoom}; got "${zText}".`,
    );
  }
  const size = 2 ** z;
  if (!(x >= 0 && x < size && y >= 0 && y < size)) {
    throw badRequest(
      'invalid-tile-address',
      `At zoom ${z}, x and y must be integers from 0 to ${size - 1}; got x=${xText}, y=${yText}.`,
    );
  }
  return { z, x, y };
}

const themePrefix = 'theme:';

function themeLayers(item: string): LayerDefinition[] {
  const themeId = item.slice(themePrefix.length);
  const layers = listLayers().filter((layer) => layer.theme === themeId);
  if (layers.length === 0) {
    const known = listThemes().map((t) => `${themePrefix}${t.id}`);
    throw new HttpProblem(
      404,
      'unknown-theme',
      'Not found',
      `No theme "${themeId}" with layers. Known themes: ${known.join(', ')}.`,
    );
  }
  return layers;
}

/**
 * The layers of a tile request: a comma-separated list of layer ids and `theme:<id>` (all the
 * layers of a theme, in declaration order), each layer once.
 */
export function resolveTileLayers(layerList: string): LayerDefinition[] {
  const layers = layerList
    .split(',')
    .flatMap((item) => (item.startsWith(themePrefix) ? themeLayers(item) : [requireLayer(item)]));
  if (new Set(layers).size !== layers.length) {
    throw badRequest('invalid-layer-list', `Name each layer once; got "${layerList}".`);
  }
  return layers;
}

/** The layers of a list that are published at the tile's zoom; none at all is a 404. */
export function layersAtZoom(layers: LayerDefinition[], tile: TileCoord): LayerDefinition[] {
  const visible = layers.filter((l) => tile.z >= l.zoom.min && tile.z <= l.zoom.max);
  if (visible.length === 0) {
    const ranges = layers.map((l) => `${l.id} at zoom ${l.zoom.min}–${l.zoom.max}`).join(', ');
    throw new HttpProblem(
      404,
      'zoom-out-of-range',
      "Zoom level outside the layers' range",
      `Tiles are published for ${ranges}; zoom ${tile.z} was requested.`,
    );
  }
  return visible;
}

/** Limits of tile rendering. */
export interface TileLimits {
  /** Largest encoded tile served, in bytes; a larger one answers `tile-too-large`. */
  maxTileBytes: number;
  /** Longest a tile query may run, in milliseconds (real PostgreSQL only). */
  timeoutMs: number;
}

/**
 * The MVT bytes of one tile of the given layers (each in its zoom range), generalised for the
 * zoom, straight from the database without cache: by `ST_AsMVT` where PostGIS has it, else
 * by the server's encoder. An empty buffer means no feature touches the tile; a tile over
 * `maxTileBytes` throws `tile-too-large`.
 */
export async function renderTile(
  pool: pg.Pool,
  capabilities: Database['capabilities'],
  layers: LayerDefinition[],
  tile: TileCoord,
  limits: Pick<TileLimits, 'maxTileBytes'> = { maxTileBytes: config.tileMaxKb * 1024 },
): Promise<Buffer> {
  const visible = layersAtZoom(layers, tile);
  const generalisation = generalisationAt(tile);

  let bytes: Buffer;
  if (capabilities.hasAsMvt) {
    const options = {
      generalisation,
      maxBytes: limits.maxTileBytes,
      prepared: !capabilities.embedded,
    };
    const encoded = await selectMvtTile(pool, visible, tile, options);
    if (!encoded.mvt) throw tooLarge(visible, tile, encoded.bytes, limits.maxTileBytes);
    bytes = encoded.mvt;
  } else {
    const parts = [];
    for (const layer of visible) {
      const rows = await selectTileFeatures(pool, layer, tile, generalisation);
      parts.push({ layerId: layer.id, rows });
    }
    bytes = encodeMvtTile(parts);
  }
  if (bytes.length > limits.maxTileBytes) {
    throw tooLarge(visible, tile, bytes.length, limits.maxTileBytes);
  }
  return bytes;
}

function tileName(layers: readonly { id: string }[], tile: TileCoord) {
  return `${layers.map((l) => l.id).join(',')} ${tile.z}/${tile.x}/${tile.y}`;
}

function tooLarge(layers: LayerDefinition[], tile: TileCoord, bytes: number, maxBytes: number) {
  const deepest = Math.max(...layers.map((l) => l.zoom.max));
  const advice = tile.z < deepest ? ` Ask for zoom ${tile.z + 1} or deeper, or fewer layers.` : '';
  return new HttpProblem(
    422,
    'tile-too-large',
    'Tile larger than the size limit',
    `Tile ${tileName(layers, tile)} would hold ${Math.ceil(bytes / 1024)} KB, above the ` +
      `${Math.floor(maxBytes / 1024)} KB limit.${advice}`,
    { tileBytes: bytes, maxTileBytes: maxBytes },
  );
}

function timedOut(layers: LayerDefinition[], tile: TileCoord, timeoutMs: number) {
  return new HttpProblem(
    503,
    'tile-timeout',
    'Tile took too long',
    `Tile ${tileName(layers, tile)} was not ready within ${timeoutMs} ms and was abandoned; ` +
      'a deeper zoom covers less and is cheaper.',
  );
}

function busy(timeoutMs: number) {
  return new HttpProblem(
    503,
    'tiles-busy',
    'Too many tiles in progress',
    `No database connection for tiles came free within ${timeoutMs} ms; try again shortly.`,
  );
}

/** Turns database give-ups into the declared problems; anything else passes unchanged. */
function explainFailure(
  error: unknown,
  layers: LayerDefinition[],
  tile: TileCoord,
  limits: TileLimits,
) {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? '';
  if (code === '57014' || message === 'Query read timeout') {
    return timedOut(layers, tile, limits.timeoutMs);
  }
  if (message.includes('timeout exceeded when trying to connect')) return busy(limits.timeoutMs);
  return error;
}

const gzip = promisify(zlib.gzip);

/**
 * Encodings a tile may be stored and sent in. Brotli (quality 5) made the benchmark's road
 * tiles only 4 % smaller than gzip; keeping both would have doubled the cache for that.
 */
export type TileEncoding = 'gzip';

// Below this size compression saves too little to pay for the headers and the CPU.
const minCompressBytes = 512;

/**
 * Adds the gzip form of a tile when it saves at least 5 %. Without `keepRaw` the raw bytes are
 * then dropped: a cache holds about twice the tiles, and a client without gzip (rare: every
 * browser sends it) costs an inflate.
 */
async function compress(entry: CachedTile, keepRaw: boolean): Promise<void> {
  const raw = entry.raw;
  if (!raw || raw.length < minCompressBytes || entry.problem || entry.gzip) return;
  const bytes = await gzip(raw, { level: 6 });
  if (bytes.length > raw.length * 0.95) return;
  entry.gzip = bytes;
  if (!keepRaw) entry.raw = undefined;
}

function etagOf(raw: Buffer): string {
  return `"${createHash('sha1').update(raw).digest('base64url').slice(0, 20)}"`;
}

// How long past the statement timeout a tile query waits for the database's own answer.
const answerGraceMs = 1000;

/** Options of a tile service; the defaults come from `server/config.ts`. */
export interface TileServiceOptions extends TileLimits {
  /** Memory for encoded tiles, in megabytes; 0 turns the cache off. */
  cacheMb: number;
  /** Folder of the cache's disk tier (tiles dropped from memory); none turns the tier off. */
  cacheDir?: string;
  /** Size limit of the disk tier, in megabytes. */
  cacheDiskMb: number;
  /** Connections of the tile pool (real PostgreSQL only). */
  poolSize: number;
}

function defaultOptions(): TileServiceOptions {
  return {
    cacheMb: config.tileCacheMb,
    cacheDir: config.tileCacheDir,
    cacheDiskMb: config.tileCacheDiskMb,
    maxTileBytes: config.tileMaxKb * 1024,
    timeoutMs: config.tileTimeoutMs,
    poolSize: config.tilePoolSize,
  };
}

interface InFlight {
  promise: Promise<CachedTile>;
  layerIds: readonly string[];
  tile: TileCoord;
  /** Set when a change reached this tile while it rendered: serve it, but do not keep it. */
  stale: boolean;
}

// The change log is pruned at start and then this often.
const pruneIntervalMs = 3600000;

/**
 * Tiles as the server answers them: cached, coalesced, limited, compressed, and dropped from
 * the cache exactly where a committed change lands.
 */
export class TileService {
  private readonly cache: TileCache | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  private feed: TileChangeFeed | undefined;
  /** Set when the cache has a disk tier and the database's identity is known: it is saved. */
  private origin: TileCacheOrigin | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private rendered = 0;
  private coalesced = 0;

  private constructor(
    private readonly database: Database,
    private readonly pool: pg.Pool,
    private readonly ownPool: boolean,
    readonly options: TileServiceOptions,
  ) {
    if (options.cacheMb > 0) {
      const disk = options.cacheDir
        ? { dir: options.cacheDir, maxBytes: Math.ceil(options.cacheDiskMb * 1024 * 1024) }
        : undefined;
      this.cache = new TileCache(Math.ceil(options.cacheMb * 1024 * 1024), disk);
    }
  }

  /**
   * A service on the database. On a real PostgreSQL tile queries get their own pool, with a
   * statement timeout, so a storm of slow tiles cannot take the connections the feature API
   * needs. With a cache, it listens for committed changes before answering anything; with a
   * disk tier, it then adopts the tiles a gracefully stopped process saved, minus those the
   * changes logged since reach. It prunes the change log now and every hour.
   */
  static async start(database: Database, overrides: Partial<TileServiceOptions> = {}) {
    const options = { ...defaultOptions(), ...overrides };
    const service = TileService.withoutListener(database, options);
    await service.pruneChangeLog();
    service.pruneTimer = setInterval(() => void service.pruneChangeLog(), pruneIntervalMs);
    service.pruneTimer.unref();
    if (service.cache) {
      const handlers = {
        onChange: (change: TileChange) => service.invalidate(change),
        onReset: () => service.reset(),
      };
      const feedOptions = { syncTimeoutMs: options.timeoutMs };
      service.feed = await listenForTileChanges(database, handlers, feedOptions);
      if (service.cache.hasDisk) await service.adoptSavedTiles();
    }
    return service;
  }

  /**
   * A service that caches nothing, for an app built without `start` (it is never stale). It
   * renders on the app's own pool, so building an app opens no extra connections.
   */
  static uncached(database: Database) {
    const options = { ...defaultOptions(), cacheMb: 0 };
    return new TileService(database, database.pool, false, options);
  }

  private static withoutListener(database: Database, options: TileServiceOptions) {
    if (database.capabilities.embedded) {
      // The embedded database has one session: tiles queue on the one pool (no timeout).
      return new TileService(database, database.pool, false, options);
    }
    const pool = new pg.Pool({
      connectionString: database.url,
      // Tile statements are prepared per connection; planning them anew for every tile (the
      // default for the first executions) cost as much as running them on the bench dataset.
      options: '-c plan_cache_mode=force_generic_plan',
      max: options.poolSize,
      statement_timeout: options.timeoutMs,
      // The database ends a statement past the limit; this gives up on an answer that cannot
      // come (a half-open connection, a frozen link), and the failed connection is dropped.
      query_timeout: options.timeoutMs + answerGraceMs,
      // Waiting for a free connection gives up too, but not before a new one could be opened.
      connectionTimeoutMillis: Math.max(options.timeoutMs, 1000),
    });
    pool.on('error', (error) => log.error({ err: error }, 'idle tile connection failed'));
    return new TileService(database, pool, true, options);
  }

  /**
   * The tile of some layers, from the cache when it is current there. Concurrent requests for
   * the same missing tile share one rendering. The compressed forms named are prepared.
   */
  async getTile(
    layers: LayerDefinition[],
    tile: TileCoord,
    encodings: readonly TileEncoding[] = [],
  ): Promise<CachedTile> {
    const visible = layersAtZoom(layers, tile);
    const layerIds = visible.map((l) => l.id);
    const key = tileKey(layerIds, tile);

    if (!this.cache || !this.feed!.current()) {
      // Not shared with concurrent requests: a process that does not hear commits cannot tell
      // whether a rendering in progress began before one that a later request must see. So
      // without a cache (TILE_CACHE_MB=0), or while the listener reconnects, a burst of
      // requests for one tile renders it once each.
      const entry = await this.render(key, visible, tile);
      if (encodings.includes('gzip')) await compress(entry, true);
      return entry;
    }
    const cached = this.cache.get(key);
    if (cached) return cached;

    const running = this.inFlight.get(key);
    if (running) {
      this.coalesced += 1;
      return running.promise;
    }
    return this.renderAndKeep(key, visible, tile);
  }

  /**
   * The cached tile when it is current, else undefined (also for a layer list with nothing
   * at this zoom): the shortcut for cache hits, which never renders.
   */
  cachedTile(layers: LayerDefinition[], tile: TileCoord): CachedTile | undefined {
    const visible = layers.filter((l) => tile.z >= l.zoom.min && tile.z <= l.zoom.max);
    if (!this.cache || visible.length === 0 || !this.feed!.current()) return undefined;
    return this.cache.getIfCached(
      tileKey(
        visible.map((l) => l.id),
        tile,
      ),
    );
  }

  /** Drops the cached and in-progress tiles a committed change reaches. */
  invalidate(change: TileChange): void {
    if (!this.cache) return;
    const removed =
      change.boxes === 'all'
        ? this.cache.invalidateLayer(change.layerId)
        : this.cache.invalidateBoxes(change.layerId, change.boxes);
    for (const [key, running] of this.inFlight) {
      if (!running.layerIds.includes(change.layerId)) continue;
      const reached =
        change.boxes === 'all' ||
        change.boxes.some((box) => rangeHolds(tileRangeOfBox(box, running.tile.z), running.tile));
      if (!reached) continue;
      running.stale = true;
      this.inFlight.delete(key);
    }
    log.debug({ layerId: change.layerId, removed }, 'tiles invalidated');
  }

  /** The cached tile of some layers (visible at the tile's zoom), without counting a hit. */
  peekTile(layerIds: readonly string[], tile: TileCoord): CachedTile | undefined {
    return this.cache?.peek(tileKey(layerIds, tile));
  }

  /** Counters since start: tiles rendered, requests that joined a rendering, the cache's. */
  stats(): { rendered: number; coalesced: number; cache?: TileCacheStats } {
    return { rendered: this.rendered, coalesced: this.coalesced, cache: this.cache?.stats() };
  }

  /**
   * Stops listening and closes the pool. A disk tier is saved for the next process (see
   * `selectSavePosition`), unless the position cannot be taken: it is then removed.
   */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    const position = await this.savePosition();
    await this.feed?.close();
    await this.cache?.close(position);
    if (this.ownPool) await this.pool.end();
  }

  private async savePosition() {
    if (!this.origin || !this.feed) return undefined;
    try {
      const position = await selectSavePosition(this.feed, this.origin);
      if (!position) log.warn('tile change listener down at shutdown; tile cache not saved');
      return position;
    } catch (error) {
      log.warn({ err: error }, 'tile cache not saved: no position in the change log');
      return undefined;
    }
  }

  /**
   * Learns the database's identity (no saving without it), then adopts a saved disk tier;
   * on any failure the cache starts cold, as it would without one.
   */
  private async adoptSavedTiles() {
    const cache = this.cache!;
    try {
      const identity = await selectDatabaseIdentity(this.database.pool);
      const fingerprint = tileFormatFingerprint(listLayers(), this.database.capabilities);
      this.origin = { database: identity, fingerprint };
      const invalidate = (change: TileChange) => this.invalidate(change);
      await adoptSavedTiles(cache, this.database.pool, this.origin, invalidate);
    } catch (error) {
      cache.clear();
      log.warn({ err: error }, 'saved tile caches not looked at; tiles start cold');
    }
  }

  /** Deletes the change log's rows past the retention (a failure is logged, not thrown). */
  private async pruneChangeLog() {
    try {
      const deleted = await deleteTileChangesBefore(this.database.pool, changeLogRetentionDays);
      if (deleted > 0) log.info({ deleted, changeLogRetentionDays }, 'tile change log pruned');
    } catch (error) {
      log.warn({ err: error }, 'tile change log not pruned');
    }
  }

  private reset() {
    this.cache?.clear();
    for (const running of this.inFlight.values()) running.stale = true;
    this.inFlight.clear();
  }

  private renderAndKeep(key: string, layers: LayerDefinition[], tile: TileCoord) {
    const running: InFlight = {
      layerIds: layers.map((l) => l.id),
      tile,
      stale: false,
      promise: this.renderOrReadBack(key, layers, tile).then(async (entry) => {
        if (this.cache!.peek(key) === entry) return entry;
        await compress(entry, false);
        if (!running.stale) this.cache!.set(entry);
        return entry;
      }),
    };
    this.inFlight.set(key, running);
    const forget = () => {
      if (this.inFlight.get(key) === running) this.inFlight.delete(key);
    };
    running.promise.then(forget, forget);
    return running.promise;
  }

  /** The tile from the cache's disk tier when it keeps it, else rendered. */
  private async renderOrReadBack(key: string, layers: LayerDefinition[], tile: TileCoord) {
    return (await this.cache!.getFromDisk(key)) ?? this.render(key, layers, tile);
  }

  private async render(key: string, layers: LayerDefinition[], tile: TileCoord) {
    const started = performance.now();
    this.rendered += 1;
    const entry: CachedTile = {
      key,
      layerIds: layers.map((l) => l.id),
      tile,
      raw: Buffer.alloc(0),
      etag: '',
    };
    try {
      entry.raw = await renderTile(
        this.pool,
        this.database.capabilities,
        layers,
        tile,
        this.options,
      );
    } catch (error) {
      const explained = explainFailure(error, layers, tile, this.options);
      if (!(explained instanceof HttpProblem)) throw explained;
      if (explained.type !== 'tile-too-large') {
        log.warn(
          { key, problem: explained.type, timeoutMs: this.options.timeoutMs },
          'tile abandoned',
        );
        throw explained;
      }
      // Kept in the cache like a tile, so a client retrying it does not render it again.
      log.warn({ key, ...explained.extra }, 'tile over the size limit');
      entry.problem = explained;
    }
    entry.etag = etagOf(entry.raw ?? Buffer.alloc(0));

    const ms = Math.round(performance.now() - started);
    if (ms >= config.slowQueryMs)
      log.warn({ key, ms, thresholdMs: config.slowQueryMs }, 'slow tile');
    return entry;
  }
}
