import { switchWords } from '../switch-value.js';
import {
  jsonAnswer,
  openApiContributions,
  problemResponse,
  queryParameter,
  ref,
  type OpenApiPart,
} from './openapi.js';

/**
 * The platform's own endpoints in the OpenAPI document: what the web map builds itself from
 * (`routes/client.ts`), the health check (`routes/health.ts`) and the GeoServer publication
 * (`routes/geoserver.ts`).
 */

type Json = Record<string, unknown>;

/** `word` matched in any letter case: `on` as `[oO][nN]`. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
}

/** A switch as the server reads it: a switch word in any letter case, around spaces. */
const switchSchema = {
  type: 'string',
  pattern: `^\\s*(?:${switchWords.map(anyCase).join('|')})\\s*$`,
  description: `${switchWords.join(', ')}, in any letter case.`,
};

const oneOrZero = { type: 'integer', enum: [0, 1] };

/** An administrator: a login, or an admin's API token for every layer (writing, to apply). */
const publisher = [{ bearerToken: [] }, { sessionCookie: [] }];
const publisherWrite = [{ bearerToken: [] }, { sessionCookie: [], csrfToken: [] }];

const geoServerErrors = {
  '401': ref('responses/loginRequired'),
  '403': problemResponse(
    'Not an administrator (`/problems/admin-only`), or an administrator token limited to ' +
      'some layers, or that may not write to apply (`/problems/token-scope-too-narrow`).',
  ),
  '409': problemResponse(
    'Another apply is running (`/problems/geoserver-busy`), the data store is not ' +
      "Simpul's (`/problems/geoserver-foreign-datastore`), or the GeoServer version is " +
      'refused for known vulnerabilities (`/problems/geoserver-version-refused`, with ' +
      '`version` and `vulnerabilities`; force overrides).',
  ),
  '500': ref('responses/internal'),
  '502': problemResponse(
    'GeoServer does not answer (`/problems/geoserver-unavailable`), refuses the credentials ' +
      '(`/problems/geoserver-credentials-refused`) or answers unexpectedly ' +
      '(`/problems/geoserver-error`).',
  ),
  '503': problemResponse(
    'Publication is not configured (`/problems/geoserver-not-configured`, naming the ' +
      'variable to set), or the database does not answer.',
  ),
};

const schemas: Record<string, Json> = {
  geoServerRun: {
    type: 'object',
    nullable: true,
    description: 'A recorded plan or apply: who, when, against which GeoServer, its outcome.',
  },
  publicationPlan: {
    type: 'object',
    description: 'What an apply would change in GeoServer, step by step, with counts.',
    properties: {
      geoserver: {
        type: 'object',
        properties: {
          url: { type: 'string' },
          version: { type: 'string' },
          warning: { type: 'string' },
          transportWarning: { type: 'string' },
          forced: { type: 'boolean' },
        },
      },
      workspace: { type: 'string' },
      datastore: { type: 'string' },
      counts: { type: 'object', additionalProperties: { type: 'integer' } },
    },
  },
};

function geoServerPaths(): Record<string, Json> {
  const force = queryParameter(
    'force',
    'Plan against a GeoServer version that would be refused (its warning says why).',
    switchSchema,
  );
  return {
    '/admin/geoserver': {
      get: {
        tags: ['platform'],
        summary: 'Whether GeoServer publication is configured, the last apply and success',
        operationId: 'getGeoServerStatus',
        security: publisher,
        responses: {
          '200': jsonAnswer('Asks GeoServer nothing.', {
            type: 'object',
            required: ['configured', 'url', 'lastApply', 'lastSuccess'],
            properties: {
              configured: { type: 'boolean' },
              problem: { type: 'string', description: 'Why not configured.' },
              url: { type: 'string', nullable: true },
              lastApply: ref('schemas/geoServerRun'),
              lastSuccess: ref('schemas/geoServerRun'),
            },
          }),
          '400': ref('responses/unknownParameter'),
          '406': ref('responses/notAcceptable'),
          ...geoServerErrors,
        },
      },
    },
    '/admin/geoserver/plan': {
      get: {
        tags: ['platform'],
        summary: 'Plan the publication: asks GeoServer, changes nothing there (recorded)',
        operationId: 'planGeoServerPublication',
        security: publisher,
        parameters: [force],
        responses: {
          '200': jsonAnswer('The plan.', ref('schemas/publicationPlan')),
          '400': problemResponse(
            'force that is no switch (`/problems/invalid-force`), or another query parameter.',
          ),
          '406': ref('responses/notAcceptable'),
          ...geoServerErrors,
        },
      },
    },
    '/admin/geoserver/apply': {
      post: {
        tags: ['platform'],
        summary: 'Carry the publication out step by step, with verification (recorded)',
        operationId: 'applyGeoServerPublication',
        security: publisherWrite,
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  force: { oneOf: [{ type: 'boolean' }, oneOrZero, switchSchema] },
                },
              },
            },
          },
        },
        responses: {
          '200': jsonAnswer('Applied: the plan and the report of every step.', {
            type: 'object',
            properties: { plan: ref('schemas/publicationPlan'), report: { type: 'object' } },
          }),
          '400': problemResponse(
            'A body that is an array (`/problems/invalid-body`), holds another member ' +
              '(`/problems/unknown-member`) or a force that is no switch ' +
              '(`/problems/invalid-force`), or a query parameter.',
          ),
          '413': ref('responses/bodyTooLarge'),
          '415': problemResponse(
            'A body that is not application/json (`/problems/unsupported-media-type`).',
          ),
          ...geoServerErrors,
          '502': problemResponse(
            'GeoServer does not answer, refuses the credentials or answers unexpectedly, or ' +
              'refused or failed a step (`/problems/geoserver-apply-failed`, with `plan` and ' +
              '`report`: apply again to resume).',
          ),
        },
      },
    },
  };
}

function servicePaths(): Record<string, Json> {
  return {
    '/client/config': {
      get: {
        tags: ['platform'],
        summary: 'What the web map builds its layer tree and legend from',
        operationId: 'getClientConfig',
        responses: {
          '200': jsonAnswer('The declarations of the layers the caller may read.', {
            type: 'object',
            required: ['regency', 'themes', 'layers'],
            properties: {
              regency: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  bbox: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
                },
              },
              basemapUrl: { type: 'string', nullable: true },
              attribution: { type: 'string' },
              themes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    titleId: { type: 'string' },
                    titleEn: { type: 'string' },
                  },
                },
              },
              layers: {
                type: 'array',
                items: { type: 'object', description: 'A layer declaration.' },
              },
            },
          }),
          '400': ref('responses/unknownParameter'),
          '401': ref('responses/badToken'),
          '406': ref('responses/notAcceptable'),
          '500': ref('responses/internal'),
          '503': ref('responses/databaseUnavailable'),
        },
      },
    },
    '/health': {
      get: {
        tags: ['platform'],
        summary: "Whether the database answers, and this process's tile counters",
        operationId: 'getHealth',
        description: 'Needs no login; ignores its query and Accept header.',
        security: [],
        responses: {
          '200': jsonAnswer('The database answered.', {
            type: 'object',
            required: ['status', 'database'],
            properties: {
              status: { type: 'string', enum: ['ok'] },
              database: { type: 'string', enum: ['ok'] },
              databaseMs: { type: 'integer' },
              postgis: { type: 'string' },
              embedded: { type: 'boolean' },
              tiles: { type: 'object', description: 'pid, renderings, cache hits and misses.' },
            },
          }),
          '503': ref('responses/databaseUnavailable'),
        },
      },
    },
  };
}

let registered = false;

/** Adds the platform's own paths to the OpenAPI document once. */
export function registerPlatformOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push((): OpenApiPart => ({
    paths: { ...servicePaths(), ...geoServerPaths() },
    schemas,
  }));
}
