import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  listenerApplicationName,
  listenForTileChanges,
  untilTileCachesHeard,
  type TileChange,
} from '../../../server/tiles/tile-changes.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFreezableRelay } from '../../support/database-relay.js';

describe('the tile change feed', () => {
  let testDatabase: TestDatabase;
  const listeningConnections = async () => {
    const result = await testDatabase.database.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1',
      [listenerApplicationName],
    );
    return result.rows[0]!.count;
  };
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(() => testDatabase.drop());

  it('marks a position whose snapshot sees only changes it has handed on', async () => {
    const { pool } = testDatabase.database;
    const heard: string[] = [];
    const handlers = { onChange: (change: TileChange) => heard.push(change.layerId), onReset() {} };
    const feed = await listenForTileChanges(testDatabase.database, handlers);

    const committed = await pool.query<{ xid: string }>(
      `WITH changed AS (
         UPDATE desa SET updated_by = updated_by WHERE id = (SELECT min(id) FROM desa)
       )
       SELECT pg_current_xact_id()::text AS xid`,
    );
    const position = await feed.position();
    const seen = await pool.query<{ visible: boolean }>(
      'SELECT pg_visible_in_snapshot($1::xid8, $2::pg_snapshot) AS visible',
      [committed.rows[0]!.xid, position!.snapshot],
    );

    expect(seen.rows[0]!.visible).toBe(true);
    expect(heard).toContain('desa');
    await feed.close();
    expect(await feed.position()).toBeUndefined();
  });

  it('gives up on a listening connection that stops answering, then listens anew', async () => {
    const relay = await startFreezableRelay(testDatabase.url);
    const database = { ...testDatabase.database, url: relay.url };
    let resets = 0;
    const handlers = { onChange: () => undefined, onReset: () => (resets += 1) };
    const feed = await listenForTileChanges(database, handlers, { syncTimeoutMs: 300 });

    const before = feed.current();
    relay.freeze();
    const started = performance.now();
    await expect.poll(() => feed.current(), { timeout: 3000, interval: 20 }).toBe(false);
    const noticedMs = performance.now() - started;
    await expect.poll(() => feed.current(), { timeout: 5000, interval: 200 }).toBe(true);

    // The connection given up on still stands on the server, behind the frozen relay: the new
    // one ends it, or every writer would wait for its answers in vain.
    await expect.poll(listeningConnections, { timeout: 3000, interval: 100 }).toBe(1);

    expect(before).toBe(true);
    // One heartbeat (each second) and its 300 ms limit.
    expect(noticedMs).toBeLessThan(1500);
    expect(resets).toBeGreaterThanOrEqual(3);
    await feed.close();
    relay.close();
  });

  it("returns from a writer's wait only once every cache has applied the commit", async () => {
    // One cache hears the database 30 ms late: the wait must be for it too.
    const slow = await startFreezableRelay(testDatabase.url, 30);
    const heard: string[][] = [[], []];
    const pools = heard.map(() => new pg.Pool({ connectionString: testDatabase.url }));
    const feeds = await Promise.all(
      heard.map((list, i) =>
        listenForTileChanges(
          { ...testDatabase.database, pool: pools[i]!, url: i === 0 ? slow.url : testDatabase.url },
          { onChange: (change) => list.push(change.layerId), onReset() {} },
        ),
      ),
    );
    const writer = new pg.Client({ connectionString: testDatabase.url });
    await writer.connect();

    const rounds = [];
    for (let i = 0; i < 10; i += 1) {
      await writer.query(
        'UPDATE desa SET updated_by = updated_by WHERE id = (SELECT min(id) FROM desa)',
      );
      const confirmed = await untilTileCachesHeard(writer);
      rounds.push({ confirmed, heard: heard.map((list) => list.length) });
    }

    expect(rounds).toEqual(rounds.map((_, i) => ({ confirmed: true, heard: [i + 1, i + 1] })));
    await writer.end();
    for (const feed of feeds) await feed.close();
    for (const pool of pools) await pool.end();
    slow.close();
  });

  it('gives up waiting for a cache that does not answer, and says so', async () => {
    const relay = await startFreezableRelay(testDatabase.url);
    const database = { ...testDatabase.database, url: relay.url };
    const handlers = { onChange: () => undefined, onReset() {} };
    const feed = await listenForTileChanges(database, handlers, { syncTimeoutMs: 60000 });
    const writer = new pg.Client({ connectionString: testDatabase.url });
    await writer.connect();

    const answered = await untilTileCachesHeard(writer);
    relay.freeze();
    const started = performance.now();
    const frozen = await untilTileCachesHeard(writer);
    const waitedMs = performance.now() - started;
    // The silent connection was ended: the next writer need not wait for it.
    const nextStarted = performance.now();
    const next = await untilTileCachesHeard(writer);
    const nextWaitedMs = performance.now() - nextStarted;

    expect(answered).toBe(true);
    expect(frozen).toBe(false);
    expect(waitedMs).toBeGreaterThanOrEqual(1900);
    expect(waitedMs).toBeLessThan(3000);
    expect(next).toBe(true);
    expect(nextWaitedMs).toBeLessThan(500);
    await writer.end();
    await feed.close();
    relay.close();
  });

  it('stops trusting its cache before a writer gives up on its silent connection', async () => {
    // A half-open connection: ending its backend does not reach the process, which keeps
    // serving its cache until its own check gives up, at the default limit of 5 s.
    const relay = await startFreezableRelay(testDatabase.url);
    const database = { ...testDatabase.database, url: relay.url };
    const handlers = { onChange: () => undefined, onReset() {} };
    const feed = await listenForTileChanges(database, handlers, { syncTimeoutMs: 5000 });
    const writer = new pg.Client({ connectionString: testDatabase.url });
    await writer.connect();

    relay.freeze();
    await writer.query(
      'UPDATE desa SET updated_by = updated_by WHERE id = (SELECT min(id) FROM desa)',
    );
    const confirmed = await untilTileCachesHeard(writer);
    // The writer's answer goes out now: the silent cache must no longer be served.
    const trustedAfterAnswer = feed.current();

    expect(confirmed).toBe(false);
    expect(trustedAfterAnswer).toBe(false);
    await writer.end();
    await feed.close();
    relay.close();
  });

  it("ends a writer's failed wait only once a cache that missed it distrusts itself", async () => {
    // A restart of the database ends the writer's connection between its commit and its wait,
    // before a cache has heard the commit: the wait fails at once, and the writer answers.
    const relay = await startFreezableRelay(testDatabase.url);
    const database = { ...testDatabase.database, url: relay.url };
    const handlers = { onChange: () => undefined, onReset() {} };
    const feed = await listenForTileChanges(database, handlers);
    const writer = new pg.Client({ connectionString: testDatabase.url });
    writer.on('error', () => undefined);
    await writer.connect();

    relay.freeze();
    const committed = await writer.query<{ pid: number }>(
      `WITH changed AS (
         UPDATE desa SET updated_by = updated_by WHERE id = (SELECT min(id) FROM desa)
       )
       SELECT pg_backend_pid() AS pid`,
    );
    await testDatabase.database.pool.query('SELECT pg_terminate_backend($1, 1000)', [
      committed.rows[0]!.pid,
    ]);
    const confirmed = await untilTileCachesHeard(writer);
    const trustedAfterAnswer = feed.current();

    expect(confirmed).toBe(false);
    expect(trustedAfterAnswer).toBe(false);
    await feed.close();
    relay.close();
  });
});
