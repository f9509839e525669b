import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packZip } from '../../../server/formats/zip-archive.js';
import { cilacapTown, kroya, useImportScratch } from '../../support/import-scratch.js';

const [lon, lat] = kroya as [number, number];

/** Two triangles near Kroya sharing their diagonal: a square of 0.002° as a TIN. */
const squareOfTwoTriangles =
  `TIN Z (((${lon} ${lat} 5, ${lon} ${lat + 0.002} 6, ${lon + 0.002} ${lat} 7, ` +
  `${lon} ${lat} 5)), ((${lon} ${lat + 0.002} 6, ${lon + 0.002} ${lat + 0.002} 8, ` +
  `${lon + 0.002} ${lat} 7, ${lon} ${lat + 0.002} 6)))`;

/** A flat-roofed box east of it as a PolyhedralSurface: its floor, roof and four walls. */
function boxAsPolyhedralSurface(x: number, y: number, sizeDeg: number) {
  const [x1, y1] = [x + sizeDeg, y + sizeDeg];
  const face = (ring: number[][]) =>
    `((${[...ring, ring[0]!].map(([px, py, pz]) => `${px} ${py} ${pz}`).join(', ')}))`;
  const faces = [
    [
      [x, y, 0],
      [x, y1, 0],
      [x1, y1, 0],
      [x1, y, 0],
    ],
    [
      [x, y, 3],
      [x1, y, 3],
      [x1, y1, 3],
      [x, y1, 3],
    ],
    [
      [x, y, 0],
      [x1, y, 0],
      [x1, y, 3],
      [x, y, 3],
    ],
    [
      [x1, y, 0],
      [x1, y1, 0],
      [x1, y1, 3],
      [x1, y, 3],
    ],
    [
      [x1, y1, 0],
      [x, y1, 0],
      [x, y1, 3],
      [x1, y1, 3],
    ],
    [
      [x, y1, 0],
      [x, y, 0],
      [x, y, 3],
      [x, y1, 3],
    ],
  ];
  return `POLYHEDRALSURFACE Z (${faces.map(face).join(', ')})`;
}

describe('geometry kinds beyond the simple features of GeoJSON', () => {
  const { scratch, writeFile, importFile } = useImportScratch('simpul-import-kinds-test-');

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  /** A GeoPackage layer written by GDAL from CSV rows of WKT, as the geometry type given. */
  const addGeoPackageLayer = (gpkg: string, layer: string, type: string, csv: string) => {
    const source = writeFile(`${layer}.csv`, csv);
    const update = fs.existsSync(gpkg) ? ['-update'] : [];
    const open = ['-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO'];
    const args = ['-f', 'GPKG', ...update, gpkg, source, ...open, '-nln', layer, '-nlt', type];
    execFileSync('ogr2ogr', [...args, '-a_srs', 'EPSG:4326'], { stdio: 'ignore' });
  };

  it('imports a GeoPackage layer of TINs or PolyhedralSurfaces as polygons', async () => {
    const gpkg = path.join(scratch.folder, 'permukaan.gpkg');
    const header = 'name,code,type,wkt\n';
    const tin = `Segitiga,33.01.98.4001,desa,"${squareOfTwoTriangles}"\n`;
    addGeoPackageLayer(gpkg, 'tin', 'TINZ', header + tin);
    const box = boxAsPolyhedralSurface(lon + 0.01, lat, 0.001);
    addGeoPackageLayer(
      gpkg,
      'kotak',
      'POLYHEDRALSURFACEZ',
      `${header}Kotak,33.01.98.4002,desa,"${box}"\n`,
    );

    const job = await importFile(gpkg, { layerId: 'desa', sourceLayers: ['tin', 'kotak'] });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 2, 0]);
    const sql = `SELECT name, ST_NumGeometries(geom) AS parts, ST_NPoints(geom) AS points,
        ST_Area(geom) AS area FROM desa WHERE name IN ('Segitiga', 'Kotak') ORDER BY name`;
    const [kotak, segitiga] = await query(sql);
    // the triangles merged into one square, the box into its footprint, walls adding nothing
    expect([segitiga.parts, segitiga.points]).toEqual([1, 5]);
    expect(segitiga.area).toBeCloseTo(0.002 * 0.002, 10);
    expect([kotak.parts, kotak.points]).toEqual([1, 5]);
    expect(kotak.area).toBeCloseTo(0.001 * 0.001, 10);
    expect(job.noteCodes).toContainEqual({ code: 'z-dropped', params: { count: 2 } });
    expect(job.noteCodes).toContainEqual({
      code: 'surfaces-merged',
      params: { sourceLayer: 'tin' },
    });
  });

  it('counts the M values of WKT dropped as such, not as Z values', async () => {
    const [x, y] = cilacapTown as [number, number];
    const csv = writeFile(
      'ukuran.csv',
      'name,type,wkt\n' +
        `Ukur,titik_kumpul,POINT M (${x} ${y} 120)\n` +
        `Ukur tinggi,titik_kumpul,POINT ZM (${lon} ${lat} 15 130)\n` +
        `Tinggi,titik_kumpul,POINT Z (${lon} ${lat} 15)\n`,
    );

    const job = await importFile(csv);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 3]);
    expect(job.noteCodes).toContainEqual({ code: 'z-dropped', params: { count: 2 } });
    expect(job.noteCodes).toContainEqual({ code: 'm-dropped', params: { count: 2 } });
    expect(job.notes).toContain('M (measure) values dropped from 2 features.');
  });

  it('counts the M values of a measured GeoPackage layer or Shapefile as dropped', async () => {
    const points = `name,type,wkt\nUkur,titik_kumpul,POINT M (${lon} ${lat} 120)\n`;
    const gpkg = path.join(scratch.folder, 'ukuran.gpkg');
    addGeoPackageLayer(gpkg, 'ukuran', 'POINTM', points);
    const folder = fs.mkdtempSync(path.join(scratch.folder, 'point-m-'));
    const shp = path.join(folder, 'ukuran_shp.shp');
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', shp, gpkg, 'ukuran', '-nln', 'ukuran_shp']);
    const zip = path.join(scratch.folder, 'point-m.zip');
    await packZip(
      fs.readdirSync(folder).map((name) => path.join(folder, name)),
      zip,
    );

    const fromGeoPackage = await importFile(gpkg);
    const fromShapefile = await importFile(zip);

    for (const job of [fromGeoPackage, fromShapefile]) {
      expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
      expect(job.noteCodes).toContainEqual({ code: 'm-dropped', params: { count: 1 } });
      expect(job.noteCodes!.map((n) => n.code)).not.toContain('z-dropped');
    }
  });
});
