import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRejections } from '../../../server/db/queries/import-jobs.js';
import {
  prepareImport,
  recordImportJob,
  runImport,
  type ImportRequest,
} from '../../../server/services/import-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** Points inside Cilacap: the alun-alun of Cilacap town and of Kroya, Majenang's market. */
const cilacapTown = [109.0153, -7.7266];
const kroya = [109.2456, -7.6329];
const majenang = [108.7622, -7.2986];
/** A point in the Indian Ocean, 60 km south of the coast. */
const farOffshore = [109.0, -8.3];

function point(coordinates: number[], properties: Record<string, unknown>) {
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
}

describe('importing into a layer', () => {
  let testDatabase: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-import-test-'));
  });
  afterAll(async () => {
    await testDatabase.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const writeFile = (name: string, content: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, content);
    return file;
  };

  const importFile = async (file: string, options: Partial<ImportRequest> = {}) => {
    const { pool } = testDatabase.database;
    const prepared = await prepareImport(pool, {
      layerId: 'evacuation_point',
      file,
      fileName: path.basename(file),
      actor: 'test',
      ...options,
    });
    await recordImportJob(pool, prepared);
    return runImport(pool, prepared);
  };

  const countPoints = async (name: string) => {
    const result = await testDatabase.database.pool.query(
      'SELECT count(*)::int AS n FROM evacuation_point WHERE name = $1',
      [name],
    );
    return result.rows[0].n as number;
  };

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

  it('writes nothing when one row is invalid in all-or-nothing mode, and reports the row', async () => {
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
    const { rejections } = await selectRejections(testDatabase.database.pool, job.id, 0, 10);
    expect(rejections).toEqual([
      expect.objectContaining({ row: 2, field: 'geometry' }),
      expect.objectContaining({ row: 3, field: 'type' }),
    ]);
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
    expect(job.rowsWritten).toBe(1);
    expect(job.rowsRejected).toBe(1);
    expect(await countPoints('Terminal Majenang')).toBe(1);
  });
});
