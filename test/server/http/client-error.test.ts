import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrors } from '../../../server/http/client-error.js';

/** Sends bytes on one connection and reads until the server ends it (or `waitMs` passes). */
function exchange(port: number, bytes: string, waitMs = 2000) {
  return new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

function countConnections(server: http.Server) {
  return new Promise<number>((resolve) => server.getConnections((_e, count) => resolve(count)));
}

describe('answers to requests the HTTP parser refuses', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    // A handler slow enough that a pipelined second request is parsed while the first is open.
    server = http.createServer((req, res) => {
      setTimeout(() => res.end(`answered ${req.url}`), 100);
    });
    answerClientErrors(server);
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers pipelined good requests before refusing the malformed one after it', async () => {
    const good = 'GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n';
    const answer = await exchange(port, `${good}NOT HTTP\r\n\r\n`);

    const statuses = answer.match(/HTTP\/1\.1 \d{3}/g);
    expect(statuses).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(answer).toMatch(/answered \/first.*answered \/second/s);
    expect(answer).toContain('/problems/malformed-request');
  });

  it('answers a refused request once however many bytes follow it', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));

    socket.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /huge HTTP/1.1\r\nX: ');
    for (let chunk = 0; chunk < 40; chunk += 1) {
      socket.write('a'.repeat(20000));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await closed;
    process.off('warning', onWarning);

    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 431']);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('closes a refused connection that the peer leaves half open', async () => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.resume().write('NOT HTTP\r\n\r\n');
    await new Promise((resolve) => socket.once('end', resolve));

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const open = await countConnections(server);
    socket.destroy();

    expect(open).toBe(0);
  });

  it('answers 408 to a body that stops arriving while its route waits for it', async () => {
    const slow = http.createServer({ requestTimeout: 300, connectionsCheckingInterval: 100 });
    slow.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      req.resume().on('end', () => res.end('whole body read'));
    });
    answerClientErrors(slow);
    slow.listen(0, '127.0.0.1');
    await new Promise((resolve) => slow.once('listening', resolve));
    const slowPort = (slow.address() as AddressInfo).port;

    const head = 'POST /import HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab';
    const answer = await exchange(slowPort, head, 3000);
    slow.closeAllConnections();
    slow.close();

    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('/problems/request-timeout');
  });
});
