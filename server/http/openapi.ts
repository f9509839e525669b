import type {
  AttributeDefinition,
  LayerDefinition,
  RecordTableDefinition,
} from '../../layers/index.js';
import { textMaxLength } from '../../layers/validate-attributes.js';
import { itemsLimits, maxSortKeys } from './items-query.js';
import { crs84, supportedCrsUris } from './crs.js';
import { openApiMediaType, queryablesRel } from './ogc-documents.js';

/**
 * The OpenAPI 3.0 document of every endpoint, generated from the layer declarations so it
 * never drifts: one set of paths per readable layer, with that layer's queryables as
 * parameters and its feature schema as the response. The routers beside the feature API
 * (editing, analyses, accounts, tiles, imports, records, the platform's own endpoints) add
 * their paths through `openApiContributions`; test/server/http/openapi.test.ts fails for any
 * route the app serves that the document leaves out.
 */

type Json = Record<string, unknown>;

/** What a router adds to the document: paths, and schemas its paths refer to. */
export interface OpenApiPart {
  paths: Record<string, Json>;
  schemas?: Record<string, Json>;
}

/**
 * What another router adds to the document (e.g. Part 4 editing), given the layers and record
 * tables the caller may read.
 */
export type OpenApiContribution = (
  layers: readonly LayerDefinition[],
  recordTables: readonly RecordTableDefinition[],
) => OpenApiPart;

/** Routers that serve more of the API register their paths here when their module loads. */
export const openApiContributions: OpenApiContribution[] = [];

/** A reference to a shared component, `schemas/problem` or `responses/notAcceptable`. */
export const ref = (name: string) => ({ $ref: `#/components/${name}` });

/** A problem details answer (RFC 9457); `description` names its `/problems/` types. */
export const problemResponse = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('schemas/problem') } },
});

/** An answer of `schema` as JSON only (`jsonResponse` offers an HTML view beside it). */
export const jsonAnswer = (description: string, schema: Json, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const standardErrors = {
  '400': problemResponse('The request is malformed; `detail` says what would work.'),
  '404': problemResponse('No such collection or feature.'),
  '500': ref('responses/internal'),
};

/**
 * Who may call: anyone (what a visitor may read), or a caller named by an API token
 * (`Authorization: Bearer`) or by the session cookie of a login.
 */
export const optionalLogin = [{}, { bearerToken: [] }, { sessionCookie: [] }];

/** A caller named by an API token or a session, for reads never open to visitors. */
export const loginToRead = [{ bearerToken: [] }, { sessionCookie: [] }];

/** A caller named by an API token, or by a session whose writes carry its CSRF token. */
export const loginToWrite = [{ bearerToken: [] }, { sessionCookie: [], csrfToken: [] }];

const securitySchemes = {
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API token (`simpul_…`) made by an administrator (`POST /auth/tokens` or ' +
      '`npm run user -- token`): its roles, narrowed to the layers and record tables of its ' +
      'scope and to reading unless made to write. Looked up on every request: an unknown or ' +
      'revoked token is a 401 `/problems/bad-token`, never read as a visitor.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'simpul_session',
    description:
      'The session of `POST /auth/login` (HttpOnly, SameSite=Lax, Secure over https), ' +
      'for SESSION_TTL_HOURS. A cookie of no live session is cleared and the request read as ' +
      "a visitor's. Writes with it need `X-CSRF-Token` too, and an `Origin` of this server.",
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description:
      'The CSRF token of the session (from `POST /auth/login` or `GET /auth/session`), sent ' +
      'with every POST, PUT, PATCH and DELETE made with the session cookie; without it a ' +
      '403 `/problems/csrf-token-missing`, from another site a 403 ' +
      '`/problems/cross-site-request`.',
  },
};

const sharedHeaders = {
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 0 },
  },
};

const sharedResponses = {
  unknownParameter: problemResponse(
    'A query parameter this request does not take (`/problems/unknown-parameter`, listing ' +
      'the `accepted` ones), or a malformed one; `detail` says what would work.',
  ),
  notAcceptable: problemResponse(
    'The Accept header names nothing this path serves (`/problems/not-acceptable`, listing ' +
      'what is `available`).',
  ),
  loginRequired: problemResponse(
    'No login or API token (`/problems/login-required`), or an unknown or revoked token ' +
      '(`/problems/bad-token`), or an Authorization header that is no bearer token ' +
      '(`/problems/bad-authorization`). `WWW-Authenticate: Bearer` says how to authenticate.',
    { 'WWW-Authenticate': { schema: { type: 'string' } } },
  ),
  badToken: problemResponse(
    'An unknown or revoked API token (`/problems/bad-token`), or an Authorization header ' +
      'that is no bearer token (`/problems/bad-authorization`); a request without one is ' +
      "read as a visitor's.",
    { 'WWW-Authenticate': { schema: { type: 'string' } } },
  ),
  bodyTooLarge: problemResponse(
    'The body is larger than this request takes (`/problems/body-entity-too-large`); ' +
      '`detail` gives the limit.',
  ),
  unreadableBody: problemResponse(
    'The body is not what this request reads: not JSON ' +
      '(`/problems/body-entity-parse-failed`), not of its members (`detail` names them), ' +
      'or its Content-Encoding does not decompress ' +
      '(`/problems/body-encoding-invalid`).',
  ),
  unsupportedBody: problemResponse(
    'A body in a charset other than UTF-8 (`/problems/body-charset-unsupported`), or in a ' +
      'Content-Encoding other than gzip, deflate or br (`/problems/body-encoding-unsupported`).',
  ),
  internal: problemResponse('The server failed; quote `requestId` when reporting it.'),
  databaseUnavailable: problemResponse(
    'The database does not answer (`/problems/database-unavailable`); worth retrying.',
    { 'Retry-After': ref('headers/RetryAfter') },
  ),
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

/** A parameter of the query string, optional. */
export function queryParameter(name: string, description: string, schema: Json, extra = {}) {
  return { name, in: 'query', required: false, description, schema, ...extra };
}

const parameters: Record<string, Json> = {
  f: queryParameter('f', 'Format; overrides the Accept header.', {
    type: 'string',
    enum: ['json', 'html'],
  }),
  fJson: queryParameter('f', 'Format: JSON only here; any other is a 400.', {
    type: 'string',
    enum: ['json'],
  }),
  limit: queryParameter(
    'limit',
    `Features per page; more than ${itemsLimits.max} is read as ${itemsLimits.max}.`,
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
      errors: {
        type: 'array',
        description: 'Each field that failed validation.',
        items: ref('schemas/fieldError'),
      },
      accepted: {
        type: 'array',
        description: 'The query parameters the request takes (`unknown-parameter`).',
        items: { type: 'string' },
      },
      available: {
        type: 'array',
        description: 'The media types the path serves (`not-acceptable`).',
        items: { type: 'string' },
      },
    },
  },
  fieldError: {
    type: 'object',
    required: ['field', 'message'],
    properties: {
      field: { type: 'string' },
      message: { type: 'string' },
      code: { type: 'string', description: 'The rule broken (`required`, `not-in-domain`…).' },
      index: { type: 'integer', description: 'The edit of a batch, or the row of an import.' },
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
export function attributeSchema(attribute: AttributeDefinition): Json {
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
    ? `matched against ${layer.timeAttribute} (a date as its whole UTC day)`
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

const tags = [
  { name: 'service', description: 'The OGC API documents, and edits across layers' },
  { name: 'auth', description: 'Logins, sessions, users and API tokens' },
  { name: 'tiles', description: 'Mapbox vector tiles and TileJSON' },
  { name: 'imports', description: 'Uploads, import jobs and their reports' },
  { name: 'exports', description: 'Layers as files to download' },
  { name: 'records', description: 'Condition surveys and inspections kept per feature' },
  { name: 'analysis', description: "Planners' analyses and statistics" },
  { name: 'platform', description: 'What the web map builds itself from, health, GeoServer' },
];

/**
 * The whole OpenAPI 3.0 document for the layers and record tables this caller may read (the
 * record tables' paths are left out when none is given).
 */
export function openApiDocument(
  base: string,
  layers: readonly LayerDefinition[],
  recordTables: readonly RecordTableDefinition[] = [],
): Json {
  const paths: Record<string, Json> = { ...servicePaths() };
  const partSchemas: Record<string, Json> = {};
  for (const layer of layers) {
    Object.assign(paths, layerPaths(layer));
    partSchemas[`${layer.id}_feature`] = featureSchema(layer);
  }
  // a contribution may add methods to a path already described here (POST beside GET)
  for (const contribute of openApiContributions) {
    const part = contribute(layers, recordTables);
    for (const [path, item] of Object.entries(part.paths)) {
      paths[path] = { ...paths[path], ...item };
    }
    Object.assign(partSchemas, part.schemas);
  }

  return {
    openapi: '3.0.3',
    info: {
      title: 'Simpul API',
      version: '1.0.0',
      description:
        'OGC API Features Parts 1 (core), 2 (CRS by reference), 3 (CQL2 filtering) and 4 ' +
        '(editing) over the regency layers, and beside it the endpoints of the web map: ' +
        'logins and API tokens, vector tiles, imports and exports, record tables, analyses, ' +
        'health and the GeoServer publication. Public layers need no login; systems send ' +
        '`Authorization: Bearer <token>`. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`; a browser navigating gets them as an HTML page). Every ' +
        'path answers `OPTIONS` with its `Allow` header, and a method it does not take with ' +
        'a 405.',
    },
    servers: [{ url: base }],
    security: optionalLogin,
    tags: [...tags, ...layers.map((l) => ({ name: l.id, description: l.titleEn }))],
    paths,
    components: {
      parameters,
      schemas: { ...schemas, ...partSchemas },
      responses: sharedResponses,
      headers: sharedHeaders,
      securitySchemes,
    },
  };
}
