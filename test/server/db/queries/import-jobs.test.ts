import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endImportUnlessCancelled,
  insertImportJob,
  requestImportCancel,
  selectImportJob,
} from '../../../../server/db/queries/import-jobs.js';
import { createTestDatabase, type TestDatabase } from '../../../support/database.js';

const cancelledMessage = { code: 'cancelled', text: 'Cancelled; the layer was left as it was.' };

describe('the end of an import job that writes nothing', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase.drop();
  });

  async function runningJob() {
    const id = randomUUID();
    const source = { fileName: 'roads.geojson', format: 'geojson' };
    await insertImportJob(testDatabase.database.pool, {
      id,
      layerId: 'road_segment',
      action: 'append',
      mode: 'all-or-nothing',
      source,
      createdBy: 'test',
    });
    return id;
  }

  it('ends cancelled when a cancel was answered before it, not checked', async () => {
    const pool = testDatabase.database.pool;
    const jobId = await runningJob();
    expect(await requestImportCancel(pool, jobId)).toBe(true);

    const text = 'Checked: 10 valid rows, 0 rejected; nothing written.';
    const message = { code: 'checked', params: { valid: 10, rejected: 0 }, text };
    const status = await endImportUnlessCancelled(
      pool,
      jobId,
      'checked',
      { message },
      cancelledMessage,
    );

    expect(status).toBe('cancelled');
    const job = await selectImportJob(pool, jobId);
    expect(job).toMatchObject({
      status: 'cancelled',
      message: cancelledMessage.text,
      messageCode: 'cancelled',
      messageParams: null,
      rowsWritten: 0,
    });
    expect(job?.finishedAt).toBeTruthy();
  });

  it('ends as rejected without a cancel, and a cancel asked after finds it finished', async () => {
    const pool = testDatabase.database.pool;
    const jobId = await runningJob();
    const text = '3 rows were rejected, so nothing was written (all or nothing).';
    const message = { code: 'rejected-all-or-nothing', params: { rejected: 3 }, text };
    const note = { code: 'crs-given', params: { crs: 'EPSG:32749' }, text: 'a note' };

    const status = await endImportUnlessCancelled(
      pool,
      jobId,
      'rejected',
      { message, notes: [note] },
      cancelledMessage,
    );

    expect(status).toBe('rejected');
    expect(await selectImportJob(pool, jobId)).toMatchObject({
      status: 'rejected',
      message: text,
      messageCode: 'rejected-all-or-nothing',
      messageParams: { rejected: 3 },
      notes: ['a note'],
      noteCodes: [{ code: 'crs-given', params: { crs: 'EPSG:32749' } }],
    });
    expect(await requestImportCancel(pool, jobId)).toBe(false);
    expect((await selectImportJob(pool, jobId))?.status).toBe('rejected');
  });
});
