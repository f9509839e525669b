import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { config } from '../config.js';
import type { Database } from '../db/pool.js';
import { selectCurrentSnapshot, selectSnapshotAndNotify } from '../db/queries/tile-change-log.js';
import { log } from '../log.js';
import type { LonLatBox } from './tile-grid.js';

/** The channel the layer tables' triggers notify on (see `db/migrations/tile-change.ts`). */
export const tileChangeChannel = 'simpul_tile_change';

/** The channel of `position` markers, each heard back by the process that sent it. */
const positionChannel = 'simpul_tile_position';

/** A point of the change log the feed has applied everything before, and the database's clock. */
export interface FeedPosition {
  /** A `pg_snapshot`: every transaction it sees has had its changes handed to `onChange`. */
  snapshot: string;
  now: Date;
}

/** What a committed statement changed in one layer: boxes in EPSG:4326, or all of it. */
export interface TileChange {
  layerId: string;
  boxes: LonLatBox[] | 'all';
}

/** Callbacks of the feed: a change arrived; or changes may have been missed (drop everything). */
export interface TileChangeHandlers {
  onChange(change: TileChange): void;
  onReset(): void;
}

/** The stream of committed layer changes this process hears. */
export interface TileChangeFeed {
  /**
   * Resolves true once every change committed before the call has been handed to `onChange`;
   * false when the feed is down, and cached tiles must not be trusted.
   */
  sync(): Promise<boolean>;
  /**
   * Where the feed stands in the change log (to save a cache at); undefined when the feed is
   * down or the position was not confirmed within the sync time limit.
   */
  position(): Promise<FeedPosition | undefined>;
  close(): Promise<void>;
}

function isBox(value: unknown): value is LonLatBox {
  return Array.isArray(value) && value.length === 4 && value.every(Number.isFinite);
}

/** Reads a trigger's payload: `{"layer": id, "boxes": [[w,s,e,n], ...]}` or `{"layer", "all"}`. */
export function parseTileChange(payload: string): TileChange | undefined {
  try {
    const message = JSON.parse(payload) as { layer?: unknown; boxes?: unknown; all?: unknown };
    if (typeof message.layer !== 'string') return undefined;
    if (message.all === true) return { layerId: message.layer, boxes: 'all' };
    if (!Array.isArray(message.boxes)) return undefined;
    return { layerId: message.layer, boxes: message.boxes.filter(isBox) };
  } catch {
    return undefined;
  }
}

function handleNotification(message: pg.Notification, handlers: TileChangeHandlers) {
  if (message.channel !== tileChangeChannel || !message.payload) return;
  const change = parseTileChange(message.payload);
  if (change) handlers.onChange(change);
  else log.warn({ payload: message.payload.slice(0, 200) }, 'unreadable tile change notice');
}

/**
 * The embedded database runs one session behind pglite-socket, so a notification is written
 * to whichever connection ran the committing statement, never to a separate listener (tried
 * with pglite-socket 0.2.11: a second client's LISTEN hears nothing). The server's own pool
 * runs every write, so its connections carry the notices, in the same answer as the COMMIT:
 * invalidation is synchronous and `sync` has nothing to wait for. Writes by another client of
 * the socket (psql, a tool) are not heard; this process's cache would then serve old tiles.
 */
async function listenEmbedded(database: Database, handlers: TileChangeHandlers) {
  const attach = (client: pg.PoolClient) =>
    client.on('notification', (message) => handleNotification(message, handlers));
  database.pool.on('connect', attach);

  const client = await database.pool.connect();
  try {
    attach(client);
    await client.query(`LISTEN ${tileChangeChannel}`);
  } finally {
    client.release();
  }
  return {
    sync: async () => true,
    // Every commit went through this one session, its notices in the same answer.
    position: () => selectCurrentSnapshot(database.pool),
    close: async () => void database.pool.off('connect', attach),
  };
}

interface Round {
  promise: Promise<boolean>;
  resolve(fresh: boolean): void;
}

function newRound(): Round {
  let resolve!: (fresh: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A dedicated connection that LISTENs. PostgreSQL sends a session every notice committed
 * before it answers a query, so a round trip is a barrier: once it returns, every change
 * committed before it started has been applied. The round trip is an empty query (the
 * protocol's EmptyQueryResponse): no parse, plan or execution, half the time of `SELECT 1`,
 * and it still delivers the pending notices first (tested with 2,000 NOTIFY-then-barrier
 * pairs, none missed). Callers arriving while one round trip
 * is out share the next one, so a burst of requests costs one round trip, not one each.
 */
class ListeningConnection implements TileChangeFeed {
  private client: pg.Client | undefined;
  private connected = false;
  private closed = false;
  private running = false;
  private next: Round | undefined;
  private retryMs = 500;
  /** `position` markers sent and not yet heard back. */
  private readonly markers = new Map<string, () => void>();

  constructor(
    private readonly url: string,
    private readonly handlers: TileChangeHandlers,
    private readonly syncTimeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel === positionChannel) this.markers.get(message.payload ?? '')?.();
      else handleNotification(message, this.handlers);
    });
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${tileChangeChannel}; LISTEN ${positionChannel}`);

    this.client = client;
    this.connected = true;
    this.retryMs = 500;
    // Whatever changed while no one was listening is unknown: start from an empty cache.
    this.handlers.onReset();
  }

  sync(): Promise<boolean> {
    if (!this.connected) return Promise.resolve(false);
    this.next ??= newRound();
    const { promise } = this.next;
    this.schedule();
    return promise;
  }

  /**
   * A snapshot, and a marker notice sent in the same statement, waited for on this connection.
   * A barrier alone would not do: a transaction shows in snapshots a moment before it signals
   * its listeners. Notices leave the queue in commit order, so once the marker (committed after
   * every transaction the snapshot sees) is heard, their notices have been heard before it.
   */
  async position(): Promise<FeedPosition | undefined> {
    const client = this.client;
    if (!this.connected || !client) return undefined;
    const marker = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<boolean>((resolve) => {
      this.markers.set(marker, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.syncTimeoutMs);
    });
    try {
      const position = await selectSnapshotAndNotify(client, positionChannel, marker);
      return (await heard) && this.client === client ? position : undefined;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      this.markers.delete(marker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    await this.client?.end().catch(() => undefined);
  }

  /**
   * Starts the next round once the event loop has read every request that arrived in this
   * turn, so they share one round trip (under load, one round served a request or two
   * otherwise, and the round trips took a tenth of the process).
   */
  private schedule() {
    if (this.running) return;
    this.running = true;
    setImmediate(() => this.runRound());
  }

  private runRound() {
    const round = this.next;
    const client = this.client;
    this.next = undefined;
    if (!round || !client) {
      this.running = false;
      round?.resolve(false);
      return;
    }

    // A connection that stops answering (a half-open socket, a stalled backend) would hold
    // every tile request, cached ones too: past the limit it is dropped and tiles go uncached.
    const timer = setTimeout(() => {
      round.resolve(false);
      this.lose(client, new Error(`no answer within ${this.syncTimeoutMs} ms`));
      void client.end().catch(() => undefined);
    }, this.syncTimeoutMs);
    client.query('').then(
      () => round.resolve(true),
      () => round.resolve(false),
    );
    void round.promise.then(() => {
      clearTimeout(timer);
      // After a lost connection, the state belongs to the next one.
      if (this.client !== client) return;
      this.running = false;
      if (this.next) this.schedule();
    });
  }

  private lose(client: pg.Client, error: Error) {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.connected = false;
    this.handlers.onReset();
    log.error({ err: error, retryMs: this.retryMs }, 'tile change listener lost; tiles uncached');
    this.next?.resolve(false);
    this.next = undefined;
    this.running = false;
    setTimeout(() => void this.reconnect(), this.retryMs).unref();
  }

  private async reconnect() {
    if (this.closed) return;
    try {
      await this.connect();
      log.info('tile change listener back; tiles cached again');
    } catch (error) {
      this.retryMs = Math.min(this.retryMs * 2, 30000);
      log.warn({ err: error, retryMs: this.retryMs }, 'tile change listener still down');
      setTimeout(() => void this.reconnect(), this.retryMs).unref();
    }
  }
}

/**
 * Starts hearing committed changes of every layer table, from this and every other process
 * writing to the same database: through LISTEN/NOTIFY fed by the tables' triggers. A `sync`
 * not answered within `syncTimeoutMs` (default: the tile time limit) resolves false, and the
 * listening connection is replaced.
 */
export async function listenForTileChanges(
  database: Database,
  handlers: TileChangeHandlers,
  options = { syncTimeoutMs: config.tileTimeoutMs },
): Promise<TileChangeFeed> {
  if (database.capabilities.embedded) return listenEmbedded(database, handlers);
  const connection = new ListeningConnection(database.url, handlers, options.syncTimeoutMs);
  await connection.connect();
  return connection;
}
