import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { crs84, parseCrs } from '../http/crs.js';
import { registerEditingApi } from '../http/edit-openapi.js';
import { utf8Json } from '../http/json-body.js';
import { baseUrl } from '../http/negotiate.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { takesParameters } from '../http/query-parameters.js';
import { allowedMethods, requireReadable } from '../services/edit-access.js';
import {
  applyBatch,
  applySingleEdit,
  featureETag,
  type Edit,
  type EditContext,
  type EditOutcome,
} from '../services/edit-service.js';
import { listLayers, requireLayer } from '../services/layer-registry.js';

/** Parses a positive integer feature id from the URL; anything else is a 404 like a missing one. */
export function parseWriteFeatureId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id)) {
    throw badRequest('bad-feature-id', `A feature id is a positive integer; got "${text}".`);
  }
  return id;
}

/** Who edits and from where, as the history records it. */
export function editContext(req: Request, res: Response): EditContext {
  const header = req.get('content-crs')?.trim();
  const contentCrs = header ? parseCrs(header.replace(/^<|>$/g, ''), 'Content-Crs') : undefined;
  const client = req.get('x-simpul-client') ?? req.get('user-agent') ?? 'unknown';
  return {
    principal: res.locals.principal,
    client: client.slice(0, 200),
    requestId: String(req.id ?? ''),
    contentCrs,
  };
}

function sendFeature(req: Request, res: Response, outcome: EditOutcome, status: number) {
  const feature = outcome.feature!;
  const { version, ...body } = feature;
  const self = `${baseUrl(req)}/collections/${outcome.layerId}/items/${outcome.featureId}`;
  res
    .status(status)
    .set({ ETag: featureETag(outcome.featureId, version), 'Content-Crs': `<${crs84.uri}>` });
  if (status === 201) res.location(self);
  res
    .type('application/geo+json')
    .send(JSON.stringify({ ...body, links: [{ href: self, rel: 'self' }] }));
}

const jsonTypes = ['application/json', 'application/geo+json', 'application/merge-patch+json'];

/** The patch formats PATCH takes (a JSON body is read as a merge patch), for Accept-Patch. */
const acceptPatch = 'application/merge-patch+json, application/json';

/**
 * The bytes of each JSON body read, so that an empty body is told from `{}`: the parser makes
 * the one of the other, and an empty PATCH was answered 200 as a patch changing nothing.
 */
const bodyBytes = new WeakMap<object, number>();

function isBodyEmpty(req: Request): boolean {
  const read = bodyBytes.get(req);
  if (read !== undefined) return read === 0;
  const length = Number(req.get('content-length') ?? 0);
  return req.get('transfer-encoding') === undefined && !(length > 0);
}

/** What each write sends in its body, for the refusal of an empty one. */
const expectedBodies = {
  feature: 'a GeoJSON Feature',
  patch: 'a merge patch such as {"properties": {"name": "…"}}',
  batch: '{"edits": [...]}',
};

function requireJsonBody(req: Request, expected: keyof typeof expectedBodies) {
  if (isBodyEmpty(req)) {
    throw badRequest('empty-body', `The body is empty; send ${expectedBodies[expected]}.`);
  }
  if (!req.is(jsonTypes)) {
    const detail = `Send the body as ${jsonTypes.join(' or ')}; got ${req.get('content-type') ?? 'none'}.`;
    const problem = new HttpProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      detail,
    );
    // RFC 5789 2.2: a PATCH refused for its format names the formats taken
    if (req.method === 'PATCH') problem.headers['Accept-Patch'] = acceptPatch;
    throw problem;
  }
  return req.body as unknown;
}

function sendAllow(res: Response, methods: string[]) {
  // RFC 5789 3.1: OPTIONS on a resource taking PATCH says which patch formats it takes
  if (methods.includes('PATCH')) res.set('Accept-Patch', acceptPatch);
  res.set('Allow', methods.join(', ')).status(204).end();
}

/**
 * The `etag` of a batch edit, the If-Match of that edit: a string as ETag gives it. A number
 * such as 3 was taken for no etag at all, and answered 428 as if none had been sent.
 */
function parseBatchETag(etag: unknown, index: number): string | undefined {
  if (etag === undefined || etag === null || typeof etag === 'string') return etag ?? undefined;
  throw badRequest(
    'bad-batch',
    `Edit ${index} has etag ${JSON.stringify(etag).slice(0, 60)}; an etag must be a string, ` +
      'as ETag gives it: "etag": "\\"35-3\\"".',
  );
}

/**
 * The collection of a batch edit: a layer id, never an object or a list made into text. It is
 * named by `collection` or `layerId`; an edit naming two different layers is a 400 naming
 * both, where `collection` won and the edit went to a layer its writer may not have meant.
 */
function parseBatchCollection(edit: Record<string, unknown>, index: number): string {
  const { collection: named, layerId } = edit;
  const given = (value: unknown) => value !== undefined && value !== null;
  if (given(named) && given(layerId) && named !== layerId) {
    const both = [named, layerId].map((value) => JSON.stringify(value).slice(0, 60));
    throw badRequest(
      'bad-batch',
      `Edit ${index} names two layers, collection ${both[0]} and layerId ${both[1]}; ` +
        'give the layer once, as collection.',
    );
  }
  const collection = given(named) ? named : layerId;
  if (typeof collection === 'string' && collection !== '') return collection;
  const layerIds = listLayers().map((layer) => layer.id);
  throw badRequest(
    'bad-batch',
    `Edit ${index} has collection ${JSON.stringify(collection ?? null).slice(0, 60)}; ` +
      `give a layer id as a string, one of: ${layerIds.join(', ')}.`,
  );
}

/** The feature id of a batch edit: an integer, or its digits as a string, as ids appear. */
function parseBatchFeatureId(featureId: unknown, index: number): number {
  if (typeof featureId === 'string' || typeof featureId === 'number') {
    return parseWriteFeatureId(String(featureId));
  }
  throw badRequest(
    'bad-feature-id',
    `Edit ${index} has featureId ${JSON.stringify(featureId ?? null).slice(0, 60)}; ` +
      'a feature id is a positive integer.',
  );
}

/** The members each batch op takes (`layerId` is an older name of `collection`). */
const batchMembers: Record<string, string[]> = {
  create: ['op', 'collection', 'feature'],
  replace: ['op', 'collection', 'featureId', 'etag', 'feature'],
  patch: ['op', 'collection', 'featureId', 'etag', 'patch'],
  delete: ['op', 'collection', 'featureId', 'etag'],
};

/**
 * Refuses a member a batch or an edit does not take: `{"edits": [...], "dryRun": true}` or an
 * edit's `"test": true` would otherwise be applied as if it were not there.
 */
function refuseUnknownBatchMembers(body: object, edits: unknown[]) {
  const extra = Object.keys(body).find((name) => name !== 'edits');
  if (extra !== undefined) {
    const named = JSON.stringify(extra.slice(0, 40));
    const detail = `Unknown member ${named} in the batch; a batch takes "edits" only.`;
    throw badRequest('bad-batch', detail);
  }
  edits.forEach((raw, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      const shown = JSON.stringify(raw ?? null).slice(0, 40);
      const detail = `Edit ${index} is ${shown}; an edit is an object with an op.`;
      throw badRequest('bad-batch', detail);
    }
    const edit = raw as Record<string, unknown>;
    const known = typeof edit.op === 'string' && Object.hasOwn(batchMembers, edit.op);
    const op = known ? (edit.op as string) : '';
    const takes = batchMembers[op];
    if (!takes) return; // parseBatch refuses the op itself
    const taken = (name: string) => takes.includes(name) || name === 'layerId';
    const unknown = Object.keys(edit).find((name) => !taken(name));
    if (unknown !== undefined) {
      const detail =
        `Edit ${index} has an unknown member ${JSON.stringify(unknown.slice(0, 40))}; ` +
        `a ${String(edit.op)} takes ${takes.join(', ')}.`;
      throw badRequest('bad-batch', detail);
    }
  });
}

/** The `edits` of a batch body as typed edits; the shape is checked, content by the service. */
function parseBatch(body: unknown): Edit[] {
  const edits = (body as { edits?: unknown })?.edits;
  if (!Array.isArray(edits) || edits.length === 0) {
    throw badRequest(
      'bad-batch',
      'Send {"edits": [{"op": "create"|"replace"|"patch"|"delete", ...}]}.',
    );
  }
  refuseUnknownBatchMembers(body as object, edits);
  return edits.map((raw: unknown, index) => {
    const e = raw as Record<string, unknown>;
    const layerId = parseBatchCollection(e, index);
    const ifMatch = parseBatchETag(e.etag, index);
    const featureId = () => parseBatchFeatureId(e.featureId, index);
    switch (e.op) {
      case 'create':
        return { op: 'create', layerId, feature: e.feature };
      case 'replace':
        return { op: 'replace', layerId, featureId: featureId(), ifMatch, feature: e.feature };
      case 'patch':
        return { op: 'patch', layerId, featureId: featureId(), ifMatch, patch: e.patch };
      case 'delete':
        return { op: 'delete', layerId, featureId: featureId(), ifMatch };
      default:
        throw badRequest(
          'bad-batch',
          `Edit ${index} has op ${String(e.op)}; use create, replace, patch or delete.`,
        );
    }
  });
}

/**
 * OGC API Features Part 4 on `/collections/{layerId}/items`: POST creates, PUT replaces, PATCH
 * merges (RFC 7396), DELETE removes, OPTIONS lists what the caller may do; and `/batch`, many
 * edits across layers applied all or nothing. Mounted before the read routes so OPTIONS
 * answers with the caller's methods.
 */
export function createCollectionWritesRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;
  registerEditingApi();
  const json = utf8Json({
    limit: `${config.writeBodyLimitMb}mb`,
    type: jsonTypes,
    verify: (req, _res, body) => bodyBytes.set(req, body.length),
  });
  // A write takes no query parameter: ?dryRun=1 or a misspelt option would else be applied as
  // if absent, the edit made. Refused before the body is read, as the read paths refuse theirs.
  const noQuery = takesParameters();

  router.options('/collections/:layerId/items', (req, res) => {
    const layer = requireLayer(req.params.layerId);
    requireReadable(res.locals.principal, layer);
    sendAllow(res, allowedMethods(res.locals.principal, layer, 'collection'));
  });

  router.options('/collections/:layerId/items/:featureId', (req, res) => {
    const layer = requireLayer(req.params.layerId);
    requireReadable(res.locals.principal, layer);
    sendAllow(res, allowedMethods(res.locals.principal, layer, 'item'));
  });

  router.post('/collections/:layerId/items', noQuery, json, async (req, res) => {
    const edit: Edit = {
      op: 'create',
      layerId: req.params.layerId,
      feature: requireJsonBody(req, 'feature'),
    };
    const outcome = await applySingleEdit(pool, edit, editContext(req, res));
    req.log.info({ layerId: outcome.layerId, featureId: outcome.featureId }, 'feature created');
    sendFeature(req, res, outcome, 201);
  });

  router.put('/collections/:layerId/items/:featureId', noQuery, json, async (req, res) => {
    const featureId = parseWriteFeatureId(req.params.featureId);
    const ifMatch = req.get('if-match');
    const edit: Edit = {
      op: 'replace',
      layerId: req.params.layerId,
      featureId,
      ifMatch,
      ifNoneMatch: req.get('if-none-match'),
      feature: requireJsonBody(req, 'feature'),
    };
    sendFeature(req, res, await applySingleEdit(pool, edit, editContext(req, res)), 200);
  });

  router.patch('/collections/:layerId/items/:featureId', noQuery, json, async (req, res) => {
    const featureId = parseWriteFeatureId(req.params.featureId);
    const ifMatch = req.get('if-match');
    const edit: Edit = {
      op: 'patch',
      layerId: req.params.layerId,
      featureId,
      ifMatch,
      ifNoneMatch: req.get('if-none-match'),
      patch: requireJsonBody(req, 'patch'),
    };
    sendFeature(req, res, await applySingleEdit(pool, edit, editContext(req, res)), 200);
  });

  router.delete('/collections/:layerId/items/:featureId', noQuery, async (req, res) => {
    const featureId = parseWriteFeatureId(req.params.featureId);
    const edit: Edit = {
      op: 'delete',
      layerId: req.params.layerId,
      featureId,
      ifMatch: req.get('if-match'),
      ifNoneMatch: req.get('if-none-match'),
    };
    await applySingleEdit(pool, edit, editContext(req, res));
    req.log.info({ layerId: edit.layerId, featureId }, 'feature deleted');
    res.status(204).end();
  });

  router.post('/batch', noQuery, json, async (req, res) => {
    const reports = await applyBatch(
      pool,
      parseBatch(requireJsonBody(req, 'batch')),
      editContext(req, res),
    );
    req.log.info({ edits: reports.length }, 'batch applied');
    res.json({ edits: reports });
  });

  return router;
}
