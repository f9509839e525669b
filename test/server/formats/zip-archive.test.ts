import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { SourceFileError } from '../../../server/formats/source-feature.js';
import { packZip, unpackZip } from '../../../server/formats/zip-archive.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

/** Text that deflates well and spans several inflate steps, as a `.dbf` of padded fields does. */
const paddedRecords = Array.from({ length: 40000 }, (_, i) => `Jalan Contoh ${i}`.padEnd(80)).join(
  '',
);

/** Offset of the uncompressed size in a central directory header (signature PK\x01\x02). */
const centralSizeOffset = 24;

/**
 * Rewrites the uncompressed sizes that the archive's central directory declares for its
 * entries, the first entry's first.
 */
function declareUncompressedSize(zipFile: string, ...bytes: number[]) {
  const archive = fs.readFileSync(zipFile);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  let header = archive.indexOf(signature);
  for (const size of bytes) {
    archive.writeUInt32LE(size, header + centralSizeOffset);
    header = archive.indexOf(signature, header + 1);
  }
  fs.writeFileSync(zipFile, archive);
}

describe('unpacking a zip archive', () => {
  let folder: string;
  let archive: string;
  beforeEach(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-zip-archive-'));
    const source = path.join(folder, 'roads.dbf');
    fs.writeFileSync(source, paddedRecords);
    archive = path.join(folder, 'roads.zip');
    await packZip([source], archive);
    fs.mkdirSync(path.join(folder, 'out'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('writes each entry back byte for byte, however many steps it inflates in', async () => {
    const files = await unpackZip(archive, path.join(folder, 'out'));

    expect(files.map((f) => path.basename(f))).toEqual(['roads.dbf']);
    expect(fs.readFileSync(files[0]!, 'latin1')).toBe(paddedRecords);
  });

  it('refuses an entry that inflates to more bytes than it declares', async () => {
    declareUncompressedSize(archive, paddedRecords.length - 1);

    const unpacking = unpackZip(archive, path.join(folder, 'out'));

    await expect(unpacking).rejects.toThrow(SourceFileError);
    await expect(unpacking).rejects.toMatchObject({ code: 'unreadable-zip' });
  });

  // A 20 MB archive of zeros wrote 20 GB to the import folder, for minutes, at each unpacking.
  it('refuses an archive unpacking to 2 GB and 200 times its size, writing none', async () => {
    const second = path.join(folder, 'roads.shp');
    fs.writeFileSync(second, paddedRecords);
    await packZip([path.join(folder, 'roads.dbf'), second], archive);
    // the first alone may be unpacked; with the second the archive is too large
    declareUncompressedSize(archive, 1.5 * 1024 ** 3, 1024 ** 3);

    const unpacking = unpackZip(archive, path.join(folder, 'out'));

    await expect(unpacking).rejects.toMatchObject({
      code: 'zip-too-large',
      params: { code: 'inflation', maxInflation: 200, freelyGb: 2 },
    });
    expect(fs.readdirSync(path.join(folder, 'out'))).toEqual([]);
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/zip-too-large',
      code: 'inflation',
      maxInflation: 200,
      freelyGb: 2,
    });
    expect(describeRefusal(refusal)).toMatch(/^Arsip zip berisi lebih dari 200 kali ukurannya/);
  });

  it('passes over an entry naming a folder by its dot, as over the folder itself', async () => {
    const dotted = path.join(folder, 'dotted.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{"type":"FeatureCollection","features":[]}'), 'a/jalan.geojson');
    zip.addBuffer(Buffer.from(''), 'a/.');
    zip.end();
    await pipeline(zip.outputStream, fs.createWriteStream(dotted));

    const files = await unpackZip(dotted, path.join(folder, 'out'));

    expect(files.map((f) => path.basename(f))).toEqual(['jalan.geojson']);
  });

  it("fails as the server's fault, not a damaged file, when an entry is unwritable", async () => {
    // a folder where the entry's file goes stands for a full disk: writing fails on this side
    const archive = path.join(folder, 'roads.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{"type":"FeatureCollection","features":[]}'), 'jalan.geojson');
    zip.end();
    await pipeline(zip.outputStream, fs.createWriteStream(archive));
    const out = path.join(folder, 'out');
    fs.mkdirSync(path.join(out, 'jalan.geojson'), { recursive: true });

    const failure = await unpackZip(archive, out).catch((error: unknown) => error);

    expect(failure).not.toBeInstanceOf(SourceFileError);
    expect(failure).toMatchObject({ code: 'EISDIR' });
  });

  it('refuses two files of one name in different folders rather than keep one', async () => {
    const twoFolders = path.join(folder, 'two-folders.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{"type":"FeatureCollection","features":[]}'), 'a/jalan.geojson');
    zip.addBuffer(Buffer.from('{"type":"FeatureCollection","features":[]}'), 'b/Jalan.geojson');
    zip.end();
    await pipeline(zip.outputStream, fs.createWriteStream(twoFolders));

    const unpacking = unpackZip(twoFolders, path.join(folder, 'out'));

    await expect(unpacking).rejects.toMatchObject({
      code: 'unreadable-zip',
      params: { code: 'duplicate-name', entry: 'b/Jalan.geojson', otherEntry: 'a/jalan.geojson' },
    });
  });

  it('refuses a stored entry whose bytes no longer match their checksum', async () => {
    const stored = path.join(folder, 'stored.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{"type":"FeatureCollection","features":[]}'), 'jalan.geojson', {
      compress: false,
    });
    zip.end();
    await pipeline(zip.outputStream, fs.createWriteStream(stored));
    const bytes = fs.readFileSync(stored);
    bytes[bytes.indexOf('FeatureCollection')] = 'f'.charCodeAt(0);
    fs.writeFileSync(stored, bytes);

    const unpacking = unpackZip(stored, path.join(folder, 'out'));

    await expect(unpacking).rejects.toMatchObject({
      code: 'unreadable-zip',
      params: { code: 'damaged-entry', entry: 'jalan.geojson' },
    });
  });

  it('refuses an entry that inflates to fewer bytes than it declares', async () => {
    declareUncompressedSize(archive, paddedRecords.length + 1);

    const unpacking = unpackZip(archive, path.join(folder, 'out'));

    await expect(unpacking).rejects.toMatchObject({ code: 'unreadable-zip' });
  });
});
