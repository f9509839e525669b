import { Router, type Request } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { utf8Json } from '../http/json-body.js';
import { answersJson, urlWith } from '../http/negotiate.js';
import { registerRecordsOpenApi } from '../http/records-openapi.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import {
  parsePageParameters,
  rejectUnknownParameters,
  takesParameters,
} from '../http/query-parameters.js';
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

/** Whether a request carries no body: no Content-Length (or 0) and no Transfer-Encoding. */
function isBodyEmpty(req: Request): boolean {
  const length = Number(req.get('content-length') ?? 0);
  return req.get('transfer-encoding') === undefined && !(length > 0);
}

export function createRecordsRouter(context: AppContext): Router {
  registerRecordsOpenApi();
  const router = Router();
  const { pool } = context.database;
  const json = utf8Json({
    limit: `${config.writeBodyLimitMb}mb`,
  });

  const jsonAnswer = answersJson();

  router.get('/records', takesParameters(), jsonAnswer, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ tables: listRecordTables(res.locals.principal) });
  });

  router.get('/records/:tableId', jsonAnswer, async (req, res) => {
    rejectUnknownParameters(req.query, listParameters);
    const { limit, offset } = parsePageParameters(req.query);
    const parent = req.query.parent;
    if (parent !== undefined && typeof parent !== 'string') {
      throw badRequest('invalid-parent', 'Give parent once: one feature per request.');
    }
    // PostgreSQL text cannot hold U+0000: the lookup of such a parent failed with a 500
    if (parent?.includes('\u0000')) {
      throw badRequest('invalid-parent', 'parent may not contain the NUL character.');
    }

    const page = { parentValue: parent, limit, offset };
    const { tableId } = req.params;
    const { records, hasNext } = await listRecords(pool, res.locals.principal, tableId, page);
    // Without a next link, a client took the first page (100 records) for the whole table
    const links = [
      { href: urlWith(req, {}), rel: 'self', type: 'application/json', title: 'This page' },
    ];
    if (hasNext) {
      const href = urlWith(req, { offset: String(offset + limit) });
      links.push({ href, rel: 'next', type: 'application/json', title: 'Next page' });
    }
    res.set('Cache-Control', 'no-store').json({ tableId, records, links });
  });

  router.post('/records/:tableId', takesParameters(), json, async (req, res) => {
    // without a body req.is answers null: 'send application/json; got application/json'
    if (isBodyEmpty(req)) {
      const detail = 'The body is empty; send a record as {"properties": {"attribute": value}}.';
      throw badRequest('empty-body', detail);
    }
    // Another type left the body unread, and the record was refused as holding no properties
    if (!req.is('application/json')) {
      const sent = req.get('content-type') ?? 'none';
      const detail = `Send a record as application/json; got ${sent}.`;
      throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', detail);
    }
    const record = await addRecord(pool, req.params.tableId, req.body, editContext(req, res));
    req.log.info({ tableId: req.params.tableId, recordId: record.id }, 'record added');
    res.status(201).json(record);
  });

  return router;
}
