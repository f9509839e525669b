import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  requestImportCancel,
  selectImportJob,
  selectRejections,
} from '../../../server/db/queries/import-jobs.js';
import {
  abortLocalImport,
  prepareImport,
  recordImportJob,
  runImport,
  type ImportRequest,
} from '../../../server/services/import-service.js';
import { useDatabaseAndFolder } from '../../support/database.js';

/** A point in the Indian Ocean, 60 km south of the coast. */
const farOffshore = [109.0, -8.3];

/** The `i`th of a grid of points around Kroya, 20 m apart. */
function pointNearKroya(i: number, name: string) {
  const coordinates = [109.2 + (i % 200) * 0.0002, -7.6 - Math.floor(i / 200) * 0.0002];
  const properties = { name, type: 'titik_kumpul' };
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
}

/** The `i`th of short road segments west of Cilacap town, coded `code`. */
function segmentNearCilacap(i: number, code: string) {
  const [lon, lat] = [108.95 + (i % 100) * 0.0003, -7.65 - Math.floor(i / 100) * 0.0003];
  const properties = {
    segment_code: code,
    road_number: `E${i % 50}`,
    name: `Jalan Uji ${i}`,
    status: 'kabupaten',
  };
  const coordinates = [
    [lon, lat],
    [lon + 0.0002, lat + 0.0001],
  ];
  return { type: 'Feature', properties, geometry: { type: 'LineString', coordinates } };
}

// Files of more rows than an import reads before it starts writing into the layer early.
describe('writing a large import into the layer while it is read', () => {
  const scratch = useDatabaseAndFolder('simpul-early-write-test-');

  const writeLines = (name: string, features: unknown[]) => {
    const file = path.join(scratch.folder, name);
    fs.writeFileSync(file, `${features.map((f) => JSON.stringify(f)).join('\n')}\n`);
    return file;
  };

  const points = (count: number, name: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => pointNearKroya(i, name(i)));

  const startImport = async (file: string, options: Partial<ImportRequest> = {}) => {
    const { pool } = scratch.testDatabase.database;
    const request: ImportRequest = {
      layerId: 'evacuation_point',
      file,
      fileName: path.basename(file),
      actor: 'test',
      ...options,
    };
    const prepared = await prepareImport(pool, request);
    await recordImportJob(pool, prepared);
    return { jobId: prepared.jobId, running: runImport(scratch.testDatabase.database, prepared) };
  };

  const importFile = async (file: string, options: Partial<ImportRequest> = {}) =>
    (await startImport(file, options)).running;

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  const count = async (table: string) =>
    (await query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  const rejectionsOf = async (jobId: string) =>
    (await selectRejections(scratch.testDatabase.database.pool, jobId, 0, 100)).rejections;

  const spatialIndexIsValid = async () =>
    (
      await query(
        `SELECT coalesce(bool_and(i.indisvalid), false) AS valid FROM pg_index i
         WHERE i.indexrelid = to_regclass('evacuation_point_geom_idx')`,
      )
    )[0].valid as boolean;

  const loadTableCount = async () =>
    (
      await query(
        "SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'simpul_import_staging_%'",
      )
    )[0].n as number;

  it('writes rows in file order with a history row each, into a layer with features', async () => {
    const file = writeLines(
      'in-order.geojsonl',
      points(12000, (i) => `Titik urut ${i}`),
    );
    const before = await count('evacuation_point');

    const job = await importFile(file);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 12000]);
    expect(await count('evacuation_point')).toBe(before + 12000);
    const names = await query(
      "SELECT name FROM evacuation_point WHERE name LIKE 'Titik urut %' ORDER BY id",
    );
    expect(names.map((r) => r.name)).toEqual(
      Array.from({ length: 12000 }, (_, i) => `Titik urut ${i}`),
    );
    const history = await query(
      `SELECT count(*)::int AS n, count(DISTINCT feature_id)::int AS features,
         min(operation) AS operation FROM simpul_feature_history WHERE note = $1`,
      [`import ${job.id}`],
    );
    expect(history).toEqual([{ n: 12000, features: 12000, operation: 'insert' }]);
    await query("DELETE FROM evacuation_point WHERE name LIKE 'Titik urut %'");
  });

  // A check of unique values after reading, asked from another connection than the early
  // write's, waits for the lock that write holds on an empty layer: the import never ends.
  it('finishes an import into an empty layer with a unique attribute', async () => {
    await query('DELETE FROM bore_well');
    const wells = Array.from({ length: 10200 }, (_, i) => {
      const { geometry } = pointNearKroya(i, '');
      const code = `SB-KOSONG-${String(i + 1).padStart(5, '0')}`;
      return { type: 'Feature', properties: { code, name: code, status: 'berfungsi' }, geometry };
    });
    const file = writeLines('empty-wells.geojsonl', wells);
    const { jobId, running } = await startImport(file, { layerId: 'bore_well' });

    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15000));
    const job = await Promise.race([running, hung]);
    if (job === 'hung') {
      // ends the wait of the import's check, so that the import and this file can end
      abortLocalImport(jobId);
      await query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      await running.catch(() => undefined);
    }

    expect(job).toMatchObject({ status: 'succeeded', rowsWritten: 10200, rowsRejected: 0 });
    expect(await count('bore_well')).toBe(10200);
    await query('DELETE FROM bore_well');
  }, 25000);

  it('rejects a point outside the regency found once written, keeping the rest', async () => {
    await query('DELETE FROM evacuation_point');
    const features = points(20000, (i) => `Titik luar ${i}`);
    // read well after the early write starts, so written into the layer before it is checked
    features[10500] = {
      ...features[10500]!,
      geometry: { type: 'Point', coordinates: farOffshore },
    };
    const file = writeLines('one-offshore.geojsonl', features);

    const whole = await importFile(file);
    const emptyAfterWhole = await count('evacuation_point');
    const indexAfterWhole = await spatialIndexIsValid();
    const validOnly = await importFile(file, { mode: 'valid-only' });

    expect([whole.status, whole.rowsWritten, emptyAfterWhole]).toEqual(['rejected', 0, 0]);
    expect(indexAfterWhole).toBe(true);
    expect([validOnly.status, validOnly.rowsWritten]).toEqual(['succeeded', 19999]);
    expect(await count('evacuation_point')).toBe(19999);
    expect((await rejectionsOf(validOnly.id)).map((r) => [r.row, r.field])).toEqual([
      [10501, 'geometry'],
    ]);
    expect(await query("SELECT 1 FROM evacuation_point WHERE name = 'Titik luar 10500'")).toEqual(
      [],
    );
    expect(await spatialIndexIsValid()).toBe(true);
    await query('DELETE FROM evacuation_point');
  });

  it('rejects a unique value repeated late in the file, after rows were written', async () => {
    const segments = Array.from({ length: 12000 }, (_, i) =>
      segmentNearCilacap(i, `UJI-${String(i).padStart(5, '0')}`),
    );
    segments[11500] = segmentNearCilacap(11500, 'UJI-00003');
    const file = writeLines('repeated-code.geojsonl', segments);
    const before = await count('road_segment');

    const whole = await importFile(file, { layerId: 'road_segment' });
    const afterWhole = await count('road_segment');
    const validOnly = await importFile(file, { layerId: 'road_segment', mode: 'valid-only' });

    expect([whole.status, afterWhole]).toEqual(['rejected', before]);
    expect([validOnly.status, validOnly.rowsWritten]).toEqual(['succeeded', 11999]);
    expect(await count('road_segment')).toBe(before + 11999);
    expect(await rejectionsOf(validOnly.id)).toEqual([
      {
        row: 11501,
        field: 'segment_code',
        reason: 'segment_code must be unique; UJI-00003 is already used by row 4 of this file.',
        code: 'not-unique',
        params: { value: 'UJI-00003', firstRow: 4 },
      },
    ]);
    await query("DELETE FROM road_segment WHERE segment_code LIKE 'UJI-%'");
  });

  it('leaves an empty layer empty, with its index, when cancelled mid-write', async () => {
    await query('DELETE FROM evacuation_point');
    const file = writeLines(
      'cancelled.geojsonl',
      points(200000, (i) => `Titik batal ${i}`),
    );
    const { pool } = scratch.testDatabase.database;
    const { jobId, running } = await startImport(file);

    await waitFor(async () => ((await selectImportJob(pool, jobId))?.rowsRead ?? 0) >= 30000);
    await requestImportCancel(pool, jobId);
    abortLocalImport(jobId);
    const job = await running;

    expect(job.status).toBe('cancelled');
    expect(job.rowsRead).toBeLessThan(200000);
    expect(await count('evacuation_point')).toBe(0);
    expect(await spatialIndexIsValid()).toBe(true);
    expect(await loadTableCount()).toBe(0);
  });

  it('writes at the end, as before, when a reader holds the empty layer for long', async () => {
    await query('DELETE FROM evacuation_point');
    const file = writeLines(
      'reader-holds.geojsonl',
      points(12000, (i) => `Titik dibaca ${i}`),
    );
    const reader = new pg.Client({ connectionString: scratch.testDatabase.url });
    await reader.connect();
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM evacuation_point');
    const { jobId, running } = await startImport(file);

    // the early write gave up waiting for the layer; the insert at the end waits for the reader
    await waitFor(async () => {
      const step = (await selectImportJob(scratch.testDatabase.database.pool, jobId))?.step;
      return step === 'writing';
    });
    // asked in the reader's session: another would queue behind the import's wait for the lock
    const heldCount = await reader.query('SELECT count(*)::int AS n FROM evacuation_point');
    await reader.query('COMMIT');
    await reader.end();
    const job = await running;

    expect(heldCount.rows[0].n).toBe(0);
    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 12000]);
    expect(await count('evacuation_point')).toBe(12000);
    expect(await spatialIndexIsValid()).toBe(true);
    await query('DELETE FROM evacuation_point');
  });

  it('stops a write held up by a lock while reading within a second of a cancel', async () => {
    const file = writeLines(
      'behind-lock.geojsonl',
      points(60000, (i) => `Titik tertahan ${i}`),
    );
    const before = await count('evacuation_point');
    const locker = new pg.Client({ connectionString: scratch.testDatabase.url });
    await locker.connect();
    await locker.query('BEGIN');
    // readers pass this lock; a write into the layer waits behind it
    await locker.query('LOCK TABLE evacuation_point IN SHARE MODE');
    const { jobId, running } = await startImport(file);
    try {
      await waitFor(async () => {
        const waiting = await query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting[0].n > 0;
      });
      const stepWhenHeld = (await selectImportJob(scratch.testDatabase.database.pool, jobId))?.step;

      const asked = Date.now();
      abortLocalImport(jobId);
      const gaveUp = new Promise<undefined>((resolve) => setTimeout(resolve, 5000));
      const job = await Promise.race([running, gaveUp]);

      expect(stepWhenHeld).toBe('reading');
      expect(Date.now() - asked).toBeLessThan(2000);
      expect(job).toMatchObject({ status: 'cancelled', rowsWritten: 0 });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await running;
    }
    expect(await count('evacuation_point')).toBe(before);
    expect(await loadTableCount()).toBe(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
