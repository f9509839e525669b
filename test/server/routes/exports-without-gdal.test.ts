import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectGdal } from '../../../server/formats/gdal.js';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';

const twoLayers = path.resolve('test/fixtures/import/two-layers.gpkg');

describe('exports and imports on a server without GDAL', () => {
  let server: TestServer;
  let editor: string;
  let emptyFolder: string;
  beforeAll(async () => {
    // ogr2ogr is looked for once, on the PATH: a PATH of an empty folder finds none, as on a
    // server without gdal-bin
    emptyFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-no-gdal-'));
    const pathBefore = process.env.PATH;
    process.env.PATH = emptyFolder;
    try {
      expect(detectGdal()).toBeNull();
    } finally {
      process.env.PATH = pathBefore;
    }
    server = await startTestServer();
    editor = await writeToken(server, 'disaster-risk:editor');
  });
  afterAll(async () => {
    fs.rmSync(emptyFolder, { recursive: true, force: true });
    await server?.close();
  });

  it.each(['gpkg', 'shp'])('answers a %s export with a 501 naming GDAL', async (format) => {
    const address = `${server.baseUrl}/exports/evacuation_point?format=${format}`;

    const response = await fetch(address);
    const head = await fetch(address, { method: 'HEAD' });

    expect(response.status).toBe(501);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: '/problems/gdal-missing',
      detail: expect.stringContaining('apt-get install gdal-bin'),
    });
    expect(head.status).toBe(501);
  });

  it('still exports the formats that need no GDAL', async () => {
    const response = await fetch(`${server.baseUrl}/exports/evacuation_point?format=fgb`);

    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('answers a GeoPackage upload with the same 501 as the export', async () => {
    const response = await fetch(`${server.baseUrl}/imports/uploads?fileName=two-layers.gpkg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
      body: fs.readFileSync(twoLayers),
    });

    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({
      type: '/problems/gdal-missing',
      detail: expect.stringContaining('apt-get install gdal-bin'),
    });
  });
});
