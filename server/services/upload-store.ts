/**
 * Uploaded import files, kept on disk under `SIMPUL_IMPORT_DIR` (one folder per upload) so an
 * import can be previewed, mapped, run, and run again, without sending the file twice. Each
 * upload serves only the user or token that sent it. Uploads older than a day are swept at
 * the next upload; one found unreadable is removed at once (`removeUpload`).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { config, ConfigError } from '../config.js';
import { badRequest, HttpProblem, notFound } from '../http/problem.js';
import type { Principal } from './access.js';

const keepMs = 24 * 3600 * 1000;
const uploadIdPattern = /^[0-9a-f]{32}$/;
/** Who sent an upload, beside its file; `@` never survives safeFileName, so no file clashes. */
const uploaderFileName = '@uploader.json';

/** A stored upload: its id, the file on disk and the name it was sent with. */
export interface StoredUpload {
  uploadId: string;
  file: string;
  fileName: string;
  bytes: number;
}

/** A file name safe on disk that keeps the extension telling its format. */
function safeFileName(fileName: string): string {
  const base = path
    .basename(fileName)
    .replace(/[^\w.\-]+/g, '_')
    .slice(-120);
  return base && base !== '.' && base !== '..' ? base : 'upload';
}

async function sweepOldUploads() {
  const entries = await fs.promises.readdir(config.importDir).catch(() => []);
  for (const entry of entries) {
    const folder = path.join(config.importDir, entry);
    const stat = await fs.promises.stat(folder).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > keepMs) {
      await fs.promises.rm(folder, { recursive: true, force: true });
    }
  }
}

function tooLarge(): HttpProblem {
  return new HttpProblem(
    413,
    'upload-too-large',
    'Upload too large',
    `Uploads are limited to ${config.importMaxMb} MB (IMPORT_MAX_MB).`,
    { maxMb: config.importMaxMb },
  );
}

/** Who a principal is for uploads: a user by name, a token by id (token names repeat). */
function uploaderOf(principal: Principal): string {
  const who = principal.kind === 'token' ? principal.tokenId : principal.name;
  return JSON.stringify({ kind: principal.kind, who });
}

// A refused body is still read to its end, unstored, so that its client, done sending, reads
// the 413: HTTP clients such as Node's and browsers read no answer while they send, and a
// connection closed on unread bytes is reset, the answer lost with it. A body going on this
// far past the limit is cut instead, and its client sees that reset.
const discardMaxBytes = 64 * 1024 * 1024;

/** What the request tells of its body before sending it. */
export interface UploadBodyHeaders {
  /** Content-Length, when given (a chunked body has none). */
  declaredBytes?: number;
  /** The client sends the body only once told to continue (`Expect: 100-continue`). */
  waitsToSend?: boolean;
}

/** A sink for the bytes of a refused body. */
function discarding(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Pipes `body` into `out` up to `maxBytes`, and what follows nowhere (at most discardMaxBytes,
 * then the body is cut with `upload-too-large`). The body's size in bytes.
 */
async function storeWithin(body: Readable, out: Writable, maxBytes: number): Promise<number> {
  let bytes = 0;
  const within = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes + discardMaxBytes) done(tooLarge());
      else done(null, bytes > maxBytes ? undefined : chunk);
    },
  });
  await pipeline(body, within, out);
  return bytes;
}

/**
 * Makes the import folder at start, or stops start-up saying why: a folder that cannot be
 * made or written failed every upload with a 500, and one under /proc never answered (Node
 * 20's recursive mkdir does not return there, so only its parent is made recursively).
 */
export function prepareImportDir(dir = config.importDir): void {
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (!fs.existsSync(dir)) fs.mkdirSync(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `the import folder ${dir} (SIMPUL_IMPORT_DIR, else imports in SIMPUL_DATA_DIR) cannot ` +
        `hold uploads (${reason}); set it to a writable folder`,
    );
  }
}

/**
 * Streams `body` to disk as an upload of `uploader`; a body past `IMPORT_MAX_MB` is a 413, an
 * empty one a 400, and either leaves nothing behind. One declared larger is refused unstored,
 * and unread when its client waits to be told to send it.
 */
export async function saveUpload(
  body: Readable,
  fileName: string,
  uploader: Principal,
  { declaredBytes, waitsToSend }: UploadBodyHeaders = {},
): Promise<StoredUpload> {
  const maxBytes = config.importMaxMb * 1024 * 1024;
  if (declaredBytes !== undefined && declaredBytes > maxBytes) {
    if (!waitsToSend) await storeWithin(body, discarding(), 0);
    throw tooLarge();
  }

  await fs.promises.mkdir(config.importDir, { recursive: true });
  await sweepOldUploads();
  const uploadId = randomUUID().replace(/-/g, '');
  const folder = path.join(config.importDir, uploadId);
  await fs.promises.mkdir(folder);
  await fs.promises.writeFile(path.join(folder, uploaderFileName), uploaderOf(uploader));
  const file = path.join(folder, safeFileName(fileName));

  try {
    const bytes = await storeWithin(body, fs.createWriteStream(file), maxBytes);
    if (bytes > maxBytes) throw tooLarge();
    if (bytes === 0) throw badRequest('empty-upload', 'The uploaded file is empty (0 bytes).');
    return { uploadId, file, fileName: path.basename(fileName), bytes };
  } catch (error) {
    await fs.promises.rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/** True when `principal` sent the upload in `folder` (false for one kept from before owners). */
async function isUploadOf(folder: string, principal: Principal) {
  const recorded = await fs.promises
    .readFile(path.join(folder, uploaderFileName), 'utf8')
    .catch(() => undefined);
  return recorded === uploaderOf(principal);
}

/**
 * An upload of `requester` by id. Unknown and swept uploads are a 404 asking to send the file
 * again, and so is another's upload: a 403 would tell that the id exists.
 */
export async function findUpload(uploadId: string, requester: Principal): Promise<StoredUpload> {
  const folder = path.join(config.importDir, uploadId);
  const names = uploadIdPattern.test(uploadId)
    ? await fs.promises.readdir(folder).catch(() => [])
    : [];
  const name = names.find((n) => !n.endsWith('.unpacked') && n !== uploaderFileName);
  if (!name || !(await isUploadOf(folder, requester))) {
    throw notFound(
      'unknown-upload',
      `No upload "${uploadId}" (uploads are kept a day); send the file again.`,
    );
  }
  const file = path.join(folder, name);
  return { uploadId, file, fileName: name, bytes: (await fs.promises.stat(file)).size };
}

/**
 * Removes an upload at once: for a file found unreadable, which no other option of an import
 * (encoding, CRS, CSV columns, layer) could read, so keeping it a day would only hold disk.
 * One that another option may still read is kept for the retry, and swept after a day.
 */
export async function removeUpload(uploadId: string): Promise<void> {
  if (!uploadIdPattern.test(uploadId)) return;
  await fs.promises.rm(path.join(config.importDir, uploadId), { recursive: true, force: true });
}
