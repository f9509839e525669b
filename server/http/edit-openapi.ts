/**
 * What editing adds to the OpenAPI document and the conformance list: the OGC API Features
 * Part 4 operations of each layer (with their `{layer}_feature` schema as the body), the
 * batch endpoint and the history endpoints. Registered once, when the writes router loads.
 */
import type { LayerDefinition } from '../../layers/index.js';
import { conformanceClasses } from './ogc-documents.js';
import { openApiContributions } from './openapi.js';

type Json = Record<string, unknown>;

const features4 = 'http://www.opengis.net/spec/ogcapi-features-4/1.0';

/** Part 4 classes implemented; the locking class is under `/req/` in the draft, as quoted. */
const editingConformance = [
  `${features4}/conf/create-replace-delete`,
  `${features4}/conf/update`,
  `${features4}/req/optimistic-locking-etags`,
  `${features4}/conf/features`,
];

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/problem' } } },
});

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
      operationId: `replace_${layer.id}`,
      parameters: [featureId, ifMatch, ifNoneMatch, contentCrs],
      requestBody: featureBody(layer, 'application/geo+json'),
      responses: { '200': changed, ...writeErrors, ...preconditionErrors },
    },
    patch: {
      tags,
      summary: 'Update a feature (JSON merge patch; null unsets)',
      operationId: `update_${layer.id}`,
      parameters: [featureId, ifMatch, ifNoneMatch, contentCrs],
      requestBody: featureBody(layer, 'application/merge-patch+json'),
      responses: { '200': changed, ...writeErrors, ...preconditionErrors },
    },
    delete: {
      tags,
      summary: 'Delete a feature (kept in its history)',
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
        operationId: `create_${layer.id}`,
        parameters: [contentCrs],
        requestBody: featureBody(layer, 'application/geo+json'),
        responses: { '201': created, ...writeErrors },
      },
    },
    [`${path}/items/{featureId}`]: itemOperations(layer),
    [`${path}/items/{featureId}/history`]: {
      get: {
        tags: [layer.id],
        summary: 'Every recorded version of a feature: who, when, which client, both states',
        operationId: `history_${layer.id}`,
        parameters: [{ $ref: '#/components/parameters/featureId' }],
        responses: { '200': { description: 'The versions, oldest first.' }, ...writeErrors },
      },
    },
  };
}

const batchPath = {
  '/batch': {
    post: {
      tags: ['service'],
      summary: 'Many edits across layers in one transaction, all or nothing',
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
    return paths;
  });
}
