import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGeoJson, openGeoJsonSeq } from '../../../server/formats/read-geojson.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-geojson-test-'));

function feature(n: number) {
  return {
    type: 'Feature',
    properties: { n },
    geometry: { type: 'Point', coordinates: [109, -7.6] },
  };
}

async function readAll(text: string, name = 'layer.geojson') {
  const file = path.join(folder, name);
  fs.writeFileSync(file, text);
  const source = name.endsWith('l') ? openGeoJsonSeq(file, 'layer') : openGeoJson(file, 'layer');
  const rows: [number, unknown][] = [];
  for await (const record of source.features()) rows.push([record.rowNumber, record.properties.n]);
  return { rows, source };
}

describe('reading GeoJSON', () => {
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  const expected = [
    [1, 1],
    [2, 2],
    [3, 3],
  ];

  it('reads a collection written one feature per line', async () => {
    const lines = [1, 2, 3].map((n) => JSON.stringify(feature(n)));
    const text = `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`;

    expect((await readAll(text)).rows).toEqual(expected);
  });

  it('refuses a TopoJSON or other JSON holding no features member, saying so', async () => {
    const topology = '{"type":"Topology","objects":{"desa":{"type":"GeometryCollection"}}}';

    await expect(readAll(topology)).rejects.toMatchObject({
      code: 'not-geojson',
      params: { jsonType: 'Topology' },
      message: expect.stringContaining('TopoJSON'),
    });
    await expect(readAll('[{"kode": "A"}]')).rejects.toMatchObject({ code: 'not-geojson' });
    expect((await readAll('{"type":"FeatureCollection","features":[]}')).rows).toEqual([]);
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/not-geojson',
      jsonType: 'Topology',
    });
    expect(describeRefusal(refusal)).toMatch(/^Berkas ini bukan GeoJSON/);
  });

  it('reads a minified collection on one line', async () => {
    const text = JSON.stringify({ type: 'FeatureCollection', features: [1, 2, 3].map(feature) });

    expect((await readAll(text)).rows).toEqual(expected);
  });

  it('goes on with the tokenizer when a later feature spans several lines', async () => {
    const [one, two] = [1, 2].map((n) => JSON.stringify(feature(n)));
    const three = JSON.stringify(feature(3), null, 2);
    const text = `{"type":"FeatureCollection","features":[\n${one},\n${two},\n${three}\n]}`;

    expect((await readAll(text)).rows).toEqual(expected);
  });

  it('reads the CRS named in the geometries of a GeoJSONSeq export in UTM 49S', async () => {
    const crs = { type: 'name', properties: { name: 'EPSG:32749' } };
    const line = (n: number) =>
      JSON.stringify({
        type: 'Feature',
        properties: { n },
        geometry: { type: 'Point', crs, coordinates: [287337.418, 9152163.034] },
      });
    const { source } = await readAll(`${line(1)}\n${line(2)}\n`, 'utm.geojsonl');

    expect(source.crs).toEqual({ epsg: 32749 });
  });

  it('reads the CRS a legacy crs member names', async () => {
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32749' } };
    const text = JSON.stringify({ type: 'FeatureCollection', crs, features: [feature(1)] });

    expect((await readAll(text)).source.crs).toEqual({ epsg: 32749 });
  });

  it('numbers newline-delimited features by their line, record separators allowed', async () => {
    const text = `\x1e${JSON.stringify(feature(1))}\n\n${JSON.stringify(feature(2))}\n`;

    expect((await readAll(text, 'layer.geojsonl')).rows).toEqual([
      [1, 1],
      [3, 2],
    ]);
  });
});
