import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DBFFile, type FieldDescriptor } from 'dbffile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlainDbf } from '../../../server/formats/read-dbf.js';
import { unpackZip } from '../../../server/formats/zip-archive.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/import');

/** Every field type read without dbffile, with diacritics, blanks and missing values. */
const desaFields: FieldDescriptor[] = [
  { name: 'NAMA', type: 'C', size: 40 },
  { name: 'LUAS_HA', type: 'N', size: 12, decimalPlaces: 3 },
  { name: 'PENDUDUK', type: 'F', size: 10, decimalPlaces: 0 },
  { name: 'PESISIR', type: 'L', size: 1 },
  { name: 'DIBENTUK', type: 'D', size: 8 },
];

const desaRecords = [
  {
    NAMA: 'Tégalréja',
    LUAS_HA: 412.125,
    PENDUDUK: 5230,
    PESISIR: true,
    DIBENTUK: new Date(Date.UTC(1983, 2, 1)),
  },
  { NAMA: 'Pasar Majenang Léor', LUAS_HA: null, PENDUDUK: 0, PESISIR: false, DIBENTUK: null },
  {
    NAMA: '  Karangsari  ',
    LUAS_HA: -0.5,
    PENDUDUK: null,
    PESISIR: null,
    DIBENTUK: new Date(Date.UTC(2001, 11, 31)),
  },
  { NAMA: '', LUAS_HA: 1e6, PENDUDUK: 12, PESISIR: true, DIBENTUK: null },
];

describe('reading .dbf records without dbffile', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-read-dbf-'));
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  const writeDbf = async (name: string, encoding: string, fileVersion: 0x03 | 0x30 = 0x03) => {
    const file = path.join(folder, name);
    const fields = [...desaFields];
    if (fileVersion === 0x30) fields.push({ name: 'KODE', type: 'I', size: 4 });
    const dbf = await DBFFile.create(file, fields, { encoding, fileVersion });
    const records = desaRecords.map((r, i) =>
      fileVersion === 0x30 ? { ...r, KODE: 3301 + i } : r,
    );
    await dbf.appendRecords(records);
    return file;
  };

  /** What dbffile reads: each record's values in field order. */
  const readWithDbffile = async (file: string, encoding: string) => {
    const dbf = await DBFFile.open(file, {
      encoding,
      readMode: 'loose',
      includeDeletedRecords: true,
    });
    const records = await dbf.readRecords(Infinity);
    return { dbf, values: records.map((r) => dbf.fields.map((f) => r[f.name] ?? null)) };
  };

  it.each<[string, 0x03 | 0x30]>([
    ['windows-1252', 0x03],
    ['utf-8', 0x03],
    ['iso-8859-1', 0x30],
    ['cp850', 0x03],
  ])('reads a %s .dbf (version %i) to the values dbffile reads', async (encoding, version) => {
    const file = await writeDbf(`desa-${encoding}-${version}.dbf`, encoding, version);
    const { dbf, values } = await readWithDbffile(file, encoding);

    const plain = readPlainDbf(file, dbf, encoding);

    expect(plain).toBeDefined();
    expect([...plain!]).toEqual(values);
    expect(values[0]![0]).toBe('Tégalréja');
  });

  it('reads the Shapefile fixtures to the values dbffile reads', async () => {
    const unpacked = path.join(folder, 'fixtures');
    fs.mkdirSync(unpacked);
    const zips = fs.readdirSync(fixtures).filter((f) => f.endsWith('.zip'));
    for (const [index, zip] of zips.entries()) {
      const target = path.join(unpacked, String(index));
      fs.mkdirSync(target);
      const dbfs = (await unpackZip(path.join(fixtures, zip), target)).filter((f) =>
        /\.dbf$/i.test(f),
      );
      for (const file of dbfs) {
        for (const encoding of ['windows-1252', 'utf-8']) {
          const { dbf, values } = await readWithDbffile(file, encoding);

          expect([...readPlainDbf(file, dbf, encoding)!]).toEqual(values);
        }
      }
    }
    expect(zips.length).toBeGreaterThan(2);
  });

  it('leaves a multi-byte code page, a memo field and a cut file to dbffile', async () => {
    const file = await writeDbf('desa-cut.dbf', 'windows-1252');
    const { dbf } = await readWithDbffile(file, 'windows-1252');
    const withMemo = { ...dbf, fields: [...dbf.fields, { name: 'CATATAN', type: 'M', size: 10 }] };
    const cut = path.join(folder, 'cut.dbf');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 20));

    expect(readPlainDbf(file, dbf, 'gbk')).toBeUndefined();
    expect(readPlainDbf(file, withMemo, 'windows-1252')).toBeUndefined();
    expect(readPlainDbf(cut, dbf, 'windows-1252')).toBeUndefined();
  });
});
