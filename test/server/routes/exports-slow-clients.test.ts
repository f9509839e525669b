import fs from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../../server/config.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';

/** A download whose client never reads: the server's writes stall once the sockets are full. */
function startStalledDownload(url: string, headers: http.OutgoingHttpHeaders = {}) {
  const request = http.get(url, { agent: false, headers });
  // the test ends each download by hanging up, which is no failure
  request.on('error', () => undefined);
  const response = new Promise<http.IncomingMessage>((resolve) =>
    request.once('response', (answer) => resolve(answer.on('error', () => undefined))),
  );
  return { request, response };
}

/** The ogr2ogr processes this test process started (through the server it runs). */
function ogr2ogrChildren(): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (match?.[1] === 'ogr2ogr' && Number(match[2]) === process.pid)
        children.push(Number(entry));
    } catch {
      // the process ended while the list was read
    }
  }
  return children;
}

describe('exports read by slow clients', () => {
  let server: TestServer;
  let observer: pg.Client;
  beforeAll(async () => {
    server = await startTestServer();
    // Thirty copies of the desa outlines, about 30 MB of GeoJSON: more than the sockets between
    // a client that does not read and the server hold, so its export stalls half-way.
    await server.testDatabase.database.pool.query(`INSERT INTO hazard_zone
        (hazard_type, hazard_class, source, geom)
      SELECT 'banjir', 'rendah', 'slow client test', geom FROM desa, generate_series(1, 30)`);
    observer = new pg.Client({ connectionString: server.testDatabase.url });
    await observer.connect();
  });
  afterAll(async () => {
    await observer.end();
    await server.close();
  });

  /** Connections of this database in the middle of an export query. */
  const exportsInProgress = async () => {
    const result = await observer.query(`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND state <> 'idle' AND query LIKE '%ST_AsGeoJSON%'`);
    return result.rows[0].n as number;
  };

  it('keeps the feature API prompt while stalled downloads fill the export pool', async () => {
    // as many stalled downloads as the shared pool has connections: before exports had their
    // own pool, they took all of them and the feature API waited 10 s for a 503
    const downloads = Array.from({ length: config.poolSize }, () =>
      startStalledDownload(`${server.baseUrl}/exports/hazard_zone?format=geojson`),
    );
    try {
      await expect.poll(exportsInProgress, { timeout: 10000 }).toBe(config.exportPoolSize);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await exportsInProgress()).toBe(config.exportPoolSize);

      const started = Date.now();
      const items = await fetch(`${server.baseUrl}/collections/desa/items?limit=1`);
      const health = await fetch(`${server.baseUrl}/health`);
      const elapsedMs = Date.now() - started;

      expect(items.status).toBe(200);
      expect(health.status).toBe(200);
      expect(elapsedMs).toBeLessThan(2000);
    } finally {
      for (const download of downloads) download.request.destroy();
    }
  });

  it('answers 503 with Retry-After to an export that waited in vain for a connection', async () => {
    const downloads = Array.from({ length: config.exportPoolSize + 1 }, () =>
      startStalledDownload(`${server.baseUrl}/exports/hazard_zone?format=geojson`),
    );
    try {
      const answers = await Promise.all(downloads.map((d) => d.response));

      const refused = answers.filter((answer) => answer.statusCode === 503);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.headers['retry-after']).toBe('30');
      expect(refused[0]!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused[0]!.headers['content-disposition']).toBeUndefined();
    } finally {
      for (const download of downloads) download.request.destroy();
    }
  });

  it('shows a browser that followed a download link a refusal page', async () => {
    const url = `${server.baseUrl}/exports/hazard_zone?format=geojson`;
    const stalled = Array.from({ length: config.exportPoolSize }, () => startStalledDownload(url));
    try {
      await Promise.all(stalled.map((d) => d.response));
      // what Chromium sends when a link is followed
      const accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      const [browser, program] = await Promise.all([
        fetch(url, { headers: { accept } }),
        fetch(url, { headers: { accept: 'application/json' } }),
      ]);
      const page = await browser.text();

      expect(browser.status).toBe(503);
      expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
      expect(browser.headers.get('retry-after')).toBe('30');
      expect(page).toContain(
        'Server sedang melayani unduhan lain. Coba lagi dalam setengah menit.',
      );
      expect(page).toContain('The server is busy with other downloads.');
      expect(page).toContain('<a href="/">Kembali ke peta / Back to the map</a>');
      expect(program.status).toBe(503);
      expect(program.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      for (const download of stalled) download.request.destroy();
    }
  });

  /**
   * A session holding the hazard zones, which makes an export's query wait as a slow filter
   * would work; `release` ends it.
   */
  const lockHazardZones = async () => {
    const holder = new pg.Client({ connectionString: server.testDatabase.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE hazard_zone IN ACCESS EXCLUSIVE MODE');
    return { release: () => holder.query('ROLLBACK').then(() => holder.end()) };
  };

  /** Export queries of this database waiting for a lock. */
  const waitingOnLock = async () => {
    const result = await observer.query(`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'
        AND query LIKE '%ST_AsGeoJSON%'`);
    return result.rows[0].n as number;
  };

  it('reads exports without a statement timeout, which cut slow downloads', async () => {
    // the cursor's one statement lasts as long as its client reads: 15 s cut a 35 MB download
    // read at 1 MB/s (a tester's find); only a client that stops reading is cut
    const { exportPool } = server.testDatabase.database;
    const show = 'SHOW statement_timeout';
    const setting = await exportPool.query<{ statement_timeout: string }>(show);

    expect(setting.rows[0]!.statement_timeout).toBe('0');
  });

  it('cancels the query of an export whose client hung up while waiting for a lock', async () => {
    const holder = await lockHazardZones();
    try {
      const download = startStalledDownload(`${server.baseUrl}/exports/hazard_zone?format=csv`);
      await expect.poll(waitingOnLock, { timeout: 10000 }).toBe(1);

      download.request.destroy();

      await expect.poll(waitingOnLock, { timeout: 5000 }).toBe(0);
    } finally {
      await holder.release();
    }
  });

  it('runs no query for a client that left while it waited for an export connection', async () => {
    const holder = await lockHazardZones();
    const url = `${server.baseUrl}/exports/hazard_zone?format=csv`;
    const holding = Array.from({ length: config.exportPoolSize }, () => startStalledDownload(url));
    try {
      await expect.poll(waitingOnLock, { timeout: 10000 }).toBe(config.exportPoolSize);
      const queued = startStalledDownload(url);
      await new Promise((resolve) => setTimeout(resolve, 300));
      queued.request.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));

      // the first hangs up: its connection is freed and goes to the one queued, long gone
      holding[0]!.request.destroy();
      await new Promise((resolve) => setTimeout(resolve, 1000));

      expect(await waitingOnLock()).toBe(config.exportPoolSize - 1);
    } finally {
      for (const download of holding) download.request.destroy();
      await holder.release();
    }
  });

  describe('with a short stall time', () => {
    const stallMs = 300;
    let impatient: TestServer;
    beforeAll(async () => {
      impatient = await startTestServer({ exportStallMs: stallMs });
      await impatient.testDatabase.database.pool.query(`INSERT INTO hazard_zone
          (hazard_type, hazard_class, source, geom)
        SELECT 'banjir', 'rendah', 'slow client test', geom FROM desa, generate_series(1, 30)`);
    });
    afterAll(() => impatient.close());

    const exportsOf = async () => {
      const result = await observer.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND state <> 'idle' AND query LIKE '%ST_AsGeoJSON%'`,
        [new URL(impatient.testDatabase.url).pathname.slice(1)],
      );
      return result.rows[0].n as number;
    };

    it('cuts a download whose client reads nothing for the stall time', async () => {
      const download = startStalledDownload(
        `${impatient.baseUrl}/exports/hazard_zone?format=geojson`,
      );
      try {
        const answer = await download.response;
        await expect.poll(exportsOf, { timeout: 10000 }).toBe(1);
        const stalledAt = Date.now();

        await expect.poll(exportsOf, { timeout: 10000 }).toBe(0);

        expect(answer.statusCode).toBe(200);
        expect(Date.now() - stalledAt).toBeLessThan(5000);
      } finally {
        download.request.destroy();
      }
    });

    it('gives the export connection back before GDAL has made the Shapefile', async () => {
      const { exportPool } = impatient.testDatabase.database;
      const inUse = () => exportPool.totalCount - exportPool.idleCount;
      let answered = false;
      const answer = fetch(`${impatient.baseUrl}/exports/hazard_zone?format=shp`).then((r) => {
        answered = true;
        return r.arrayBuffer();
      });

      await expect.poll(inUse, { interval: 5 }).toBe(1);
      await expect.poll(inUse, { interval: 5, timeout: 10000 }).toBe(0);

      // the rows are read: GDAL converts and zips them with no connection held
      expect(answered).toBe(false);
      expect((await answer).byteLength).toBeGreaterThan(0);
    });

    /** How long an ogr2ogr child runs, from when it is first seen until it is gone. */
    const ogr2ogrLifetime = async () => {
      await expect.poll(() => ogr2ogrChildren().length, { interval: 5, timeout: 20000 }).toBe(1);
      const seenAt = Date.now();
      await expect.poll(() => ogr2ogrChildren().length, { interval: 5, timeout: 20000 }).toBe(0);
      return Date.now() - seenAt;
    };

    it('stops GDAL making a Shapefile for a client that hung up', async () => {
      const url = `${impatient.baseUrl}/exports/hazard_zone?format=shp`;
      // the whole conversion for a client that waits, as the yardstick of this machine now
      const whole = fetch(url).then((r) => r.arrayBuffer());
      const conversionMs = await ogr2ogrLifetime();
      await whole;

      const download = startStalledDownload(url);
      try {
        await expect.poll(() => ogr2ogrChildren().length, { interval: 5, timeout: 20000 }).toBe(1);
        download.request.destroy();
        const hungUpAt = Date.now();
        await expect.poll(() => ogr2ogrChildren().length, { interval: 5, timeout: 20000 }).toBe(0);

        // measured: 26 ms after the hang-up against a conversion of 260 ms (it ran to its end)
        expect(Date.now() - hungUpAt).toBeLessThan(conversionMs / 2);
      } finally {
        download.request.destroy();
      }
    });

    it('lets a Shapefile take longer than the stall time to write before sending', async () => {
      const started = Date.now();
      const answer = await fetch(`${impatient.baseUrl}/exports/hazard_zone?format=shp`);
      // the headers leave with the first bytes, once GDAL has written the whole file
      const waitedMs = Date.now() - started;
      const body = Buffer.from(await answer.arrayBuffer());

      expect(waitedMs).toBeGreaterThan(stallMs);
      expect(answer.status).toBe(200);
      expect(body.subarray(0, 2).toString()).toBe('PK');
      expect(await exportsOf()).toBe(0);
    });
  });
});
