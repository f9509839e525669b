import { describe, expect, it } from 'vitest';
import { selectRejections } from '../../../server/db/queries/import-jobs.js';
import { previewImport } from '../../../server/services/import-service.js';
import {
  cilacapTown,
  farOffshore,
  kroya,
  point,
  useImportScratch,
} from '../../support/import-scratch.js';

describe('the codes an import keeps beside its English texts', () => {
  const { scratch, writeFile, request, importFile } = useImportScratch('simpul-import-codes-test-');

  const badRows = () =>
    writeFile(
      'bad-rows.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          point(cilacapTown, { name: 'Alun-alun Cilacap', type: 'titik_kumpul' }),
          point(farOffshore, { name: 'Laut', type: 'titik_kumpul' }),
          point(kroya, { name: 'Lapangan Kroya', type: 'stadion' }),
          { ...point([...kroya, 15], { name: 'Kroya Z', type: 'titik_kumpul' }) },
        ],
      }),
    );

  it('stores the rule code of each rejected row with the values it quotes', async () => {
    const job = await importFile(badRows(), { mode: 'valid-only' });

    const { rejections } = await selectRejections(
      scratch.testDatabase.database.pool,
      job.id,
      0,
      10,
    );
    expect(rejections).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'geometry',
        code: 'geometry-outside-regency',
        params: { outsideM: expect.any(Number), toleranceM: expect.any(Number) },
      }),
      expect.objectContaining({
        row: 3,
        field: 'type',
        code: 'not-in-domain',
        params: { value: 'stadion' },
        reason: expect.stringContaining('one of'),
      }),
    ]);
    expect(rejections[0]!.params!.outsideM).toBeGreaterThan(40000);
  });

  it('keeps what PostGIS found wrong with an invalid geometry beside its code', async () => {
    const [lon, lat] = kroya as [number, number];
    const bowTie = [
      [lon, lat],
      [lon + 0.002, lat + 0.002],
      [lon + 0.002, lat],
      [lon, lat + 0.002],
      [lon, lat],
    ];
    const feature = {
      type: 'Feature',
      properties: { name: 'Pita', code: '33.01.98.4001', type: 'desa' },
      geometry: { type: 'Polygon', coordinates: [bowTie] },
    };
    const file = writeFile('bow-tie.geojson', JSON.stringify(feature));

    const job = await importFile(file, { layerId: 'desa' });

    const { rejections } = await selectRejections(
      scratch.testDatabase.database.pool,
      job.id,
      0,
      10,
    );
    expect(rejections).toEqual([
      expect.objectContaining({
        row: 1,
        code: 'geometry-invalid',
        params: { invalidReason: expect.stringMatching(/^Self-intersection\[/) },
      }),
    ]);
  });

  it('codes the notes and the message of a job beside their English text', async () => {
    const job = await importFile(badRows());

    expect(job.status).toBe('rejected');
    expect(job.messageCode).toBe('rejected-all-or-nothing');
    expect(job.messageParams).toEqual({ valid: 2, rejected: 2 });
    expect(job.notes).toEqual(['Z (elevation) values dropped from 1 feature.']);
    expect(job.noteCodes).toEqual([{ code: 'z-dropped', params: { count: 1 } }]);
  });

  it('rejects each row outside the regency once, either side of a range checked', async () => {
    // rows 2 to 10,004 (the header is row 1); the load table is checked 10,000 rows at a time
    const outside = new Set([10000, 10001, 10002, 10004]);
    const rows = Array.from({ length: 10003 }, (_, i) => {
      const [lon, lat] = (outside.has(i + 2) ? farOffshore : kroya) as [number, number];
      return `Titik ${i + 2},titik_kumpul,${lon},${lat}`;
    });
    const file = writeFile('banyak.csv', `name,type,lon,lat\n${rows.join('\n')}\n`);

    const job = await importFile(file, { mode: 'valid-only' });

    const pool = scratch.testDatabase.database.pool;
    const { rejections } = await selectRejections(pool, job.id, 0, 10);
    expect([job.rowsWritten, job.rowsRejected]).toEqual([9999, 4]);
    expect(rejections.map((r) => r.row)).toEqual([10000, 10001, 10002, 10004]);
  });

  it('counts one rejected row, or one valid row checked, in the singular', async () => {
    const oneOfEach = () =>
      writeFile(
        'one-of-each.geojson',
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            point(cilacapTown, { name: 'Alun-alun Cilacap', type: 'titik_kumpul' }),
            point(farOffshore, { name: 'Laut', type: 'titik_kumpul' }),
          ],
        }),
      );

    const rejected = await importFile(oneOfEach());
    const checked = await importFile(oneOfEach(), { dryRun: true, mode: 'valid-only' });

    const allOrNothing = '1 row was rejected, so nothing was written (all or nothing).';
    expect(rejected.message).toBe(allOrNothing);
    expect(checked.message).toBe('Checked: 1 valid row, 1 rejected; nothing written.');
  });

  it('codes the notes and problems of a preview', async () => {
    const csv = writeFile('points.csv', 'name,type,lon,lat\nPasar,pasar,109.0153,-7.7266\n');
    const { pool } = scratch.testDatabase.database;

    const preview = await previewImport(pool, request(csv));

    const codes = preview.noteCodes.map((note) => note.code);
    expect(codes).toEqual(['csv-coordinate-columns', 'csv-delimiter', 'csv-crs-assumed']);
    expect(preview.notes).toHaveLength(codes.length);
    expect(preview.problems).toEqual([
      expect.objectContaining({ row: 2, code: 'not-in-domain', params: { value: 'pasar' } }),
    ]);
  });

  it('says a WKT it cannot read is unreadable, in a job and in a preview', async () => {
    const csv = writeFile(
      'wkt-typo.csv',
      'name,type,wkt\n' +
        'Alun-alun,titik_kumpul,POINT (109.0153 -7.7266)\n' +
        'Pasar,titik_kumpul,POINT (109.0153)\n' +
        'Lapangan,titik_kumpul,POINT (109.0153 -7.7266 1 2 3)\n',
    );
    const { pool } = scratch.testDatabase.database;

    const job = await importFile(csv, { mode: 'valid-only', dryRun: true });
    const { rejections } = await selectRejections(pool, job.id, 0, 10);
    const preview = await previewImport(pool, request(csv));

    const unreadable = (row: number) =>
      expect.objectContaining({
        row,
        field: 'geometry',
        code: 'geometry-unreadable',
        reason: expect.stringMatching(/^The WKT geometry cannot be read: "POINT \(109\.0153/),
      });
    expect(rejections).toEqual([unreadable(3), unreadable(4)]);
    expect(preview.problems).toEqual([unreadable(3), unreadable(4)]);
  });
});
