import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DBFFile, type FieldDescriptor } from 'dbffile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShapefile, shapefilePartsAt } from '../../../server/formats/read-shapefile.js';
import { unpackZip } from '../../../server/formats/zip-archive.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/import');

/** Desa names as a Windows GIS tool and a Linux one would both hold them. */
const accentedNames = ['Tégalréja', 'Karangsari Kulon', 'Pasar Majenang Léor'];

interface DbfOptions {
  /** The encoding the `.dbf` text is written in. */
  encoding: string;
  names?: string[];
  /** Byte 29 of the header; dbffile writes 0 (no code page named). */
  languageDriver?: number;
  cpg?: string;
  /** A binary FoxPro integer field holding these values beside the names. */
  integers?: number[];
  /** The width of the name field in bytes (40). */
  size?: number;
}

describe('reading a Shapefile .dbf in the encoding it was written in', () => {
  let folder: string;
  let geometry: { shp: string; shx: string };
  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-read-shapefile-'));
    const unpacked = path.join(folder, 'fixture');
    fs.mkdirSync(unpacked);
    const files = await unpackZip(path.join(fixtures, 'desa-utm49s-utf8.zip'), unpacked);
    geometry = {
      shp: files.find((f) => f.endsWith('.shp'))!,
      shx: files.find((f) => f.endsWith('.shx'))!,
    };
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** The three desa polygons of the fixture with a `.dbf` written as `options` say. */
  const writeShapefile = async (name: string, options: DbfOptions) => {
    const dir = path.join(folder, name);
    fs.mkdirSync(dir);
    fs.copyFileSync(geometry.shp, path.join(dir, 'desa.shp'));
    fs.copyFileSync(geometry.shx, path.join(dir, 'desa.shx'));
    const fields: FieldDescriptor[] = [{ name: 'NAMA', type: 'C', size: options.size ?? 40 }];
    if (options.integers) fields.push({ name: 'LUAS', type: 'I', size: 4 });
    const dbf = path.join(dir, 'desa.dbf');
    const fileVersion = options.integers ? 0x30 : 0x03;
    const file = await DBFFile.create(dbf, fields, { encoding: options.encoding, fileVersion });
    const names = options.names ?? accentedNames;
    await file.appendRecords(names.map((n, i) => ({ NAMA: n, LUAS: options.integers?.[i] })));
    if (options.languageDriver !== undefined) {
      const descriptor = fs.openSync(dbf, 'r+');
      fs.writeSync(descriptor, Buffer.from([options.languageDriver]), 0, 1, 29);
      fs.closeSync(descriptor);
    }
    if (options.cpg !== undefined) fs.writeFileSync(path.join(dir, 'desa.cpg'), options.cpg);
    return path.join(dir, 'desa.shp');
  };

  const read = async (shp: string, encoding?: string) => {
    const source = await openShapefile(shapefilePartsAt(shp), encoding);
    const names: unknown[] = [];
    for await (const feature of source.features()) names.push(feature.properties.NAMA);
    return { encoding: source.encoding, notes: source.notes.map((n) => n.text).join(' '), names };
  };

  it('reads UTF-8 names with diacritics right when no .cpg says so', async () => {
    const shp = await writeShapefile('utf8-no-cpg', { encoding: 'utf-8' });

    const read1 = await read(shp);

    expect(read1.names).toEqual(accentedNames);
    expect(read1.encoding).toBe('utf-8');
    expect(read1.notes).toContain('UTF-8 with accented letters');
  });

  it('reads UTF-8 cut mid-letter at the field width as UTF-8, without the cut letter', async () => {
    // dbffile, like ArcGIS, cuts a value at the field width in bytes: "é" loses its 2nd byte
    const names = ['Tégal', 'Karangsaré', 'Léor'];
    const shp = await writeShapefile('utf8-cut', { encoding: 'utf-8', names, size: 10 });
    const dbf = fs.readFileSync(shp.replace(/\.shp$/, '.dbf'));
    // the fixture holds the cut letter: its lead byte, then the next record's deletion flag
    expect(dbf.includes(Buffer.from('Karangsar\xc3 ', 'latin1'))).toBe(true);

    const read1 = await read(shp);

    expect(read1.names).toEqual(['Tégal', 'Karangsar', 'Léor']);
    expect(read1.encoding).toBe('utf-8');
    expect(read1.notes).toContain('cut mid-letter');
  });

  it('leaves out a letter cut at the field width when the .cpg says UTF-8', async () => {
    const names = ['Karangsaré', 'Tégal', 'Léor'];
    const shp = await writeShapefile('utf8-cut-cpg', {
      encoding: 'utf-8',
      names,
      size: 10,
      cpg: 'UTF-8',
    });

    expect((await read(shp)).names).toEqual(['Karangsar', 'Tégal', 'Léor']);
  });

  it('reads Windows-1252 names right when no .cpg names the encoding', async () => {
    const shp = await writeShapefile('cp1252-no-cpg', { encoding: 'windows-1252' });

    const read1 = await read(shp);

    expect(read1.names).toEqual(accentedNames);
    expect(read1.encoding).toBe('windows-1252');
    expect(read1.notes).toContain('the Windows default, since it is not UTF-8');
  });

  it('says plain ASCII text reads the same in every encoding', async () => {
    const names = ['Tegalreja', 'Karangsari Kulon', 'Pasar Majenang'];
    const shp = await writeShapefile('ascii', { encoding: 'windows-1252', names });

    const read1 = await read(shp);

    expect(read1.names).toEqual(names);
    expect(read1.notes).toContain('plain ASCII');
  });

  it('reads the code page the .dbf language driver names before guessing', async () => {
    // DOS code page 850 (LDID 0x02): é is 0x82, which alone is not UTF-8 nor meant as cp1252
    const shp = await writeShapefile('cp850', { encoding: 'cp850', languageDriver: 0x02 });

    const read1 = await read(shp);

    expect(read1.names).toEqual(accentedNames);
    expect(read1.encoding).toBe('cp850');
    expect(read1.notes).toContain('language driver (0x02)');
  });

  it('follows the .cpg over the language driver and over what the text looks like', async () => {
    const options = { encoding: 'windows-1252', languageDriver: 0x57, cpg: 'UTF-8' };
    const shp = await writeShapefile('cpg-first', options);

    const read1 = await read(shp);

    expect(read1.encoding).toBe('utf-8');
    expect(read1.names[0]).toBe('T\ufffdgalr\ufffdja');
  });

  it('reads the encoding given over the .cpg, the language driver and the text', async () => {
    const options = { encoding: 'utf-8', languageDriver: 0x03, cpg: 'UTF-8' };
    const shp = await writeShapefile('given', options);

    const read1 = await read(shp, 'windows-1252');

    expect(read1.encoding).toBe('windows-1252');
    expect(read1.names[0]).toBe('TÃ©galrÃ©ja');
    expect(read1.notes).toContain('as asked');
  });

  it('looks only at text fields, so binary numbers do not hide UTF-8 text', async () => {
    // 0xE9 bytes in a binary integer are no UTF-8, but they are not text either
    const integers = [0xe9e9e9, 0xc3, 0xff];
    const shp = await writeShapefile('binary', { encoding: 'utf-8', integers });

    const read1 = await read(shp);

    expect(read1.names).toEqual(accentedNames);
    expect(read1.encoding).toBe('utf-8');
  });

  it('refuses a Shapefile without its .dbf, which holds its attributes', async () => {
    const shp = await writeShapefile('no-dbf', { encoding: 'utf-8' });
    fs.rmSync(shp.replace(/\.shp$/, '.dbf'));

    const opening = openShapefile(shapefilePartsAt(shp));

    const refusal = { code: 'missing-dbf', params: { file: 'desa' } };
    await expect(opening).rejects.toMatchObject(refusal);
    await expect(opening).rejects.toThrow(/desa\.shp has no \.dbf file/);
  });

  it('refuses a .dbf holding another number of records than the .shp has shapes', async () => {
    const fewer = await writeShapefile('fewer-records', { encoding: 'utf-8', names: ['Satu'] });
    const more = await writeShapefile('more-records', {
      encoding: 'utf-8',
      names: [...accentedNames, 'Keempat'],
    });

    const openings = [fewer, more].map((shp) => openShapefile(shapefilePartsAt(shp)));

    await expect(openings[0]).rejects.toMatchObject({
      code: 'dbf-record-count',
      params: { file: 'desa', records: 1, shapes: 3 },
    });
    await expect(openings[1]).rejects.toMatchObject({ params: { records: 4, shapes: 3 } });
  });

  it('refuses a .dbf with fewer records than shapes when no .shx counts them', async () => {
    const shp = await writeShapefile('fewer-no-shx', { encoding: 'utf-8', names: ['Satu'] });
    fs.rmSync(shp.replace(/\.shp$/, '.shx'));

    const reading = read(shp);

    await expect(reading).rejects.toMatchObject({ code: 'dbf-record-count' });
  });

  it('reads a Shapefile whose files end in upper-case extensions (.SHP, .DBF)', async () => {
    const shp = await writeShapefile('upper-case', { encoding: 'utf-8', cpg: 'UTF-8' });
    for (const extension of ['shp', 'shx', 'dbf', 'cpg']) {
      const upper = path.join(path.dirname(shp), `DESA.${extension.toUpperCase()}`);
      fs.renameSync(shp.replace(/shp$/, extension), upper);
    }

    const read1 = await read(path.join(path.dirname(shp), 'DESA.SHP'));

    expect(read1.names).toEqual(accentedNames);
    expect(read1.encoding).toBe('utf-8');
  });

  it('refuses an encoding it does not know, naming some it does', async () => {
    const shp = await writeShapefile('unknown', { encoding: 'utf-8' });

    const opening = openShapefile(shapefilePartsAt(shp), 'klingon-8');

    await expect(opening).rejects.toThrow(/"klingon-8" is not a text encoding; use e\.g\. utf-8/);
  });
});
