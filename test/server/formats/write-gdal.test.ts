import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFeature, ExportShape } from '../../../server/formats/export-feature.js';
import { openShapefile, shapefilePartsAt } from '../../../server/formats/read-shapefile.js';
import { writeShapefileZip } from '../../../server/formats/write-gdal.js';
import { unpackZip } from '../../../server/formats/zip-archive.js';

const shape: ExportShape = {
  name: 'evacuation_point',
  columns: [
    { name: 'id', type: 'id' },
    { name: 'name', type: 'text' },
  ],
  geometryType: 'Point',
  srid: 4326,
};

async function* points(names: string[]): AsyncIterable<ExportFeature> {
  for (const [i, name] of names.entries()) {
    yield {
      id: i + 1,
      properties: { id: i + 1, name },
      geometry: { type: 'Point', coordinates: [109, -7.7] },
    };
  }
}

describe('a Shapefile export', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-write-gdal-'));
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** Writes the names as a zipped Shapefile, unpacks it and reads its names back. */
  async function roundTrip(label: string, names: string[]) {
    const scratch = fs.mkdtempSync(path.join(folder, `${label}-`));
    const target = path.join(folder, `${label}.zip`);
    await writeShapefileZip(points(names), shape, scratch, target);
    const files = await unpackZip(target, fs.mkdtempSync(path.join(folder, `${label}-out-`)));
    const shp = files.find((file) => file.endsWith('.shp'))!;
    const source = await openShapefile(shapefilePartsAt(shp));
    const read: string[] = [];
    for await (const feature of source.features()) read.push(String(feature.properties.name));
    const notes = files.find((file) => file.endsWith('.notes.txt'));
    return { read, notes: notes && fs.readFileSync(notes, 'utf8') };
  }

  it('names in both languages the text cut at the .dbf limit, and cuts no letter', async () => {
    const long = 'Lapangan Desa Tégalréja '.repeat(12);

    const { read, notes } = await roundTrip('long', ['Balai Desa Kroya', long, long]);

    expect(Buffer.byteLength(long)).toBeGreaterThan(254);
    expect(read[0]).toBe('Balai Desa Kroya');
    expect(long.startsWith(read[1]!)).toBe(true);
    expect(Buffer.byteLength(read[1]!)).toBeLessThanOrEqual(254);
    expect(read[1]).not.toContain('\ufffd');
    expect(notes).toContain('dipotong oleh format Shapefile (.dbf)');
    expect(notes).toContain(
      'was cut by the Shapefile format (.dbf); values cut per attribute: name: 2.',
    );
  });

  it('adds no notes when every text fits', async () => {
    const { notes } = await roundTrip('short', ['Balai Desa Kroya']);

    expect(notes).toBeUndefined();
  });
});
