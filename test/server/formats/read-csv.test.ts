import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../../layers/types.js';
import { parseAttributeText } from '../../../layers/validate-attributes.js';
import { detectCsvLayout, openCsv } from '../../../server/formats/read-csv.js';
import { importText } from '../../../web/import/import-messages.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-csv-test-'));

describe('reading CSV', () => {
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('names the real options to give when it finds no geometry column', () => {
    const file = path.join(folder, 'no-geometry.csv');
    fs.writeFileSync(file, 'nama,jenis,timur,utara\nBalai desa,titik_kumpul,287337,9152163\n');

    expect(() => detectCsvLayout(file)).toThrow(/--wkt-column.*csv\.wktColumn/s);
    expect(() => detectCsvLayout(file)).toThrow(/--x-column and --y-column.*csv\.xColumn/s);
  });

  it('numbers rows as a spreadsheet does, a multi-line cell one row, LF or CRLF', async () => {
    const lines = [
      'name,type,lon,lat',
      '"Balai',
      'Dua Baris",titik_kumpul,109.072089,-7.66587',
      'Kedua,bogus,109.072089,-7.66587',
      '',
      'Ketiga,titik_kumpul,,',
    ];
    const rowsOf = async (lineEnd: string) => {
      const file = path.join(folder, `multi-line-${lineEnd.length}.csv`);
      fs.writeFileSync(file, lines.join(lineEnd) + lineEnd);
      const rows: [number, unknown][] = [];
      for await (const record of openCsv(file, 'titik').features()) {
        rows.push([record.rowNumber, record.properties.name]);
      }
      return rows;
    };

    const lf = await rowsOf('\n');
    const crlf = await rowsOf('\r\n');

    expect(crlf.map(([row]) => row)).toEqual(lf.map(([row]) => row));
    expect(lf).toEqual([
      [2, 'Balai\nDua Baris'],
      [3, 'Kedua'],
      [5, 'Ketiga'],
    ]);
  });

  it('reads a column of a repeated name under a name of its own, saying so', async () => {
    const file = path.join(folder, 'repeated.csv');
    fs.writeFileSync(file, 'nama,ket,ket,lon,lat\nBalai,satu,dua,109.07,-7.66\n');

    const source = openCsv(file, 'titik');
    const records = [];
    for await (const record of source.features()) records.push(record.properties);

    expect(source.fields).toEqual(['nama', 'ket', 'ket_2']);
    expect(records).toEqual([{ nama: 'Balai', ket: 'satu', ket_2: 'dua' }]);
    expect(source.notes).toContainEqual(
      expect.objectContaining({
        code: 'csv-repeated-column',
        params: { column: 'ket', renamed: 'ket_2', position: 3 },
      }),
    );
    expect(
      importText('note.csv-repeated-column', { column: 'ket', renamed: 'ket_2', position: 3 }),
    ).toBe('CSV memuat lebih dari satu kolom "ket"; kolom ke-3 dibaca sebagai "ket_2".');
  });

  it('reads columns named as properties every object has (__proto__, constructor)', async () => {
    const file = path.join(folder, 'proto.csv');
    fs.writeFileSync(file, '__proto__,constructor,nama,lon,lat\na,b,Balai,109.07,-7.66\n');

    const records = [];
    for await (const record of openCsv(file, 'titik').features()) records.push(record);

    expect(records.map((r) => ({ ...r.properties }))).toEqual([
      JSON.parse('{"__proto__": "a", "constructor": "b", "nama": "Balai"}'),
    ]);
  });

  // Google Sheets set to Indonesian downloads a comma-delimited CSV, quoting its decimal commas
  it('reads quoted decimal-comma coordinates of a comma-delimited CSV', async () => {
    const file = path.join(folder, 'sheets.csv');
    fs.writeFileSync(file, 'nama,lon,lat,kapasitas\nBalai,"109,0712","-7,6634","6,5"\n');

    const records = [];
    for await (const record of openCsv(file, 'titik').features()) records.push(record);

    expect(records.map((r) => [r.properties, r.geometry])).toEqual([
      [
        { nama: 'Balai', kapasitas: '6,5' },
        { type: 'Point', coordinates: [109.0712, -7.6634] },
      ],
    ]);
  });

  it('reads a header with a space after each comma by its names', async () => {
    const file = path.join(folder, 'spaced.csv');
    fs.writeFileSync(file, 'nama, jenis, lon, lat\nBalai, titik_kumpul, 109.07, -7.66\n');

    const records = [];
    for await (const record of openCsv(file, 'titik').features()) records.push(record);

    expect(records.map((r) => [r.properties, r.geometry])).toEqual([
      [
        { nama: 'Balai', jenis: ' titik_kumpul' },
        { type: 'Point', coordinates: [109.07, -7.66] },
      ],
    ]);
  });

  // A WKT file from a spreadsheet set to Indonesian: its decimal comma was looked for in the
  // coordinate columns only, so `1.200` (1200 m) was stored as 1.2 without a word.
  it('finds a decimal comma in any column of a WKT file, reading 1.200 as 1200', async () => {
    const file = path.join(folder, 'wkt-koma.csv');
    const lines = [
      'nama;panjang;lebar;wkt',
      'Jl. Gatot Subroto;1.200;6,5;LINESTRING(109.0 -7.7, 109.01 -7.7)',
      'Jl. Kalimantan;850;7;LINESTRING(109.0 -7.71, 109.01 -7.71)',
    ];
    fs.writeFileSync(file, lines.join('\n'));

    const source = openCsv(file, 'jalan');

    expect(source.decimalComma).toBe(true);
    const length = { name: 'panjang', type: 'number' } as AttributeDefinition;
    expect(parseAttributeText(length, '1.200', { decimalComma: source.decimalComma })).toBe(1200);
    expect(source.notes.map((note) => note.code)).not.toContain('csv-point-ambiguous');
  });

  it('keeps a decimal point where another number of the column writes one', () => {
    const file = path.join(folder, 'wkt-titik.csv');
    const lines = ['nama;panjang;wkt', 'A;1.200;POINT(109 -7.7)', 'B;2.5;POINT(109 -7.7)'];
    fs.writeFileSync(file, lines.join('\n'));

    const layout = detectCsvLayout(file);

    expect(layout.decimalComma).toBe(false);
    expect(layout.numberNotes).toEqual([]);
  });

  it('says which columns hold numbers read either way, in both languages', () => {
    const file = path.join(folder, 'wkt-ragu.csv');
    const lines = ['nama;panjang;wkt', 'A;1.200;POINT(109 -7.7)', 'B;850;POINT(109 -7.7)'];
    fs.writeFileSync(file, lines.join('\n'));

    const source = openCsv(file, 'jalan');
    const note = source.notes.find((n) => n.code === 'csv-point-ambiguous');

    expect(source.decimalComma).toBe(false);
    expect(note?.params).toEqual({ column: 'panjang', example: '1.200', read: 1.2, grouped: 1200 });
    expect(note?.text).toMatch(/"panjang" holds numbers such as 1\.200.*\(1200\)/);
    const indonesian = importText('note.csv-point-ambiguous', note!.params);
    expect(indonesian).toMatch(/^Kolom "panjang" berisi angka seperti 1\.200.*desimal "koma"/);
  });

  it.each([
    ['a WKT column as GDAL writes it', '_WKTgeom_EPSG_32749_POINT', 'POINT (287337 9152163)'],
    ['a WKT column naming no geometry type', '_WKTgeom_EPSG_32749', 'POINT (287337 9152163)'],
    ['x and y columns', 'x_EPSG_32749,y_EPSG_32749', '287337,9152163'],
  ])('takes the CRS from the names of %s, reading the geometry', async (_, columns, cells) => {
    const file = path.join(folder, `named-crs-${columns.length}.csv`);
    fs.writeFileSync(file, `nama,${columns}\nBalai,"${cells.replace(',', '","')}"\n`);

    const source = openCsv(file, 'titik');
    const records = [];
    for await (const record of source.features()) records.push(record);

    expect(source.crs).toEqual({ epsg: 32749 });
    expect(source.fields).toEqual(['nama']);
    expect(records[0]!.geometry).toEqual({ type: 'Point', coordinates: [287337, 9152163] });
  });

  it('takes no CRS from x and y columns naming two different ones', () => {
    const file = path.join(folder, 'two-crs.csv');
    fs.writeFileSync(file, 'nama,x_EPSG_32749,y_EPSG_32750\nBalai,287337,9152163\n');

    expect(openCsv(file, 'titik').crs).toBeUndefined();
  });

  it("reads a CSV starting with Excel's sep= line by the delimiter it names", async () => {
    const file = path.join(folder, 'excel-sep.csv');
    const lines = ['sep=;', 'nama;ket;bujur;lintang', 'Balai;satu, dua;109,07;-7,66', ''];
    fs.writeFileSync(file, lines.join('\r\n'));

    const source = openCsv(file, 'titik');
    const records = [];
    for await (const record of source.features()) records.push(record);

    expect(source.fields).toEqual(['nama', 'ket']);
    expect(source.decimalComma).toBe(true);
    expect(records.map((r) => [r.rowNumber, r.properties, r.geometry])).toEqual([
      [2, { nama: 'Balai', ket: 'satu, dua' }, { type: 'Point', coordinates: [109.07, -7.66] }],
    ]);
  });

  it('reads coordinates in decimal notation only, never as hex or binary', async () => {
    const file = path.join(folder, 'hex-coordinates.csv');
    const rows = ['Desimal,109.07,-7.66', 'Heksa,0x6d,-7.66', 'Biner,0b1101101,-7'];
    fs.writeFileSync(file, ['name,lon,lat', ...rows].join('\n') + '\n');

    const geometries: [unknown, unknown][] = [];
    for await (const record of openCsv(file, 'titik').features()) {
      geometries.push([record.properties.name, record.geometry]);
    }

    // a coordinate that is not a number stays NaN, which the validation names
    expect(geometries).toEqual([
      ['Desimal', { type: 'Point', coordinates: [109.07, -7.66] }],
      ['Heksa', { type: 'Point', coordinates: [NaN, -7.66] }],
      ['Biner', { type: 'Point', coordinates: [NaN, -7] }],
    ]);
  });
});

describe('the text encoding of a CSV', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-csv-encoding-test-'));
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** A semicolon CSV as Excel on Windows saves it: Windows-1252, CRLF. */
  const excelCsv = (rows: string[]) => {
    const file = path.join(folder, `excel-${rows.length}.csv`);
    const text = ['Nama Sumur;Bujur;Lintang', ...rows].join('\r\n') + '\r\n';
    fs.writeFileSync(file, Buffer.from(text, 'latin1'));
    return file;
  };
  const namesOf = async (source: ReturnType<typeof openCsv>) => {
    const names: unknown[] = [];
    for await (const record of source.features()) names.push(record.properties['Nama Sumur']);
    return names;
  };

  it('reads a Windows-1252 CSV (Excel) as such, saying so, even far into the file', async () => {
    const plain = Array.from({ length: 30000 }, (_, i) => `Sumur ${i};109,01;-7,60`);
    const file = excelCsv([...plain, 'Sumur Café Désa;109,02;-7,61']);

    const source = openCsv(file, 'excel');
    const names = await namesOf(source);

    expect(names.at(-1)).toBe('Sumur Café Désa');
    expect(source.encoding).toBe('windows-1252');
    expect(source.notes.map((n) => n.code)).toContain('csv-encoding-windows-1252');
  });

  it('reads a UTF-8 CSV as UTF-8, and the encoding given over what it finds', async () => {
    const utf8 = path.join(folder, 'utf8.csv');
    fs.writeFileSync(utf8, 'Nama Sumur,lon,lat\nSumur Café,109.01,-7.6\n');
    const latin = excelCsv(['Sumur Café;109,01;-7,60']);

    expect(await namesOf(openCsv(utf8, 'utf8'))).toEqual(['Sumur Café']);
    expect(await namesOf(openCsv(latin, 'latin', {}, 'iso-8859-1'))).toEqual(['Sumur Café']);
    expect(await namesOf(openCsv(utf8, 'utf8', {}, 'windows-1252'))).toEqual(['Sumur CafÃ©']);
    expect(() => openCsv(utf8, 'utf8', {}, 'klingon')).toThrow(/not a text encoding/);
  });

  // ISO-8859-1 holds control characters where windows-1252 has its quotes and dashes: a file
  // saved on Windows and labelled ISO-8859-1 stored them as invisible controls
  it('reads a file said to be ISO-8859-1 as windows-1252, as browsers do', async () => {
    // the right quote and the en dash as windows-1252 writes them, 0x92 and 0x96
    const quoted = excelCsv(['Masjid Jami\x92 \x96 Kroya;109,01;-7,60']);

    const source = openCsv(quoted, 'quoted', {}, 'iso-8859-1');

    expect(await namesOf(source)).toEqual(['Masjid Jami\u2019 \u2013 Kroya']);
    expect(source.encoding).toBe('windows-1252');
  });

  it('reads Unicode text saved by Excel (UTF-16 with its byte order mark)', async () => {
    const text = 'Nama Sumur\tBujur\tLintang\r\nSumur Café\t109,01\t-7,60\r\n';
    const little = path.join(folder, 'unicode-le.txt');
    fs.writeFileSync(
      little,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const big = path.join(folder, 'unicode-be.txt');
    const bigEndian = Buffer.from(text, 'utf16le').swap16();
    fs.writeFileSync(big, Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian]));

    for (const file of [little, big]) {
      const source = openCsv(file, 'unicode');
      expect(source.fields).toEqual(['Nama Sumur']);
      expect(await namesOf(source)).toEqual(['Sumur Café']);
    }
  });

  it('reads header names in the encoding too', () => {
    const file = path.join(folder, 'header.csv');
    fs.writeFileSync(file, Buffer.from('Désa;Bujur;Lintang\r\nA;109,01;-7,60\r\n', 'latin1'));

    expect(openCsv(file, 'header').fields).toEqual(['Désa']);
  });
});
