import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import proj4 from 'proj4';
import { describe, expect, it, vi } from 'vitest';
import {
  insertImportJob,
  recordJobSession,
  requestImportCancel,
  selectImportJob,
  selectRejections,
} from '../../../server/db/queries/import-jobs.js';
import { openDatabase } from '../../../server/db/pool.js';
import { HttpProblem } from '../../../server/http/problem.js';
import {
  abortLocalImport,
  prepareImport,
  previewImport,
  recordImportJob,
  requireImportJob,
  runImport,
  undoImport,
  type ImportRequest,
} from '../../../server/services/import-service.js';
import {
  cilacapTown,
  farOffshore,
  kroya,
  point,
  useImportScratch,
} from '../../support/import-scratch.js';
import { startFreezableRelay } from '../../support/database-relay.js';

const fixtures = path.resolve('test/fixtures/import');
const utm49s = '+proj=utm +zone=49 +south +datum=WGS84 +units=m +no_defs';

/** Majenang's market, inside Cilacap. */
const majenang = [108.7622, -7.2986];

function square([lon, lat]: number[], d = 0.002) {
  const ring = [
    [lon! - d, lat! - d],
    [lon! + d, lat! - d],
    [lon! + d, lat! + d],
    [lon! - d, lat! + d],
    [lon! - d, lat! - d],
  ];
  return [ring];
}

describe('importing into a layer', () => {
  const { scratch, writeFile, request, importFile } = useImportScratch('simpul-import-test-');

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  const countPoints = async (name: string) =>
    (await query('SELECT count(*)::int AS n FROM evacuation_point WHERE name = $1', [name]))[0]
      .n as number;

  const rejectionsOf = async (jobId: string) =>
    (await selectRejections(scratch.testDatabase.database.pool, jobId, 0, 100)).rejections;

  const desaByCode = async (code: string) =>
    (
      await query(
        `SELECT name, type, kecamatan, ST_X(ST_Centroid(geom)) AS lon,
           ST_Y(ST_Centroid(geom)) AS lat FROM desa WHERE code = $1`,
        [code],
      )
    )[0];

  it('imports a GeoJSON FeatureCollection and names coded values by label', async () => {
    const file = writeFile(
      'points.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          point(cilacapTown, { name: 'Alun-alun Cilacap', type: 'Titik kumpul', capacity: 500 }),
          point(kroya, { name: 'Alun-alun Kroya', type: 'titik_kumpul', capacity: '300' }),
        ],
      }),
    );

    const job = await importFile(file);

    expect(job.status).toBe('succeeded');
    expect(job.rowsWritten).toBe(2);
    expect(await countPoints('Alun-alun Cilacap')).toBe(1);
  });

  it('writes nothing when one row is invalid in all-or-nothing mode, and reports it', async () => {
    const file = writeFile(
      'one-bad.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          point(majenang, { name: 'Pasar Majenang', type: 'titik_kumpul' }),
          point(farOffshore, { name: 'Laut', type: 'titik_kumpul' }),
          point(kroya, { name: 'Lapangan Kroya', type: 'stadion' }),
        ],
      }),
    );

    const job = await importFile(file);

    expect(job.status).toBe('rejected');
    expect(await countPoints('Pasar Majenang')).toBe(0);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 2, field: 'geometry' }),
      expect.objectContaining({ row: 3, field: 'type', reason: expect.stringContaining('one of') }),
    ]);
  });

  // The geometry checks over the load table record their rejections a slice at a time.
  it('records every rejection of a file with more than a slice of them', async () => {
    const features = Array.from({ length: 18001 }, (_, i) =>
      point(i % 3 === 0 ? majenang : farOffshore, { name: `Titik ${i}`, type: 'titik_kumpul' }),
    );
    const file = writeFile(
      'many-outside.geojsonl',
      features.map((f) => JSON.stringify(f)).join('\n'),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    const [recorded] = await query(
      'SELECT count(DISTINCT row_number)::int AS n FROM simpul_import_rejection WHERE job_id = $1',
      [job.id],
    );
    expect([job.rowsWritten, job.rowsRejected, recorded?.n]).toEqual([6001, 12000, 12000]);
  });

  it('writes the valid rows and reports the rest in valid-only mode', async () => {
    const file = writeFile(
      'one-bad-valid-only.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          point(majenang, { name: 'Terminal Majenang', type: 'titik_kumpul' }),
          point(kroya, { name: 'Lapangan Kroya', type: 'stadion' }),
        ],
      }),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect(job.status).toBe('succeeded');
    expect([job.rowsWritten, job.rowsRejected]).toEqual([1, 1]);
    expect(await countPoints('Terminal Majenang')).toBe(1);
  });

  it('reports an invalid geometry, and both problems of one row, counting it once', async () => {
    const [lon, lat] = kroya as [number, number];
    const bowTie = [
      [
        [lon, lat],
        [lon + 0.002, lat + 0.002],
        [lon + 0.002, lat],
        [lon, lat + 0.002],
        [lon, lat],
      ],
    ];
    const feature = (name: string, code: string, coordinates: number[][][]) => ({
      type: 'Feature',
      properties: { name, code, type: 'desa' },
      geometry: { type: 'Polygon', coordinates },
    });
    const file = writeFile(
      'bow-ties.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          feature('Sah', '33.01.98.3001', square(cilacapTown)),
          feature('Pita', '33.01.98.3002', bowTie),
          feature('Pita tanpa kode', '', bowTie),
        ],
      }),
    );

    const job = await importFile(file, { layerId: 'desa', mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 2]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'geometry',
        reason: expect.stringContaining('not valid'),
      }),
      expect.objectContaining({ row: 3, field: 'code' }),
      expect.objectContaining({
        row: 3,
        field: 'geometry',
        reason: expect.stringContaining('not valid'),
      }),
    ]);
  });

  it('promotes Polygons beside MultiPolygons, drops Z and rejects a null geometry', async () => {
    const file = writeFile(
      'mixed.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'Polygon Z', code: '33.01.98.2001', type: 'desa' },
            geometry: {
              type: 'Polygon',
              coordinates: square(cilacapTown).map((r) => r.map((p) => [...p, 12.5])),
            },
          },
          {
            type: 'Feature',
            properties: { name: 'Multi', code: '33.01.98.2002', type: 'desa' },
            geometry: { type: 'MultiPolygon', coordinates: [square(kroya)] },
          },
          {
            type: 'Feature',
            properties: { name: 'Tanpa geometri', code: '33.01.98.2003', type: 'desa' },
            geometry: null,
          },
        ],
      }),
    );

    const job = await importFile(file, { layerId: 'desa', mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 2, 1]);
    expect(job.notes).toContain('Z (elevation) values dropped from 1 feature.');
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 3, field: 'geometry' }),
    ]);
    const types = await query(
      'SELECT DISTINCT GeometryType(geom) AS t, ST_NDims(geom) AS d ' +
        "FROM desa WHERE code LIKE '33.01.98.%'",
    );
    expect(types).toEqual([{ t: 'MULTIPOLYGON', d: 2 }]);
  });

  it('rejects a row whose coordinates are missing instead of failing the import', async () => {
    const file = writeFile(
      'no-coordinates.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          point(kroya, { name: 'Koordinat ada', type: 'titik_kumpul' }),
          {
            ...point(kroya, { name: 'Koordinat hilang', type: 'titik_kumpul' }),
            geometry: { type: 'Point', coordinates: null },
          },
        ],
      }),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 2, field: 'geometry' }),
    ]);
  });

  it('reads a Shapefile in UTM 49S with a cp1252 .dbf, reprojected, names intact', async () => {
    const file = path.join(fixtures, 'desa-utm49s-cp1252.zip');

    const job = await importFile(file, { layerId: 'desa', mapping: mappingWithCode });

    expect(job.status).toBe('succeeded');
    expect(job.notes).toContain('Text read as windows-1252, as the .cpg file says.');
    const desa = await desaByCode('33.01.99.2001');
    expect(desa).toMatchObject({ name: 'Tégalréja', type: 'desa', kecamatan: 'Cilacap Selatan' });
    expect(desa.lon).toBeCloseTo(cilacapTown[0]!, 5);
    expect(desa.lat).toBeCloseTo(cilacapTown[1]!, 5);
    expect((await desaByCode('33.01.99.1003')).type).toBe('kelurahan');
  });

  it('refuses a Shapefile without .prj and asks for its coordinate system', async () => {
    const file = path.join(fixtures, 'desa-utm49s-no-prj.zip');

    const attempt = prepareImport(
      scratch.testDatabase.database.pool,
      request(file, { layerId: 'desa' }),
    );

    await expect(attempt).rejects.toMatchObject({
      status: 400,
      type: 'missing-crs',
      detail: expect.stringContaining('no .prj file'),
    });
  });

  it('reads a Shapefile without .prj once its CRS is given', async () => {
    const file = path.join(fixtures, 'desa-utm49s-no-prj.zip');

    const preview = await previewImport(
      scratch.testDatabase.database.pool,
      request(file, { layerId: 'desa', crs: 'EPSG:32749', mapping: mappingWithCode }),
    );

    // (their codes may already be stored by the test above: only the geometry matters here)
    expect(preview.problems.filter((p) => p.field === 'geometry')).toEqual([]);
    const first = preview.sample[0]!.geometry as { coordinates: number[][][] };
    expect(first.coordinates[0]![0]![0]).toBeCloseTo(cilacapTown[0]! - 0.002, 5);
  });

  it('reads UTF-8 text when the .cpg says UTF-8', async () => {
    const file = path.join(fixtures, 'desa-utm49s-utf8.zip');

    const preview = await previewImport(
      scratch.testDatabase.database.pool,
      request(file, { layerId: 'desa', mapping: mappingWithCode }),
    );

    expect(preview.encoding).toBe('utf-8');
    expect(preview.sample[0]!.properties.NAMA).toBe('Tégalréja');
  });

  it('reads UTF-8 text without .cpg as UTF-8, unless another encoding is given', async () => {
    const file = path.join(fixtures, 'desa-utm49s-utf8-no-cpg.zip');
    const preview = (encoding?: string) =>
      previewImport(
        scratch.testDatabase.database.pool,
        request(file, { layerId: 'desa', mapping: mappingWithCode, encoding }),
      );

    const detected = await preview();
    const given = await preview('windows-1252');

    expect(detected.encoding).toBe('utf-8');
    expect(detected.sample[0]!.properties.NAMA).toBe('Tégalréja');
    expect(detected.notes.join(' ')).toContain('text read as utf-8');
    expect(given.encoding).toBe('windows-1252');
    expect(given.sample[0]!.properties.NAMA).toBe('TÃ©galrÃ©ja');
    expect(given.notes).toContain('Text read as windows-1252, as asked.');
  });

  it('lists the layers of a GeoPackage and imports the one chosen', async () => {
    const file = path.join(fixtures, 'two-layers.gpkg');
    const mapping = { name: 'nama', type: 'jenis', capacity: 'kapasitas' };

    const unchosen = await prepareImport(scratch.testDatabase.database.pool, request(file)).catch(
      (e) => e,
    );
    const job = await importFile(file, { sourceLayers: ['titik_evakuasi'], mapping });

    expect(unchosen).toMatchObject({
      type: 'choose-source-layer',
      detail: expect.stringContaining('batas_desa, titik_evakuasi'),
    });
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    expect(await countPoints('Masjid Agung Kroya')).toBe(1);
  });

  it('refuses a crs for a GeoPackage layer naming its own, which GDAL reprojects', async () => {
    const file = path.join(fixtures, 'two-layers.gpkg');
    const options = { sourceLayers: ['titik_evakuasi'], crs: 'EPSG:32749' };

    const refused = await prepareImport(
      scratch.testDatabase.database.pool,
      request(file, options),
    ).catch((e) => e);

    expect(refused).toMatchObject({ status: 400, type: 'crs-not-applicable' });
  });

  it('asks the CRS of a GeoPackage layer naming none, and reads it in the one given', async () => {
    // UTM 49S metres in a layer without a CRS, as a CSV turned into a GeoPackage leaves it
    const [x, y] = proj4('EPSG:4326', utm49s, kroya);
    const csv = writeFile('tanpa-crs.csv', `x,y,nama,jenis\n${x},${y},Titik UTM,titik_kumpul\n`);
    const file = path.join(path.dirname(csv), 'tanpa-crs.gpkg');
    const args = ['-f', 'GPKG', file, csv, '-nln', 'titik', '-oo', 'X_POSSIBLE_NAMES=x'];
    execFileSync('ogr2ogr', [...args, '-oo', 'Y_POSSIBLE_NAMES=y']);
    const mapping = { name: 'nama', type: 'jenis' };

    const unasked = await prepareImport(
      scratch.testDatabase.database.pool,
      request(file, { mapping }),
    ).catch((e) => e);
    const job = await importFile(file, { mapping, crs: 'EPSG:32749' });

    expect(unasked).toMatchObject({ status: 400, type: 'missing-crs' });
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    const [stored] = await query(
      "SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM evacuation_point WHERE name = 'Titik UTM'",
    );
    expect(stored.lon).toBeCloseTo(kroya[0]!, 6);
    expect(stored.lat).toBeCloseTo(kroya[1]!, 6);
    await query("DELETE FROM evacuation_point WHERE name = 'Titik UTM'");
  });

  it('imports several layers of one file into one layer, numbering rows on', async () => {
    const write = (name: string, names: string[]) =>
      writeFile(
        name,
        JSON.stringify({
          type: 'FeatureCollection',
          features: names.map((n) => point(cilacapTown, { name: n, type: 'titik_kumpul' })),
        }),
      );
    const folder2 = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-gpkg-'));
    const gpkg = path.join(folder2, 'dua.gpkg');
    const { spawnSync } = await import('node:child_process');
    spawnSync('ogr2ogr', [
      '-f',
      'GPKG',
      gpkg,
      write('utara.geojson', ['Utara 1', 'Utara 2']),
      '-nln',
      'utara',
    ]);
    spawnSync('ogr2ogr', [
      '-f',
      'GPKG',
      '-update',
      gpkg,
      write('selatan.geojson', ['Selatan 1', '']),
      '-nln',
      'selatan',
    ]);

    const job = await importFile(gpkg, { sourceLayers: ['utara', 'selatan'], mode: 'valid-only' });

    expect([job.rowsWritten, job.rowsRejected]).toEqual([3, 1]);
    expect(job.notes).toEqual(expect.arrayContaining(['utara: rows 1–2.', 'selatan: rows 3–4.']));
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 4, field: 'name' }),
    ]);
    fs.rmSync(folder2, { recursive: true, force: true });
  });

  it('reads a CSV with a WKT column', async () => {
    const file = writeFile(
      'points-wkt.csv',
      'name,type,capacity,wkt\n' +
        '"Balai Desa Grugu",titik_kumpul,150,"POINT (109.0153 -7.7266)"\n' +
        'SD Negeri 1 Kroya,Tempat evakuasi sementara (TES),400,POINT(109.2456 -7.6329)\n',
    );

    const job = await importFile(file);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    const [row] = await query(
      "SELECT type, capacity FROM evacuation_point WHERE name = 'SD Negeri 1 Kroya'",
    );
    expect(row).toEqual({ type: 'tempat_evakuasi_sementara', capacity: 400 });
  });

  it('matches by name the attributes a given mapping leaves out, as --map adjusts', async () => {
    const file = writeFile(
      'points-renamed.csv',
      'nama_titik,type,capacity,wkt\n' +
        '"Balai Desa Karangkandri",titik_kumpul,120,POINT(109.0 -7.7)\n',
    );
    // name from a field of another name; capacity left empty on purpose
    const mapping = { name: 'nama_titik', capacity: null };

    const preview = await previewImport(
      scratch.testDatabase.database.pool,
      request(file, { mapping }),
    );
    const job = await importFile(file, { mapping });

    expect(preview.mapping).toMatchObject({ name: 'nama_titik', type: 'type', capacity: null });
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    const [row] = await query(
      "SELECT type, capacity FROM evacuation_point WHERE name = 'Balai Desa Karangkandri'",
    );
    expect(row).toEqual({ type: 'titik_kumpul', capacity: null });
  });

  it('detects a semicolon delimiter and decimal commas in a CSV of coordinates', async () => {
    const file = writeFile(
      'points-comma.csv',
      'nama;jenis;kapasitas;bujur;lintang\n' +
        'Lapangan Sidareja;titik_kumpul;2500;108,8127;-7,4805\n' +
        'Gedung Juang;titik_kumpul;;109,0201;-7,7301\n',
    );

    const preview = await previewImport(scratch.testDatabase.database.pool, request(file));
    const job = await importFile(file);

    expect(preview.mapping).toMatchObject({ name: 'nama', type: 'jenis', capacity: 'kapasitas' });
    expect(preview.notes).toContain('Delimiter ";", decimal comma.');
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    const [row] = await query(
      "SELECT ST_X(geom) AS lon, capacity FROM evacuation_point WHERE name = 'Lapangan Sidareja'",
    );
    expect(row).toEqual({ lon: 108.8127, capacity: 2500 });
  });

  it('refuses a CSV of UTM metres read as lon/lat, then reads it in the CRS given', async () => {
    // Lapangan Sidareja and Gedung Juang in UTM zone 49S, as a CSV export in EPSG:32749 writes
    const file = writeFile(
      'points-utm.csv',
      'name,type,x,y\n' +
        'Lapangan Sidareja,titik_kumpul,258609.0,9172532.9\n' +
        'Gedung Juang,titik_kumpul,281633.4,9145032.2\n',
    );
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(file)).catch((error: unknown) => error);
    const job = await importFile(file, { crs: 'EPSG:32749' });

    expect(refused).toBeInstanceOf(HttpProblem);
    expect((refused as HttpProblem).status).toBe(400);
    expect((refused as HttpProblem).message).toMatch(/258609, 9172532\.9.*EPSG:32749/s);
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    const [row] = await query(
      "SELECT ST_X(geom) AS lon FROM evacuation_point WHERE name = 'Gedung Juang'",
    );
    expect(row!.lon).toBeCloseTo(109.0201, 3);
  });

  it('rejects one row of projected metres among lon/lat rows instead of the file', async () => {
    const file = writeFile(
      'points-one-utm.csv',
      'name,type,lon,lat\n' +
        'Balai Desa Kawunganten,titik_kumpul,108.9344,-7.5925\n' +
        'Salah koordinat,titik_kumpul,258609.0,9172532.9\n',
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 1]);
  });

  it('reports a coordinate that is not a number as such, not as a missing geometry', async () => {
    const file = writeFile(
      'points-nan.csv',
      'name,type,lon,lat\n' +
        'Balai Desa Kawunganten,titik_kumpul,108.9344,-7.5925\n' +
        'Bujur kosong,titik_kumpul,NaN,-7.5925\n' +
        'Tanpa lokasi,titik_kumpul,,\n',
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 2]);
    const reasons = (await rejectionsOf(job.id)).map((r) => [r.row, r.reason]);
    expect(reasons[0]).toEqual([3, expect.stringContaining('[NaN, -7.5925]')]);
    expect(reasons[1]![1]).not.toContain('NaN');
  });

  it('reads KML placemarks with their ExtendedData', async () => {
    const placemark = (name: string, [lon, lat]: number[]) => `<Placemark><name>${name}</name>
      <ExtendedData><Data name="type"><value>titik_kumpul</value></Data>
      <Data name="capacity"><value>250</value></Data></ExtendedData>
      <Point><coordinates>${lon},${lat},0</coordinates></Point></Placemark>`;
    const file = writeFile(
      'titik.kml',
      '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">' +
        `<Document>${placemark('Lapangan Gandrungmangu', kroya)}</Document></kml>`,
    );

    const job = await importFile(file);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    expect(job.notes).toContain('Z (elevation) values dropped from 1 feature.');
    const [row] = await query(
      "SELECT type, capacity FROM evacuation_point WHERE name = 'Lapangan Gandrungmangu'",
    );
    expect(row).toEqual({ type: 'titik_kumpul', capacity: 250 });
  });

  it('rejects rows repeating a unique value, in the file or against stored features', async () => {
    const features = [1, 2, 3].map((n) => ({
      type: 'Feature',
      properties: {
        name: `Desa ${n}`,
        code: n === 3 ? '33.01.01.2001' : '33.01.97.2001',
        type: 'desa',
      },
      geometry: { type: 'Polygon', coordinates: square([109.0 + n * 0.01, -7.6]) },
    }));
    const file = writeFile(
      'repeats.geojson',
      JSON.stringify({ type: 'FeatureCollection', features }),
    );

    const job = await importFile(file, { layerId: 'desa', mode: 'valid-only' });

    expect([job.rowsWritten, job.rowsRejected]).toEqual([1, 2]);
    const reasons = (await rejectionsOf(job.id)).map((r) => [r.row, r.field, r.reason]);
    expect(reasons).toEqual([
      [2, 'code', expect.stringContaining('row 1 of this file')],
      [3, 'code', expect.stringContaining('already used by feature')],
    ]);
  });

  /** A file of bore wells at Kroya, one per code. */
  const wellsFile = (name: string, codes: string[]) =>
    writeFile(
      `${name}.geojson`,
      JSON.stringify({
        type: 'FeatureCollection',
        features: codes.map((code, i) =>
          point([kroya[0]! + i * 0.001, kroya[1]!], { code, name: code, status: 'berfungsi' }),
        ),
      }),
    );

  /**
   * Imports the files into bore_well at once, each held by a lock on the layer once it has
   * checked its rows, so that every one checked them before any wrote; they then write in the
   * order given (PostgreSQL grants waiting locks in turn).
   */
  const importWellsTogether = async (runs: [string, Partial<ImportRequest>][]) => {
    const holder = new pg.Client({ connectionString: scratch.testDatabase.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE bore_well IN SHARE MODE');
    const writers = async () =>
      (
        await query(`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query ~ '^(INSERT|LOCK TABLE)'`)
      )[0].n as number;
    try {
      const running: ReturnType<typeof importFile>[] = [];
      for (const [file, options] of runs) {
        running.push(importFile(file, { layerId: 'bore_well', ...options }));
        await expect.poll(writers, { timeout: 20000 }).toBe(running.length);
      }
      await holder.query('ROLLBACK');
      return await Promise.all(running);
    } finally {
      await holder.end();
    }
  };

  const wellsCoded = async (code: string) =>
    (await query('SELECT count(*)::int AS n FROM bore_well WHERE code = $1', [code]))[0]
      .n as number;

  it('rejects whole an import whose unique value another stored while it ran', async () => {
    const first = wellsFile('first-wells', ['SB-RACE-01']);
    const second = wellsFile('second-wells', ['SB-RACE-02', 'SB-RACE-01']);

    const [firstJob, secondJob] = await importWellsTogether([
      [first, {}],
      [second, {}],
    ]);

    expect([firstJob!.status, secondJob!.status]).toEqual(['succeeded', 'rejected']);
    expect([secondJob!.rowsWritten, secondJob!.rowsRejected]).toEqual([0, 1]);
    expect(secondJob!.messageCode).toBe('rejected-all-or-nothing');
    expect(await rejectionsOf(secondJob!.id)).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'code',
        code: 'not-unique',
        reason: expect.stringContaining('SB-RACE-01 already exists'),
      }),
    ]);
    expect([await wellsCoded('SB-RACE-01'), await wellsCoded('SB-RACE-02')]).toEqual([1, 0]);
  });

  it('keeps the rest of a valid-only import whose unique value was taken meanwhile', async () => {
    const first = wellsFile('first-wells-valid', ['SB-RACE-11']);
    const second = wellsFile('second-wells-valid', ['SB-RACE-12', 'SB-RACE-11']);

    const [firstJob, secondJob] = await importWellsTogether([
      [first, {}],
      [second, { mode: 'valid-only' }],
    ]);

    expect([firstJob!.status, secondJob!.status]).toEqual(['succeeded', 'succeeded']);
    expect([secondJob!.rowsWritten, secondJob!.rowsRejected]).toEqual([1, 1]);
    expect(await rejectionsOf(secondJob!.id)).toEqual([
      expect.objectContaining({ row: 2, field: 'code', code: 'not-unique' }),
    ]);
    expect([await wellsCoded('SB-RACE-11'), await wellsCoded('SB-RACE-12')]).toEqual([1, 1]);
  });

  /** `count` bore wells 20 m apart east of Kroya, coded `<prefix>-00001` on, named by code. */
  const manyWellsFile = (prefix: string, count: number) =>
    writeFile(
      `${prefix}.geojsonl`,
      Array.from({ length: count }, (_, i) => {
        const code = `${prefix}-${String(i + 1).padStart(5, '0')}`;
        const at = [kroya[0]! + (i % 200) * 0.0002, kroya[1]! - Math.floor(i / 200) * 0.0002];
        return JSON.stringify(point(at, { code, name: code, status: 'berfungsi' }));
      }).join('\n'),
    );

  /**
   * Imports a file large enough to be written into bore_well while it is read, while another
   * writer (an edit) holds `code` stored but not yet committed: the import's checks cannot see
   * it, and its early write waits at that row in the unique index until the writer commits.
   */
  const importWhileAnotherStores = async (
    file: string,
    code: string,
    options: Partial<ImportRequest> = {},
  ) => {
    const writer = new pg.Client({ connectionString: scratch.testDatabase.url });
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query(
      `INSERT INTO bore_well (code, name, status, geom)
       VALUES ($1, 'Sumur lain', 'berfungsi', ST_SetSRID(ST_MakePoint($2, $3), 4326))`,
      [code, ...kroya],
    );
    const earlyWriteWaits = async () =>
      (
        await query(`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event = 'transactionid'
            AND query ~ '^INSERT INTO "?bore_well'`)
      )[0].n as number;
    try {
      const running = importFile(file, { layerId: 'bore_well', ...options });
      await expect.poll(earlyWriteWaits, { timeout: 20000 }).toBe(1);
      await writer.query('COMMIT');
      return await running;
    } finally {
      await writer.end();
    }
  };

  const wellsStored = async (prefix: string) =>
    query(
      `SELECT count(*)::int AS n, count(DISTINCT code)::int AS codes,
         count(*) FILTER (WHERE name = code)::int AS "fromFile"
       FROM bore_well WHERE code LIKE $1`,
      [`${prefix}-%`],
    );

  it('rejects whole an import whose unique value was taken as it wrote early', async () => {
    const file = manyWellsFile('SB-EARLY-A', 11000);
    const taken = 'SB-EARLY-A-10500';

    const job = await importWhileAnotherStores(file, taken);

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['rejected', 0, 1]);
    expect(job.messageCode).toBe('rejected-all-or-nothing');
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({
        row: 10500,
        field: 'code',
        code: 'not-unique',
        reason: expect.stringContaining(`${taken} already exists`),
      }),
    ]);
    expect(await wellsStored('SB-EARLY-A')).toEqual([{ n: 1, codes: 1, fromFile: 0 }]);
    expect(await query('SELECT name FROM bore_well WHERE code = $1', [taken])).toEqual([
      { name: 'Sumur lain' },
    ]);
    await query("DELETE FROM bore_well WHERE code LIKE 'SB-EARLY-A-%'");
  });

  it('keeps the rest of a valid-only import whose value was taken as it wrote', async () => {
    const file = manyWellsFile('SB-EARLY-V', 11000);
    const taken = 'SB-EARLY-V-10500';

    const job = await importWhileAnotherStores(file, taken, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 10999, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 10500, field: 'code', code: 'not-unique' }),
    ]);
    const stored = await wellsStored('SB-EARLY-V');
    expect(stored).toEqual([{ n: 11000, codes: 11000, fromFile: 10999 }]);
    expect(await query('SELECT name FROM bore_well WHERE code = $1', [taken])).toEqual([
      { name: 'Sumur lain' },
    ]);
    await query("DELETE FROM bore_well WHERE code LIKE 'SB-EARLY-V-%'");
  });

  it('replaces a layer, keeping the old features in history, and undoes the replace', async () => {
    const before = await query('SELECT id, name FROM evacuation_point ORDER BY id');
    const file = writeFile(
      'replacement.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [point(kroya, { name: 'Satu-satunya titik', type: 'titik_kumpul' })],
      }),
    );

    const job = await importFile(file, { action: 'replace' });
    const during = await query('SELECT name FROM evacuation_point');
    const undone = await undoImport(scratch.testDatabase.database.pool, job.id, 'test');
    const after = await query('SELECT id, name FROM evacuation_point ORDER BY id');

    expect([job.status, job.rowsReplaced]).toEqual(['succeeded', before.length]);
    expect(during).toEqual([{ name: 'Satu-satunya titik' }]);
    expect(undone).toEqual({ deleted: 1, restored: before.length });
    expect(after).toEqual(before);
    expect((await selectImportJob(scratch.testDatabase.database.pool, job.id))!.status).toBe(
      'undone',
    );
  });

  it('leaves the file of the later of two replaces run at once, never both', async () => {
    const file = (name: string, names: string[]) =>
      writeFile(
        `${name}.geojson`,
        JSON.stringify({
          type: 'FeatureCollection',
          features: names.map((n, i) =>
            point([kroya[0]! + i * 0.001, kroya[1]!], { name: n, type: 'titik_kumpul' }),
          ),
        }),
      );
    const first = file('pertama', ['Pertama 1', 'Pertama 2']);
    const second = file('kedua', ['Kedua 1', 'Kedua 2', 'Kedua 3']);
    // Both replaces read their files, then wait behind this lock to write: they overlap.
    const holder = new pg.Client({ connectionString: scratch.testDatabase.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE evacuation_point IN SHARE MODE');
    const writers = () =>
      query(`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND query ~ '^(DELETE|LOCK TABLE)'`);
    let jobs: Awaited<ReturnType<typeof importFile>>[];
    try {
      const running = [
        importFile(first, { action: 'replace' }),
        importFile(second, { action: 'replace' }),
      ];
      await expect.poll(async () => (await writers())[0].n, { timeout: 20000 }).toBe(2);
      await holder.query('ROLLBACK');
      jobs = await Promise.all(running);
    } finally {
      await holder.end();
    }

    const names = (await query('SELECT name FROM evacuation_point ORDER BY name')).map(
      (row: { name: string }) => row.name,
    );
    expect(jobs.map((job) => job.status)).toEqual(['succeeded', 'succeeded']);
    expect([
      ['Kedua 1', 'Kedua 2', 'Kedua 3'],
      ['Pertama 1', 'Pertama 2'],
    ]).toContainEqual(names);
    // whichever wrote last replaced exactly what the other had written
    const [firstJob, secondJob] = jobs;
    if (names.length === 3) expect(secondJob!.rowsReplaced).toBe(2);
    else expect(firstJob!.rowsReplaced).toBe(3);
  });

  it('tells a job as failed as soon as the session its process kept open is gone', async () => {
    const pool = scratch.testDatabase.database.pool;
    const jobId = randomUUID();
    const job = { id: jobId, layerId: 'evacuation_point', source: {}, createdBy: 'test' };
    await insertImportJob(pool, { ...job, action: 'append', mode: 'all-or-nothing' });
    // the process's connection, as a job holds it; a killed process loses it the same way
    const session = new pg.Client({ connectionString: scratch.testDatabase.url });
    session.on('error', () => undefined);
    await session.connect();
    await recordJobSession(session, jobId);
    const pid = (await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    // rows counted valid while reading; none was written into the layer
    await query('UPDATE simpul_import_job SET rows_written = 500 WHERE id = $1', [jobId]);

    const alive = await requireImportJob(pool, jobId);
    // a server of another role sees the session's pid but not its start time
    const role = `simpul_other_${jobId.slice(0, 8)}`;
    await query(`CREATE ROLE ${role} LOGIN`);
    await query(`GRANT SELECT, UPDATE ON simpul_import_job TO ${role}`);
    const otherUrl = new URL(scratch.testDatabase.url);
    otherUrl.username = role;
    const other = new pg.Client({ connectionString: otherUrl.toString() });
    await other.connect();
    const aliveToOther = await requireImportJob(other, jobId).finally(() => other.end());
    await query(`REVOKE ALL ON simpul_import_job FROM ${role}`);
    await query(`DROP ROLE ${role}`);
    await query('SELECT pg_terminate_backend($1)', [pid]);

    expect(alive.status).toBe('running');
    expect(aliveToOther.status).toBe('running');
    await vi.waitFor(async () => {
      const dead = await requireImportJob(pool, jobId);
      expect([dead.status, dead.messageCode, dead.rowsWritten]).toEqual([
        'failed',
        'server-stopped',
        0,
      ]);
    });
  });

  it('undoes two imports newest first, but not past an edit made after them', async () => {
    const pool = scratch.testDatabase.database.pool;
    const before = await query('SELECT id, name FROM evacuation_point ORDER BY id');
    const replacement = JSON.stringify({
      type: 'FeatureCollection',
      features: [point(kroya, { name: 'Titik pengganti', type: 'titik_kumpul' })],
    });
    const added = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        point([kroya[0]! + 0.001, kroya[1]!], { name: 'Titik baru', type: 'titik_kumpul' }),
      ],
    });

    const first = await importFile(writeFile('first.geojson', replacement), { action: 'replace' });
    const second = await importFile(writeFile('second.geojson', added));
    await undoImport(pool, second.id, 'test');
    const undone = await undoImport(pool, first.id, 'test');

    expect(undone).toEqual({ deleted: 1, restored: before.length });
    expect(await query('SELECT id, name FROM evacuation_point ORDER BY id')).toEqual(before);

    // an edit of its own after the imports still stops the older one's undo
    const third = await importFile(writeFile('third.geojson', added));
    const fourth = await importFile(writeFile('fourth.geojson', replacement));
    await undoImport(pool, fourth.id, 'test');
    await query("UPDATE evacuation_point SET name = 'Diubah tangan' WHERE name = 'Titik baru'");
    await expect(undoImport(pool, third.id, 'test')).rejects.toMatchObject({
      status: 409,
      detail: expect.stringMatching(/^evacuation_point was changed once after this import;/),
      extra: { code: 'later-edits', laterEdits: 1 },
    });
    await query("DELETE FROM evacuation_point WHERE name = 'Diubah tangan'");
  });

  it('tells a replace, or a large load into an empty layer, in one tile notice', async () => {
    const listener = new pg.Client({ connectionString: scratch.testDatabase.url });
    await listener.connect();
    const notices: { layer: string; all?: boolean; boxes?: unknown[] }[] = [];
    listener.on('notification', (message) => notices.push(JSON.parse(message.payload ?? '{}')));
    await listener.query('LISTEN simpul_tile_change');
    const points = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify(
          point([kroya[0]! + (i % 100) * 0.0002, kroya[1]! + Math.floor(i / 100) * 0.0002], {
            name: `Titik ${i}`,
            type: 'titik_kumpul',
          }),
        ),
      ).join('\n');

    const replaced = await importFile(writeFile('one.geojsonl', points(1)), { action: 'replace' });
    await listener.query('SELECT 1');
    const afterReplace = notices.splice(0);
    await query('DELETE FROM evacuation_point');
    await listener.query('SELECT 1');
    notices.splice(0);
    const loaded = await importFile(writeFile('many.geojsonl', points(10000)));
    await listener.query('SELECT 1');
    const afterLoad = notices.splice(0);
    const appended = await importFile(
      writeFile('two.geojsonl', points(2).replace(/Titik/g, 'Pos')),
    );
    await listener.query('SELECT 1');
    await listener.end();
    await query("DELETE FROM evacuation_point WHERE name LIKE 'Titik %' OR name LIKE 'Pos %'");

    expect([replaced.status, loaded.status, appended.status]).toEqual(Array(3).fill('succeeded'));
    expect(loaded.rowsWritten).toBe(10000);
    expect(afterReplace).toEqual([{ layer: 'evacuation_point', all: true }]);
    expect(afterLoad).toEqual([{ layer: 'evacuation_point', all: true }]);
    // a small append into a layer with features is told by the boxes of its rows
    expect(notices).toHaveLength(1);
    expect(notices[0]!.boxes).toHaveLength(2);
  });

  it('replaces road segments by code, keeping the surveys of those still in the file', async () => {
    const segments = await query(`SELECT s.id, s.segment_code, count(c.*)::int AS surveys
      FROM road_segment s JOIN road_condition_survey c USING (segment_code)
      GROUP BY s.id, s.segment_code ORDER BY s.segment_code LIMIT 2`);
    const [kept, dropped] = segments as { id: number; segment_code: string; surveys: number }[];
    const exported = await query(
      `SELECT segment_code, road_number, name, status,
      ST_AsGeoJSON(geom)::json AS geometry FROM road_segment WHERE segment_code <> $1`,
      [dropped!.segment_code],
    );
    const features = exported.map(({ geometry, ...properties }) => ({
      type: 'Feature',
      properties:
        properties.segment_code === kept!.segment_code
          ? { ...properties, name: 'Jalan Baru' }
          : properties,
      geometry,
    }));
    const added = {
      ...features[0]!,
      properties: { ...features[0]!.properties, segment_code: 'BARU.001' },
    };
    const file = writeFile(
      'roads.geojson',
      JSON.stringify({ type: 'FeatureCollection', features: [...features, added] }),
    );
    const surveysOf = async (code: string) =>
      (
        await query(
          'SELECT count(*)::int AS n FROM road_condition_survey WHERE segment_code = $1',
          [code],
        )
      )[0].n;

    const job = await importFile(file, { layerId: 'road_segment', action: 'replace' });
    const afterReplace = await query('SELECT id, name FROM road_segment WHERE segment_code = $1', [
      kept!.segment_code,
    ]);
    const droppedSurveys = await surveysOf(dropped!.segment_code);
    await undoImport(scratch.testDatabase.database.pool, job.id, 'test');

    expect(job.status).toBe('succeeded');
    expect(afterReplace).toEqual([{ id: kept!.id, name: 'Jalan Baru' }]);
    expect(await surveysOf(kept!.segment_code)).toBe(kept!.surveys);
    expect(droppedSurveys).toBe(0);
    expect(await surveysOf(dropped!.segment_code)).toBe(dropped!.surveys);
    const back = await query('SELECT id FROM road_segment WHERE segment_code = $1', [
      dropped!.segment_code,
    ]);
    expect(back).toEqual([{ id: dropped!.id }]);
    expect(await query("SELECT 1 FROM road_segment WHERE segment_code = 'BARU.001'")).toEqual([]);
  });

  it('keeps a road segment whose row a valid-only replace rejects, with its surveys', async () => {
    const segments = await query(`SELECT s.id, s.segment_code, s.version, count(c.*)::int AS n
      FROM road_segment s JOIN road_condition_survey c USING (segment_code)
      GROUP BY s.id ORDER BY s.segment_code LIMIT 3`);
    const [mistyped, farOff, dropped] = segments as { segment_code: string; n: number }[];
    const exported = await query(
      `SELECT segment_code, road_number, name, status,
      ST_AsGeoJSON(geom)::json AS geometry FROM road_segment WHERE segment_code <> $1`,
      [dropped!.segment_code],
    );
    const far = { type: 'LineString', coordinates: [farOffshore, [farOffshore[0]! + 0.01, -9]] };
    const features = exported.map(({ geometry, ...properties }) => ({
      type: 'Feature',
      properties:
        properties.segment_code === mistyped!.segment_code
          ? { ...properties, status: 'kabupatn' }
          : properties,
      geometry: properties.segment_code === farOff!.segment_code ? far : geometry,
    }));
    const collection = { type: 'FeatureCollection', features };
    const file = writeFile('roads-typo.geojson', JSON.stringify(collection));
    const stored = (code: string) =>
      query(
        `SELECT s.id, s.version, s.status, (SELECT count(*)::int FROM road_condition_survey c
           WHERE c.segment_code = s.segment_code) AS n FROM road_segment s
         WHERE s.segment_code = $1`,
        [code],
      );
    const before = [await stored(mistyped!.segment_code), await stored(farOff!.segment_code)];

    const job = await importFile(file, {
      layerId: 'road_segment',
      action: 'replace',
      mode: 'valid-only',
    });
    const after = [await stored(mistyped!.segment_code), await stored(farOff!.segment_code)];
    const droppedAfter = await stored(dropped!.segment_code);
    await undoImport(scratch.testDatabase.database.pool, job.id, 'test');

    expect(job.status).toBe('succeeded');
    expect(job.rowsRejected).toBe(2);
    expect(after).toEqual(before);
    expect(droppedAfter).toEqual([]);
    expect(job.notes.join(' ')).toMatch(/1 removed with their records.*2 features whose rows/);
  });

  it('undoes a replace by code, putting back the times and writer too', async () => {
    const [dropped] = await query(`SELECT segment_code FROM road_segment s WHERE EXISTS (
      SELECT 1 FROM road_condition_survey c WHERE c.segment_code = s.segment_code) LIMIT 1`);
    // a road whose feature and surveys were written long before, by its surveyor
    await query(
      `UPDATE road_segment SET created_at = '2019-02-03T04:05:06Z',
         updated_at = '2021-07-08T09:10:11Z', updated_by = 'surveyor'`,
    );
    await query(
      `UPDATE road_condition_survey SET created_at = '2020-01-02T03:04:05Z',
         updated_at = '2020-06-07T08:09:10Z', updated_by = 'surveyor'`,
    );
    const features = (
      await query(
        `SELECT segment_code, road_number, name, status, ST_AsGeoJSON(geom)::json AS geometry
         FROM road_segment WHERE segment_code <> $1`,
        [dropped.segment_code],
      )
    ).map(({ geometry, ...properties }) => ({ type: 'Feature', properties, geometry }));
    const file = writeFile(
      'roads-times.geojson',
      JSON.stringify({ type: 'FeatureCollection', features }),
    );
    const times = (table: string) =>
      query(`SELECT id, created_at, updated_at, updated_by FROM ${table} ORDER BY id`);
    const versions = async () =>
      (await query('SELECT version FROM road_segment ORDER BY id')).map((r) => r.version);
    const segmentsBefore = await times('road_segment');
    const surveysBefore = await times('road_condition_survey');
    const versionsBefore = await versions();

    const job = await importFile(file, { layerId: 'road_segment', action: 'replace' });
    await undoImport(scratch.testDatabase.database.pool, job.id, 'test');

    expect(job.status).toBe('succeeded');
    expect(await times('road_segment')).toEqual(segmentsBefore);
    expect(await times('road_condition_survey')).toEqual(surveysBefore);
    // each a new version still, so that a client holding an older one is refused as stale
    const versionsAfter = await versions();
    versionsAfter.forEach((version, i) => expect(version).toBeGreaterThan(versionsBefore[i]));
  });

  it('puts back an old backwards road when undoing the import that corrected it', async () => {
    // Stored before the rule existed: chainage backwards, written past the rule's triggers.
    const client = await scratch.testDatabase.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(
        `INSERT INTO road_segment (geom, segment_code, road_number, name, status,
           chainage_from_m, chainage_to_m)
         VALUES (ST_GeomFromText('MULTILINESTRING((109 -7.7, 109.001 -7.701))', 4326),
           'LAMA.001', '995', 'Jalan lama', 'kabupaten', 9000, 10)`,
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const stored = await query(
      `SELECT segment_code, road_number, name, status, chainage_from_m, chainage_to_m,
        ST_AsGeoJSON(geom)::json AS geometry FROM road_segment`,
    );
    const features = stored.map(({ geometry, ...properties }) => ({
      type: 'Feature',
      properties:
        properties.segment_code === 'LAMA.001'
          ? { ...properties, chainage_from_m: 0, chainage_to_m: 20 }
          : properties,
      geometry,
    }));
    const file = writeFile(
      'corrected.geojson',
      JSON.stringify({ type: 'FeatureCollection', features }),
    );
    const chainage = async () =>
      await query(
        "SELECT chainage_from_m, chainage_to_m FROM road_segment WHERE segment_code = 'LAMA.001'",
      );

    const job = await importFile(file, { layerId: 'road_segment', action: 'replace' });
    const corrected = await chainage();
    await undoImport(scratch.testDatabase.database.pool, job.id, 'test');

    expect(job.status).toBe('succeeded');
    expect(corrected).toEqual([{ chainage_from_m: 0, chainage_to_m: 20 }]);
    expect(await chainage()).toEqual([{ chainage_from_m: 9000, chainage_to_m: 10 }]);
    // Only the undo may put such a row back: a plain write of it is still refused.
    const write = query(
      "UPDATE road_segment SET chainage_from_m = 8000 WHERE segment_code = 'LAMA.001'",
    );
    await expect(write).rejects.toMatchObject({ code: '23514' });
  });

  it('refuses to undo an import when the layer was edited after it', async () => {
    const file = writeFile(
      'then-edited.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [point(majenang, { name: 'Akan diubah', type: 'titik_kumpul' })],
      }),
    );
    const job = await importFile(file);
    await query("UPDATE evacuation_point SET capacity = 10 WHERE name = 'Akan diubah'");

    const attempt = undoImport(scratch.testDatabase.database.pool, job.id, 'test');

    await expect(attempt).rejects.toMatchObject({ status: 409, type: 'import-not-undoable' });
  });

  it('keeps tabs, line ends and backslashes through COPY and the INSERT fallback', async () => {
    const name = 'Pos\tC:\\banjir\nbaris dua\r\\N';
    const file = writeFile(
      'odd-text.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [point(cilacapTown, { name, type: 'titik_kumpul', capacity: 7 })],
      }),
    );
    const { pool, capabilities } = scratch.testDatabase.database;
    const embedded = { pool, capabilities: { ...capabilities, embedded: true } };
    const prepared = await prepareImport(pool, request(file));
    await recordImportJob(pool, prepared);

    const copied = await importFile(file);
    const inserted = await runImport(embedded, prepared);

    expect([copied.status, inserted.status]).toEqual(['succeeded', 'succeeded']);
    const rows = await query(
      'SELECT name, capacity, ST_AsText(geom) AS wkt FROM evacuation_point WHERE name = $1',
      [name],
    );
    const stored = { name, capacity: 7, wkt: `POINT(${cilacapTown.join(' ')})` };
    expect(rows).toEqual([stored, stored]);
  });

  it('loads 12,000 points into an empty layer and builds its spatial index again', async () => {
    await query('DELETE FROM evacuation_point');
    const lines = Array.from({ length: 12000 }, (_, i) =>
      JSON.stringify(
        point([108.8 + (i % 120) * 0.001, -7.5 - Math.floor(i / 120) * 0.001], {
          name: `Titik kosong ${i}`,
          type: 'titik_kumpul',
        }),
      ),
    );
    const file = writeFile('empty-layer.geojsonl', `${lines.join('\n')}\n`);

    const job = await importFile(file);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 12000]);
    const index = await query(
      `SELECT i.indisvalid AS valid FROM pg_index i
       WHERE i.indexrelid = 'evacuation_point_geom_idx'::regclass`,
    );
    expect(index).toEqual([{ valid: true }]);
    const inBox = await query(
      `SELECT count(*)::int AS n FROM evacuation_point
       WHERE geom && ST_MakeEnvelope(108.8, -7.6, 108.8495, -7.5, 4326)`,
    );
    expect(inBox[0].n).toBe(50 * 100);
  });

  it('refuses 12,000 bridges into an empty layer for one offshore, with the report', async () => {
    // The early write drops the empty layer's spatial index, locking it, and the place is
    // checked once the file is read: the check of values taken meanwhile, made for the report
    // of the refusal, once waited for that lock forever.
    await query('DELETE FROM bridge');
    const bridges = async () => (await query('SELECT count(*)::int AS n FROM bridge'))[0].n;
    const lines = Array.from({ length: 12000 }, (_, i) => {
      const number = `JBT-${String(i + 1).padStart(5, '0')}`;
      const near = [kroya[0]! + (i % 200) * 0.0002, kroya[1]! - Math.floor(i / 200) * 0.0002];
      const at = i === 10999 ? farOffshore : near;
      return JSON.stringify(point(at, { bridge_number: number, name: `Jembatan ${i + 1}` }));
    });
    const file = writeFile('bridges.geojsonl', `${lines.join('\n')}\n`);

    const job = await importFile(file, { layerId: 'bridge' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['rejected', 0, 1]);
    const rejections = await rejectionsOf(job.id);
    expect(rejections.map((r) => r.row)).toEqual([11000]);
    expect(await bridges()).toBe(0);
  });

  it('leaves the layer as it was when an import is cancelled half-way', async () => {
    const count = async () => (await query('SELECT count(*)::int AS n FROM evacuation_point'))[0].n;
    // Large enough that reading outlasts the second between progress flushes (cancel checks).
    const lines = Array.from({ length: 300000 }, (_, i) =>
      JSON.stringify(
        point([109.0 + (i % 300) * 0.0003, -7.6 - Math.floor(i / 300) * 0.0002], {
          name: `Titik ${i}`,
          type: 'titik_kumpul',
        }),
      ),
    );
    const file = writeFile('many.geojsonl', `${lines.join('\n')}\n`);
    const before = await count();
    const { pool } = scratch.testDatabase.database;
    const prepared = await prepareImport(pool, request(file));
    await recordImportJob(pool, prepared);

    const running = runImport(scratch.testDatabase.database, prepared);
    await waitFor(async () => ((await selectImportJob(pool, prepared.jobId))?.rowsRead ?? 0) > 0);
    // as the API cancels: the job row for any server, the signal for this one (a faster read
    // could otherwise end before the next progress flush looks at the row)
    await requestImportCancel(pool, prepared.jobId);
    abortLocalImport(prepared.jobId);
    const job = await running;

    expect(job.status).toBe('cancelled');
    expect(job.rowsRead).toBeLessThan(300000);
    expect(await count()).toBe(before);
    const staging = await query(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'simpul_import_staging_%'",
    );
    expect(staging[0].n).toBe(0);
  });

  /**
   * Holds a lock from a session of its own until `release`. A statement held up behind it
   * stands for one busy for minutes on a large file, and is cancelled the same way, without
   * a hook in the import or a file large enough to keep a check busy for seconds.
   */
  const holdLock = async (lockStatement: string) => {
    const client = new pg.Client({ connectionString: scratch.testDatabase.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query(lockStatement);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  };

  /** True once a session of this database waits for a lock (the import's long statement). */
  const someoneWaitsForLock = async () => {
    const waiting = await query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return waiting[0].n > 0;
  };

  const startImportOf = async (count: number, name: string) => {
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify(point([109.0 + i * 0.001, -7.6], { name, type: 'titik_kumpul' })),
    );
    const file = writeFile(`${name.replace(/\W+/g, '-')}.geojsonl`, `${lines.join('\n')}\n`);
    const { pool } = scratch.testDatabase.database;
    const prepared = await prepareImport(pool, request(file));
    await recordImportJob(pool, prepared);
    return { jobId: prepared.jobId, running: runImport(scratch.testDatabase.database, prepared) };
  };

  const stepOf = async (jobId: string) =>
    (await selectImportJob(scratch.testDatabase.database.pool, jobId))?.step;

  const loadTableCount = async () =>
    (
      await query(
        "SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'simpul_import_staging_%'",
      )
    )[0].n as number;

  /**
   * Starts an import behind a lock, waits until it is at `step` and waiting, cancels it with
   * `cancel`, and returns the job and how long it took to end (given up after 5 s). The lock
   * is released only then, so a cancel that does not reach the statement cannot pass.
   */
  const cancelBehindLock = async (
    lockStatement: string,
    step: string,
    name: string,
    cancel: (jobId: string) => Promise<unknown>,
  ) => {
    const release = await holdLock(lockStatement);
    const { jobId, running } = await startImportOf(50, name);
    try {
      await waitFor(async () => (await stepOf(jobId)) === step);
      await waitFor(someoneWaitsForLock);

      const asked = Date.now();
      await cancel(jobId);
      const gaveUp = new Promise<undefined>((resolve) => setTimeout(resolve, 5000));
      const job = await Promise.race([running, gaveUp]);
      return { job, tookMs: Date.now() - asked };
    } finally {
      await release();
      await running;
    }
  };

  it('reports a value another stored after its row was checked beside a bad row', async () => {
    const features = [
      point(kroya, { code: 'SB-LATE-01', name: 'Sumur Telat', status: 'berfungsi' }),
      point(kroya, { code: 'SB-LATE-02', name: 'Sumur Rusak', status: 'rusak_total' }),
    ];
    const file = writeFile(
      'late-taken.geojson',
      JSON.stringify({ type: 'FeatureCollection', features }),
    );
    const { database } = scratch.testDatabase;
    // the rows are read and checked; the checks after reading wait behind this lock, while
    // another writer stores the first row's code
    const release = await holdLock('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    let job: Awaited<ReturnType<typeof runImport>>;
    try {
      const prepared = await prepareImport(database.pool, request(file, { layerId: 'bore_well' }));
      await recordImportJob(database.pool, prepared);
      const running = runImport(database, prepared);
      await waitFor(async () => (await stepOf(prepared.jobId)) === 'checking-geometries');
      await waitFor(someoneWaitsForLock);
      await query(
        `INSERT INTO bore_well (code, name, status, geom)
         VALUES ('SB-LATE-01', 'Sumur lain', 'berfungsi', ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
        kroya,
      );
      await release();
      job = await running;
    } finally {
      await release().catch(() => undefined);
    }

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['rejected', 0, 2]);
    const rejections = await rejectionsOf(job.id);
    expect(rejections.map((r) => [r.row, r.field, r.code])).toEqual([
      [1, 'code', 'not-unique'],
      [2, 'status', 'not-in-domain'],
    ]);
    await query("DELETE FROM bore_well WHERE code = 'SB-LATE-01'");
  });

  it('stops the geometry check within a second of a cancel asked in the job row', async () => {
    // The check reads the regency outline, so it waits behind this lock. The cancel goes
    // through the job row only, as the API of another server instance asks it.
    const { job, tookMs } = await cancelBehindLock(
      'LOCK TABLE regency IN ACCESS EXCLUSIVE MODE',
      'checking-geometries',
      'Titik diperiksa',
      (jobId) => requestImportCancel(scratch.testDatabase.database.pool, jobId),
    );

    expect(tookMs).toBeLessThan(2000);
    expect(job).toMatchObject({
      status: 'cancelled',
      step: 'checking-geometries',
      message: 'Cancelled; the layer was left as it was.',
    });
    expect(await countPoints('Titik diperiksa')).toBe(0);
    expect(await loadTableCount()).toBe(0);
  });

  it('stops the final insert within a second of a cancel signal, the layer unchanged', async () => {
    const count = async () => (await query('SELECT count(*)::int AS n FROM evacuation_point'))[0].n;
    const before = await count();

    // Readers pass this lock; the insert into the layer waits behind it. The cancel is the
    // signal only, as Ctrl-C in the command line stops its own import.
    const { job, tookMs } = await cancelBehindLock(
      'LOCK TABLE evacuation_point IN SHARE MODE',
      'writing',
      'Titik ditulis',
      async (jobId) => abortLocalImport(jobId),
    );

    expect(tookMs).toBeLessThan(2000);
    expect(job).toMatchObject({ status: 'cancelled', step: 'writing', rowsWritten: 0 });
    expect(await count()).toBe(before);
    expect(await loadTableCount()).toBe(0);
  });

  it('ends a job cut off from its database as a lost connection, layer unchanged', async () => {
    const relay = await startFreezableRelay(scratch.testDatabase.url);
    const database = await openDatabase(relay.url);
    const release = await holdLock('LOCK TABLE regency IN ACCESS EXCLUSIVE MODE');
    const cutOff = { name: 'Titik terputus', type: 'titik_kumpul' };
    const collection = { type: 'FeatureCollection', features: [point(kroya, cutOff)] };
    const file = writeFile('terputus.geojson', JSON.stringify(collection));
    try {
      const prepared = await prepareImport(database.pool, request(file));
      await recordImportJob(database.pool, prepared);
      const running = runImport(database, prepared);
      await waitFor(async () => (await stepOf(prepared.jobId)) === 'checking-geometries');
      await waitFor(someoneWaitsForLock);

      // the database goes away for two seconds: every connection ends, new ones are refused
      relay.cut();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // read by this process, as the web sheet polls it, while the job waits for its database
      const ownPool = scratch.testDatabase.database.pool;
      const meanwhile = await requireImportJob(ownPool, prepared.jobId);
      relay.restore();
      const job = await running;

      expect(job).toMatchObject({
        status: 'failed',
        rowsWritten: 0,
        messageCode: 'database-connection-lost',
        message: expect.stringMatching(/^The connection to the database was lost/),
      });
      expect(await countPoints(cutOff.name)).toBe(0);
      expect(meanwhile.status).toBe('running');
    } finally {
      await release();
      await database.close();
      relay.close();
    }
  });

  it('tells a job found dead across a database restart as a lost connection', async () => {
    const pool = scratch.testDatabase.database.pool;
    const jobId = randomUUID();
    const job = { id: jobId, layerId: 'evacuation_point', source: {}, createdBy: 'test' };
    await insertImportJob(pool, { ...job, action: 'append', mode: 'all-or-nothing' });
    // a session begun before the database last started, which no backend holds any more
    await query(
      `UPDATE simpul_import_job SET status = 'running', session_pid = 0,
         session_started = pg_postmaster_start_time() - interval '1 minute' WHERE id = $1`,
      [jobId],
    );

    const dead = await requireImportJob(pool, jobId);

    expect([dead.status, dead.messageCode]).toEqual(['failed', 'database-connection-lost']);
  });

  it('names each step of a job and keeps the last one reached', async () => {
    const line = JSON.stringify(point(kroya, { name: 'Titik bertahap', type: 'titik_kumpul' }));
    const file = writeFile('steps.geojsonl', `${line}\n`);
    const { pool } = scratch.testDatabase.database;
    const prepared = await prepareImport(pool, request(file));
    await recordImportJob(pool, prepared);
    const steps: string[] = [];

    const recorded = await stepOf(prepared.jobId);
    const job = await runImport(scratch.testDatabase.database, prepared, (p) => steps.push(p.step));

    expect(recorded).toBe('reading');
    expect([...new Set(steps)]).toEqual([
      'reading',
      'checking-geometries',
      'checking-unique-values',
      'writing',
    ]);
    expect(job).toMatchObject({ status: 'succeeded', step: 'writing' });
  });
});

/** The desa fixtures name the Kemendagri code KODE, which no automatic rule matches. */
const mappingWithCode = { name: 'NAMA', code: 'KODE', type: 'JENIS', kecamatan: 'KECAMATAN' };

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
