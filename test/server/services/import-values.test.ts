import { describe, expect, it } from 'vitest';
import { defaultTextMaxLength } from '../../../layers/validate-attributes.js';
import { selectRejections } from '../../../server/db/queries/import-jobs.js';
import { cilacapTown, kroya, point, useImportScratch } from '../../support/import-scratch.js';

describe('importing attribute values', () => {
  const { scratch, writeFile, importFile } = useImportScratch('simpul-import-values-');

  const query = async (sql: string, values: unknown[] = []) =>
    (await scratch.testDatabase.database.pool.query(sql, values)).rows;

  const rejectionsOf = async (jobId: string) =>
    (await selectRejections(scratch.testDatabase.database.pool, jobId, 0, 100)).rejections;

  const capacitiesOf = async (prefix: string) =>
    await query('SELECT name, capacity FROM evacuation_point WHERE name LIKE $1 ORDER BY name', [
      `${prefix}%`,
    ]);

  const geoJson = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

  it('rejects a capacity past 32 bits as a row, and writes the others in valid-only', async () => {
    const file = writeFile(
      'capacity-too-large.geojson',
      geoJson([
        point(cilacapTown, { name: 'Besar 1', type: 'titik_kumpul', capacity: 2147483648 }),
        point(kroya, { name: 'Besar 2', type: 'titik_kumpul', capacity: 2147483647 }),
      ]),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      {
        row: 1,
        field: 'capacity',
        reason: 'capacity must be at most 2147483647.',
        code: 'above-maximum',
        params: { value: 2147483648 },
      },
    ]);
    expect(await capacitiesOf('Besar')).toEqual([{ name: 'Besar 2', capacity: 2147483647 }]);
  });

  it('rejects text past the default maximum of one declaring none as a row', async () => {
    const longest = 'x'.repeat(defaultTextMaxLength);
    const file = writeFile(
      'source-too-long.geojson',
      geoJson([
        point(cilacapTown, { name: 'Panjang 1', type: 'titik_kumpul', source: `${longest}x` }),
        point(kroya, { name: 'Panjang 2', type: 'titik_kumpul', source: longest }),
      ]),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({
        row: 1,
        field: 'source',
        code: 'too-long',
        reason:
          `source must be at most ${defaultTextMaxLength} characters long, the limit of text ` +
          `attributes that declare none; it has ${defaultTextMaxLength + 1}.`,
      }),
    ]);
    const stored = await query("SELECT name FROM evacuation_point WHERE name LIKE 'Panjang%'");
    expect(stored).toEqual([{ name: 'Panjang 2' }]);
  });

  it('rejects text holding a NUL as a row, quoting it with U+FFFD in its place', async () => {
    const file = writeFile(
      'nul-in-name.geojson',
      geoJson([
        point(cilacapTown, { name: 'Nul\u00001', type: 'titik_kumpul' }),
        point(kroya, { name: 'Nul 2', type: 'titik_kumpul', source: 'uji\u0000' }),
        point(kroya, { name: 'Nul 3', type: 'titik_kumpul' }),
      ]),
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 2]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 1, field: 'name', code: 'nul-character' }),
      expect.objectContaining({ row: 2, field: 'source', code: 'nul-character' }),
    ]);
    expect((await rejectionsOf(job.id))[0]!.params).toEqual({ value: 'Nul\ufffd1' });
    expect(await capacitiesOf('Nul')).toEqual([{ name: 'Nul 3', capacity: null }]);
  });

  it('imports a file whose property names hold a NUL, mapped to an attribute', async () => {
    const file = writeFile(
      'nul-in-key.geojson',
      geoJson([point(cilacapTown, { 'name\u0000': 'Kunci 1', type: 'titik_kumpul' })]),
    );

    const job = await importFile(file);

    expect([job.status, job.rowsWritten]).toEqual(['succeeded', 1]);
    expect(job.source.mapping).toMatchObject({ name: 'name\ufffd' });
  });

  it('reads points as thousands in a decimal-comma CSV and rejects a misplaced one', async () => {
    const file = writeFile(
      'thousands.csv',
      'name;type;capacity;lon;lat\n' +
        'Ribuan 1;titik_kumpul;1.500;109,0153;-7,7266\n' +
        'Ribuan 2;titik_kumpul;2.000;109,2456;-7,6329\n' +
        'Ribuan 3;titik_kumpul;1.23;109,2456;-7,6329\n' +
        'Ribuan 4;titik_kumpul;1.234.567;109,2456;-7,6329\n',
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect(job.notes).toContain('Delimiter ";", decimal comma.');
    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 3, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 4, field: 'capacity', code: 'wrong-type' }),
    ]);
    expect(await capacitiesOf('Ribuan')).toEqual([
      { name: 'Ribuan 1', capacity: 1500 },
      { name: 'Ribuan 2', capacity: 2000 },
      { name: 'Ribuan 4', capacity: 1234567 },
    ]);
  });

  it('rejects a CSV number too large for a double as not a number', async () => {
    const file = writeFile(
      'capacity-overflow.csv',
      'name,type,capacity,lon,lat\n' +
        'Luap 1,titik_kumpul,1e400,109.0153,-7.7266\n' +
        'Luap 2,titik_kumpul,1e3,109.2456,-7.6329\n',
    );

    const job = await importFile(file, { mode: 'valid-only' });

    expect([job.status, job.rowsWritten, job.rowsRejected]).toEqual(['succeeded', 1, 1]);
    expect(await rejectionsOf(job.id)).toEqual([
      expect.objectContaining({ row: 2, field: 'capacity', code: 'wrong-type' }),
    ]);
    expect(await capacitiesOf('Luap')).toEqual([{ name: 'Luap 2', capacity: 1000 }]);
  });
});
