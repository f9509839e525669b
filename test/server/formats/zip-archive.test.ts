import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { SourceFileError } from '../../../server/formats/source-feature.js';
import { packZip, unpackZip } from '../../../server/formats/zip-archive.js';

/** Text that deflates well and spans several inflate steps, as a `.dbf` of padded fields does. */
const paddedRecords = Array.from({ length: 40000 }, (_, i) => `Jalan Contoh ${i}`.padEnd(80)).join(
  '',
);

/** Offset of the uncompressed size in a central directory header (signature PK\x01\x02). */
const centralSizeOffset = 24;

/** Rewrites the uncompressed size that the archive's central directory declares for its entry. */
function declareUncompressedSize(zipFile: string, bytes: number) {
  const archive = fs.readFileSync(zipFile);
  const header = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  archive.writeUInt32LE(bytes, header + centralSizeOffset);
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
