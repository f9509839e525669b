import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { config } from '../config.js';
import type { Database } from '../db/pool.js';
import {
  notifyListeners,
  selectCurrentSnapshot,
  selectSnapshotAndNotify,
  terminateListeners,
} from '../db/queries/tile-change-log.js';
import { log } from '../log.js';
import type { LonLatBox } from './tile-grid.js';

/** The channel the layer tables' triggers notify on (see `db/migrations/tile-change.ts`). */
export const tileChangeChannel = 'simpul_tile_change';

/** The channel of `position` markers, each heard back by the process that sent it. */
const positionChannel = 'simpul_tile_position';

/** The channel of barrier markers, which every listening connection answers. */
const barrierChannel = 'simpul_tile_barrier';

/** The answers to barrier markers: `<marker> <backend pid of the listening connection>`. */
const heardChannel = 'simpul_tile_heard';

/**
 * The application name a listening connection takes once it listens: writers find the tile
 * caches they must wait for in `pg_stat_activity` by it. Known shortcomings: any session may
 * take the name (a psql started with it made the next write wait 2 s, then was ended); and a
 * silent listener of another role, which this role may not end without `pg_signal_backend`,
 * makes every write wait 2 s until it goes. A registry of listener pids would avoid both.
 */
export const listenerApplicationName = 'simpul tile listener';

/**
 * How long a writer waits for every tile cache to confirm its commit. A cache that has not
 * answered by then (a process stalled for seconds) is logged, and the write answered anyway.
 */
const heardTimeoutMs = 2000;

/** How often an idle listening connection is checked for an answer (see `heartbeat`). */
const heartbeatMs = 500;

/**
 * How long an answer of the listening connection keeps its cache trusted, counted from when
 * the question was sent. Shorter than `heardTimeoutMs`: a process whose connection went silent
 * (a half-open socket, which ending its backend does not reach; a process stopped for seconds)
 * stops serving its cache before any writer gives up waiting for it and answers.
 */
const trustMs = 1500;

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
   * True while the feed hears every commit, so cached tiles may be served; false when it is
   * down or its connection has not answered lately, and cached tiles must not be trusted.
   * Answered at once: readers never wait.
   */
  current(): boolean;
  /**
   * Resolves true once every listening tile cache of the database (this process's and every
   * other's) has applied every change committed before the call; false when one did not
   * confirm within the limit, or this feed is down. A writer awaits it after its commit and
   * before it answers, so whoever learns of the commit reads current tiles everywhere.
   */
  heardEverywhere(): Promise<boolean>;
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
    current: () => true,
    // Every commit went through this one session, its notices in the same answer.
    heardEverywhere: async () => true,
    position: () => selectCurrentSnapshot(database.pool),
    close: async () => void database.pool.off('connect', attach),
  };
}

/** The pid of a connection's backend, which its answers to barrier markers name. */
function backendPid(client: pg.ClientBase): number | undefined {
  const pid = (client as pg.ClientBase & { processID?: number | null }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Barriers across every tile cache of a database. A barrier is a marker notice sent with the
 * list of listening connections (one statement, see `notifyListeners`); each of them answers
 * the marker once it has heard it, and notices leave the queue in commit order: an answer
 * means its cache applied every change committed before the marker. The answers come to the
 * connection `heard` is fed from, which must listen on `heardChannel`.
 */
class Barriers {
  private readonly waiting = new Map<string, (pid: number) => void>();

  heard(payload: string) {
    const [marker, pid] = payload.split(' ');
    this.waiting.get(marker ?? '')?.(Number(pid));
  }

  async run(client: Pick<pg.ClientBase, 'query'>): Promise<boolean> {
    const marker = randomUUID();
    const answered = new Set<number>();
    let listeners: number[] | undefined;
    let finish!: (confirmed: boolean) => void;
    const finished = new Promise<boolean>((resolve) => (finish = resolve));
    const check = () => {
      if (listeners?.every((pid) => answered.has(pid))) finish(true);
    };
    this.waiting.set(marker, (pid) => {
      answered.add(pid);
      check();
    });
    const timer = setTimeout(() => finish(false), heardTimeoutMs);
    try {
      listeners = await notifyListeners(client, barrierChannel, marker, listenerApplicationName);
      check();
      const confirmed = await finished;
      if (!confirmed)
        await this.endSilent(
          client,
          listeners.filter((pid) => !answered.has(pid)),
        );
      return confirmed;
    } catch (error) {
      log.warn({ err: error }, 'tile caches could not be asked to confirm a commit');
      return false;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(marker);
    }
  }

  /**
   * Ends the connections of caches that did not answer in time. A live process then drops its
   * cache and listens anew, so it cannot serve what the commit changed; the connection of a
   * process that died with its host (which PostgreSQL may keep for hours) stops holding up
   * every later write.
   */
  private async endSilent(client: Pick<pg.ClientBase, 'query'>, silent: number[]) {
    const waitedMs = heardTimeoutMs;
    log.warn(
      { silent, waitedMs },
      'tile caches did not confirm a commit; ending their connections',
    );
    await terminateListeners(client, silent, listenerApplicationName).catch((error: unknown) =>
      log.warn({ err: error, silent }, 'silent tile cache connections not ended'),
    );
  }
}

interface Round {
  promise: Promise<boolean>;
  resolve(confirmed: boolean): void;
}

function newRound(): Round {
  let resolve!: (confirmed: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A dedicated connection that LISTENs, and answers every barrier marker it hears (see
 * `Barriers`). Readers never wait on it: a notice is applied when it arrives, and writers wait
 * for the answers of every cache after they commit. Writers arriving while a barrier is out
 * share the next one. An idle connection is checked every second; one that stops answering
 * (a half-open socket, a stalled backend) is dropped and tiles go uncached until it is back.
 */
class ListeningConnection implements TileChangeFeed {
  private client: pg.Client | undefined;
  private connected = false;
  private closed = false;
  private running = false;
  private next: Round | undefined;
  private retryMs = 500;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private checking = false;
  /**
   * When the latest question the connection answered was sent (`performance.now()`): every
   * notice committed before then has been applied. The cache is trusted `trustMs` from it.
   */
  private answeredSentAt = 0;
  /** Backends of connections given up on, ended from the next one (see `connect`). */
  private lostPids: number[] = [];
  private readonly barriers = new Barriers();
  /** `position` markers sent and not yet heard back. */
  private readonly markers = new Map<string, () => void>();

  constructor(
    private readonly url: string,
    private readonly handlers: TileChangeHandlers,
    private readonly syncTimeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => this.hear(client, message));
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, new Error('connection ended')));
    try {
      await client.connect();
      const channels = [tileChangeChannel, positionChannel, barrierChannel, heardChannel];
      await client.query(channels.map((channel) => `LISTEN ${channel}`).join('; '));
      // Named only once it listens: a writer that finds it by name can count on its answer.
      await client.query(`SET application_name = '${listenerApplicationName}'`);
    } catch (error) {
      // A half-made connection (LISTEN refused while PostgreSQL starts) must not stay open.
      await client.end().catch(() => undefined);
      throw error;
    }

    this.client = client;
    this.connected = true;
    this.answeredSentAt = performance.now();
    this.retryMs = 500;
    // Whatever changed while no one was listening is unknown: start from an empty cache.
    this.handlers.onReset();
    this.heartbeatTimer ??= setInterval(() => this.heartbeat(), heartbeatMs).unref();
    // A connection given up on may still stand on the server (a half-open socket): writers
    // would wait for its answers in vain.
    const lost = this.lostPids.splice(0);
    if (lost.length > 0) {
      await terminateListeners(client, lost, listenerApplicationName).catch(() => undefined);
    }
  }

  current(): boolean {
    return this.connected && performance.now() - this.answeredSentAt < trustMs;
  }

  heardEverywhere(): Promise<boolean> {
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
    clearInterval(this.heartbeatTimer);
    await this.client?.end().catch(() => undefined);
  }

  private hear(client: pg.Client, message: pg.Notification) {
    const payload = message.payload ?? '';
    if (message.channel === positionChannel) this.markers.get(payload)?.();
    else if (message.channel === heardChannel) this.barriers.heard(payload);
    else if (message.channel === barrierChannel) this.answer(client, payload);
    else handleNotification(message, this.handlers);
  }

  /** Tells the writer waiting on `marker` that this cache applied everything before it. */
  private answer(client: pg.Client, marker: string) {
    // Every notice before the marker was handled, synchronously, before this one.
    const answer = `${marker} ${backendPid(client)}`;
    client.query('SELECT pg_notify($1, $2)', [heardChannel, answer]).catch(() => undefined);
  }

  /** Starts the next barrier once the ones already asked for in this turn have joined it. */
  private schedule() {
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.runRound());
  }

  private async runRound() {
    const round = this.next;
    const client = this.client;
    this.next = undefined;
    if (!round || !client) {
      this.running = false;
      round?.resolve(false);
      return;
    }
    round.resolve(await this.barriers.run(client));
    // After a lost connection, the state belongs to the next one.
    if (this.client !== client) return;
    this.running = false;
    if (this.next) this.schedule();
  }

  /**
   * Readers no longer ask the connection anything, so a connection that went silent would go
   * unnoticed: an empty query twice a second renews the cache's trust when answered (the
   * database sends the notices it has for the connection before the answer), and must be
   * answered within the sync time limit or the connection is given up on.
   */
  private heartbeat() {
    const client = this.client;
    if (!client || this.checking) return;
    this.checking = true;
    const sentAt = performance.now();
    const timer = setTimeout(() => {
      this.lose(client, new Error(`no answer within ${this.syncTimeoutMs} ms`));
      void client.end().catch(() => undefined);
    }, this.syncTimeoutMs);
    void client
      .query('')
      .then(() => {
        if (this.client === client) this.answeredSentAt = Math.max(this.answeredSentAt, sentAt);
      })
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.checking = false;
      });
  }

  private lose(client: pg.Client, error: Error) {
    if (this.client !== client || this.closed) return;
    const pid = backendPid(client);
    if (pid !== undefined) this.lostPids.push(pid);
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

/** How writers on a pool wait for the caches: through this process's feed, or not at all. */
const barriersByPool = new WeakMap<pg.Pool, () => Promise<boolean>>();

/**
 * Marks the pool of an embedded database, whose one session carries every commit's notices to
 * this process synchronously: there is no other cache, and nothing to wait for.
 */
export function noTileCachesElsewhere(pool: pg.Pool): void {
  barriersByPool.set(pool, async () => true);
}

/**
 * Starts hearing committed changes of every layer table, from this and every other process
 * writing to the same database: through LISTEN/NOTIFY fed by the tables' triggers. Writers on
 * `database.pool` then confirm their commits through this feed (see `untilTileCachesHeard`).
 * The listening connection is replaced when it does not answer within `syncTimeoutMs`
 * (default: the tile time limit).
 */
export async function listenForTileChanges(
  database: Database,
  handlers: TileChangeHandlers,
  options = { syncTimeoutMs: config.tileTimeoutMs },
): Promise<TileChangeFeed> {
  const feed = database.capabilities.embedded
    ? await listenEmbedded(database, handlers)
    : await connectListener(database.url, handlers, options.syncTimeoutMs);
  // While this feed is down (its own cache then unused), the other caches are still waited for.
  const barrier = () => (feed.current() ? feed.heardEverywhere() : barrierApart(database.pool));
  barriersByPool.set(database.pool, barrier);
  const close = feed.close.bind(feed);
  feed.close = async () => {
    if (barriersByPool.get(database.pool) === barrier) barriersByPool.delete(database.pool);
    await close();
  };
  return feed;
}

async function connectListener(url: string, handlers: TileChangeHandlers, syncTimeoutMs: number) {
  const connection = new ListeningConnection(url, handlers, syncTimeoutMs);
  await connection.connect();
  return connection;
}

/**
 * Waits, after a commit that changed layer rows, until every tile cache listening on the
 * database has applied it (and everything committed before it); true when all confirmed.
 * Through the feed of this process when `db` is its pool and the feed is up; otherwise (a
 * command-line import, a process without a cache, a feed reconnecting) with a connection that
 * listens for the answers just for this wait.
 * Never throws: the commit stands whatever the caches say, and a silent one is logged.
 * When not every cache confirmed (a silent one, or a wait that failed: the database restarting,
 * this connection ended), it returns no sooner than `trustMs` after it was called: by then a
 * cache that has not heard the commit no longer trusts itself (see `current`).
 */
export async function untilTileCachesHeard(db: pg.Pool | pg.ClientBase): Promise<boolean> {
  const started = performance.now();
  const barrier = db instanceof pg.Pool ? barriersByPool.get(db) : undefined;
  const confirmed = await (barrier ? barrier() : barrierApart(db));
  const untrustedInMs = trustMs - (performance.now() - started);
  if (!confirmed && untrustedInMs > 0) await delay(untrustedInMs);
  return confirmed;
}

/** A barrier on a connection of `db` that listens for the answers only while it waits. */
async function barrierApart(db: pg.Pool | pg.ClientBase): Promise<boolean> {
  let client: pg.ClientBase;
  try {
    client = db instanceof pg.Pool ? await db.connect() : db;
  } catch (error) {
    log.warn({ err: error }, 'tile caches could not be asked to confirm a commit');
    return false;
  }
  const barriers = new Barriers();
  const onNotification = (message: pg.Notification) => {
    if (message.channel === heardChannel) barriers.heard(message.payload ?? '');
  };
  client.on('notification', onNotification);
  try {
    await client.query(`LISTEN ${heardChannel}`);
    return await barriers.run(client);
  } catch (error) {
    log.warn({ err: error }, 'tile caches could not be asked to confirm a commit');
    return false;
  } finally {
    client.off('notification', onNotification);
    await client.query(`UNLISTEN ${heardChannel}`).catch(() => undefined);
    if (db instanceof pg.Pool) (client as pg.PoolClient).release();
  }
}
