/**
 * Zip archives in and out: uploads (zipped Shapefiles, KMZ) are unpacked to a folder entry by
 * entry, streaming; exports are packed the same way. Nothing is held in memory whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type yauzl from 'yauzl';
import { readerFailure, SourceFileError } from './source-feature.js';

/** Refuse archives that unpack to more than this (a guard against zip bombs). */
const maxUnpackedBytes = 20 * 1024 ** 3;

/**
 * Past this, an archive may unpack to at most `maxInflation` times its own size: a zip bomb of
 * 20 MB (zeros, which deflate a thousandfold) wrote 20 GB to the import folder, for minutes,
 * at its upload and again at each preview and import. A Shapefile's padded `.dbf` deflates
 * ten to fifty times.
 */
const freelyUnpackedBytes = 2 * 1024 ** 3;
const maxInflation = 200;

/** Bytes an entry inflates into per step (zlib's default is 16 KB). */
const inflateChunkBytes = 1024 * 1024;

/** True when the file starts with the zip signature `PK\x03\x04`. */
export function isZipFile(file: string): boolean {
  const descriptor = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(descriptor, head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * Unpacks every file of the archive into `folder` (flattened: folders inside the zip are
 * dropped, as GIS users often zip a folder) and returns the paths written.
 */
export async function unpackZip(file: string, folder: string): Promise<string[]> {
  // loaded here, not with this module: format detection needs only `isZipFile`
  const { default: unzip } = await import('yauzl');
  let zip: yauzl.ZipFile;
  try {
    // kept open once every entry is listed, to unpack them then
    zip = await unzip.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (error) {
    const reason = withoutFinalStop((error as Error).message);
    const message = `The zip archive cannot be opened: ${reason}.`;
    throw new SourceFileError('unreadable-zip', message, { reason });
  }
  const written: string[] = [];
  // Entries inflate at once, each on a thread of its own: a Shapefile's .dbf beside its .shp
  // (100,000 road segments: 0.2 s instead of 0.35 s).
  const unpacking: Promise<void>[] = [];
  let outcomes: PromiseSettledResult<void>[];
  try {
    // all entries are checked before any is unpacked: one already inflating is waited for
    for (const entry of await checkedEntries(zip, (await fs.promises.stat(file)).size)) {
      const target = path.join(folder, path.basename(entry.fileName));
      const unpack = async () => {
        try {
          const steps = await entryStreams(zip, entry);
          await pipeline([...steps, fs.createWriteStream(target)]);
        } catch (error) {
          throw unreadableEntry(entry, error);
        }
      };
      const entryUnpacked = unpack();
      // settled below; without a handler now, an entry failing while the next one starts
      // (a compression yauzl does not know) is an unhandled rejection that ends the process
      entryUnpacked.catch(() => undefined);
      unpacking.push(entryUnpacked);
      written.push(target);
    }
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    // the central directory or a local header is damaged
    throw readerFailure('unreadable-zip', 'The zip archive', error);
  } finally {
    // every file is closed before the caller may remove the folder, on failure too
    outcomes = await Promise.allSettled(unpacking);
    zip.close();
  }
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return written;
}

/**
 * The archive's file entries, once their sizes and names are found fit to unpack: at most
 * 20 GB in all, and at most `maxInflation` times the archive's `archiveBytes` past 2 GB; no
 * two of one file name.
 */
async function checkedEntries(zip: yauzl.ZipFile, archiveBytes: number): Promise<yauzl.Entry[]> {
  const mostUnpackedBytes = Math.max(
    freelyUnpackedBytes,
    Math.min(maxUnpackedBytes, archiveBytes * maxInflation),
  );
  const entries: yauzl.Entry[] = [];
  // entries by the file name they unpack to: two of one name would overwrite each other
  const entryByName = new Map<string, string>();
  let unpacked = 0;
  for await (const entry of zip.eachEntry()) {
    if (isFolderEntry(entry.fileName) || entry.fileName.includes('__MACOSX')) continue;
    unpacked += entry.uncompressedSize;
    if (unpacked > maxUnpackedBytes) {
      const message = 'The zip archive unpacks to more than 20 GB.';
      throw new SourceFileError('zip-too-large', message, { maxGb: 20 });
    }
    if (unpacked > mostUnpackedBytes) throw inflatesTooMuch();
    const name = path.basename(entry.fileName);
    const other = entryByName.get(name.toLowerCase());
    if (other !== undefined) throw duplicateName(other, entry.fileName);
    entryByName.set(name.toLowerCase(), entry.fileName);
    entries.push(entry);
  }
  return entries;
}

/**
 * A folder of the archive rather than a file: `dir/`, or `dir/.`, whose target was the unpacking
 * folder itself, refused with the server's path in the answer.
 */
function isFolderEntry(fileName: string): boolean {
  return fileName.endsWith('/') || path.posix.basename(fileName) === '.';
}

/**
 * Two entries of one file name in different folders (`a/jalan.shp`, `b/jalan.shp`): the
 * archive's folders are dropped on unpacking, so one would silently replace the other.
 */
function duplicateName(first: string, second: string): SourceFileError {
  const message =
    `The zip archive holds two files named ${path.basename(second)} (${first} and ` +
    `${second}); zip one dataset at a time, or rename one of them.`;
  return new SourceFileError('unreadable-zip', message, {
    code: 'duplicate-name',
    entry: second,
    otherEntry: first,
  });
}

/** An archive unpacking to much more than its size (`maxInflation`), as a zip bomb does. */
function inflatesTooMuch(): SourceFileError {
  const message =
    `The zip archive unpacks to more than ${maxInflation} times its size and more than ` +
    `${freelyUnpackedBytes / 1024 ** 3} GB, as a zip bomb does; zip the files again.`;
  return new SourceFileError('zip-too-large', message, {
    code: 'inflation',
    maxInflation,
    freelyGb: freelyUnpackedBytes / 1024 ** 3,
  });
}

function withoutFinalStop(text: string): string {
  return text.replace(/\.+$/, '');
}

/**
 * An entry's failure (damaged data, a compression or encryption not read) as a refusal. A
 * failing system call (writing to a full disk, reading the upload) is this server's fault,
 * not the file's: it stays as it is, so the import fails without blaming, or deleting, the
 * upload.
 */
function unreadableEntry(entry: yauzl.Entry, error: unknown): unknown {
  if (error instanceof SourceFileError) return error;
  if (typeof (error as NodeJS.ErrnoException | undefined)?.syscall === 'string') return error;
  const reason = withoutFinalStop(error instanceof Error ? error.message : String(error));
  const message = `The zip archive cannot be read: ${entry.fileName}: ${reason}.`;
  const params = { code: 'damaged-entry', entry: entry.fileName, reason };
  return new SourceFileError('unreadable-zip', message, params);
}

/**
 * The streams that read an entry's bytes: a deflated entry is inflated a megabyte at a time
 * rather than in yauzl's 16 KB steps, each a callback and a file write on the main thread
 * (100,000 road segments, 46 MB unpacked: 0.19 s instead of 0.3 s, a third of the processor
 * time). yauzl then no longer checks the inflated size, so it is checked here.
 */
async function entryStreams(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable[]> {
  if (entry.compressionMethod !== 8 || entry.isEncrypted()) {
    return [await zip.openReadStreamPromise(entry), checkedCrc(entry)];
  }
  const compressed = await zip.openReadStreamPromise(entry, { decompress: false });
  const inflate = zlib.createInflateRaw({ chunkSize: inflateChunkBytes });
  return [compressed, inflate, checkedSize(entry), checkedCrc(entry)];
}

/**
 * Passes an entry's bytes on, failing when they do not match the CRC-32 the archive keeps for
 * them: yauzl checks none, and a stored (uncompressed) entry has no other check of its bytes.
 */
function checkedCrc(entry: yauzl.Entry): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = zlib.crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      const matches = crc >>> 0 === entry.crc32 >>> 0;
      done(matches ? null : new Error('its bytes do not match the CRC-32 the archive keeps'));
    },
  });
}

/** Passes an entry's inflated bytes on, failing when they are not as many as it declares. */
function checkedSize(entry: yauzl.Entry): Transform {
  let bytes = 0;
  const wrongSize = () =>
    new SourceFileError(
      'unreadable-zip',
      `The zip archive cannot be read: ${entry.fileName} does not inflate to the ` +
        `${entry.uncompressedSize} bytes it declares.`,
      { entry: entry.fileName, declaredBytes: entry.uncompressedSize },
    );
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > entry.uncompressedSize ? wrongSize() : null, chunk);
    },
    flush(done) {
      done(bytes === entry.uncompressedSize ? null : wrongSize());
    },
  });
}

/** Packs files into a zip at `target`, each under its base name. */
export async function packZip(files: readonly string[], target: string): Promise<void> {
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  for (const file of files) zip.addFile(file, path.basename(file));
  zip.end();
  await pipeline(zip.outputStream, fs.createWriteStream(target));
}
