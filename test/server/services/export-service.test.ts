import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { runGdal } from '../../../server/formats/gdal.js';
import { convertValue } from '../../../server/services/field-mapping.js';
import {
  prepareExport,
  resolveExportFormat,
  type ExportRequest,
} from '../../../server/services/export-service.js';
import {
  previewImport,
  prepareImport,
  recordImportJob,
  runImport,
} from '../../../server/services/import-service.js';
import { useDatabaseAndFolder } from '../../support/database.js';

describe('naming an export format', () => {
  it('refuses a format named after a property every JavaScript object has', () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(() => resolveExportFormat(name)).toThrow(
        expect.objectContaining({ status: 400, type: 'unknown-format' }),
      );
    }
  });
});

describe('exporting a layer and importing it back', () => {
  const scratch = useDatabaseAndFolder('simpul-export-test-');

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  const exportTo = async (request: ExportRequest) => {
    const prepared = await prepareExport(scratch.testDatabase.database, request);
    const file = path.join(scratch.folder, prepared.fileName);
    const out = fs.createWriteStream(file);
    await prepared.write(out);
    await new Promise((resolve) => out.end(resolve));
    return file;
  };

  const replaceFrom = async (layerId: string, file: string) => {
    const { pool } = scratch.testDatabase.database;
    const prepared = await prepareImport(pool, {
      layerId,
      file,
      fileName: path.basename(file),
      action: 'replace',
      actor: 'test',
    });
    await recordImportJob(pool, prepared);
    return runImport(scratch.testDatabase.database, prepared);
  };

  /** Features of the layer not found unchanged (same attributes, geometry within 1 cm). */
  const changedDesa = async () =>
    (
      await query(`SELECT count(*)::int AS n FROM desa_before b
        FULL JOIN desa a USING (code)
        WHERE a.code IS NULL OR b.code IS NULL
          OR (a.name, a.type, a.kecamatan, a.kecamatan_code)
            IS DISTINCT FROM (b.name, b.type, b.kecamatan, b.kecamatan_code)
          OR ST_HausdorffDistance(a.geom, b.geom) > 1e-7`)
    )[0].n as number;

  const roundTrips: [string, Partial<ExportRequest>][] = [
    ['GeoJSON', { format: 'geojson' }],
    ['GeoJSON lines', { format: 'ndjson' }],
    ['CSV with WKT', { format: 'csv' }],
    ['CSV for Excel', { format: 'csv-excel' }],
    ['FlatGeobuf', { format: 'fgb' }],
    ['a zipped Shapefile in UTM 49S', { format: 'shp', crs: 'EPSG:32749' }],
    ['GeoPackage', { format: 'gpkg' }],
    ['FlatGeobuf in UTM 49S', { format: 'fgb', crs: 'EPSG:32749' }],
    ['CSV with WKT in UTM 49S', { format: 'csv', crs: 'EPSG:32749' }],
    ['CSV for Excel in UTM 49S', { format: 'csv-excel', crs: 'EPSG:32749' }],
  ];

  it.each(roundTrips)('gives back the same desa through %s', async (_name, options) => {
    await query('DROP TABLE IF EXISTS desa_before');
    await query('CREATE TABLE desa_before AS SELECT * FROM desa');
    const count = (await query('SELECT count(*)::int AS n FROM desa'))[0].n;

    const file = await exportTo({ layerId: 'desa', format: 'geojson', ...options });
    const job = await replaceFrom('desa', file);

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', count, 0]);
    expect(await changedDesa()).toBe(0);
  });

  it('gives back points with coded values and numbers through CSV x/y columns', async () => {
    const pointRows =
      'SELECT name, type, capacity, hazard_type, ST_AsText(geom) AS wkt ' +
      'FROM evacuation_point ORDER BY name, wkt';
    const before = await query(pointRows);

    const file = await exportTo({ layerId: 'evacuation_point', format: 'csv', csvGeometry: 'xy' });
    const job = await replaceFrom('evacuation_point', file);

    expect(job.status).toBe('succeeded');
    const after = await query(pointRows);
    expect(after).toEqual(before);
  });

  it('writes a CSV Excel opens as set to Indonesian, read back as it was', async () => {
    const pointRows =
      'SELECT name, type, capacity, hazard_type, ST_AsText(geom) AS wkt ' +
      'FROM evacuation_point ORDER BY name, wkt';
    const before = await query(pointRows);

    const request = { layerId: 'evacuation_point', csvGeometry: 'xy' as const };
    const file = await exportTo({ ...request, format: 'excel' });
    const bytes = fs.readFileSync(file);
    const [header, first] = bytes.toString('utf8').split('\n');
    const job = await replaceFrom('evacuation_point', file);

    // a byte order mark, semicolons between cells and a comma before the decimals
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(header).toMatch(/^\uFEFFid;name;.*;longitude;latitude$/);
    expect(first).toMatch(/;10\d,\d+;-7,\d+$/);
    expect(job.status).toBe('succeeded');
    expect(await query(pointRows)).toEqual(before);
  });

  it('refuses csvGeometry for a format that is not CSV, rather than drop it', async () => {
    const request = { layerId: 'evacuation_point', format: 'geojson', csvGeometry: 'xy' as const };

    const refused = await prepareExport(scratch.testDatabase.database, request).catch(
      (error: unknown) => error,
    );

    expect(refused).toMatchObject({ status: 400, type: 'csv-geometry-not-csv' });
  });

  it('writes formula-like names harmless in CSV and reads them back unchanged', async () => {
    const names = ['=HYPERLINK("http://contoh.invalid","klik")', '@SUM(A1)', '-'];
    const ids = await query(`SELECT id FROM evacuation_point ORDER BY id LIMIT ${names.length}`);
    for (const [i, { id }] of ids.entries()) {
      await query('UPDATE evacuation_point SET name = $1 WHERE id = $2', [names[i], id]);
    }
    const pointRows = 'SELECT name, ST_AsText(geom) AS wkt FROM evacuation_point ORDER BY 1, 2';
    const before = await query(pointRows);

    const file = await exportTo({ layerId: 'evacuation_point', format: 'csv' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://contoh.invalid"",""klik"")"`);
    expect(text).toMatch(/(^|,)'@SUM\(A1\)(,|$)/m);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);

    const job = await replaceFrom('evacuation_point', file);
    expect(job.status).toBe('succeeded');
    expect(await query(pointRows)).toEqual(before);
  });

  it('lists shortened Shapefile field names, no two alike, a .prj and a UTF-8 .cpg', async () => {
    const file = await exportTo({ layerId: 'desa', format: 'shp', crs: 'EPSG:32749' });
    const unpacked = path.join(scratch.folder, 'unpacked');
    fs.mkdirSync(unpacked, { recursive: true });
    const { unpackZip } = await import('../../../server/formats/zip-archive.js');

    const files = (await unpackZip(file, unpacked)).map((f) => path.basename(f)).sort();

    expect(files).toEqual([
      'desa.cpg',
      'desa.dbf',
      'desa.fields.csv',
      'desa.prj',
      'desa.shp',
      'desa.shx',
    ]);
    expect(fs.readFileSync(path.join(unpacked, 'desa.cpg'), 'utf8').trim()).toBe('UTF-8');
    expect(fs.readFileSync(path.join(unpacked, 'desa.prj'), 'utf8')).toContain('UTM_Zone_49S');
    const fieldList = fs.readFileSync(path.join(unpacked, 'desa.fields.csv'), 'utf8');
    expect(fieldList).toContain('kecamatan_,kecamatan_code');
  });

  it.each([
    ['FlatGeobuf', 'fgb'],
    ['a zipped Shapefile', 'shp'],
    ['GeoPackage', 'gpkg'],
  ])(
    'writes road lines of one and two parts that GDAL reads back, as %s',
    async (_name, format) => {
      const roads = layerDefinitions.find((l) => l.id === 'road_segment')!;
      const status = roads.attributes.find((a) => a.name === 'status')!.domain![0]!.code;
      await query(
        `INSERT INTO road_segment (geom, segment_code, road_number, name, status)
       SELECT ST_GeomFromText(wkt, 4326), code, 'GDAL-READ', 'Jalan uji', $1
       FROM (VALUES ('GDAL-1', 'MULTILINESTRING((109 -7.7, 109.005 -7.705, 109.01 -7.7))'),
         ('GDAL-2', 'MULTILINESTRING((109 -7.71, 109.005 -7.715), (109.01 -7.71, 109.02 -7.72))')
       ) v (code, wkt)
       ON CONFLICT DO NOTHING`,
        [status],
      );

      const file = await exportTo({
        layerId: 'road_segment',
        format: format as ExportRequest['format'],
        where: { road_number: 'GDAL-READ' },
      });
      const source = format === 'shp' ? `/vsizip/${file}` : file;
      const read = JSON.parse(
        await runGdal('ogr2ogr', ['-f', 'GeoJSON', '-lco', 'RFC7946=NO', '/vsistdout/', source]),
      ) as { features: { properties: Record<string, unknown>; geometry: GeoJSON.Geometry }[] };

      const lines = read.features
        .map((f) => {
          const geometry = f.geometry as GeoJSON.MultiLineString | GeoJSON.LineString;
          const parts =
            geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates;
          return {
            code: f.properties.segment_code ?? f.properties.segment_co,
            parts: parts.length,
          };
        })
        .sort((a, b) => String(a.code).localeCompare(String(b.code)));
      expect(lines).toEqual([
        { code: 'GDAL-1', parts: 1 },
        { code: 'GDAL-2', parts: 2 },
      ]);
    },
  );

  it.each([
    ['GeoPackage', 'gpkg', 'survey_date: Date '],
    ['a zipped Shapefile', 'shp', 'survey_dat: Date '],
    ['FlatGeobuf (which has no day type)', 'fgb', 'survey_date: DateTime '],
  ])('writes a date attribute as a date field in %s', async (_name, format, field) => {
    await query(`INSERT INTO road_segment
        (geom, segment_code, road_number, name, status, survey_date)
      VALUES (ST_GeomFromText('MULTILINESTRING((109 -7.73, 109.01 -7.73))', 4326),
        'DATE-1', 'DATE-READ', 'Jalan uji', 'kabupaten', '2024-06-01')
      ON CONFLICT DO NOTHING`);

    const surveyDate = layerDefinitions
      .find((l) => l.id === 'road_segment')!
      .attributes.find((a) => a.name === 'survey_date')!;
    const { pool } = scratch.testDatabase.database;

    const where = { road_number: 'DATE-READ' };
    const file = await exportTo({ layerId: 'road_segment', format, where });
    const source = format === 'shp' ? `/vsizip/${file}` : file;
    const summary = await runGdal('ogrinfo', ['-so', '-al', source]);
    const read = JSON.parse(await runGdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', source]));
    // the import reads its own export: the file as the import's preview sees it
    const importing = { layerId: 'road_segment', file, fileName: path.basename(file) };
    const preview = await previewImport(pool, { ...importing, action: 'replace', actor: 'test' });

    expect(summary).toContain(`\n${field}`);
    const { properties } = read.features[0];
    expect(properties.survey_date ?? properties.survey_dat).toMatch(/^2024-06-01/);
    const imported = convertValue(surveyDate, preview.sample[0]!.properties.survey_date);
    expect(imported).toBe('2024-06-01');
  });

  it.each([
    ['CSV', 'csv', 'wkt'],
    ['CSV for Excel', 'csv-excel', 'wkt'],
    ['CSV x/y', 'csv', 'xy'],
  ] as const)('names EPSG:32749 in a %s export in UTM 49S', async (_name, format, geometry) => {
    const layerId = geometry === 'xy' ? 'evacuation_point' : 'desa';
    const request = { layerId, format, crs: 'EPSG:32749', csvGeometry: geometry };

    const prepared = await prepareExport(scratch.testDatabase.database, request);
    const file = await exportTo(request);
    const header = fs
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\n')[0];

    expect(prepared.crsUri).toBe('http://www.opengis.net/def/crs/EPSG/0/32749');
    if (geometry === 'xy') {
      expect(header).toMatch(/,x_EPSG_32749,y_EPSG_32749$/);
    } else {
      // the name GDAL's CSV driver (and QGIS through it) reads a WKT column's CRS and type from
      expect(header).toMatch(/[,;]_WKTgeom_EPSG_32749_MULTIPOLYGON$/);
      const summary = await runGdal('ogrinfo', ['-so', '-al', file]);
      expect(summary).toContain('UTM zone 49S');
      expect(summary).toMatch(/^Geometry: Multi Polygon$/m);
    }
  });

  it('keeps the wkt and longitude, latitude columns of a WGS 84 CSV, naming CRS84', async () => {
    const prepared = await prepareExport(scratch.testDatabase.database, {
      layerId: 'evacuation_point',
      format: 'csv',
    });
    const wkt = await exportTo({ layerId: 'desa', format: 'csv' });
    const xy = await exportTo({ layerId: 'evacuation_point', format: 'csv', csvGeometry: 'xy' });

    expect(prepared.crsUri).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
    expect(fs.readFileSync(wkt, 'utf8').split('\n')[0]).toMatch(/,wkt$/);
    expect(fs.readFileSync(xy, 'utf8').split('\n')[0]).toMatch(/,longitude,latitude$/);
  });

  it('gives back points through CSV x/y columns in UTM 49S', async () => {
    // to 1e-7 degree (1 cm): the metres are written to the millimetre
    const snapped = 'ST_AsText(ST_SnapToGrid(geom, 1e-7))';
    const pointRows = `SELECT name, ${snapped} AS wkt FROM evacuation_point ORDER BY 1, 2`;
    const before = await query(pointRows);

    const request = { layerId: 'evacuation_point', crs: 'EPSG:32749' };
    const file = await exportTo({ ...request, format: 'csv', csvGeometry: 'xy' });
    const job = await replaceFrom('evacuation_point', file);

    expect(job.status).toBe('succeeded');
    expect(await query(pointRows)).toEqual(before);
  });

  it('names the FlatGeobuf layer after the layer, as GDAL reads it', async () => {
    const file = await exportTo({ layerId: 'desa', format: 'fgb' });

    const summary = await runGdal('ogrinfo', ['-so', '-al', file]);

    expect(summary).toMatch(/^Layer name: desa$/m);
  });

  it('exports only the features a filter selects', async () => {
    const file = await exportTo({
      layerId: 'desa',
      format: 'ndjson',
      where: { kecamatan_code: '33.01.06' },
    });

    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const expected = (
      await query("SELECT count(*)::int AS n FROM desa WHERE kecamatan_code = '33.01.06'")
    )[0].n;
    expect(expected).toBeGreaterThan(0);
    expect(lines).toHaveLength(expected);
    expect(lines.every((l) => JSON.parse(l).properties.kecamatan_code === '33.01.06')).toBe(true);
  });

  it('exports the features of a coded value named by its label, as imports read it', async () => {
    const file = await exportTo({
      layerId: 'bore_well',
      format: 'ndjson',
      where: { status: 'Berfungsi' },
    });

    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const expected = (
      await query("SELECT count(*)::int AS n FROM bore_well WHERE status = 'berfungsi'")
    )[0].n;
    expect(expected).toBeGreaterThan(0);
    expect(lines).toHaveLength(expected);
  });

  it('exports only the features a CQL2 filter selects', async () => {
    const filter = "kecamatan_code = '33.01.06' AND area_ha > 500";

    const file = await exportTo({ layerId: 'desa', format: 'ndjson', filter });

    const properties = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).properties);
    const expected = await query(
      "SELECT count(*)::int AS n FROM desa WHERE kecamatan_code = '33.01.06' AND area_ha > 500",
    );
    expect(expected[0].n).toBeGreaterThan(0);
    expect(properties).toHaveLength(expected[0].n);
    const selected = (p: { area_ha: number; kecamatan_code: string }) =>
      p.area_ha > 500 && p.kecamatan_code === '33.01.06';
    expect(properties.every(selected)).toBe(true);
  });

  it('refuses an unknown format or CRS with the accepted values', async () => {
    const { database } = scratch.testDatabase;

    await expect(prepareExport(database, { layerId: 'desa', format: 'dwg' })).rejects.toMatchObject(
      {
        status: 400,
        detail: expect.stringContaining('shapefile'),
      },
    );
    await expect(
      prepareExport(database, { layerId: 'desa', format: 'csv', crs: 'EPSG:999999' }),
    ).rejects.toMatchObject({ status: 400, type: 'invalid-crs' });
  });

  it('refuses an inverted bbox rather than exporting the whole layer', async () => {
    const request = { layerId: 'desa', format: 'geojson', bbox: '110,-7,108,-8' };

    await expect(prepareExport(scratch.testDatabase.database, request)).rejects.toMatchObject({
      status: 400,
      type: 'invalid-bbox',
      detail: expect.stringContaining('min before max'),
    });
  });

  it('writes a 3D geographic CRS (EPSG:4979) to 8 decimals, as degrees need', async () => {
    const file = await exportTo({ layerId: 'desa', format: 'geojson', crs: 'EPSG:4979' });

    const body = JSON.parse(fs.readFileSync(file, 'utf8'));
    const ring = body.features[0].geometry.coordinates[0][0] as number[][];
    const decimals = (n: number) => String(n).split('.')[1]?.length ?? 0;
    expect(Math.max(...ring.flat().map(decimals))).toBeGreaterThan(3);
    expect(ring[0]![0]).toBeGreaterThan(108);
  });

  it('refuses a geocentric CRS (EPSG:4978), naming it', async () => {
    const request = { layerId: 'desa', format: 'gpkg', crs: 'EPSG:4978' };

    await expect(prepareExport(scratch.testDatabase.database, request)).rejects.toMatchObject({
      status: 400,
      type: 'invalid-crs',
      detail: expect.stringMatching(/EPSG:4978 is geocentric/),
    });
  });

  it('refuses GeoJSONSeq in a projected CRS, which the format cannot name', async () => {
    const { database } = scratch.testDatabase;

    await expect(
      prepareExport(database, { layerId: 'desa', format: 'geojsonseq', crs: 'EPSG:32749' }),
    ).rejects.toMatchObject({
      status: 400,
      type: 'crs-not-in-format',
      detail: expect.stringContaining('EPSG:32749'),
    });
    const lonLat = await prepareExport(database, {
      layerId: 'desa',
      format: 'geojsonseq',
      crs: 'EPSG:4326',
    });
    expect(lonLat.srid).toBe(4326);
  });

  it.each(['geojson', 'csv', 'fgb'])(
    'gives its connection back when the %s reader goes away before the end',
    async (format) => {
      const { database } = scratch.testDatabase;
      const prepared = await prepareExport(database, { layerId: 'desa', format });
      // A reader that stops reading (a full socket), then hangs up: 'drain' never comes.
      const stalled = new Writable({ highWaterMark: 1, write: () => undefined });
      const writing = prepared.write(stalled);
      await new Promise((resolve) => setTimeout(resolve, 100));
      stalled.destroy();

      const hung = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000));
      const outcome = await Promise.race([
        writing.then(
          () => 'finished',
          () => 'stopped',
        ),
        hung,
      ]);

      expect(outcome).toBe('stopped');
      const { exportPool } = database;
      await expect.poll(() => exportPool.totalCount - exportPool.idleCount).toBe(0);
    },
  );

  it.each(['gpkg', 'shp'])(
    'gives its connection back once the %s file is written, before a slow reader has it',
    async (format) => {
      const { database } = scratch.testDatabase;
      const { exportPool } = database;
      const prepared = await prepareExport(database, { layerId: 'desa', format });
      const stalled = new Writable({ highWaterMark: 1, write: () => undefined });

      const writing = prepared.write(stalled).catch(() => 'stopped');
      await expect.poll(() => stalled.writableLength, { timeout: 10000 }).toBeGreaterThan(0);

      expect(exportPool.totalCount - exportPool.idleCount).toBe(0);
      stalled.destroy();
      expect(await writing).toBe('stopped');
    },
  );
});
