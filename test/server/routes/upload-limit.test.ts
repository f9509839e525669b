import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ImportApiError } from '../../../web/api/import-api.js';
import { getLanguage, setLanguage } from '../../../web/i18n/i18n.js';
import { describeRefusal } from '../../../web/import/import-messages.js';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';
import { launchBrowser } from '../../support/browser.js';

// A limit of 1 MB and an upload folder of this file's own, read once when the configuration is
// first imported; put back afterwards, as the next test file of this worker reads them again.
const previous = vi.hoisted(() => {
  const saved = { max: process.env.IMPORT_MAX_MB, dir: process.env.SIMPUL_IMPORT_DIR };
  process.env.IMPORT_MAX_MB = '1';
  process.env.SIMPUL_IMPORT_DIR = `${process.env.SIMPUL_IMPORT_DIR ?? 'imports'}-limit`;
  return saved;
});

const importDir = process.env.SIMPUL_IMPORT_DIR!;

/** An answer read in full: status, headers, body text, and whether 100 Continue came first. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  continued: boolean;
}

/**
 * Posts `size` bytes as a raw upload through Node's HTTP client, in 64 kB chunks: with a
 * Content-Length, or chunked; with `Expect: 100-continue` the body waits to be asked for.
 */
function postRaw(
  server: TestServer,
  token: string,
  size: number,
  options: { chunked?: boolean; expectContinue?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (!options.chunked) headers['content-length'] = String(size);
  if (options.expectContinue) headers.expect = '100-continue';
  const url = `${server.baseUrl}/imports/uploads?fileName=x.geojson`;
  return new Promise((resolve, reject) => {
    let continued = false;
    const request = http.request(url, { method: 'POST', headers });
    const sendBody = async () => {
      const chunk = Buffer.alloc(65536, 0x20);
      for (let sent = 0; sent < size && !request.destroyed; sent += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        if (!request.write(part)) await new Promise((done) => request.once('drain', done));
      }
      request.end();
    };
    request.on('continue', () => {
      continued = true;
      void sendBody();
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => (text += part));
      response.on('end', () => {
        resolve({ status: response.statusCode!, headers: response.headers, text, continued });
      });
    });
    request.on('error', reject);
    if (!options.expectContinue) void sendBody();
  });
}

/** The upload folders on disk. */
const uploadsKept = () => (fs.existsSync(importDir) ? fs.readdirSync(importDir) : []);

describe('an upload over IMPORT_MAX_MB (1 MB here)', () => {
  let server: TestServer;
  let editor: string;
  beforeAll(async () => {
    fs.rmSync(importDir, { recursive: true, force: true });
    server = await startTestServer();
    editor = await writeToken(server, 'disaster-risk:editor');
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(importDir, { recursive: true, force: true });
    for (const [name, value] of [
      ['IMPORT_MAX_MB', previous.max],
      ['SIMPUL_IMPORT_DIR', previous.dir],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const expectTooLarge = (answer: Answer) => {
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.text)).toMatchObject({
      type: '/problems/upload-too-large',
      status: 413,
      maxMb: 1,
    });
  };

  it('answers 413 to a raw body whose Content-Length is over the limit', async () => {
    const before = uploadsKept();

    const answer = await postRaw(server, editor, 1363149);

    expectTooLarge(answer);
    expect(uploadsKept()).toEqual(before);
  });

  it('answers 413 to a 34 MB raw body, read to its end unstored', async () => {
    const before = uploadsKept();

    const answer = await postRaw(server, editor, 34 * 1024 * 1024);

    expectTooLarge(answer);
    expect(uploadsKept()).toEqual(before);
  });

  it('answers 413 before 100 Continue to a client waiting to send too much', async () => {
    const answer = await postRaw(server, editor, 34 * 1024 * 1024, { expectContinue: true });

    expectTooLarge(answer);
    expect(answer.continued).toBe(false);
  });

  it('still tells a client waiting to send a body within the limit to continue', async () => {
    const geojson = Buffer.from('{"type":"FeatureCollection","features":[]}');
    const answer = await postRaw(server, editor, geojson.length, { expectContinue: true });

    expect(answer.continued).toBe(true);
    expect(answer.status).not.toBe(413);
  });

  it('answers 413 to a chunked body growing past the limit, storing nothing', async () => {
    const before = uploadsKept();

    const answer = await postRaw(server, editor, 3 * 1024 * 1024, { chunked: true });

    expectTooLarge(answer);
    expect(uploadsKept()).toEqual(before);
  });

  it('reaches the browser as a 413 worded in both languages, not as a network error', async () => {
    const launched = await launchBrowser();
    const page = await launched.context.newPage();
    await page.goto(`${server.baseUrl}/health`);

    // raw, through XMLHttpRequest, as the import sheet sends a file
    const answer = await page
      .evaluate(
        (token) =>
          new Promise<{ status: number; text: string }>((resolve) => {
            const xhr = new XMLHttpRequest();
            xhr.open('POST', '/imports/uploads?fileName=x.geojson');
            xhr.setRequestHeader('authorization', `Bearer ${token}`);
            xhr.addEventListener('load', () =>
              resolve({ status: xhr.status, text: xhr.responseText }),
            );
            xhr.addEventListener('error', () => resolve({ status: 0, text: '{}' }));
            xhr.send(new Blob([new Uint8Array(1363149)]));
          }),
        editor,
      )
      .finally(() => launched.close());
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    const refusal = new ImportApiError(answer.status, String(body.detail), body);
    const language = getLanguage();
    setLanguage('id');
    const indonesian = describeRefusal(refusal);
    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage(language);

    expect(answer.status).toBe(413);
    expect(indonesian).toBe('Ukuran unggahan paling besar 1 MB.');
    expect(english).toBe('Uploads are limited to 1 MB.');
  });
});
