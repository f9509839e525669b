import type { RecordTableDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import {
  attributeSchema,
  jsonAnswer,
  loginToWrite,
  openApiContributions,
  problemResponse,
  queryParameter,
  ref,
  type OpenApiPart,
} from './openapi.js';

/**
 * The record tables (`routes/records.ts`: condition surveys, inspections) in the OpenAPI
 * document: their declarations, and per table the caller may read its records and the body
 * of a new one, from the declaration.
 */

type Json = Record<string, unknown>;

const common = {
  '500': ref('responses/internal'),
  '503': ref('responses/databaseUnavailable'),
};

const noSuchTable = problemResponse(
  'No such record table (`/problems/unknown-record-table`), or one the caller may not read ' +
    '(`/problems/unknown-collection`).',
);

function valuesSchema(table: RecordTableDefinition): Json {
  const attributes = table.attributes.map((a) => [a.name, attributeSchema(a)]);
  return { type: 'object', properties: Object.fromEntries(attributes) };
}

function recordSchema(table: RecordTableDefinition): Json {
  return {
    type: 'object',
    required: ['id', 'properties'],
    properties: {
      id: { type: 'integer' },
      properties: valuesSchema(table),
      createdAt: { type: 'string', format: 'date-time' },
      updatedBy: {
        type: 'string',
        nullable: true,
        description: 'Who wrote it; null for a record of the seed data, which nobody wrote here.',
      },
    },
  };
}

function tablePaths(table: RecordTableDefinition): Json {
  const title = `${table.titleId} / ${table.titleEn}`;
  const record = ref(`schemas/${table.id}_record`);
  const parent = table.parent
    ? `The ${table.parent.attribute} of a feature of ${table.parent.layerId}: its records only.`
    : 'Not taken: this table is not kept per feature (400 `/problems/invalid-parent`).';
  return {
    get: {
      tags: ['records'],
      summary: `${title}: records, newest first`,
      operationId: `list_${table.id}`,
      parameters: [
        queryParameter('parent', `${parent} Once; one naming no feature is a 400.`, {
          type: 'string',
        }),
        queryParameter('limit', 'Records per page.', {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: 100,
        }),
        queryParameter('offset', 'Records to skip; follow the `next` link instead.', {
          type: 'integer',
          minimum: 0,
          default: 0,
        }),
      ],
      responses: {
        '200': jsonAnswer('A page of records, and a `next` link when more follow.', {
          type: 'object',
          required: ['tableId', 'records', 'links'],
          properties: {
            tableId: { type: 'string', enum: [table.id] },
            records: { type: 'array', items: record },
            links: ref('schemas/links'),
          },
        }),
        '400': problemResponse(
          'limit or offset out of range (`/problems/bad-limit`, `/problems/bad-offset`), a ' +
            'parent given twice or naming no feature (`/problems/invalid-parent`), or ' +
            'another query parameter (`/problems/unknown-parameter`).',
        ),
        '401': ref('responses/badToken'),
        '404': noSuchTable,
        '406': ref('responses/notAcceptable'),
        ...common,
      },
    },
    post: {
      tags: ['records'],
      summary: `${title}: add a record (the feature's current condition)`,
      operationId: `add_${table.id}`,
      security: loginToWrite,
      description:
        'Checked as a feature is: types, required, domains, ranges, lengths. Records are ' +
        'added, never changed: a correction is a newer record.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['properties'],
              additionalProperties: false,
              properties: { properties: valuesSchema(table) },
            },
          },
        },
      },
      responses: {
        '201': jsonAnswer('Added.', record),
        '400': problemResponse(
          'A body that is not `{"properties": {…}}` (`/problems/bad-record`), none ' +
            '(`/problems/empty-body`), malformed JSON, or a query parameter ' +
            '(`/problems/unknown-parameter`).',
        ),
        '401': ref('responses/loginRequired'),
        '403': problemResponse(
          'The caller may not edit the table (`/problems/edit-forbidden`), or a session ' +
            'write without its CSRF token or from another site.',
        ),
        '404': noSuchTable,
        '409': problemResponse(
          'A record with the same natural key exists (`/problems/duplicate-record`).',
        ),
        '413': problemResponse(
          `A body over WRITE_BODY_LIMIT_MB (${config.writeBodyLimitMb} MB; ` +
            '`/problems/body-entity-too-large`).',
        ),
        '415': problemResponse(
          'A body that is not application/json (`/problems/unsupported-media-type`).',
        ),
        '422': problemResponse(
          "The values break the table's rules (`/problems/invalid-record`); `errors` lists " +
            'each field.',
        ),
        ...common,
      },
    },
  };
}

function listPath(): Json {
  return {
    get: {
      tags: ['records'],
      summary: 'The record tables the caller may read, with their declarations',
      operationId: 'listRecordTables',
      responses: {
        '200': jsonAnswer('Each table: id, titles, parent layer, attributes, access.', {
          type: 'object',
          properties: { tables: { type: 'array', items: { type: 'object' } } },
        }),
        '400': ref('responses/unknownParameter'),
        '401': ref('responses/badToken'),
        '406': ref('responses/notAcceptable'),
        '500': ref('responses/internal'),
      },
    },
  };
}

let registered = false;

/** Adds the record paths to the OpenAPI document once. */
export function registerRecordsOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push((_layers, tables): OpenApiPart => {
    const paths: Record<string, Json> = { '/records': listPath() };
    const schemas: Record<string, Json> = {};
    for (const table of tables) {
      paths[`/records/${table.id}`] = tablePaths(table);
      schemas[`${table.id}_record`] = recordSchema(table);
    }
    return { paths, schemas };
  });
}
