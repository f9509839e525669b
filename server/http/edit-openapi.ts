/**
 * What editing adds to the OpenAPI document and the conformance list: the OGC API Features
 * Part 4 operations of each layer (with their `{layer}_feature` schema as the body), the
 * batch endpoint and the history endpoints (a feature's versions and their restore, a layer's
 * recent edits and the layer as it was). Registered once, when the writes router loads.
 */
import type { LayerDefinition } from '../../layers/index.js';
import { conformanceClasses } from './ogc-documents.js';
import { loginToRead, loginToWrite, openApiContributions, problemResponse } from './openapi.js';

type Json = Record<string, unknown>;

const features4 = 'http://www.opengis.net/spec/ogcapi-features-4/1.0';

/** Part 4 classes implemented; the locking class is under `/req/` in the draft, as quoted. */
const editingConformance = [
  `${features4}/conf/create-replace-delete`,
  `${features4}/conf/update`,
  `${features4}/req/optimistic-locking-etags`,
  `${features4}/conf/features`,
];

const problem = (description: string) => problemResponse(description);

const writeErrors = {
  '401': problem('No login or API token; send `Authorization: Bearer <token>`.'),
  '403': problem('The caller may not edit this layer, or the CSRF token is missing.'),
  '404': problem('No such collection or feature.'),
  '422': problem('The feature breaks the declaration; `errors` lists each field.'),
};

// Not required for every caller: an API token made without If-Match (for QGIS) may leave
// it out, and its write then overwrites the current version.
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'The ETag of the version being changed, `"<id>-<version>"`, from GET of the item. ' +
    'Needed (428 without it) except for an API token made without If-Match, whose write ' +
    'then replaces the current version whatever it is.',
  schema: { type: 'string' },
};

const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'Write only if the feature is not at this ETag; `*`: only if the feature does not exist, ' +
    'so any write to an existing one. Otherwise 412 with the current feature.',
  schema: { type: 'string' },
};

const contentCrs = {
  name: 'Content-Crs',
  in: 'header',
  required: false,
  description: 'CRS of the body geometry, as a URI in angle brackets; CRS84 by default.',
  schema: { type: 'string' },
};

const etagHeader = { ETag: { description: 'The new version.', schema: { type: 'string' } } };

function featureBody(layer: LayerDefinition, mediaType: string) {
  const schema = { $ref: `#/components/schemas/${layer.id}_feature` };
  return { required: true, content: { [mediaType]: { schema } } };
}

function itemOperations(layer: LayerDefinition): Json {
  const tags = [layer.id];
  const featureId = { $ref: '#/components/parameters/featureId' };
  const changed = { description: 'Changed.', headers: etagHeader };
  const preconditionErrors = {
    '412': problem(
      'Stale If-Match, or If-None-Match naming the current ETag (or `*`); `current`, ' +
        '`currentETag` and `currentVersion` say what it is now.',
    ),
    '428': problem('If-Match is missing, and the API token was not made without If-Match.'),
  };
  return {
    put: {
      tags,
      summary: 'Replace a feature',
      security: loginToWrite,
      operationId: `replace_${layer.id}`,
      parameters: [featureId, ifMatch, ifNoneMatch, contentCrs],
      requestBody: featureBody(layer, 'application/geo+json'),
      responses: { '200': changed, ...writeErrors, ...preconditionErrors },
    },
    patch: {
      tags,
      summary: 'Update a feature (JSON merge patch; null unsets)',
      security: loginToWrite,
      operationId: `update_${layer.id}`,
      parameters: [featureId, ifMatch, ifNoneMatch, contentCrs],
      requestBody: featureBody(layer, 'application/merge-patch+json'),
      responses: { '200': changed, ...writeErrors, ...preconditionErrors },
    },
    delete: {
      tags,
      summary: 'Delete a feature (kept in its history)',
      security: loginToWrite,
      operationId: `delete_${layer.id}`,
      parameters: [featureId, ifMatch, ifNoneMatch],
      responses: { '204': { description: 'Deleted.' }, ...writeErrors, ...preconditionErrors },
    },
    options: {
      tags,
      summary: 'The methods this caller may use',
      operationId: `options_${layer.id}_item`,
      parameters: [featureId],
      responses: { '204': { description: 'See the `Allow` header.' } },
    },
  };
}

const versionParameter = {
  name: 'version',
  in: 'path',
  required: true,
  description: "A version from the feature's history.",
  schema: { type: 'integer', format: 'int32', minimum: 1 },
};

function restoreOperation(layer: LayerDefinition): Json {
  const restored = {
    description: 'Restored as a new version; `Location` names the item.',
    headers: { ...etagHeader, Location: { schema: { type: 'string' } } },
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['featureId', 'version', 'restoredVersion'],
          properties: {
            featureId: { type: 'integer' },
            version: { type: 'integer', description: 'The new version.' },
            restoredVersion: { type: 'integer', description: 'The version brought back.' },
          },
        },
      },
    },
  };
  return {
    post: {
      tags: [layer.id],
      summary: 'Bring a version back as a new edit, also of a deleted feature',
      security: loginToWrite,
      description:
        'Its attributes and geometry exactly as recorded. A feature that exists needs ' +
        'If-Match; a deleted one comes back under its id, If-None-Match: `*` restoring it ' +
        'only while it is still deleted.',
      operationId: `restore_${layer.id}`,
      parameters: [
        { $ref: '#/components/parameters/featureId' },
        versionParameter,
        ifMatch,
        {
          ...ifNoneMatch,
          description:
            '`*`: restore only a deleted feature; an ETag: only if the feature is not at it. ' +
            'Otherwise 412 `/problems/if-none-match-failed` with `currentETag`.',
        },
      ],
      responses: {
        '200': restored,
        '400': problem(
          'The version is not a positive integer (`/problems/bad-version`), or a query ' +
            'parameter was sent: a restore takes none.',
        ),
        ...writeErrors,
        '404': problem(
          'No such collection, or no such version of the feature ' +
            '(`/problems/unknown-version`).',
        ),
        '412': problem(
          'Stale If-Match or a feature restored meanwhile (`/problems/stale-version`), or ' +
            'If-None-Match naming the current ETag or `*` (`/problems/if-none-match-failed`); ' +
            '`currentETag` and `currentVersion` say what it is now.',
        ),
        '422': problem('The version breaks the declaration as it is today; `errors` lists why.'),
        '428': problem(
          'The feature exists and If-Match is missing (`/problems/if-match-required`).',
        ),
      },
    },
  };
}

const historyErrors = {
  '400': problem('A parameter is malformed; `detail` says what would work.'),
  '401': writeErrors['401'],
  '403': problem("The token's scope does not include this layer (`/problems/out-of-scope`)."),
  '404': problem('No such collection.'),
};

function query(name: string, description: string, schema: Json) {
  return { name, in: 'query', required: false, description, schema };
}

const limitParameter = { $ref: '#/components/parameters/limit' };
const offsetParameter = { $ref: '#/components/parameters/offset' };
const instant = { type: 'string', format: 'date-time' };

function layerHistoryOperations(layer: LayerDefinition): Record<string, Json> {
  const path = `/collections/${layer.id}/history`;
  return {
    [path]: {
      get: {
        tags: [layer.id],
        summary: 'The recent edits of the layer, newest first',
        security: loginToRead,
        operationId: `changes_${layer.id}`,
        parameters: [
          query('since', 'Edits at or after this date or instant (RFC 3339).', instant),
          query('until', 'Edits before this date or instant; not before since.', instant),
          limitParameter,
          offsetParameter,
          query('before', 'Edits older than this historyId; next links set it.', {
            type: 'integer',
            minimum: 0,
          }),
        ],
        responses: {
          '200': { description: '`changes`, and `links` to older edits.' },
          ...historyErrors,
        },
      },
    },
    [`${path}/items`]: {
      get: {
        tags: [layer.id],
        summary: 'The layer as it was at an instant, a page at a time (CRS84)',
        security: loginToRead,
        operationId: `as_of_${layer.id}`,
        parameters: [
          { ...query('at', 'The date or instant (RFC 3339).', instant), required: true },
          limitParameter,
          offsetParameter,
          { $ref: '#/components/parameters/after' },
        ],
        responses: {
          '200': {
            description: 'A page of the features as they were; `next` links continue.',
            content: { 'application/geo+json': { schema: { type: 'object' } } },
          },
          ...historyErrors,
        },
      },
    },
  };
}

function layerOperations(layer: LayerDefinition): Record<string, Json> {
  const path = `/collections/${layer.id}`;
  const created = {
    description: 'Created; `Location` names the new item.',
    headers: { ...etagHeader, Location: { schema: { type: 'string' } } },
  };
  return {
    [`${path}/items`]: {
      post: {
        tags: [layer.id],
        summary: 'Create a feature',
        security: loginToWrite,
        operationId: `create_${layer.id}`,
        parameters: [contentCrs],
        requestBody: featureBody(layer, 'application/geo+json'),
        responses: { '201': created, ...writeErrors },
      },
      options: {
        tags: [layer.id],
        summary: 'The methods this caller may use',
        operationId: `options_${layer.id}_items`,
        responses: { '204': { description: 'See the `Allow` header.' } },
      },
    },
    [`${path}/items/{featureId}`]: itemOperations(layer),
    [`${path}/items/{featureId}/history`]: {
      get: {
        tags: [layer.id],
        summary: 'Every recorded version of a feature: who, when, which client, both states',
        security: loginToRead,
        operationId: `history_${layer.id}`,
        parameters: [{ $ref: '#/components/parameters/featureId' }],
        responses: { '200': { description: 'The versions, oldest first.' }, ...writeErrors },
      },
    },
    [`${path}/items/{featureId}/history/{version}/restore`]: restoreOperation(layer),
    ...layerHistoryOperations(layer),
  };
}

const batchPath = {
  '/batch': {
    post: {
      tags: ['service'],
      summary: 'Many edits across layers in one transaction, all or nothing',
      security: loginToWrite,
      operationId: 'batch',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['edits'] } } },
      },
      responses: {
        '200': { description: 'Every edit applied; `edits` reports each with its ETag.' },
        ...writeErrors,
        '412': problem('An edit met a stale ETag; nothing was changed.'),
      },
    },
  },
};

let registered = false;

/** Adds the editing classes and paths once. */
export function registerEditingApi() {
  if (registered) return;
  registered = true;
  conformanceClasses.push(...editingConformance);
  openApiContributions.push((layers) => {
    const paths: Record<string, Json> = { ...batchPath };
    for (const layer of layers) Object.assign(paths, layerOperations(layer));
    return { paths };
  });
}
