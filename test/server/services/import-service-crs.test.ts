import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { packZip } from '../../../server/formats/zip-archive.js';
import { prepareImport } from '../../../server/services/import-service.js';
import { crs84Spellings, epsgSpellings } from '../../support/crs-spellings.js';
import { cilacapTown, kroya, point, useImportScratch } from '../../support/import-scratch.js';

/** Two points inside Cilacap: the market of Majenang and the square of Sidareja. */
const majenang = [108.7622, -7.2986];
const sidareja = [108.8127, -7.4805];
const utm49s = '+proj=utm +zone=49 +south +datum=WGS84 +units=m +no_defs';
const utm49sUrn = 'urn:ogc:def:crs:EPSG::32749';

describe('the coordinate systems of an import', () => {
  const { scratch, writeFile, request, importFile } = useImportScratch('simpul-import-crs-test-');

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  /** Where `name` was stored, in lon/lat. */
  const storedAt = async (name: string) => {
    const columns = 'ST_X(geom) AS lon, ST_Y(geom) AS lat';
    const sql = `SELECT ${columns} FROM evacuation_point WHERE name = $1`;
    const [row] = await query(sql, [name]);
    return [row?.lon, row?.lat] as number[];
  };

  /** Points given in lon/lat, as a GeoJSON file named for `layer`. */
  const writePoints = (layer: string, places: number[][]) => {
    const features = places.map((place, i) =>
      point(place, { name: `${layer} ${i + 1}`, type: 'titik_kumpul' }),
    );
    return writeFile(`${layer}.geojson`, JSON.stringify({ type: 'FeatureCollection', features }));
  };

  /** The points written by GDAL in EPSG:`epsg` as the Shapefile `layer` in `folder`. */
  const writeShapefile = (folder: string, layer: string, epsg: number, places: number[][]) => {
    const shp = path.join(folder, `${layer}.shp`);
    const source = writePoints(layer, places);
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', shp, source, '-t_srs', `EPSG:${epsg}`]);
  };

  /** The points written by GDAL in EPSG:`epsg` as the layer `layer` of the GeoPackage `gpkg`. */
  const addGeoPackageLayer = (gpkg: string, layer: string, epsg: number, places: number[][]) => {
    const source = writePoints(layer, places);
    const update = fs.existsSync(gpkg) ? ['-update'] : [];
    const args = ['-f', 'GPKG', ...update, gpkg, source, '-nln', layer];
    execFileSync('ogr2ogr', [...args, '-t_srs', `EPSG:${epsg}`]);
  };

  const expectStoredAt = async (name: string, place: number[]) => {
    const [lon, lat] = await storedAt(name);
    expect(lon).toBeCloseTo(place[0]!, 6);
    expect(lat).toBeCloseTo(place[1]!, 6);
  };

  it('reads each Shapefile of a zip in the CRS of its own .prj, in either order', async () => {
    const folder = fs.mkdtempSync(path.join(scratch.folder, 'two-shapefiles-'));
    writeShapefile(folder, 'tm3', 23835, [cilacapTown, kroya]);
    writeShapefile(folder, 'utm', 32749, [majenang, sidareja]);
    const zip = path.join(scratch.folder, 'two-shapefiles.zip');
    const files = fs.readdirSync(folder).map((name) => path.join(folder, name));
    await packZip(files, zip);

    const tm3First = await importFile(zip, { sourceLayers: ['tm3', 'utm'], dryRun: true });
    const utmFirst = await importFile(zip, { sourceLayers: ['utm', 'tm3'] });

    const checked = [tm3First.status, tm3First.rowsWritten, tm3First.rowsRejected];
    expect(checked).toEqual(['checked', 4, 0]);
    expect([utmFirst.status, utmFirst.rowsWritten]).toEqual(['succeeded', 4]);
    await expectStoredAt('tm3 2', kroya);
    await expectStoredAt('utm 1', majenang);
  });

  it('reads each layer of a GeoPackage in its own CRS', async () => {
    const gpkg = path.join(scratch.folder, 'two-crs.gpkg');
    addGeoPackageLayer(gpkg, 'tm3_gpkg', 23835, [cilacapTown]);
    addGeoPackageLayer(gpkg, 'utm_gpkg', 32749, [sidareja]);

    const job = await importFile(gpkg, { sourceLayers: ['utm_gpkg', 'tm3_gpkg'] });

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    await expectStoredAt('tm3_gpkg 1', cilacapTown);
    await expectStoredAt('utm_gpkg 1', sidareja);
  });

  it('refuses lon/lat coordinates under a .prj of metres, saying to read lon/lat', async () => {
    const folder = fs.mkdtempSync(path.join(scratch.folder, 'wrong-prj-'));
    writeShapefile(folder, 'derajat', 4326, [cilacapTown, kroya]);
    writeShapefile(folder, 'meter', 32749, [majenang]);
    fs.copyFileSync(path.join(folder, 'meter.prj'), path.join(folder, 'derajat.prj'));
    const zip = path.join(scratch.folder, 'wrong-prj.zip');
    const files = fs.readdirSync(folder).filter((name) => name.startsWith('derajat'));
    await packZip(
      files.map((name) => path.join(folder, name)),
      zip,
    );
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(zip)).catch((error: unknown) => error);
    const job = await importFile(zip, { crs: 'EPSG:4326' });

    const extra = { code: 'file-crs-lon-lat', formatCrs: 'EPSG:4326', sampled: 2 };
    expect(refused).toMatchObject({ status: 400, type: 'crs-misplaces-features', extra });
    expect((refused as Error).message).toMatch(/UTM.*which the file names.*EPSG:4326/s);
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    await expectStoredAt('derajat 2', kroya);
  });

  // GDAL reprojects a GeoPackage layer from the CRS it names as it reads: lon/lat coordinates
  // under a CRS of metres landed near the South Pole, and every row was rejected as outside.
  it('refuses a GeoPackage layer naming metres over lon/lat, naming the layer', async () => {
    const gpkg = path.join(scratch.folder, 'wrong-srs.gpkg');
    const source = writePoints('derajat', [cilacapTown, kroya]);
    const args = ['-f', 'GPKG', gpkg, source, '-nln', 'derajat'];
    execFileSync('ogr2ogr', [...args, '-a_srs', 'EPSG:32749']);
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(gpkg)).catch((error: unknown) => error);

    const extra = { code: 'layer-crs-lon-lat', crs: 'WGS 84 / UTM zone 49S', sampled: 2 };
    expect(refused).toMatchObject({ status: 400, type: 'crs-misplaces-features', extra });
    expect((refused as Error).message).toMatch(/layer "derajat" names.*Assigned CRS/s);
  });

  it('refuses a CSV whose longitude and latitude hold each other, saying so', async () => {
    const [lon, lat] = cilacapTown as [number, number];
    const csv = writeFile('tertukar.csv', `name,type,lon,lat\nPos,titik_kumpul,${lat},${lon}\n`);
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(csv)).catch((error: unknown) => error);

    expect(refused).toMatchObject({
      status: 400,
      type: 'coordinates-outside-crs',
      extra: { code: 'swapped' },
    });
    expect((refused as Error).message).toMatch(/swapped/);
  });

  it('counts the Z values a PointZ Shapefile loses in the notes, like others', async () => {
    const folder = fs.mkdtempSync(path.join(scratch.folder, 'point-z-'));
    writeShapefile(folder, 'tinggi', 32749, [
      [...cilacapTown, 12.5],
      [...kroya, 8],
    ]);
    const zip = path.join(scratch.folder, 'point-z.zip');
    const files = fs.readdirSync(folder).map((name) => path.join(folder, name));
    await packZip(files, zip);

    const job = await importFile(zip);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    expect(job.noteCodes).toContainEqual({ code: 'z-dropped', params: { count: 2 } });
    await expectStoredAt('tinggi 2', kroya);
  });

  it('asks the EPSG code of a .prj whose datum names no shift to WGS 84 (ID74)', async () => {
    const folder = fs.mkdtempSync(path.join(scratch.folder, 'id74-'));
    writeShapefile(folder, 'id74', 23889, [cilacapTown, kroya]);
    const zip = path.join(scratch.folder, 'id74.zip');
    const files = fs.readdirSync(folder).map((name) => path.join(folder, name));
    await packZip(files, zip);
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(zip)).catch((error: unknown) => error);
    const job = await importFile(zip, { crs: 'EPSG:23889' });

    const extra = { crs: 'WKT "Indonesian_1974_UTM_Zone_49S"', datum: 'D_Indonesian_1974' };
    expect(refused).toMatchObject({ status: 400, type: 'crs-datum-unknown', extra });
    expect((refused as Error).message).toMatch(/without its shift to WGS 84/);
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 2]);
    // the ID74 shift (28 m here) applied: within 5 m of where GDAL's own transformation puts it
    const [lon, lat] = await storedAt('id74 2');
    expect(lon).toBeCloseTo(kroya[0]!, 4);
    expect(lat).toBeCloseTo(kroya[1]!, 4);
  });

  it('asks the CRS of a GeoPackage layer naming none after one naming its own', async () => {
    const gpkg = path.join(scratch.folder, 'one-crs-named.gpkg');
    addGeoPackageLayer(gpkg, 'named', 32749, [kroya]);
    const [x, y] = proj4('EPSG:4326', utm49s, majenang);
    const csv = writeFile('unnamed.csv', `x,y,name,type\n${x},${y},unnamed 1,titik_kumpul\n`);
    const xy = ['-oo', 'X_POSSIBLE_NAMES=x', '-oo', 'Y_POSSIBLE_NAMES=y'];
    execFileSync('ogr2ogr', ['-f', 'GPKG', '-update', gpkg, csv, '-nln', 'unnamed', ...xy]);
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(
      pool,
      request(gpkg, { sourceLayers: ['named', 'unnamed'] }),
    ).catch((error: unknown) => error);

    const extra = { sourceLayer: 'unnamed' };
    expect(refused).toMatchObject({ status: 400, type: 'missing-crs', extra });
    // a crs given for both is refused for the named one: the unnamed one is imported alone
    expect((refused as Error).message).toMatch(/^The layer "unnamed" names no coordinate/);
    expect((refused as Error).message).toMatch(/import it on its own/);
  });

  /** A FeatureCollection of lon/lat points whose legacy crs member names `crsName`. */
  const lonLatNamedAs = (crsName: string) => {
    const crs = { type: 'name', properties: { name: crsName } };
    const features = [point(cilacapTown, { name: 'Lon/lat 1', type: 'titik_kumpul' })];
    return JSON.stringify({ type: 'FeatureCollection', crs, features });
  };

  it('refuses lon/lat GeoJSON that its legacy crs member puts far off, naming both', async () => {
    const collection = writeFile('crs-member-utm.geojson', lonLatNamedAs(utm49sUrn));
    const feature = point(kroya, { name: 'Lon/lat 2', type: 'titik_kumpul' });
    const crs = { type: 'name', properties: { name: utm49sUrn } };
    const sequence = writeFile('crs-member-utm.geojsonl', JSON.stringify({ ...feature, crs }));
    const { pool } = scratch.testDatabase.database;
    const prepare = (file: string, crsGiven?: string) =>
      prepareImport(pool, request(file, { crs: crsGiven })).catch((error: unknown) => error);

    const refusals = [await prepare(collection), await prepare(sequence)];
    const repeated = await prepare(collection, 'EPSG:32749');
    const job = await importFile(collection, { crs: 'EPSG:4326' });

    const extra = { code: 'format-crs-named', crs: 'EPSG:32749', formatCrs: 'EPSG:4326' };
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 400, type: 'crs-misplaces-features', extra });
    }
    expect((refusals[0] as Error).message).toMatch(/EPSG:32749, which the file names.*EPSG:4326/);
    expect(repeated).toMatchObject({ extra: { code: 'format-crs-given', crs: 'EPSG:32749' } });
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    await expectStoredAt('Lon/lat 1', cilacapTown);
  });

  it('asks the CRS of GeoJSON whose crs member names none, reads the one given', async () => {
    const [x, y] = proj4(utm49s, kroya);
    const feature = { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] } };
    const properties = { name: 'UTM unnamed', type: 'titik_kumpul' };
    const crs = { type: 'name', properties: { name: 'EPSG:bogus' } };
    const features = [{ ...feature, properties }];
    const file = writeFile(
      'crs-bogus.geojson',
      JSON.stringify({ type: 'FeatureCollection', crs, features }),
    );
    const { pool } = scratch.testDatabase.database;

    const refused = await prepareImport(pool, request(file)).catch((error: unknown) => error);
    const job = await importFile(file, { crs: 'EPSG:32749' });

    expect(refused).toMatchObject({ status: 400, type: 'missing-crs' });
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    const notes = job.noteCodes.map((note) => note.code);
    expect(notes).toContain('legacy-crs-unreadable');
    await expectStoredAt('UTM unnamed', kroya);
  });

  it('reads the CRS given or named by a legacy crs member in each spelling', async () => {
    const utmPoint = (name: string) => {
      const coordinates = proj4(utm49s, kroya);
      const properties = { name, type: 'titik_kumpul' };
      return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
    };
    const named = (crs: string) => ({ type: 'name', properties: { name: crs } });
    const file = (name: string, crs: string) => {
      const features = [utmPoint(name)];
      const text = JSON.stringify({ type: 'FeatureCollection', crs: named(crs), features });
      return writeFile(`${name}.geojson`, text);
    };
    const lonLat = (name: string, crs: string) => {
      const features = [point(kroya, { name, type: 'titik_kumpul' })];
      const text = JSON.stringify({ type: 'FeatureCollection', crs: named(crs), features });
      return writeFile(`${name}.geojson`, text);
    };
    const checked = async (path: string, crs?: string) => {
      const job = await importFile(path, { crs, dryRun: true });
      return [job.status, job.rowsWritten, job.rowsRejected];
    };

    for (const [i, crs] of [...epsgSpellings(32749), '32749'].entries()) {
      expect(await checked(file(`utm-given-${i}`, 'EPSG:bogus'), crs), crs).toEqual([
        'checked',
        1,
        0,
      ]);
      if (crs === '32749') continue;
      expect(await checked(file(`utm-named-${i}`, crs)), crs).toEqual(['checked', 1, 0]);
    }
    for (const [i, crs] of [...crs84Spellings, ...epsgSpellings(4326)].entries()) {
      expect(await checked(lonLat(`lon-lat-named-${i}`, crs)), crs).toEqual(['checked', 1, 0]);
      expect(await checked(lonLat(`lon-lat-given-${i}`, 'EPSG:bogus'), crs), crs).toEqual([
        'checked',
        1,
        0,
      ]);
    }
  });

  it('refuses a crs given that misplaces lon/lat GeoJSON, KML or CSV, naming both', async () => {
    const geojson = writePoints('lon-lat', [cilacapTown, kroya]);
    const kml = writeFile(
      'lon-lat.kml',
      '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>KML 1</name>' +
        `<Point><coordinates>${kroya.join(',')}</coordinates></Point>` +
        '</Placemark></Document></kml>',
    );
    const { pool } = scratch.testDatabase.database;
    const prepare = (file: string) =>
      prepareImport(pool, request(file, { crs: 'EPSG:32749' })).catch((error: unknown) => error);

    const csv = writeFile(
      'lon-lat.csv',
      `name,type,longitude,latitude\nCSV 1,titik_kumpul,${kroya.join(',')}\n` +
        `CSV 2,titik_kumpul,${cilacapTown.join(',')}\n`,
    );

    const refusals = [await prepare(geojson), await prepare(kml), await prepare(csv)];

    const extra = { code: 'format-crs-given', crs: 'EPSG:32749', formatCrs: 'EPSG:4326' };
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 400, type: 'crs-misplaces-features', extra });
    }
    expect((refusals[0] as Error).message).toMatch(/EPSG:32749, as crs says.*EPSG:4326/);
  });
});
