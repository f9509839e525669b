import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForTileChanges, type TileChange } from '../../../server/tiles/tile-changes.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/**
 * A TCP relay to the database whose open connections can be frozen: bytes stop flowing both
 * ways, as on a half-open connection, while new connections still pass.
 */
async function startFreezableRelay(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const open: net.Socket[] = [];
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    open.push(client, upstream);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));

  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as net.AddressInfo).port);
  const freeze = () => {
    for (const socket of open.splice(0)) {
      socket.unpipe();
      socket.pause();
    }
  };
  const close = () => {
    for (const socket of open) socket.destroy();
    relay.close();
  };
  return { url: url.toString(), freeze, close };
}

describe('the tile change feed', () => {
  let testDatabase: TestDatabase;
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

    const before = await feed.sync();
    relay.freeze();
    const started = performance.now();
    const frozen = await feed.sync();
    const waitedMs = performance.now() - started;
    await expect.poll(() => feed.sync(), { timeout: 5000, interval: 200 }).toBe(true);

    expect(before).toBe(true);
    expect(frozen).toBe(false);
    expect(waitedMs).toBeLessThan(2000);
    expect(resets).toBeGreaterThanOrEqual(3);
    await feed.close();
    relay.close();
  });
});
