import express, { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { badRequest } from '../http/problem.js';
import { addRecord, listRecords, listRecordTables } from '../services/record-service.js';
import { editContext } from './collection-writes.js';

/**
 * Records kept per feature: `GET /records` lists the tables the caller may read (their
 * declarations, for forms), `GET /records/{tableId}?parent=<key>` their records newest first,
 * `POST /records/{tableId}` with `{"properties": {...}}` adds one (a new condition survey or
 * inspection). Records are added, not changed: a correction is a newer record.
 */
/** The query parameters `GET /records/{tableId}` understands; any other is refused. */
const listParameters = ['parent', 'limit', 'offset'];

export function createRecordsRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;
  const json = express.json({ limit: `${config.writeBodyLimitMb}mb` });

  router.get('/records', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ tables: listRecordTables(res.locals.principal) });
  });

  router.get('/records/:tableId', async (req, res) => {
    const unknown = Object.keys(req.query).filter((key) => !listParameters.includes(key));
    if (unknown.length > 0) {
      const accepted = listParameters.join(', ');
      const detail = `Unknown query parameter ${unknown.join(', ')}; accepted: ${accepted}.`;
      throw badRequest('unknown-parameter', detail, { accepted: listParameters });
    }
    const limit = Number(req.query.limit ?? 100);
    const offset = Number(req.query.offset ?? 0);
    const validPage = Number.isInteger(limit) && limit >= 1 && limit <= 1000 && offset >= 0;
    if (!validPage) throw badRequest('bad-limit', 'limit is 1 to 1000, offset 0 or more.');
    const parent = typeof req.query.parent === 'string' ? req.query.parent : undefined;

    const page = { parentValue: parent, limit, offset: Math.floor(offset) };
    const records = await listRecords(pool, res.locals.principal, req.params.tableId, page);
    res.set('Cache-Control', 'no-store').json({ tableId: req.params.tableId, records });
  });

  router.post('/records/:tableId', json, async (req, res) => {
    const properties = (req.body as { properties?: unknown } | undefined)?.properties;
    const record = await addRecord(pool, req.params.tableId, properties, editContext(req, res));
    req.log.info({ tableId: req.params.tableId, recordId: record.id }, 'record added');
    res.status(201).json(record);
  });

  return router;
}
