import { gzipSync } from 'node:zlib';
import express from 'express';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app.js';
import { openDatabase, type Database } from '../../../server/db/pool.js';
import { sendProblem } from '../../../server/http/problem.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** A TCP relay to the test database that can be cut and restored, as a server that goes away. */
class DatabaseRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open() {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    this.server.listen(this.port, '127.0.0.1');
    await new Promise((resolve) => this.server!.once('listening', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}

describe('errors of a database that went away', () => {
  let testDatabase: TestDatabase;
  let relay: DatabaseRelay;
  let database: Database;
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    const target = new URL(testDatabase.url);
    relay = new DatabaseRelay({ host: target.hostname, port: Number(target.port) });
    await relay.open();
    target.hostname = '127.0.0.1';
    target.port = String(relay.port);
    database = await openDatabase(target.toString());
    server = createApp({ database }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await database.close().catch(() => undefined);
    await testDatabase.drop();
  });

  it('are 503 database-unavailable problems with Retry-After, and end when it is back', async () => {
    const before = await fetch(`${baseUrl}/collections/kecamatan/items?limit=1`);
    await relay.cut();

    const answers = [];
    for (const path of ['/collections/kecamatan/items?limit=1', '/client/config', '/health']) {
      const response = await fetch(`${baseUrl}${path}`);
      answers.push({ path, response, text: await response.text() });
    }
    await relay.open();
    const after = await fetch(`${baseUrl}/health`);

    expect(before.status).toBe(200);
    for (const { path, response, text } of answers) {
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.parse(text)).toMatchObject({
        type: '/problems/database-unavailable',
        instance: path,
      });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
      expect({ path, retryAfter: response.headers.get('retry-after') }).toEqual({
        path,
        retryAfter: '5',
      });
    }
    expect(after.status).toBe(200);
  });
});

describe('a request body the parser cannot take', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    const app = express();
    app.post('/echo', express.json(), (req, res) => res.json(req.body));
    app.post('/small', express.json({ limit: '4kb' }), (req, res) => res.json(req.body));
    app.use(sendProblem);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('is a 400 problem naming its Content-Encoding, not a 500', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await fetch(`${baseUrl}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: '{"not": "compressed"}',
      });
      const body = (await response.json()) as { type: string; detail: string };

      expect(response.status, encoding).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(body.type).toBe('/problems/body-encoding-invalid');
      expect(body.detail).toContain(`Content-Encoding ${encoding}`);
    }
  });

  it('is a 413 problem saying how large a body may be', async () => {
    const response = await fetch(`${baseUrl}/small`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(6000) }),
    });
    const body = (await response.json()) as { type: string; detail: string };

    expect(response.status).toBe(413);
    expect(body.type).toBe('/problems/body-entity-too-large');
    expect(body.detail).toBe('The body holds 5.9 KB; this request takes at most 4.0 KB.');
  });

  it('is a 413 saying a compressed body inflates past the limit', async () => {
    const inflated = JSON.stringify({ text: 'x'.repeat(1024 * 1024) });
    const response = await fetch(`${baseUrl}/small`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(inflated),
    });
    const body = (await response.json()) as { type: string; detail: string };

    expect(response.status).toBe(413);
    expect(body.detail).toBe(
      'The body runs past 4.0 KB once decompressed; this request takes at most 4.0 KB.',
    );
  });
});
