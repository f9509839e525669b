import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../../server/config.js';
import { createApiToken, createUser } from '../../../server/services/account-service.js';
import { hasRunningImports } from '../../../server/services/import-service.js';
import { startTestServer, writeToken, type TestServer } from '../../support/app-server.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { exportCoordinateSystems } from '../../../web/import/export-coordinate-systems.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

const fixtures = path.resolve('test/fixtures/import');

describe('imports and exports over HTTP', () => {
  let server: TestServer;
  let editor: string;
  let otherEditor: string;
  beforeAll(async () => {
    server = await startTestServer();
    editor = await writeToken(server, 'disaster-risk:editor');
    otherEditor = await writeToken(server, 'administrative:editor');
  });
  afterAll(() => server.close());

  const call = async (
    method: string,
    url: string,
    options: { token?: string; json?: unknown; body?: BodyInit } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
    return fetch(`${server.baseUrl}${url}`, { method, headers, body });
  };

  const upload = async (file: string, token = editor) => {
    const response = await call('POST', `/imports/uploads?fileName=${path.basename(file)}`, {
      token,
      body: fs.readFileSync(file),
    });
    return { response, body: await response.json() };
  };

  /** The job once `until` holds (by default: once it has finished), polled every 50 ms. */
  const waitForJob = async (
    jobId: string,
    until = (job: { status: string; step?: string }) =>
      !['running', 'committing'].includes(job.status),
    timeoutMs = 10000,
  ) => {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
      const job = await (await call('GET', `/imports/${jobId}`, { token: editor })).json();
      if (until(job)) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the job did not reach the state waited for in ${timeoutMs} ms`);
  };

  const waitFor = async (condition: () => Promise<boolean>) => {
    const start = Date.now();
    while (!(await condition())) {
      if (Date.now() - start > 10000) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('uploads a GeoPackage and tells its format and layers', async () => {
    const { response, body } = await upload(path.join(fixtures, 'two-layers.gpkg'));

    expect(response.status).toBe(201);
    expect(body).toMatchObject({
      format: 'geopackage',
      sourceLayers: ['batas_desa', 'titik_evakuasi'],
      uploadId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('accepts a multipart upload', async () => {
    const form = new FormData();
    const bytes = fs.readFileSync(path.join(fixtures, 'evacuation-sample.geojson'));
    form.append('file', new Blob([bytes]), 'titik.geojson');

    const response = await call('POST', '/imports/uploads', { token: editor, body: form });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ format: 'geojson', fileName: 'titik.geojson' });
  });

  it('previews, imports in the background and reports progress and rejected rows', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = {
      uploadId: uploaded.uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
      mode: 'valid-only',
    };

    const preview = await (
      await call('POST', '/imports/preview', { token: editor, json: options })
    ).json();
    const started = await call('POST', '/imports', { token: editor, json: options });
    const job = await waitForJob((await started.json()).id);

    expect(preview.sample).toHaveLength(2);
    expect(preview.problems).toEqual([]);
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toMatch(/^\/imports\/[0-9a-f-]{36}$/);
    expect(job).toMatchObject({
      status: 'succeeded',
      rowsRead: 2,
      rowsWritten: 2,
      rowsRejected: 0,
    });
  });

  it('waits for the tile caches on the first read of a finished job only', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = {
      uploadId: uploaded.uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
    };
    const started = await call('POST', '/imports', { token: editor, json: options });
    const { id } = await started.json();
    const markers: string[] = [];
    const listener = new pg.Client({ connectionString: server.testDatabase.url });
    await listener.connect();
    listener.on('notification', (n) => markers.push(n.channel));
    await listener.query('LISTEN simpul_tile_barrier');
    try {
      await waitForJob(id);
      // The job itself confirms its commit after it reads succeeded: that marker must be in
      // the count before the polls, and the listener's round trip brings the markers sent.
      await waitFor(async () => !hasRunningImports());
      await listener.query('SELECT 1');
      const afterFinish = markers.length;
      for (let i = 0; i < 3; i += 1) await call('GET', `/imports/${id}`, { token: editor });
      await listener.query('SELECT 1');
      const afterPolls = markers.length;
      await call('POST', `/imports/${id}/undo`, { token: editor });
      await call('GET', `/imports/${id}`, { token: editor });
      await listener.query('SELECT 1');
      const afterUndoRead = markers.length;

      expect(afterFinish).toBeGreaterThanOrEqual(1);
      expect(afterPolls).toBe(afterFinish);
      expect(afterUndoRead).toBeGreaterThan(afterPolls);
    } finally {
      await listener.end();
    }
  });

  it('serves the report of rejected rows as JSON and as CSV', async () => {
    const rows = [
      { nama: 'Balai Desa', jenis: 'titik_kumpul', lon: 109.0153 },
      { nama: '', jenis: 'stadion', lon: 109.2456 },
    ];
    const features = rows.map(({ lon, ...properties }) => ({
      type: 'Feature',
      properties,
      geometry: { type: 'Point', coordinates: [lon, -7.7] },
    }));
    const response = await call('POST', '/imports/uploads?fileName=titik.geojson', {
      token: editor,
      body: JSON.stringify({ type: 'FeatureCollection', features }),
    });
    const uploaded = await response.json();
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point' };

    const started = await (await call('POST', '/imports', { token: editor, json: options })).json();
    const job = await waitForJob(started.id);
    const page = await (
      await call('GET', `/imports/${job.id}/rejections`, { token: editor })
    ).json();
    const csv = await call('GET', `/imports/${job.id}/rejections?f=csv`, { token: editor });
    const xml = await call('GET', `/imports/${job.id}/rejections?f=xml`, { token: editor });
    const rejections = `/imports/${job.id}/rejections`;
    const word = await call('GET', `${rejections}?limit=abc`, { token: editor });
    const many = await call('GET', `${rejections}?limit=5000`, { token: editor });
    const notations = await Promise.all(
      ['limit=1e2', 'limit=0x10', 'offset=1e1', 'limit=2&limit=3'].map(
        async (query) => (await call('GET', `${rejections}?${query}`, { token: editor })).status,
      ),
    );

    expect([word.status, many.status]).toEqual([400, 400]);
    expect(notations).toEqual([400, 400, 400, 400]);
    expect(await many.json()).toMatchObject({
      type: '/problems/bad-limit',
      detail: 'limit must be an integer from 1 to 1000.',
    });
    expect(xml.status).toBe(400);
    expect(await xml.json()).toMatchObject({ type: '/problems/invalid-format' });
    expect(job.status).toBe('rejected');
    expect(page.total).toBe(2);
    expect(job.messageCode).toBe('rejected-all-or-nothing');
    expect(page.rejections[0]).toEqual({
      row: 2,
      field: 'name',
      reason: 'name is required.',
      code: 'required',
      params: null,
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'row,field,reason,code',
      '2,name,name is required.,required',
    ]);
  });

  it('answers Accept: text/csv on rejections with CSV, 406 to what it cannot meet', async () => {
    const features = [{ type: 'Feature', properties: { nama: '', jenis: 'stadion' } }].map(
      (feature) => ({ ...feature, geometry: { type: 'Point', coordinates: [109.0153, -7.7] } }),
    );
    const response = await call('POST', '/imports/uploads?fileName=titik.geojson', {
      token: editor,
      body: JSON.stringify({ type: 'FeatureCollection', features }),
    });
    const options = { uploadId: (await response.json()).uploadId, layerId: 'evacuation_point' };
    const start = await call('POST', '/imports', { token: editor, json: options });
    const job = await waitForJob((await start.json()).id);
    const rejections = `${server.baseUrl}/imports/${job.id}/rejections`;
    const asking = (accept: string, query = '') =>
      fetch(`${rejections}${query}`, { headers: { authorization: `Bearer ${editor}`, accept } });

    const csv = await asking('text/csv');
    const json = await asking('application/json');
    const either = await asking('text/csv;q=0.5, application/json');
    const xml = await asking('application/xml');
    const forced = await asking('text/csv', '?f=json');

    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\n')[0]).toBe('row,field,reason,code');
    expect(csv.headers.get('vary')).toContain('Accept');
    expect(json.headers.get('content-type')).toContain('application/json');
    expect((await json.json()).total).toBe(2);
    expect(either.headers.get('content-type')).toContain('application/json');
    expect(xml.status).toBe(406);
    expect(await xml.json()).toMatchObject({
      type: '/problems/not-acceptable',
      available: ['application/json', 'text/csv'],
    });
    expect(forced.status).toBe(406);
  });

  it('refuses a preview or an import whose body is not UTF-8, starting nothing', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = {
      uploadId: uploaded.uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', notes: 'catatan \u00e9' },
    };
    // Windows-1252 bytes: each stray byte was read as U+FFFD
    const latin1 = Buffer.from(JSON.stringify(options), 'latin1');
    const listed = async () =>
      (await (await call('GET', '/imports?layerId=evacuation_point', { token: editor })).json())
        .jobs.length;
    const before = await listed();

    const answers = await Promise.all(
      ['/imports/preview', '/imports'].map((url) =>
        fetch(`${server.baseUrl}${url}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/json' },
          body: latin1,
        }),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual([400, 400]);
    for (const answer of answers) {
      expect((await answer.json()).type).toBe('/problems/body-not-utf8');
    }
    expect(await listed()).toBe(before);
  });

  it('refuses an import, preview, cancel or undo with an unknown query parameter', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point' };
    const listed = async () =>
      (await (await call('GET', '/imports?layerId=evacuation_point', { token: editor })).json())
        .jobs.length;
    const before = await listed();

    const answers = await Promise.all(
      ['/imports?dryRun=1', '/imports/preview?x', '/imports/a/cancel?x', '/imports/a/undo?x']
        .map((url) => call('POST', url, { token: editor, json: options }))
        .map(async (answer) => [(await answer).status, (await (await answer).json()).type]),
    );

    expect(answers).toEqual(Array(4).fill([400, '/problems/unknown-parameter']));
    expect(await listed()).toBe(before);
  });

  it('refuses a cancel of a finished job with 409', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point', dryRun: true };
    const started = await (await call('POST', '/imports', { token: editor, json: options })).json();
    const job = await waitForJob(started.id);

    const response = await call('POST', `/imports/${job.id}/cancel`, { token: editor });

    expect(job.status).toBe('checked');
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers a GET of the upload or preview address with 405 naming POST, not a job', async () => {
    const answers = await Promise.all(
      ['/imports/uploads', '/imports/preview', '/imports/Uploads/'].map(async (address) => {
        const read = await call('GET', address, { token: editor });
        const options = await call('OPTIONS', address, { token: editor });
        const body = (await read.json()) as { type: string };
        return [read.status, body.type, read.headers.get('allow'), options.headers.get('allow')];
      }),
    );

    const allowed = 'OPTIONS, POST';
    expect(answers).toEqual(Array(3).fill([405, '/problems/method-not-allowed', allowed, allowed]));
  });

  it('shows the step of a job and stops its final insert within a second of a cancel', async () => {
    const pool = server.testDatabase.database.pool;
    const count = async () =>
      (await pool.query('SELECT count(*)::int AS n FROM evacuation_point')).rows[0].n;
    const before = await count();
    // A session of its own holds the layer so that the insert waits, as one writing a large
    // file would be busy for minutes: readers pass this lock, writers wait behind it.
    const lock = new pg.Client({ connectionString: server.testDatabase.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE evacuation_point IN SHARE MODE');
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = {
      uploadId: uploaded.uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
    };
    let job;
    let tookMs = Infinity;
    try {
      const started = await (
        await call('POST', '/imports', { token: editor, json: options })
      ).json();
      const writing = await waitForJob(started.id, (j) => j.step === 'writing');
      await waitFor(async () => {
        const waiting = await pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.rows[0].n > 0;
      });

      const asked = Date.now();
      const cancel = await call('POST', `/imports/${started.id}/cancel`, { token: editor });
      job = await waitForJob(started.id, undefined, 5000);
      tookMs = Date.now() - asked;

      expect(writing).toMatchObject({ status: 'committing', step: 'writing' });
      expect(cancel.status).toBe(202);
    } finally {
      await lock.query('ROLLBACK');
      await lock.end();
    }
    expect(tookMs).toBeLessThan(2000);
    expect(job).toMatchObject({ status: 'cancelled', step: 'writing', rowsWritten: 0 });
    expect(await count()).toBe(before);
    const loadTables = await pool.query(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'simpul_import_staging_%'",
    );
    expect(loadTables.rows[0].n).toBe(0);
  });

  describe('an upload', () => {
    const password = 'titik-kumpul-2024';
    const session = async (name: string) => {
      const pool = server.testDatabase.database.pool;
      await createUser(pool, { name, password, roles: ['disaster-risk:editor'] });
      const response = await fetch(`${server.baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = await response.json();
      return { cookie, 'x-csrf-token': csrfToken as string };
    };
    const send = (method: string, url: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${server.baseUrl}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const sample = fs.readFileSync(path.join(fixtures, 'evacuation-sample.geojson'), 'utf8');
    const options = (uploadId: string) => ({
      uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
      dryRun: true,
    });

    it('serves only the user who sent it; another gets the 404 of an unknown id', async () => {
      const owner = await session('bpbd-ani');
      const other = await session('bpbd-budi');
      const sent = await send('POST', '/imports/uploads?fileName=titik.geojson', owner, sample);
      const { uploadId } = await sent.json();

      const ownPreview = await send('POST', '/imports/preview', owner, options(uploadId));
      const otherPreview = await send('POST', '/imports/preview', other, options(uploadId));
      const otherImport = await send('POST', '/imports', other, options(uploadId));
      const unknownId = '0'.repeat(32);
      const unknown = await send('POST', '/imports/preview', other, options(unknownId));

      expect(sent.status).toBe(201);
      expect(ownPreview.status).toBe(200);
      for (const refused of [otherPreview, otherImport]) {
        expect(refused.status).toBe(404);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        const body = await refused.json();
        expect(body.type).toBe('/problems/unknown-upload');
        expect(body.detail.replace(uploadId, 'ID')).toBe(
          (await unknown.clone().json()).detail.replace(unknownId, 'ID'),
        );
      }
      const started = await send('POST', '/imports', owner, options(uploadId));
      expect(started.status).toBe(202);
    });

    it('serves only the token that sent it, not another token of the same name', async () => {
      const pool = server.testDatabase.database.pool;
      const token = async () => {
        const spec = { name: 'sig-bpbd', roles: ['disaster-risk:editor'], write: true };
        const { secret } = await createApiToken(pool, spec, 'test');
        return { authorization: `Bearer ${secret}` };
      };
      const first = await token();
      const second = await token();
      const sent = await send('POST', '/imports/uploads?fileName=titik.geojson', first, sample);
      const { uploadId } = await sent.json();

      const own = await send('POST', '/imports/preview', first, options(uploadId));
      const sameName = await send('POST', '/imports/preview', second, options(uploadId));

      expect(own.status).toBe(200);
      expect(sameName.status).toBe(404);
      expect(sameName.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('an upload found unreadable', () => {
    const uploadExists = (uploadId: string) => fs.existsSync(path.join(config.importDir, uploadId));
    const uploadText = async (fileName: string, text: string) => {
      const response = await call('POST', `/imports/uploads?fileName=${fileName}`, {
        token: editor,
        body: text,
      });
      return { response, body: await response.json() };
    };
    const titik = (i: number) => ({
      type: 'Feature',
      properties: { nama: `Titik ${i}`, jenis: 'titik_kumpul', kapasitas: 50 },
      geometry: { type: 'Point', coordinates: [109.0 + i / 10000, -7.7] },
    });
    const options = (uploadId: string, extra: Record<string, unknown> = {}) => ({
      uploadId,
      layerId: 'evacuation_point',
      mapping: { name: 'nama', type: 'jenis', capacity: 'kapasitas' },
      ...extra,
    });

    it('is refused at once when empty, and nothing is kept', async () => {
      // Other test files upload into the same folder meanwhile: look for this file's name.
      const kept = () =>
        fs
          .readdirSync(config.importDir)
          .filter((id) => fs.existsSync(path.join(config.importDir, id, 'kosong-sekali.geojson')));
      const { response, body } = await uploadText('kosong-sekali.geojson', '');

      expect(response.status).toBe(400);
      expect(body.type).toBe('/problems/empty-upload');
      expect(kept()).toEqual([]);
    });

    it('is removed when its job fails reading it, and the job says so', async () => {
      // the preview and the checks before the job read the first 100 lines; line 151 is cut
      const lines = Array.from({ length: 150 }, (_, i) => JSON.stringify(titik(i)));
      const text = `${lines.join('\n')}\n{"type": "Feature", "propert\n`;
      const { response, body: uploaded } = await uploadText('cut.geojsonl', text);

      const preview = await call('POST', '/imports/preview', {
        token: editor,
        json: options(uploaded.uploadId),
      });
      const keptAfterPreview = uploadExists(uploaded.uploadId);
      const started = await call('POST', '/imports', {
        token: editor,
        json: options(uploaded.uploadId),
      });
      const job = await waitForJob((await started.json()).id);
      const retry = await call('POST', '/imports', {
        token: editor,
        json: options(uploaded.uploadId, { mode: 'valid-only' }),
      });

      expect([response.status, preview.status, started.status]).toEqual([201, 200, 202]);
      expect(keptAfterPreview).toBe(true);
      expect(job.status).toBe('failed');
      expect(job.message).toBe(
        'Line 151 is not valid JSON. The layer was left as it was. ' +
          'The uploaded file was removed: send a corrected one.',
      );
      expect(uploadExists(uploaded.uploadId)).toBe(false);
      expect(retry.status).toBe(404);
      expect((await retry.json()).type).toBe('/problems/unknown-upload');
    });

    it('is removed when a preview finds it broken, with a 400 saying so', async () => {
      const cut = '{"type": "FeatureCollection", "features": [{"type": "Fe';
      const { body: uploaded } = await uploadText('cut.geojson', cut);

      const preview = await call('POST', '/imports/preview', {
        token: editor,
        json: options(uploaded.uploadId),
      });

      expect(preview.status).toBe(400);
      expect(await preview.json()).toMatchObject({
        type: '/problems/unreadable-json',
        detail: expect.stringContaining('The uploaded file was removed: send a corrected one.'),
      });
      expect(uploadExists(uploaded.uploadId)).toBe(false);
    });

    it('is kept while another CRS may read it, and imports once the CRS is given', async () => {
      const { body: uploaded } = await upload(
        path.join(fixtures, 'desa-utm49s-no-prj.zip'),
        otherEditor,
      );
      const desa = { uploadId: uploaded.uploadId, layerId: 'desa', dryRun: true };

      const withoutCrs = await call('POST', '/imports', { token: otherEditor, json: desa });
      const keptAfterRefusal = uploadExists(uploaded.uploadId);
      const withCrs = await call('POST', '/imports', {
        token: otherEditor,
        json: { ...desa, crs: 'EPSG:32749' },
      });

      expect(withoutCrs.status).toBe(400);
      expect((await withoutCrs.json()).detail).not.toContain('removed');
      expect(keptAfterRefusal).toBe(true);
      expect(withCrs.status).toBe(202);
    });

    it('leaves nothing behind when it cannot even be opened', async () => {
      const name = `not-geodata-${Date.now()}.dat`;

      const { response, body } = await uploadText(name, 'just some notes');

      const left = fs
        .readdirSync(config.importDir)
        .filter((folder) => fs.existsSync(path.join(config.importDir, folder, name)));
      expect(response.status).toBe(400);
      expect(body.type).toBe('/problems/unknown-format');
      expect(left).toEqual([]);
    });
  });

  it('refuses an upload from a caller who may edit no layer', async () => {
    const pool = server.testDatabase.database.pool;
    const viewer = (await createApiToken(pool, { name: 'v', roles: ['roads:viewer'] }, 'test'))
      .secret;

    const response = await call('POST', '/imports/uploads?fileName=a.geojson', {
      token: viewer,
      body: '{}',
    });

    expect(response.status).toBe(403);
  });

  it('asks a visitor to log in and refuses an editor of another theme', async () => {
    const anonymous = await call('POST', '/imports/uploads?fileName=a.geojson', { body: '{}' });
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point' };

    const forbidden = await call('POST', '/imports', { token: otherEditor, json: options });

    expect(anonymous.status).toBe(401);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).type).toBe('/problems/edit-forbidden');
  });

  it('lists the newest imports of a layer, and asks for the layer if none is named', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point', dryRun: true };
    const start = await call('POST', '/imports', { token: editor, json: options });
    const started = await start.json();
    await waitForJob(started.id);

    const listed = await call('GET', '/imports?layerId=evacuation_point', { token: editor });
    const unnamed = await call('GET', '/imports', { token: editor });

    expect(listed.status).toBe(200);
    expect((await listed.json()).jobs[0]).toMatchObject({ id: started.id, status: 'checked' });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({ type: '/problems/missing-layer' });
  });

  it('answers refusals that the import sheet words in Indonesian and in English', async () => {
    const { body: uploaded } = await upload(path.join(fixtures, 'evacuation-sample.geojson'));
    const options = { uploadId: uploaded.uploadId, layerId: 'evacuation_point' };
    const answers = [
      await call('POST', '/imports', { token: otherEditor, json: options }),
      await call('GET', '/imports/00000000-0000-4000-8000-000000000000', { token: editor }),
      await call('POST', '/imports', { token: editor, json: { ...options, layerId: 'jalan' } }),
    ];
    const refusals = await Promise.all(
      answers.map(async (answer) => {
        const body = (await answer.json()) as Record<string, unknown>;
        return new ImportApiError(answer.status, String(body.detail), body);
      }),
    );
    const worded = () => refusals.map((refusal) => describeRefusal(refusal));

    try {
      const indonesian = worded();
      setLanguage('en');
      const english = worded();

      expect(refusals.map((r) => [r.status, r.type])).toEqual([
        [403, 'edit-forbidden'],
        [404, 'unknown-import'],
        [404, 'unknown-collection'],
      ]);
      expect(indonesian).toEqual([
        'Akun ini tidak berhak menyunting lapisan tersebut, jadi tidak dapat mengimpor ke ' +
          'dalamnya. Mintalah hak sunting kepada admin.',
        'Server tidak mengenal impor ini lagi; mulai impornya kembali.',
        'Lapisan tujuan tidak ada di server; muat ulang halaman lalu pilih lapisannya lagi.',
      ]);
      expect(english).toEqual([
        'This account may not edit that layer, so it cannot import into it. Ask an ' +
          'administrator for the edit right.',
        'The server no longer knows this import; start it again.',
        'The target layer does not exist on the server; reload the page and choose the layer ' +
          'again.',
      ]);
    } finally {
      setLanguage('id');
    }
  });

  it('answers 400 naming the fix for a Shapefile without .prj', async () => {
    const { body: uploaded } = await upload(
      path.join(fixtures, 'desa-utm49s-no-prj.zip'),
      otherEditor,
    );
    const options = { uploadId: uploaded.uploadId, layerId: 'desa' };

    const response = await call('POST', '/imports/preview', { token: otherEditor, json: options });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: '/problems/missing-crs',
      detail: expect.stringContaining('EPSG:32749'),
      shapefile: 'desa.shp',
    });
  });

  it('downloads a public layer as a zipped Shapefile in UTM 49S without login', async () => {
    const response = await call('GET', '/exports/desa?format=shp&crs=EPSG:32749');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toContain('desa_epsg32749.zip');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
  });

  it('names the CRS of a CSV export in Content-Crs and in its geometry column', async () => {
    const utm = await call('GET', '/exports/desa?format=csv&crs=EPSG:32749');
    const wgs84 = await call('GET', '/exports/desa?format=csv');
    const crsHeader = (uri: string) => `<http://www.opengis.net/def/crs/${uri}>`;

    expect(utm.status).toBe(200);
    expect(utm.headers.get('content-crs')).toBe(crsHeader('EPSG/0/32749'));
    expect((await utm.text()).split('\n')[0]).toMatch(/,_WKTgeom_EPSG_32749_MULTIPOLYGON$/);
    expect(wgs84.headers.get('content-crs')).toBe(crsHeader('OGC/1.3/CRS84'));
    expect((await wgs84.text()).split('\n')[0]).toMatch(/,wkt$/);
  });

  it('names the GeoPackage and FlatGeobuf media types, the CRS given as a URI', async () => {
    const uri = 'http://www.opengis.net/def/crs/EPSG/0/32749';
    const gpkg = await call('GET', `/exports/desa?format=gpkg&crs=${encodeURIComponent(uri)}`);
    const fgb = await call('GET', '/exports/desa?format=fgb');

    expect(gpkg.status).toBe(200);
    expect(gpkg.headers.get('content-type')).toBe('application/geopackage+sqlite3');
    expect(gpkg.headers.get('content-disposition')).toContain('desa_epsg32749.gpkg');
    expect(fgb.headers.get('content-type')).toBe('application/flatgeobuf');
    await Promise.all([gpkg.arrayBuffer(), fgb.arrayBuffer()]);
  });

  it('answers HEAD of an export with its headers, without running the export', async () => {
    const { exportPool } = server.testDatabase.database;
    let exportConnections = 0;
    const counted = () => exportConnections++;
    exportPool.on('acquire', counted);
    try {
      const head = await call('HEAD', '/exports/desa?format=gpkg&crs=EPSG:32749');
      const refused = await call('HEAD', '/exports/desa?format=gpkg&crs=EPSG:1');

      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('application/geopackage+sqlite3');
      expect(head.headers.get('content-disposition')).toContain('desa_epsg32749.gpkg');
      const utm = 'http://www.opengis.net/def/crs/EPSG/0/32749';
      expect(head.headers.get('content-crs')).toBe(`<${utm}>`);
      expect(refused.status).toBe(400);
      expect(exportConnections).toBe(0);
    } finally {
      exportPool.off('acquire', counted);
    }
  });

  it('answers HEAD of an export whose filter fails on the first row with that 400', async () => {
    const { exportPool } = server.testDatabase.database;
    let exportConnections = 0;
    const counted = () => exportConnections++;
    exportPool.on('acquire', counted);
    const filter = encodeURIComponent('1 / (capacity - capacity) = 1');
    const url = `/exports/evacuation_point?format=gpkg&filter=${filter}`;
    try {
      const head = await call('HEAD', url);
      expect(exportConnections).toBe(0);
      const get = await call('GET', url);

      expect(get.status).toBe(400);
      expect(head.status).toBe(get.status);
      expect(head.headers.get('content-type')).toContain('application/problem+json');
      expect(head.headers.get('content-disposition')).toBeNull();
    } finally {
      exportPool.off('acquire', counted);
    }
  });

  it('downloads the features of one kecamatan as GeoJSON', async () => {
    const response = await call('GET', '/exports/desa?format=geojson&kecamatan_code=33.01.06');

    const body = await response.json();
    expect(body.features.length).toBeGreaterThan(0);
    expect(
      body.features.every(
        (f: { properties: { kecamatan_code: string } }) =>
          f.properties.kecamatan_code === '33.01.06',
      ),
    ).toBe(true);
  });

  it('refuses a parameter exports do not take, naming it and those they take', async () => {
    for (const name of ['sortby', 'limit']) {
      const response = await call('GET', `/exports/desa?format=geojson&${name}=10`);

      expect(response.status, name).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const body = await response.json();
      expect(body.type).toBe('/problems/unknown-parameter');
      expect(body.detail).toContain(`"${name}"`);
      expect(body.accepted).toEqual(expect.arrayContaining(['format', 'crs', 'kecamatan_code']));
    }
  });

  it('refuses an upload whose fileName is given twice, saying so', async () => {
    const url = '/imports/uploads?fileName=a.geojson&fileName=b.geojson';
    const body = JSON.stringify({ type: 'FeatureCollection', features: [] });

    const response = await call('POST', url, { token: editor, body });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await response.json();
    expect(problem.type).not.toBe('/problems/missing-file-name');
    expect(problem.detail).toMatch(/fileName is given twice/);
  });

  it('refuses an export parameter given twice rather than dropping it', async () => {
    for (const query of [
      'format=gpkg&format=fgb',
      'crs=EPSG:32749&crs=EPSG:4326',
      'kecamatan_code=33.01.06&kecamatan_code=33.01.07',
    ]) {
      const response = await call('GET', `/exports/desa?${query}`);

      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json()).detail).toMatch(/once/);
    }
  });
  it('refuses an inverted or out-of-range export bbox as the feature API does', async () => {
    for (const bbox of ['110,-7,108,-8', '200,-100,300,100', '108,-8,110']) {
      const exported = await call('GET', `/exports/road_segment?bbox=${bbox}`);
      const items = await call('GET', `/collections/road_segment/items?bbox=${bbox}`);

      expect(exported.status, bbox).toBe(400);
      expect(exported.headers.get('content-type')).toContain('application/problem+json');
      const problem = await exported.json();
      expect(problem.type).toBe('/problems/invalid-bbox');
      expect(problem.detail).toBe((await items.json()).detail);
    }
  });

  it('exports the features /items selects with the same bbox, one crossing 180° too', async () => {
    for (const bbox of ['108.9,-7.7,109.1,-7.5', '109.0,-8,108.9,-7']) {
      const exported = await (await call('GET', `/exports/desa?bbox=${bbox}`)).json();
      const items = await (
        await call('GET', `/collections/desa/items?bbox=${bbox}&limit=1000`)
      ).json();

      const ids = (body: { features: { id: number }[] }) => body.features.map((f) => f.id).sort();
      expect(ids(exported).length, bbox).toBeGreaterThan(0);
      expect(ids(exported), bbox).toEqual(ids(items));
    }
  });
  it('exports what /items selects by bbox-crs, filter-lang, filter-crs, datetime', async () => {
    const utm = 'http://www.opengis.net/def/crs/EPSG/0/32749';
    const queries: Record<string, string>[] = [
      { bbox: '270000,9150000,290000,9170000', 'bbox-crs': utm },
      {
        filter: '{"op":"=","args":[{"property":"status"},"kabupaten"]}',
        'filter-lang': 'cql2-json',
      },
      { filter: 'S_INTERSECTS(geometry, BBOX(270000,9150000,290000,9170000))', 'filter-crs': utm },
      { datetime: '2024-06-01/2024-06-30' },
    ];
    const ids = (body: { features: { id: number }[] }) => body.features.map((f) => f.id).sort();
    const pool = server.testDatabase.database.pool;
    const all = (await pool.query('SELECT count(*)::int AS n FROM road_segment')).rows[0].n;

    for (const query of queries) {
      const parameters = new URLSearchParams(query).toString();
      const exported = await call('GET', `/exports/road_segment?${parameters}`);
      const items = await call('GET', `/collections/road_segment/items?${parameters}&limit=10000`);

      expect(exported.status, parameters).toBe(200);
      const selected = ids(await items.json());
      expect(selected.length, parameters).toBeGreaterThan(0);
      expect(selected.length, parameters).toBeLessThan(all);
      expect(ids(await exported.json()), parameters).toEqual(selected);
    }
  });

  it('exports the road segments surveyed on the day a datetime instant falls in', async () => {
    const pool = server.testDatabase.database.pool;
    const { rows } = await pool.query(
      `SELECT mode() WITHIN GROUP (ORDER BY survey_date)::text AS day FROM road_segment`,
    );
    const day = rows[0].day as string;
    const surveyed = await pool.query(
      'SELECT id FROM road_segment WHERE survey_date = $1 ORDER BY id',
      [day],
    );

    const exported = await call('GET', `/exports/road_segment?datetime=${day}T10:00:00Z`);
    const body = await exported.json();

    expect(exported.status).toBe(200);
    expect(surveyed.rows.length).toBeGreaterThan(0);
    expect(
      body.features.map((f: { id: number }) => f.id).sort((a: number, b: number) => a - b),
    ).toEqual(surveyed.rows.map((row) => row.id));
  });

  it('reads an export filter value as the type its attribute declares', async () => {
    const inserted = await server.testDatabase.database.pool.query(`INSERT INTO road_segment
        (geom, segment_code, road_number, name, status, width_m, survey_date)
      VALUES (ST_GeomFromText('MULTILINESTRING((109 -7.6, 109.01 -7.6))', 4326),
        'T-EXPORT-6', '991', 'Jalan ekspor', 'kabupaten', 6, '2024-06-01') RETURNING id`);
    const insertedId = inserted.rows[0].id as number;
    const exportedIds = async (query: string) => {
      const body = await (await call('GET', `/exports/road_segment?${query}`)).json();
      return body.features.map((f: { id: number }) => f.id);
    };
    const selectedIds = async (where: string) => {
      const sql = `SELECT id FROM road_segment WHERE ${where} ORDER BY id`;
      const result = await server.testDatabase.database.pool.query(sql);
      return result.rows.map((row) => row.id);
    };

    const sixMetres = await exportedIds('width_m=6.0');
    const surveyed = await exportedIds('survey_date=2024-06-01');

    expect(sixMetres).toEqual(await selectedIds('width_m = 6'));
    expect(surveyed).toEqual(await selectedIds(`survey_date = '2024-06-01'`));
    expect(sixMetres).toContain(insertedId);
    expect(surveyed).toContain(insertedId);
  });

  it('refuses an export filter value not of its attribute type, naming both', async () => {
    const refused = [
      ['road_segment', 'survey_date', 'notadate', 'a date'],
      ['road_segment', 'width_m', 'abc', 'a number'],
      ['hazard_zone', 'year', '2024.5', 'an integer'],
    ];
    for (const [layerId, attribute, value, expected] of refused) {
      const response = await call('GET', `/exports/${layerId}?${attribute}=${value}`);

      expect(response.status, attribute).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const { detail } = await response.json();
      expect(detail).toContain(attribute);
      expect(detail).toContain(`"${value}"`);
      expect(detail).toContain(expected);
    }
  });

  it('answers a filter the database fails on at once as /items does, with no file', async () => {
    const filter = encodeURIComponent('capacity / 0 > 1');
    const items = await call('GET', `/collections/evacuation_point/items?filter=${filter}`);
    const itemsProblem = await items.json();

    for (const format of ['csv', 'geojson', 'geojsonseq', 'fgb', 'shp', 'gpkg']) {
      const response = await call(
        'GET',
        `/exports/evacuation_point?format=${format}&filter=${filter}`,
      );

      expect(response.status, format).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(await response.json()).toMatchObject({
        type: itemsProblem.type,
        detail: itemsProblem.detail,
      });
    }
    expect(items.status).toBe(400);
    expect(itemsProblem.type).toBe('/problems/invalid-filter-value');
  });

  it('offers TM-3 zone 49.1, which puts Cilacap just west of its 200 km origin', async () => {
    const [crs, label] = exportCoordinateSystems.find(([, title]) => title.includes('TM-3'))!;
    const code = Number(crs.replace('EPSG:', ''));
    const pool = server.testDatabase.database.pool;
    const sql = 'SELECT srtext FROM spatial_ref_sys WHERE srid = $1';
    const { rows } = await pool.query(sql, [code]);

    const exported = await call('GET', `/exports/kecamatan?format=geojson&crs=${crs}`);
    const { features } = await exported.json();
    const points = features.flatMap((f: { geometry: { coordinates: number[][][][] } }) =>
      f.geometry.coordinates.flat(2),
    );
    const eastings = points.map((p: number[]) => p[0]);
    const northings = points.map((p: number[]) => p[1]);

    expect(rows[0].srtext).toContain('Indonesia TM-3 zone 49.1');
    expect(label).toContain(rows[0].srtext.match(/^PROJCS\["(\w+) \//)[1]);
    // central meridian 109.5° E at 200,000 m; Cilacap spans about 108.6° to 109.5° E, 7.2° to
    // 7.8° S, 1,500,000 m being the equator
    expect(Math.min(...eastings)).toBeGreaterThan(80000);
    expect(Math.max(...eastings)).toBeLessThan(210000);
    expect(Math.min(...northings)).toBeGreaterThan(600000);
    expect(Math.max(...northings)).toBeLessThan(720000);
  });
});
