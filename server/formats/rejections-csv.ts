/**
 * The rejected rows of an import job as CSV text, a page at a time: what the web client
 * downloads and what `npm run import -- --report` writes, alike.
 */
import { stringify } from 'csv-stringify/sync';
import type pg from 'pg';
import { selectRejections } from '../db/queries/import-jobs.js';
import { formulaSafe } from './spreadsheet-formula.js';

const pageSize = 10000;

/** The header, then the rejections in file order, each cell safe from spreadsheet formulas. */
export async function* rejectionsCsv(
  db: Pick<pg.Pool, 'query'>,
  jobId: string,
): AsyncGenerator<string> {
  // `code` comes last, so that readers of the first three columns by position still read them
  yield stringify([['row', 'field', 'reason', 'code']]);
  for (let offset = 0; ; offset += pageSize) {
    const page = await selectRejections(db, jobId, offset, pageSize);
    yield stringify(
      page.rejections.map((r) => formulaSafe([r.row, r.field, r.reason, r.code ?? ''])),
    );
    if (offset + pageSize >= page.total) break;
  }
}
