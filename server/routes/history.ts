import { Router, type Request } from 'express';
import type { AppContext } from '../app-context.js';
import { isDate } from '../cql2/literals.js';
import { answersJson, baseUrl, urlWith } from '../http/negotiate.js';
import type { Link } from '../http/ogc-documents.js';
import { badRequest } from '../http/problem.js';
import { decimalDigits } from '../http/query-parameters.js';
import { parsePageParameters, takesParameters } from '../http/query-parameters.js';
import { featureETag } from '../services/edit-service.js';
import {
  getLayerAsOf,
  listFeatureHistory,
  listLayerChanges,
  restoreVersion,
} from '../services/history-service.js';
import { editContext, parseWriteFeatureId } from './collection-writes.js';

function parseInstant(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  // Date.parse takes 2026-02-30 as March 2, which PostgreSQL refuses (it was a 500): the day
  // must exist
  if (
    !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(text) ||
    Number.isNaN(Date.parse(text)) ||
    !isDate(text.slice(0, 10))
  ) {
    throw badRequest(
      'bad-instant',
      `${name} must be an RFC 3339 date or instant, e.g. 2025-01-31T00:00:00Z.`,
    );
  }
  return text;
}

/** `since` and `until` of a layer's changes; a range ending before it starts is a 400. */
function parseRange(req: Request) {
  const since = parseInstant(req.query.since, 'since');
  const until = parseInstant(req.query.until, 'until');
  if (since && until && Date.parse(since) > Date.parse(until)) {
    // an empty page read as "nothing changed then", where the range held nothing at all
    throw badRequest(
      'bad-range',
      `since (${since}) is after until (${until}); give the earlier instant as since.`,
    );
  }
  return { since, until };
}

function parseAfter(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const after = decimalDigits(value);
  if (!Number.isSafeInteger(after)) {
    throw badRequest('bad-after', 'after must be a feature id: a non-negative integer.');
  }
  return after;
}

function parseBefore(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const before = decimalDigits(value);
  if (!Number.isSafeInteger(before)) {
    throw badRequest('bad-before', 'before must be a historyId: a non-negative integer.');
  }
  return before;
}

/**
 * Links of a page of a layer as it was, as those of an items page: `next` continues after
 * the last id (keyset paging, as fast at the end of the layer as at its start) and counts
 * the offset on; `prev` steps back by offset.
 */
function asOfLinks(
  req: Request,
  page: { limit: number; offset: number },
  asOf: { hasNext: boolean; lastId?: number },
) {
  const { limit, offset } = page;
  const links: Link[] = [
    { href: urlWith(req, {}), rel: 'self', type: 'application/geo+json', title: 'This page' },
  ];
  if (asOf.hasNext) {
    const next = urlWith(req, { offset: String(offset + limit), after: String(asOf.lastId) });
    links.push({ href: next, rel: 'next', type: 'application/geo+json', title: 'Next page' });
  }
  if (offset > 0) {
    const prev = urlWith(req, { offset: String(Math.max(0, offset - limit)), after: undefined });
    links.push({ href: prev, rel: 'prev', type: 'application/geo+json', title: 'Previous page' });
  }
  return links;
}

/** The highest version a feature can have: its `version` column is a PostgreSQL integer. */
const maxVersion = 2 ** 31 - 1;

function parseVersion(text: string): number {
  const version = decimalDigits(text);
  if (!(version >= 1 && version <= maxVersion)) {
    const detail = `A version is a positive integer up to ${maxVersion}; got "${text}".`;
    throw badRequest('bad-version', detail);
  }
  return version;
}

/**
 * Feature history: `/collections/{layerId}/items/{featureId}/history` (every version),
 * `…/history/{version}/restore` (POST: bring a version back as a new edit),
 * `/collections/{layerId}/history` (recent edits of a layer) and
 * `/collections/{layerId}/history/items?at=` (the layer as it was at an instant, a page at a
 * time: `limit`, `offset`, and `after` a feature id, which its next links use).
 */
export function createHistoryRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;

  const json = answersJson();

  // A feature's history comes whole, not paged: `limit` is refused rather than ignored.
  const noParameters = takesParameters();
  router.get(
    '/collections/:layerId/items/:featureId/history',
    noParameters,
    json,
    async (req, res) => {
      const featureId = parseWriteFeatureId(req.params.featureId);
      const versions = await listFeatureHistory(
        pool,
        res.locals.principal,
        req.params.layerId,
        featureId,
      );
      res
        .set('Cache-Control', 'no-store')
        .json({ layerId: req.params.layerId, featureId, versions });
    },
  );

  router.post(
    '/collections/:layerId/items/:featureId/history/:version/restore',
    noParameters,
    json,
    async (req, res) => {
      const featureId = parseWriteFeatureId(req.params.featureId);
      const target = {
        layerId: req.params.layerId,
        featureId,
        version: parseVersion(req.params.version),
        ifMatch: req.get('if-match'),
        ifNoneMatch: req.get('if-none-match'),
      };
      const written = await restoreVersion(pool, target, editContext(req, res));
      req.log.info(
        { layerId: target.layerId, featureId, restored: target.version },
        'feature restored',
      );
      const self = `${baseUrl(req)}/collections/${target.layerId}/items/${featureId}`;
      res.set('ETag', featureETag(featureId, written.version)).location(self);
      res.json({ featureId, version: written.version, restoredVersion: target.version });
    },
  );

  const changesParameters = takesParameters('since', 'until', 'limit', 'offset', 'before');
  router.get('/collections/:layerId/history', changesParameters, json, async (req, res) => {
    const before = parseBefore(req.query.before);
    const range = { ...parseRange(req), ...parsePageParameters(req.query), before };
    const { layerId } = req.params;
    const page = await listLayerChanges(pool, res.locals.principal, layerId, range);
    // The next page continues before the oldest edit of this one, not at an offset that the
    // edits made meanwhile would shift: without it, a client took the first page for all.
    const links: Link[] = [
      { href: urlWith(req, {}), rel: 'self', type: 'application/json', title: 'This page' },
    ];
    const oldest = page.changes.at(-1);
    if (page.hasNext && oldest) {
      const next = urlWith(req, { before: String(oldest.historyId), offset: undefined });
      links.push({ href: next, rel: 'next', type: 'application/json', title: 'Older edits' });
    }
    const { changes } = page;
    res.set('Cache-Control', 'no-store').json({ layerId, changes, links });
  });

  const asOfParameters = takesParameters('at', 'limit', 'offset', 'after');
  router.get('/collections/:layerId/history/items', asOfParameters, json, async (req, res) => {
    const at = parseInstant(req.query.at, 'at');
    if (!at) throw badRequest('bad-instant', 'Name the instant: ?at=2025-01-31T00:00:00Z.');
    const page = { at, ...parsePageParameters(req.query), after: parseAfter(req.query.after) };
    const asOf = await getLayerAsOf(pool, res.locals.principal, req.params.layerId, page);

    const numberReturned = asOf.features.length;
    // Counted only where the page tells it: counting would read the layer's whole history.
    const counted = !asOf.hasNext && (numberReturned > 0 || page.offset === 0);
    res.type('application/geo+json').send(
      JSON.stringify({
        type: 'FeatureCollection',
        features: asOf.features.map(({ version: _version, ...feature }) => feature),
        numberMatched: counted ? page.offset + numberReturned : undefined,
        numberReturned,
        timeStamp: at,
        links: asOfLinks(req, page, asOf),
      }),
    );
  });

  return router;
}
