import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../../server/config.js';
import { packZip, unpackZip } from '../../../server/formats/zip-archive.js';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

const fixtures = path.resolve('test/fixtures/import');

/** Offset of the uncompressed size in a central directory header (signature PK\x01\x02). */
const centralSizeOffset = 24;

describe('refusals of the import API', () => {
  let server: TestServer;
  let editor: string;
  let desaEditor: string;
  let scratch: string;
  beforeAll(async () => {
    server = await startTestServer();
    editor = await writeToken(server, 'disaster-risk:editor');
    desaEditor = await writeToken(server, 'administrative:editor');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-import-refusals-'));
  });
  afterAll(async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    await server.close();
  });

  const call = async (url: string, token: string, body: string | Buffer | object) => {
    const raw = typeof body === 'string' || Buffer.isBuffer(body);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (!raw) headers['content-type'] = 'application/json';
    const sent = raw ? body : JSON.stringify(body);
    const response = await fetch(`${server.baseUrl}${url}`, {
      method: 'POST',
      headers,
      body: sent as BodyInit,
    });
    const type = response.headers.get('content-type');
    return { status: response.status, type, body: await response.json() };
  };

  const upload = (fileName: string, content: string | Buffer, token = editor) =>
    call(`/imports/uploads?fileName=${fileName}`, token, content);

  /** The uploadId of a file the server accepted. */
  const uploaded = async (fileName: string, content: string | Buffer, token = editor) => {
    const answer = await upload(fileName, content, token);
    expect(answer.status).toBe(201);
    return answer.body.uploadId as string;
  };

  /** The job once it has finished, polled every 50 ms. */
  const finishedJob = async (jobId: string) => {
    for (;;) {
      const polled = await fetch(`${server.baseUrl}/imports/${jobId}`, {
        headers: { authorization: `Bearer ${editor}` },
      });
      const job = await polled.json();
      if (!['running', 'committing'].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const evacuationSample = fs.readFileSync(path.join(fixtures, 'evacuation-sample.geojson'));
  const desaShapefile = fs.readFileSync(path.join(fixtures, 'desa-utm49s-cp1252.zip'));
  const evacuationMapping = { name: 'nama', type: 'jenis', capacity: 'kapasitas' };

  /** A zip of the desa Shapefile with its `.shp` cut after `shpBytes`. */
  const desaWithCutShp = async (shpBytes: number) => {
    const folder = fs.mkdtempSync(path.join(scratch, 'cut-'));
    const zip = path.join(scratch, `desa-cut-${shpBytes}.zip`);
    fs.writeFileSync(zip, desaShapefile);
    const files = await unpackZip(zip, folder);
    const shp = files.find((f) => f.endsWith('.shp'))!;
    fs.truncateSync(shp, shpBytes);
    await packZip(files, zip);
    return fs.readFileSync(zip);
  };

  it('names the file and the formats read when the format is unknown', async () => {
    const answer = await upload('catatan.dat', 'just some notes');

    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: '/problems/unknown-format',
      fileName: 'catatan.dat',
      formats: expect.arrayContaining(['GeoPackage', 'Shapefile (.zip)', 'CSV']),
    });
  });

  it("keeps the zip library's reason as a member of an unreadable zip", async () => {
    const answer = await upload('rusak.zip', Buffer.from('PK\x03\x04 not really a zip'));

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-zip',
      reason: expect.any(String),
    });
    expect(answer.body.reason.length).toBeGreaterThan(0);
  });

  it('names the entry and its declared size when a zip entry inflates to another', async () => {
    const geojson = path.join(scratch, 'titik.geojson');
    const zip = path.join(scratch, 'titik.zip');
    fs.writeFileSync(geojson, evacuationSample);
    await packZip([geojson], zip);
    const archive = fs.readFileSync(zip);
    const header = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    archive.writeUInt32LE(evacuationSample.length + 1, header + centralSizeOffset);

    const answer = await upload('titik.zip', archive);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-zip',
      entry: 'titik.geojson',
      declaredBytes: evacuationSample.length + 1,
    });
  });

  /** The zip of the evacuation sample, packed by Simpul, with `change` done to its bytes. */
  const damagedSampleZip = async (name: string, change: (archive: Buffer) => void) => {
    const geojson = path.join(scratch, 'titik.geojson');
    const zip = path.join(scratch, name);
    fs.writeFileSync(geojson, evacuationSample);
    await packZip([geojson], zip);
    const archive = fs.readFileSync(zip);
    change(archive);
    return archive;
  };

  it('names the entry packed with a compression it cannot read, and keeps serving', async () => {
    // method 12 (bzip2), as some archivers write it: in both the local and the central header
    const archive = await damagedSampleZip('bzip2.zip', (bytes) => {
      bytes.writeUInt16LE(12, bytes.indexOf(Buffer.from('PK\x03\x04', 'latin1')) + 8);
      bytes.writeUInt16LE(12, bytes.indexOf(Buffer.from('PK\x01\x02', 'latin1')) + 10);
    });

    const answer = await upload('bzip2.zip', archive);

    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-zip',
      entry: 'titik.geojson',
      reason: expect.stringContaining('compression'),
    });
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });

  it('names the entry whose compressed data is damaged', async () => {
    const archive = await damagedSampleZip('rusak-isi.zip', (bytes) => {
      const data = bytes.indexOf(Buffer.from('titik.geojson')) + 'titik.geojson'.length;
      for (let i = data; i < data + 40; i++) bytes[i] = bytes[i]! ^ 0x55;
    });

    const answer = await upload('rusak-isi.zip', archive);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-zip',
      entry: 'titik.geojson',
      reason: expect.any(String),
    });
    expect(answer.body.detail).not.toMatch(/\.\.$/);
  });

  it('names the zip that holds nothing to import', async () => {
    const notes = path.join(scratch, 'catatan.txt.md');
    const zip = path.join(scratch, 'catatan.zip');
    fs.writeFileSync(notes, 'nothing here');
    await packZip([notes], zip);

    const answer = await upload('catatan.zip', fs.readFileSync(zip));

    expect(answer.body).toMatchObject({ type: '/problems/empty-zip', fileName: 'catatan.zip' });
  });

  it('says a GeoPackage holds no layer, as a problem with its reason', async () => {
    const gpkg = path.join(scratch, 'kosong.gpkg');
    fs.copyFileSync(path.join(fixtures, 'two-layers.gpkg'), gpkg);
    for (const table of ['batas_desa', 'titik_evakuasi']) {
      execFileSync('ogrinfo', [gpkg, '-sql', `DROP TABLE ${table}`], { stdio: 'ignore' });
    }

    const answer = await upload('kosong.gpkg', fs.readFileSync(gpkg));

    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: '/problems/empty-geopackage',
      fileName: 'kosong.gpkg',
    });
    expect(answer.body.detail).toMatch(/^kosong\.gpkg holds no layer: /);
  });

  it('wraps what the Shapefile reader says of a cut .shp in a coded refusal', async () => {
    const uploadId = await uploaded('desa-cut.zip', await desaWithCutShp(180), desaEditor);

    const answer = await call('/imports/preview', desaEditor, { uploadId, layerId: 'desa' });

    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-shp',
      reason: expect.any(String),
      uploadRemoved: true,
    });
    expect(answer.body.detail).toContain(answer.body.reason);
  });

  it("ends the reader's words as a sentence before saying the upload was removed", async () => {
    const cut = '{"type": "FeatureCollection", "features": [';
    const uploadId = await uploaded('titik.geojson', cut);

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ type: '/problems/unreadable-json', uploadRemoved: true });
    expect(answer.body.reason).not.toMatch(/\.$/);
    expect(answer.body.detail).toBe(
      `The GeoJSON cannot be read: ${answer.body.reason}. ` +
        'The uploaded file was removed: send a corrected one.',
    );
  });

  it('wraps what the CSV parser says of a stray quote in a coded refusal', async () => {
    const csv = 'nama,jenis,lon,lat\n=HYPERLINK("x"),titik_kumpul,109.07,-7.66\n';
    const uploadId = await uploaded('titik.csv', csv);

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
    });
    const refusal = new ImportApiError(answer.status, answer.body.detail, answer.body);

    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      type: '/problems/unreadable-csv',
      reason: expect.stringContaining('Invalid Opening Quote'),
    });
    expect(answer.body.detail).toMatch(/^The CSV file cannot be read: Invalid Opening Quote/);
    expect(describeRefusal(refusal)).toMatch(/^Berkas CSV rusak atau tanda kutipnya salah/);
  });

  it('answers a multipart form cut short with a 400, and goes on serving', async () => {
    const form = [
      '--cut',
      'Content-Disposition: form-data; name="file"; filename="titik.csv"',
      '',
      'nama,lon,lat',
      'Balai,109.07',
    ].join('\r\n');
    const response = await fetch(`${server.baseUrl}/imports/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${editor}`,
        'content-type': 'multipart/form-data; boundary=cut',
      },
      body: form,
    });
    const body = await response.json();
    const next = await fetch(`${server.baseUrl}/imports/formats`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ type: '/problems/unreadable-form' });
    expect(body.detail).toMatch(/^The multipart form cannot be read: Unexpected end of form/);
    expect(next.status).toBe(200);
  });

  it('removes the part of a multipart upload stored when its client hangs up', async () => {
    const stored = () =>
      fs
        .readdirSync(config.importDir)
        .filter((id) => fs.existsSync(path.join(config.importDir, id, 'putus.csv')));
    const before = stored();
    const kept = () => stored().filter((id) => !before.includes(id));
    const settled = async (done: () => boolean) => {
      for (let waited = 0; !done() && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const request = http.request(`${server.baseUrl}/imports/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${editor}`,
        'content-type': 'multipart/form-data; boundary=cut',
        'content-length': '10000000',
      },
    });
    request.on('error', () => undefined);
    const head = '--cut\r\nContent-Disposition: form-data; name="file"; filename="putus.csv"';
    request.write(`${head}\r\n\r\n${'nama,lon,lat\n'.repeat(20000)}`);

    await settled(() => kept().length > 0);
    const whileSending = kept().length;
    request.destroy();
    await settled(() => kept().length === 0);

    expect(whileSending).toBe(1);
    expect(kept()).toEqual([]);
  });

  it('keeps a multipart file name in UTF-8 as browsers send it', async () => {
    const form = new FormData();
    const csv = 'nama,jenis,lon,lat\nBalai,titik_kumpul,109.07,-7.66\n';
    form.append('file', new Blob([csv]), 'titik Kroya ü 日本.csv');

    const response = await fetch(`${server.baseUrl}/imports/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
      body: form,
    });
    const body = await response.json();

    expect(response.status).toBe(201);
    expect(body).toMatchObject({
      fileName: 'titik Kroya ü 日本.csv',
      sourceLayers: ['titik Kroya ü 日本'],
    });
  });

  it('names the GeoPackage layer asked for and those it holds', async () => {
    const gpkg = fs.readFileSync(path.join(fixtures, 'two-layers.gpkg'));
    const uploadId = await uploaded('dua.gpkg', gpkg);

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
      sourceLayers: ['jalan'],
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/choose-source-layer',
      fileName: 'dua.gpkg',
      sourceLayer: 'jalan',
      sourceLayers: ['batas_desa', 'titik_evakuasi'],
    });
  });

  it('refuses a source layer a single-layer file lacks, naming the one it has', async () => {
    const uploadId = await uploaded('titik.geojson', evacuationSample);
    const asked = { uploadId, layerId: 'evacuation_point', sourceLayers: ['zzz'] };

    const preview = await call('/imports/preview', editor, asked);
    const started = await call('/imports', editor, { ...asked, mapping: evacuationMapping });

    for (const answer of [preview, started]) {
      expect(answer.status).toBe(400);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({
        type: '/problems/choose-source-layer',
        detail: 'titik.geojson holds no layer "zzz"; choose one of: titik.',
        sourceLayer: 'zzz',
        sourceLayers: ['titik'],
      });
    }
  });

  it('refuses a source layer named twice, whose rows would be imported twice', async () => {
    const gpkg = fs.readFileSync(path.join(fixtures, 'two-layers.gpkg'));
    const uploadId = await uploaded('dua.gpkg', gpkg);
    const sourceLayers = ['titik_evakuasi', 'titik_evakuasi'];

    const preview = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
      sourceLayers,
    });
    const started = await call('/imports', editor, {
      uploadId,
      layerId: 'evacuation_point',
      sourceLayers,
    });

    for (const answer of [preview, started]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        type: '/problems/repeated-source-layer',
        detail:
          'The source layer "titik_evakuasi" is named twice; name each layer of the file once.',
        sourceLayer: 'titik_evakuasi',
      });
    }
  });

  it('refuses a CRS that puts lon/lat GeoJSON far off, worded in both languages', async () => {
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32749' } };
    const sample = JSON.parse(evacuationSample.toString('utf8'));
    const named = await uploaded('titik-utm.geojson', JSON.stringify({ ...sample, crs }));
    const plain = await uploaded('titik.geojson', evacuationSample);
    const layer = { layerId: 'evacuation_point', mapping: evacuationMapping };

    const answers = [
      await call('/imports/preview', editor, { uploadId: named, ...layer }),
      await call('/imports', editor, { uploadId: plain, ...layer, crs: 'EPSG:32749' }),
    ];
    const refusals = answers.map((a) => new ImportApiError(a.status, a.body.detail, a.body));
    const indonesian = refusals.map((refusal) => describeRefusal(refusal));
    setLanguage('en');
    const english = refusals.map((refusal) => describeRefusal(refusal));
    setLanguage('id');
    const problem = 'application/problem+json; charset=utf-8';

    const both = { crs: 'EPSG:32749', formatCrs: 'EPSG:4326' };
    expect(answers.map((a) => [a.status, a.type, a.body.type, a.body.code])).toEqual([
      [400, problem, '/problems/crs-misplaces-features', 'format-crs-named'],
      [400, problem, '/problems/crs-misplaces-features', 'format-crs-given'],
    ]);
    expect(answers.map((a) => a.body)).toEqual([
      expect.objectContaining(both),
      expect.objectContaining(both),
    ]);
    expect(indonesian[0]).toMatch(/^Bila dibaca dalam EPSG:32749 yang disebut berkas, .*4326/);
    expect(indonesian[1]).toMatch(/^Bila dibaca dalam EPSG:32749 sesuai pilihan, .*4326/);
    expect(english[0]).toMatch(/^Read in EPSG:32749, which the file names, .*EPSG:4326 as/);
    expect(english[1]).toMatch(/^Read in EPSG:32749, as chosen, .*EPSG:4326 as the/);
  });

  it('names an encoding it does not know', async () => {
    const uploadId = await uploaded('desa.zip', desaShapefile, desaEditor);

    const answer = await call('/imports/preview', desaEditor, {
      uploadId,
      layerId: 'desa',
      encoding: 'klingon-8',
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/unknown-encoding',
      encoding: 'klingon-8',
    });
  });

  it('names a CSV column asked for that is missing, and the columns there are', async () => {
    const csv = 'nama;jenis;bujur;lintang\nTitik 1;titik_kumpul;109,01;-7,72\n';
    const uploadId = await uploaded('titik.csv', csv);

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
      csv: { xColumn: 'lon', yColumn: 'lintang' },
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/unknown-column',
      column: 'lon',
      columns: ['nama', 'jenis', 'bujur', 'lintang'],
    });
  });

  it('quotes the first 50 of 10,000 columns with their count, not all of them', async () => {
    const header = Array.from({ length: 10000 }, (_, i) => `kolom_${i}`);
    const uploadId = await uploaded('lebar.csv', `${header.join(';')}\n${header.join(';')}\n`);

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/no-geometry-columns',
      columnCount: 10000,
    });
    expect(answer.body.columns).toEqual(header.slice(0, 50));
    expect(answer.body.detail).toContain('kolom_49 and 9950 more');
    expect(JSON.stringify(answer.body).length).toBeLessThan(4000);
  });

  describe('a bad mapping', () => {
    it('names the field the file lacks, its attribute and the fields there are', async () => {
      const uploadId = await uploaded('titik.geojson', evacuationSample);
      const mapping = { ...evacuationMapping, name: 'nama_titik' };

      const answer = await call('/imports', editor, {
        uploadId,
        layerId: 'evacuation_point',
        mapping,
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        type: '/problems/invalid-mapping',
        code: 'unknown-field',
        field: 'nama_titik',
        attribute: 'name',
        fields: expect.arrayContaining(['nama', 'jenis', 'kapasitas']),
      });
    });

    it('names an attribute the layer lacks and those it may write', async () => {
      const uploadId = await uploaded('titik.geojson', evacuationSample);
      const mapping = { ...evacuationMapping, warna: 'nama' };

      const answer = await call('/imports/preview', editor, {
        uploadId,
        layerId: 'evacuation_point',
        mapping,
      });

      expect(answer.body).toMatchObject({
        type: '/problems/invalid-mapping',
        code: 'unknown-attribute',
        attribute: 'warna',
        attributes: expect.arrayContaining(['name', 'type', 'capacity']),
      });
    });

    it('names a computed attribute mapped to a field', async () => {
      const uploadId = await uploaded('desa.zip', desaShapefile, desaEditor);

      const answer = await call('/imports/preview', desaEditor, {
        uploadId,
        layerId: 'desa',
        mapping: { area_ha: 'NAMA' },
      });

      expect(answer.body).toMatchObject({
        type: '/problems/invalid-mapping',
        code: 'read-only',
        attribute: 'area_ha',
        attributes: expect.not.arrayContaining(['area_ha']),
      });
    });

    it('says when the mapping is not an object of names', async () => {
      const uploadId = await uploaded('titik.geojson', evacuationSample);

      const answer = await call('/imports/preview', editor, {
        uploadId,
        layerId: 'evacuation_point',
        mapping: ['nama'],
      });

      expect(answer.body).toMatchObject({
        type: '/problems/invalid-mapping',
        code: 'not-an-object',
      });
    });
  });

  it('keeps the members of the problem that stopped a job in its message params', async () => {
    // the checks before the job read the first 100 lines; line 151 is cut
    const titik = (i: number) =>
      JSON.stringify({
        type: 'Feature',
        properties: { nama: `Titik ${i}`, jenis: 'titik_kumpul', kapasitas: 50 },
        geometry: { type: 'Point', coordinates: [109.0 + i / 10000, -7.7] },
      });
    const lines = Array.from({ length: 150 }, (_, i) => titik(i));
    const uploadId = await uploaded('cut.geojsonl', `${lines.join('\n')}\n{"type": "Fe\n`);

    const started = await call('/imports', editor, {
      uploadId,
      layerId: 'evacuation_point',
      mapping: evacuationMapping,
    });
    const job = await finishedJob(started.body.id);

    expect(job.status).toBe('failed');
    expect(job.messageParams).toMatchObject({ problem: 'unreadable-json', line: 151 });
  });

  it('says why an import cannot be undone, with the status it has', async () => {
    const uploadId = await uploaded('titik.geojson', evacuationSample);
    const started = await call('/imports', editor, {
      uploadId,
      layerId: 'evacuation_point',
      mapping: evacuationMapping,
      dryRun: true,
    });
    const job = await finishedJob(started.body.id);

    const answer = await call(`/imports/${job.id}/undo`, editor, {});

    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      type: '/problems/import-not-undoable',
      code: 'not-succeeded',
      jobStatus: 'checked',
    });
  });

  it('names the option, the values allowed and the value given', async () => {
    const uploadId = await uploaded('titik.geojson', evacuationSample);

    const answer = await call('/imports', editor, {
      uploadId,
      layerId: 'evacuation_point',
      mode: 'sebagian',
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/invalid-import',
      code: 'not-one-of',
      name: 'mode',
      allowed: ['all-or-nothing', 'valid-only'],
      value: 'sebagian',
    });
  });

  it('refuses a dry run asked as text or a number, and writes nothing', async () => {
    const count = async () =>
      (
        await server.testDatabase.database.pool.query(
          'SELECT count(*)::int AS n FROM evacuation_point',
        )
      ).rows[0].n;
    const before = await count();

    for (const dryRun of ['true', 1, 'yes']) {
      const uploadId = await uploaded('titik.geojson', evacuationSample);
      const answer = await call('/imports', editor, {
        uploadId,
        layerId: 'evacuation_point',
        mapping: evacuationMapping,
        dryRun,
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        type: '/problems/invalid-import',
        code: 'not-true-or-false',
        name: 'dryRun',
        value: JSON.stringify(dryRun),
      });
    }
    expect(await count()).toBe(before);
  });

  it('refuses an option it does not have, such as dry_run, and writes nothing', async () => {
    const count = async () =>
      (
        await server.testDatabase.database.pool.query(
          'SELECT count(*)::int AS n FROM evacuation_point',
        )
      ).rows[0].n;
    const before = await count();
    const sent = [
      [{ dry_run: true }, 'dry_run'],
      [{ dryrun: true }, 'dryrun'],
      [{ csv: { delimeter: ';' } }, 'csv.delimeter'],
    ] as const;

    for (const [options, name] of sent) {
      const uploadId = await uploaded('titik.geojson', evacuationSample);
      const body = { uploadId, layerId: 'evacuation_point', mapping: evacuationMapping };
      const answer = await call('/imports', editor, { ...body, ...options });
      const preview = await call('/imports/preview', editor, { ...body, ...options });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        type: '/problems/invalid-import',
        code: 'unknown-option',
        name,
      });
      expect(answer.body.detail).toContain(name.startsWith('csv.') ? 'delimiter' : 'dryRun');
      expect(preview.status).toBe(400);
    }
    expect(await count()).toBe(before);
  });

  it('refuses CSV options that are not an object, and writes nothing', async () => {
    const uploadId = await uploaded('titik.geojson', evacuationSample);

    const answer = await call('/imports', editor, {
      uploadId,
      layerId: 'evacuation_point',
      mapping: evacuationMapping,
      csv: 'x',
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'not-an-object', name: 'csv' });
  });

  it('refuses a KMZ linking to a web address, naming the link in both languages', async () => {
    const link = 'https://example.org/posko.kml';
    const doc =
      '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink><name>Posko</name>' +
      `<Link><href>${link}</href></Link></NetworkLink></Document></kml>`;
    const kml = path.join(scratch, 'doc.kml');
    fs.writeFileSync(kml, doc);
    const kmz = path.join(scratch, 'posko.kmz');
    await packZip([kml], kmz);
    const uploadId = await uploaded('posko.kmz', fs.readFileSync(kmz));

    const answer = await call('/imports/preview', editor, {
      uploadId,
      layerId: 'evacuation_point',
    });
    const refusal = new ImportApiError(answer.status, answer.body.detail, answer.body);
    const indonesian = describeRefusal(refusal);
    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage('id');

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: '/problems/kml-link-not-read',
      code: 'remote',
      file: 'doc.kml',
      link,
      uploadRemoved: true,
    });
    expect(indonesian).toContain(`doc.kml menautkan ke ${link} (NetworkLink), yang tidak diambil`);
    expect(english).toContain(`doc.kml links to ${link} (a NetworkLink), which Simpul does not`);
    expect(english).toContain('send a corrected one');
  });
});
