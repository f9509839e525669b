import type { AttributeDefinition, LayerDefinition } from '../../layers/index.js';
import { textMaxLength } from '../../layers/validate-attributes.js';
import { itemsLimits, maxSortKeys } from './items-query.js';
import { crs84, supportedCrsUris } from './crs.js';
import { openApiMediaType, queryablesRel } from './ogc-documents.js';

/**
 * The OpenAPI 3.0 document of the feature API, generated from the layer declarations so it
 * never drifts: one set of paths per readable layer, with that layer's queryables as
 * parameters and its feature schema as the response.
 */

// TODO: the endpoints the web map uses beside the OGC API (/auth, /tiles, /imports, /exports,
// /records, /client/config, /health, /admin/geoserver) are not described here, so a client of
// those learns them from the README and the code only; test/server/http/openapi.test.ts lists
// them, and fails for any other route the app serves without describing it.

type Json = Record<string, unknown>;

/** Paths another router adds to the document (e.g. Part 4 editing), given the readable layers. */
export type OpenApiContribution = (layers: readonly LayerDefinition[]) => Record<string, Json>;

/** Routers that serve more of the API register their paths here when their module loads. */
export const openApiContributions: OpenApiContribution[] = [];

const ref = (name: string) => ({ $ref: `#/components/${name}` });

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('schemas/problem') } },
});

const standardErrors = {
  '400': problemResponse('The request is malformed; `detail` says what would work.'),
  '404': problemResponse('No such collection or feature.'),
  '500': problemResponse('The server failed; quote `requestId` when reporting it.'),
};

const htmlContent = { 'text/html': { schema: { type: 'string' } } };

// No enum: a CRS is read in every spelling crs-name.ts reads, which the canonical URIs alone
// would refuse (clients such as GDAL and QGIS send `EPSG:32749` or a URN).
const crsSchema = { type: 'string', default: crs84.uri };

/** What a CRS parameter takes, after `what` (`CRS of bbox`). */
function crsDescription(what: string) {
  return (
    `${what}: one of ${supportedCrsUris.join(', ')} (default CRS84), also named as a URN ` +
    '(`urn:ogc:def:crs:EPSG::32749`), `EPSG:32749`, `[EPSG:32749]`, `CRS84` or ' +
    '`OGC:CRS84`, in any letter case; any other CRS is a 400.'
  );
}

const contentCrsHeader = {
  'Content-Crs': {
    description: 'The CRS of the returned geometries, as a URI in angle brackets.',
    schema: { type: 'string' },
  },
};

function queryParameter(name: string, description: string, schema: Json, extra: Json = {}) {
  return { name, in: 'query', required: false, description, schema, ...extra };
}

const parameters: Record<string, Json> = {
  f: queryParameter('f', 'Format; overrides the Accept header.', {
    type: 'string',
    enum: ['json', 'html'],
  }),
  limit: queryParameter(
    'limit',
    `Features per page; more than ${itemsLimits.max} is refused with 400.`,
    { type: 'integer', minimum: 1, maximum: itemsLimits.max, default: itemsLimits.default },
    { style: 'form', explode: false },
  ),
  offset: queryParameter('offset', 'Features to skip; follow the `next` link instead.', {
    type: 'integer',
    minimum: 0,
    default: 0,
  }),
  after: queryParameter(
    'after',
    'Continue after this feature id; next links set it (default order only, not with sortby).',
    { type: 'integer', minimum: 0 },
  ),
  bbox: queryParameter(
    'bbox',
    'minX,minY,maxX,maxY (or 6 numbers with heights) in bbox-crs; features intersecting it.',
    { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
    { style: 'form', explode: false },
  ),
  bboxCrs: queryParameter('bbox-crs', crsDescription('CRS of bbox'), crsSchema),
  crs: queryParameter('crs', crsDescription('CRS of the returned geometries'), crsSchema),
  filter: queryParameter(
    'filter',
    'A CQL2 filter in filter-lang: comparison, LIKE, BETWEEN, IN, IS NULL, CASEI, ' +
      'S_ spatial and T_ temporal operators, arithmetic.',
    { type: 'string' },
  ),
  filterLang: queryParameter('filter-lang', 'Encoding of filter.', {
    type: 'string',
    enum: ['cql2-text', 'cql2-json'],
    default: 'cql2-text',
  }),
  filterCrs: queryParameter('filter-crs', crsDescription('CRS of filter geometries'), crsSchema),
  featureId: {
    name: 'featureId',
    in: 'path',
    required: true,
    description: 'The id of a feature.',
    schema: { type: 'integer', minimum: 1 },
  },
};

const linkSchema = {
  type: 'object',
  required: ['href', 'rel'],
  properties: {
    href: { type: 'string' },
    rel: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
  },
};

const schemas: Record<string, Json> = {
  link: linkSchema,
  links: { type: 'array', items: ref('schemas/link') },
  problem: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      requestId: { type: 'string' },
    },
  },
  landingPage: {
    type: 'object',
    required: ['links'],
    properties: {
      title: { type: 'string' },
      description: { type: 'string' },
      links: ref('schemas/links'),
    },
  },
  confClasses: {
    type: 'object',
    required: ['conformsTo'],
    properties: { conformsTo: { type: 'array', items: { type: 'string' } } },
  },
  collection: {
    type: 'object',
    required: ['id', 'links'],
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      links: ref('schemas/links'),
      extent: { type: 'object' },
      itemType: { type: 'string' },
      crs: { type: 'array', items: { type: 'string' } },
      storageCrs: { type: 'string' },
    },
  },
  collections: {
    type: 'object',
    required: ['links', 'collections'],
    properties: {
      links: ref('schemas/links'),
      crs: { type: 'array', items: { type: 'string' } },
      collections: { type: 'array', items: ref('schemas/collection') },
    },
  },
  jsonSchema: { type: 'object', description: 'A JSON Schema (2020-12) document.' },
};

const attributeTypes = {
  text: { type: 'string' },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  timestamp: { type: 'string', format: 'date-time' },
} as const;

/** An attribute as an OpenAPI 3.0 schema (enum for coded values, labels in the description). */
function attributeSchema(attribute: AttributeDefinition): Json {
  const labels = attribute.domain?.map((v) => `${v.code}: ${v.labelId} / ${v.labelEn}`);
  const unit = attribute.unit ? ` (${attribute.unit})` : '';
  const schema: Json = {
    ...attributeTypes[attribute.type],
    title: `${attribute.titleId} / ${attribute.titleEn}${unit}`,
    nullable: !attribute.required,
  };
  if (labels) schema.description = labels.join('; ');
  if (attribute.domain) schema.enum = attribute.domain.map((v) => v.code);
  if (attribute.min !== undefined) schema.minimum = attribute.min;
  if (attribute.max !== undefined) schema.maximum = attribute.max;
  const maxLength = textMaxLength(attribute);
  if (maxLength !== undefined) schema.maxLength = maxLength;
  if (attribute.computed) schema.readOnly = true;
  return schema;
}

function featureSchema(layer: LayerDefinition): Json {
  const properties = Object.fromEntries(layer.attributes.map((a) => [a.name, attributeSchema(a)]));
  return {
    type: 'object',
    required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { type: 'integer' },
      geometry: {
        type: 'object',
        description: `A GeoJSON ${layer.geometry.type} in the requested CRS.`,
      },
      properties: { type: 'object', properties },
      links: ref('schemas/links'),
    },
  };
}

function featureCollectionSchema(layer: LayerDefinition): Json {
  return {
    type: 'object',
    required: ['type', 'features'],
    properties: {
      type: { type: 'string', enum: ['FeatureCollection'] },
      features: { type: 'array', items: ref(`schemas/${layer.id}_feature`) },
      links: ref('schemas/links'),
      numberMatched: { type: 'integer', minimum: 0 },
      numberReturned: { type: 'integer', minimum: 0 },
      timeStamp: { type: 'string', format: 'date-time' },
    },
  };
}

function propertiesParameter(layer: LayerDefinition): Json {
  return queryParameter(
    'properties',
    'Attributes to return, comma-separated; all when absent.',
    { type: 'array', items: { type: 'string', enum: layer.attributes.map((a) => a.name) } },
    { style: 'form', explode: false },
  );
}

function itemsParameters(layer: LayerDefinition): Json[] {
  const names = ['id', ...layer.attributes.map((a) => a.name)];
  const own: Json[] = [
    propertiesParameter(layer),
    queryParameter(
      'sortby',
      `Up to ${maxSortKeys} keys [+|-]name from ${names.join(', ')}; the id always ends the order.`,
      { type: 'array', items: { type: 'string' } },
      { style: 'form', explode: false },
    ),
  ];
  const time = layer.timeAttribute
    ? `matched against ${layer.timeAttribute}`
    : 'checked, then ignored: this layer has no time attribute';
  own.push(
    queryParameter('datetime', `Instant or interval (start/end, ".." open), ${time}.`, {
      type: 'string',
    }),
  );
  const queryables = layer.attributes.map((a) =>
    queryParameter(a.name, `Features whose ${a.name} equals this value.`, attributeSchema(a)),
  );
  const shared = [
    'f',
    'limit',
    'offset',
    'after',
    'bbox',
    'bboxCrs',
    'crs',
    'filter',
    'filterLang',
    'filterCrs',
  ];
  return [...shared.map((name) => ref(`parameters/${name}`)), ...own, ...queryables];
}

function jsonResponse(description: string, schema: Json, type = 'application/json'): Json {
  return { description, content: { [type]: { schema }, ...htmlContent } };
}

function layerPaths(layer: LayerDefinition): Record<string, Json> {
  const path = `/collections/${layer.id}`;
  const title = `${layer.titleId} / ${layer.titleEn}`;
  const tag = layer.id;
  const geoJson = (schema: Json) => ({ 'application/geo+json': { schema }, ...htmlContent });
  return {
    [path]: {
      get: {
        tags: [tag],
        summary: `${title}: description and extent`,
        operationId: `describe_${layer.id}`,
        parameters: [ref('parameters/f')],
        responses: {
          '200': jsonResponse('The collection.', ref('schemas/collection')),
          ...standardErrors,
        },
      },
    },
    [`${path}/items`]: {
      get: {
        tags: [tag],
        summary: `${title}: features, filtered and paged`,
        operationId: `list_${layer.id}`,
        parameters: itemsParameters(layer),
        responses: {
          '200': {
            description: 'A page of features; follow the `next` link for more.',
            headers: contentCrsHeader,
            content: geoJson(featureCollectionSchema(layer)),
          },
          ...standardErrors,
        },
      },
    },
    [`${path}/items/{featureId}`]: {
      get: {
        tags: [tag],
        summary: `${title}: one feature`,
        operationId: `get_${layer.id}`,
        parameters: [
          ref('parameters/featureId'),
          ref('parameters/f'),
          ref('parameters/crs'),
          propertiesParameter(layer),
        ],
        responses: {
          '200': {
            description: 'The feature; its ETag is "<id>-<version>".',
            headers: { ...contentCrsHeader, ETag: { schema: { type: 'string' } } },
            content: geoJson(ref(`schemas/${layer.id}_feature`)),
          },
          ...standardErrors,
        },
      },
    },
    [`${path}/queryables`]: {
      get: {
        tags: [tag],
        summary: `${title}: properties a filter may use, with their domains`,
        operationId: `queryables_${layer.id}`,
        description: `Link relation ${queryablesRel}.`,
        parameters: [ref('parameters/f')],
        responses: {
          '200': jsonResponse(
            'A JSON Schema.',
            ref('schemas/jsonSchema'),
            'application/schema+json',
          ),
          ...standardErrors,
        },
      },
    },
    [`${path}/schema`]: {
      get: {
        tags: [tag],
        summary: `${title}: schema of the features`,
        operationId: `schema_${layer.id}`,
        parameters: [ref('parameters/f')],
        responses: {
          '200': jsonResponse(
            'A JSON Schema.',
            ref('schemas/jsonSchema'),
            'application/schema+json',
          ),
          ...standardErrors,
        },
      },
    },
  };
}

function servicePaths(): Record<string, Json> {
  const simple = (
    summary: string,
    operationId: string,
    schema: Json,
    type = 'application/json',
  ) => ({
    get: {
      tags: ['service'],
      summary,
      operationId,
      parameters: [ref('parameters/f')],
      responses: { '200': jsonResponse(summary, schema, type), '500': standardErrors['500'] },
    },
  });
  return {
    '/': simple('Landing page', 'landingPage', ref('schemas/landingPage')),
    '/conformance': simple('Conformance classes', 'conformance', ref('schemas/confClasses')),
    '/api': simple('This OpenAPI document', 'api', { type: 'object' }, openApiMediaType),
    '/collections': simple('Collections', 'collections', ref('schemas/collections')),
  };
}

/** The whole OpenAPI 3.0 document for the layers this caller may read. */
export function openApiDocument(base: string, layers: readonly LayerDefinition[]): Json {
  const paths: Record<string, Json> = { ...servicePaths() };
  const layerSchemas: Record<string, Json> = {};
  for (const layer of layers) {
    Object.assign(paths, layerPaths(layer));
    layerSchemas[`${layer.id}_feature`] = featureSchema(layer);
  }
  // a contribution may add methods to a path already described here (POST beside GET)
  for (const contribute of openApiContributions) {
    for (const [path, item] of Object.entries(contribute(layers))) {
      paths[path] = { ...paths[path], ...item };
    }
  }

  return {
    openapi: '3.0.3',
    info: {
      title: 'Simpul feature API',
      version: '1.0.0',
      description:
        'OGC API Features Parts 1 (core), 2 (CRS by reference) and 3 (CQL2 filtering) over ' +
        'the regency layers. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: base }],
    tags: [{ name: 'service' }, ...layers.map((l) => ({ name: l.id, description: l.titleEn }))],
    paths,
    components: { parameters, schemas: { ...schemas, ...layerSchemas } },
  };
}
