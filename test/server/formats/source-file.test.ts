import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../../server/config.js';
import { openSourceFile } from '../../../server/formats/source-file.js';
import { packZip } from '../../../server/formats/zip-archive.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

const fixture = path.resolve(import.meta.dirname, '../../fixtures/import/desa-utm49s-utf8.zip');

function unpackedFolders() {
  fs.mkdirSync(config.importDir, { recursive: true });
  return fs.readdirSync(config.importDir).filter((n) => n.startsWith('unpacked-'));
}

describe('opening a zipped Shapefile', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-source-file-'));
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('unpacks into the import folder, not beside the file, and cleans up on close', async () => {
    const file = path.join(folder, 'desa.zip');
    fs.copyFileSync(fixture, file);
    const unpackedBefore = fs
      .readdirSync(config.importDir)
      .filter((n) => n.startsWith('unpacked-'));

    const source = await openSourceFile(file, 'desa.zip');
    const besideWhileOpen = fs.readdirSync(folder);
    const unpackedWhileOpen = fs
      .readdirSync(config.importDir)
      .filter((n) => n.startsWith('unpacked-') && !unpackedBefore.includes(n));
    const opened = await source.open(undefined);
    let rows = 0;
    for await (const feature of opened.features()) rows += feature ? 1 : 0;
    await source.close();

    expect(source.format).toBe('shapefile');
    expect(rows).toBeGreaterThan(0);
    expect(besideWhileOpen).toEqual(['desa.zip']);
    expect(unpackedWhileOpen).toHaveLength(1);
    expect(fs.existsSync(path.join(config.importDir, unpackedWhileOpen[0]!))).toBe(false);
  });

  it('leaves no unpacking folder behind when the zip cannot be read', async () => {
    const file = path.join(folder, 'truncated.zip');
    fs.writeFileSync(file, fs.readFileSync(fixture).subarray(0, 200));
    const before = unpackedFolders();

    const opening = openSourceFile(file, 'truncated.zip');

    await expect(opening).rejects.toThrow(/cannot be opened/);
    expect(unpackedFolders().filter((n) => !before.includes(n))).toEqual([]);
  });

  it('leaves no unpacking folder behind when the file inside cannot be opened', async () => {
    const inner = path.join(folder, 'roads.gpkg');
    fs.writeFileSync(inner, 'not a GeoPackage');
    const file = path.join(folder, 'roads.zip');
    await packZip([inner], file);
    const before = unpackedFolders();

    const opening = openSourceFile(file, 'roads.zip');

    await expect(opening).rejects.toThrow();
    expect(unpackedFolders().filter((n) => !before.includes(n))).toEqual([]);
  });
});

describe('opening an empty file', () => {
  it('says the file is empty, in any format the name suggests', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-empty-file-'));
    try {
      const refusals = [];
      for (const name of ['titik.geojson', 'titik.geojsonl', 'titik.csv', 'titik.kml']) {
        fs.writeFileSync(path.join(folder, name), '');
        const refusal = await openSourceFile(path.join(folder, name), name).catch((e) => e);
        refusals.push([refusal.code, refusal.message]);
      }

      expect(refusals).toEqual([
        ['empty-upload', 'titik.geojson is empty (0 bytes).'],
        ['empty-upload', 'titik.geojsonl is empty (0 bytes).'],
        ['empty-upload', 'titik.csv is empty (0 bytes).'],
        ['empty-upload', 'titik.kml is empty (0 bytes).'],
      ]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('opening a file named .txt', () => {
  // a GeoJSON saved by a web page or a mail client as .txt was read as CSV, and refused as a
  // CSV without a geometry column
  it('reads it by what it holds: GeoJSON, newline-delimited GeoJSON, KML, else CSV', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-txt-file-'));
    const point = '{"type":"Feature","properties":{},"geometry":null}';
    const texts = [
      `{"type":"FeatureCollection","features":[${point}]}`,
      `${point}\n${point}\n`,
      '<?xml version="1.0"?><kml><Document></Document></kml>',
      'name,wkt\nPos,POINT (109 -7.6)\n',
    ];
    try {
      const formats = [];
      for (const [i, text] of texts.entries()) {
        const file = path.join(folder, `titik-${i}.txt`);
        fs.writeFileSync(file, text);
        formats.push((await openSourceFile(file, `titik-${i}.txt`)).format);
      }

      expect(formats).toEqual(['geojson', 'geojsonseq', 'kml', 'csv']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('opening a GeoPackage', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-source-gpkg-'));
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** A GeoPackage of the given layers: a point layer, or a table without geometry. */
  const writeGeoPackage = (name: string, layers: { name: string; spatial: boolean }[]) => {
    const file = path.join(folder, name);
    const point = { type: 'Point', coordinates: [109.07, -7.66] };
    for (const layer of layers) {
      const source = path.join(folder, `${layer.name}.${layer.spatial ? 'geojson' : 'csv'}`);
      const feature = { type: 'Feature', geometry: point, properties: { nama: 'Balai' } };
      const collection = { type: 'FeatureCollection', features: [feature] };
      const text = layer.spatial ? JSON.stringify(collection) : 'nama,jumlah\nBalai,2\n';
      fs.writeFileSync(source, text);
      const update = fs.existsSync(file) ? ['-update'] : [];
      const args = ['-f', 'GPKG', ...update, file, source, '-nln', layer.name];
      execFileSync('ogr2ogr', args, { stdio: 'ignore' });
    }
    return file;
  };

  it('lists only the layers that hold geometries, not attribute tables', async () => {
    const file = writeGeoPackage('campur.gpkg', [
      { name: 'titik', spatial: true },
      { name: 'tabel_saja', spatial: false },
    ]);

    const source = await openSourceFile(file, 'campur.gpkg');
    await source.close();

    expect(source.layerNames).toEqual(['titik']);
  });

  it('asks which layer of several to read, counting them in the plural', async () => {
    const file = writeGeoPackage('dua.gpkg', [
      { name: 'titik', spatial: true },
      { name: 'balai', spatial: true },
    ]);
    const source = await openSourceFile(file, 'dua.gpkg');

    const refusal = await source.open(undefined).catch((error: unknown) => error);
    await source.close();

    expect(refusal).toMatchObject({
      code: 'choose-source-layer',
      params: { fileName: 'dua.gpkg', sourceLayerCount: 2 },
    });
    expect((refusal as Error).message).toMatch(
      /^dua\.gpkg holds 2 layers; choose one of: (titik, balai|balai, titik)\.$/,
    );
  });

  it('refuses a layer whose name GDAL would take for an option, in both languages', async () => {
    const file = writeGeoPackage('opsi.gpkg', [{ name: 'titik', spatial: true }]);
    // ogr2ogr takes the name for an option too: the layer is renamed once written
    execFileSync('ogrinfo', [file, '-sql', 'ALTER TABLE titik RENAME TO "-progress"'], {
      stdio: 'ignore',
    });
    const source = await openSourceFile(file, 'opsi.gpkg');

    const refusal = await source.open('-progress').catch((error: unknown) => error);
    await source.close();

    expect(refusal).toMatchObject({
      code: 'option-like-layer-name',
      params: { fileName: 'opsi.gpkg', layer: '-progress' },
    });
    expect((refusal as Error).message).toMatch(/^The layer "-progress" of opsi\.gpkg starts/);
    const problem = { type: '/problems/option-like-layer-name', layer: '-progress' };
    const described = describeRefusal(new ImportApiError(400, 'server text', problem));
    expect(described).toMatch(/^Nama lapisan "-progress" diawali tanda minus/);
  });

  it('refuses a GeoPackage holding only tables without geometry, saying so', async () => {
    const file = writeGeoPackage('tabel.gpkg', [{ name: 'tabel_saja', spatial: false }]);

    const opening = openSourceFile(file, 'tabel.gpkg');

    await expect(opening).rejects.toMatchObject({
      code: 'no-geometry-layers',
      params: { fileName: 'tabel.gpkg', tables: ['tabel_saja'] },
    });
    await expect(opening).rejects.toThrow(/tabel\.gpkg holds no layer with geometries/);
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/no-geometry-layers',
      fileName: 'tabel.gpkg',
    });
    expect(describeRefusal(refusal)).toMatch(/^tabel\.gpkg tidak berisi lapisan bergeometri/);
  });

  it('refuses a GeoPackage holding no layer at all, saying so in both languages', async () => {
    const file = writeGeoPackage('kosong.gpkg', [{ name: 'titik', spatial: true }]);
    execFileSync('ogrinfo', [file, '-sql', 'DROP TABLE titik'], { stdio: 'ignore' });

    const opening = openSourceFile(file, 'kosong.gpkg');

    await expect(opening).rejects.toMatchObject({
      code: 'empty-geopackage',
      params: { fileName: 'kosong.gpkg' },
    });
    await expect(opening).rejects.toThrow(/^kosong\.gpkg holds no layer: /);
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/empty-geopackage',
      fileName: 'kosong.gpkg',
    });
    expect(describeRefusal(refusal)).toMatch(/^kosong\.gpkg tidak berisi satu lapisan pun/);
  });

  it('refuses a .gpkg that is no GeoPackage at all, saying what it is not', async () => {
    const file = path.join(folder, 'palsu.gpkg');
    fs.writeFileSync(file, 'nama,jumlah\nBalai,2\n');

    const opening = openSourceFile(file, 'palsu.gpkg');

    await expect(opening).rejects.toMatchObject({
      code: 'unreadable-geopackage',
      params: { fileName: 'palsu.gpkg' },
    });
    await expect(opening).rejects.toThrow(/^palsu\.gpkg is not a GeoPackage: /);
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/unreadable-geopackage',
      fileName: 'palsu.gpkg',
    });
    expect(describeRefusal(refusal)).toMatch(/^palsu\.gpkg bukan GeoPackage/);
  });
});
