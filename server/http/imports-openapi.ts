import type { LayerDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import { sourceFormats } from '../formats/source-file.js';
import { exportFormats } from '../services/export-service.js';
import {
  attributeSchema,
  jsonAnswer,
  loginToRead,
  loginToWrite,
  openApiContributions,
  problemResponse,
  queryParameter,
  ref,
  type OpenApiPart,
} from './openapi.js';

/**
 * Imports and exports (`routes/imports.ts`) in the OpenAPI document: an upload, its preview,
 * the import job with its progress, report, cancel and undo, and each readable layer as a
 * file to download.
 */

type Json = Record<string, unknown>;

/** Format names and short forms an export takes (see export-service.ts). */
const exportFormatAliases = ['json', 'ndjson', 'geojsonl', 'shp', 'zip', 'gpkg', 'fgb', 'excel'];

const common = {
  '500': ref('responses/internal'),
  '503': ref('responses/databaseUnavailable'),
};

const gdalMissingResponse = problemResponse(
  'A GeoPackage (in or out) or Shapefile export on a server without GDAL ' +
    '(`/problems/gdal-missing`, naming the format as `format`): its ogr2ogr is not installed.',
);

const csrfOrEditForbidden = problemResponse(
  'The caller may not edit the layer (`/problems/edit-forbidden`, naming the roles that may), ' +
    'or a session write without its CSRF token (`/problems/csrf-token-missing`) or from ' +
    'another site (`/problems/cross-site-request`).',
);

const noSuchJobOrLayer = problemResponse(
  'No such import job (`/problems/unknown-import`), or its layer is one the caller may not ' +
    'read (`/problems/unknown-collection`).',
);

const jobId = {
  name: 'jobId',
  in: 'path',
  required: true,
  description: 'The id of an import job (a UUID); any other text is a 404.',
  schema: { type: 'string', format: 'uuid' },
};

const schemas: Record<string, Json> = {
  importOptions: {
    type: 'object',
    required: ['uploadId', 'layerId'],
    additionalProperties: false,
    description:
      'What to import and how. A member no option has is a 400 ' +
      '(`/problems/invalid-import`, code `unknown-option`), as is a flag that is not JSON ' +
      'true or false.',
    properties: {
      uploadId: {
        type: 'string',
        pattern: '^[0-9a-f]{32}$',
        description: 'From POST /imports/uploads, by the same caller, within a day.',
      },
      layerId: { type: 'string', description: 'The layer to import into.' },
      sourceLayers: {
        type: 'array',
        items: { type: 'string' },
        description: 'The layers of a GeoPackage or of a zip of Shapefiles to import.',
      },
      mapping: {
        type: 'object',
        additionalProperties: { type: 'string', nullable: true },
        description: 'Attribute → source field (null: none); by name when left out.',
      },
      mode: { type: 'string', enum: ['all-or-nothing', 'valid-only'] },
      action: { type: 'string', enum: ['append', 'replace'] },
      dryRun: { type: 'boolean', description: 'Check everything, write nothing.' },
      encoding: { type: 'string', description: 'Text encoding of a .dbf or CSV.' },
      crs: { type: 'string', description: 'CRS of a file that names none: code, URI or WKT.' },
      csv: {
        type: 'object',
        additionalProperties: false,
        properties: {
          delimiter: { type: 'string' },
          decimalComma: { type: 'boolean' },
          wktColumn: { type: 'string' },
          xColumn: { type: 'string' },
          yColumn: { type: 'string' },
        },
      },
    },
  },
  importJob: {
    type: 'object',
    required: ['id', 'layerId', 'status', 'links'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      layerId: { type: 'string' },
      status: {
        type: 'string',
        enum: [
          'running',
          'committing',
          'succeeded',
          'checked',
          'rejected',
          'failed',
          'cancelled',
          'undone',
        ],
      },
      step: {
        type: 'string',
        nullable: true,
        enum: ['reading', 'checking-geometries', 'checking-unique-values', 'writing'],
      },
      action: { type: 'string', enum: ['append', 'replace'] },
      mode: { type: 'string', enum: ['all-or-nothing', 'valid-only'] },
      source: { type: 'object' },
      rowsRead: { type: 'integer' },
      rowsWritten: { type: 'integer' },
      rowsRejected: { type: 'integer' },
      fractionRead: { type: 'number', nullable: true, minimum: 0, maximum: 1 },
      rowsReplaced: { type: 'integer', nullable: true },
      notes: { type: 'array', items: { type: 'string' } },
      noteCodes: { type: 'array', items: { type: 'object' } },
      message: { type: 'string', nullable: true },
      messageCode: { type: 'string', nullable: true },
      messageParams: { type: 'object', nullable: true },
      cancelRequested: { type: 'boolean' },
      createdBy: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      heartbeatAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time', nullable: true },
      links: ref('schemas/links'),
    },
  },
  importRejection: {
    type: 'object',
    required: ['row', 'field', 'reason'],
    properties: {
      row: { type: 'integer' },
      field: { type: 'string' },
      reason: { type: 'string' },
      code: { type: 'string', nullable: true },
      params: { type: 'object', nullable: true },
    },
  },
};

const importBody = {
  required: true,
  content: { 'application/json': { schema: ref('schemas/importOptions') } },
};

const importRefusals = problemResponse(
  'Options the import cannot take (`/problems/invalid-import` with `code` and `name`, ' +
    '`/problems/invalid-mapping`), a file that cannot be read with them (its reason as ' +
    '`type`, e.g. `/problems/unknown-format`, `/problems/missing-dbf`), or a query parameter.',
);

function uploadPath(): Json {
  return {
    post: {
      tags: ['imports'],
      summary: 'Upload a file to import; kept a day for its sender',
      operationId: 'uploadImportFile',
      security: loginToWrite,
      description:
        'As multipart form data (one file, field `file`), or as the raw body of any other ' +
        'type with `?fileName=`. Only an editor of some layer may upload. The file is opened ' +
        'to tell its format and layers; one that cannot be is removed and refused.',
      parameters: [
        queryParameter(
          'fileName',
          'The name of a raw body, its extension telling the format (`jalan.geojson`); ' +
            'required without multipart, once.',
          { type: 'string' },
        ),
      ],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: { file: { type: 'string', format: 'binary' } },
            },
          },
          'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '201': jsonAnswer('Stored; name `uploadId` in a preview or an import.', {
          type: 'object',
          required: ['uploadId', 'fileName', 'bytes', 'format', 'sourceLayers'],
          properties: {
            uploadId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
            fileName: { type: 'string' },
            bytes: { type: 'integer' },
            format: { type: 'string', enum: [...sourceFormats] },
            sourceLayers: { type: 'array', items: { type: 'string' } },
          },
        }),
        '400': problemResponse(
          'No file (`/problems/missing-file`, `/problems/missing-file-name`), fileName twice ' +
            '(`/problems/repeated-parameter`), a form that cannot be read ' +
            '(`/problems/unreadable-form`), an empty file (`/problems/empty-upload`), or one ' +
            'no import format reads (its reason as `type`, e.g. `/problems/unknown-format`).',
        ),
        '401': ref('responses/loginRequired'),
        '501': gdalMissingResponse,
        '403': problemResponse(
          'The caller may edit no layer (`/problems/edit-forbidden`), or a session write ' +
            'without its CSRF token or from another site.',
        ),
        '413': problemResponse(
          `Larger than IMPORT_MAX_MB (${config.importMaxMb} MB): ` +
            '`/problems/upload-too-large`, with `maxMb`.',
        ),
        ...common,
      },
    },
  };
}

function jobPaths(): Record<string, Json> {
  const job = ref('schemas/importJob');
  const jobErrors = {
    '400': ref('responses/unknownParameter'),
    '401': ref('responses/loginRequired'),
    '403': csrfOrEditForbidden,
    '404': noSuchJobOrLayer,
    ...common,
  };
  return {
    '/imports/{jobId}': {
      get: {
        tags: ['imports'],
        summary: 'An import job: its status, step, counts and notes',
        operationId: 'getImportJob',
        security: loginToRead,
        parameters: [jobId],
        responses: {
          '200': jsonAnswer('The job; poll it while it is running or committing.', job),
          '406': ref('responses/notAcceptable'),
          ...jobErrors,
        },
      },
    },
    '/imports/{jobId}/rejections': {
      get: {
        tags: ['imports'],
        summary: 'The rows an import refused, with the field and the reason',
        operationId: 'listImportRejections',
        security: loginToRead,
        parameters: [
          jobId,
          queryParameter(
            'f',
            'json (a page) or csv (every row, as a download); without it, the Accept ' +
              'header chooses (`text/csv` the CSV), JSON when it states no preference.',
            {
              type: 'string',
              enum: ['json', 'csv'],
            },
          ),
          queryParameter('limit', 'Rows per page (JSON).', {
            type: 'integer',
            minimum: 1,
            maximum: 1000,
            default: 100,
          }),
          queryParameter('offset', 'Rows to skip (JSON).', {
            type: 'integer',
            minimum: 0,
            default: 0,
          }),
        ],
        responses: {
          '200': {
            description: 'A page of rejections and their `total`, or all of them as CSV.',
            headers: {
              'Content-Disposition': {
                description: 'CSV: `attachment; filename="import-<jobId>-rejected-rows.csv"`.',
                schema: { type: 'string' },
              },
            },
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    rejections: { type: 'array', items: ref('schemas/importRejection') },
                    total: { type: 'integer' },
                  },
                },
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...jobErrors,
          '400': problemResponse(
            'f other than json or csv (`/problems/invalid-format`), limit or offset out of ' +
              'range (`/problems/bad-limit`, `/problems/bad-offset`), or another query ' +
              'parameter.',
          ),
          '406': ref('responses/notAcceptable'),
        },
      },
    },
    '/imports/{jobId}/cancel': {
      post: {
        tags: ['imports'],
        summary: 'Ask a running import to stop; its layer stays as it was',
        operationId: 'cancelImport',
        security: loginToWrite,
        parameters: [jobId],
        responses: {
          '202': jsonAnswer('Asked; the job ends `cancelled` shortly.', job),
          ...jobErrors,
          '409': problemResponse(
            'The import has finished (`/problems/import-finished`, with `jobStatus`).',
          ),
        },
      },
    },
    '/imports/{jobId}/undo': {
      post: {
        tags: ['imports'],
        summary: 'Undo a succeeded import from the feature history',
        operationId: 'undoImport',
        security: loginToWrite,
        parameters: [jobId],
        responses: {
          '200': jsonAnswer('Undone: features it added removed, those it replaced restored.', {
            type: 'object',
            properties: {
              deleted: { type: 'integer' },
              restored: { type: 'integer' },
              job,
            },
          }),
          ...jobErrors,
          '409': problemResponse(
            'Not undoable (`/problems/import-not-undoable`): not succeeded, no change ' +
              'recorded, or the layer was edited after it (`code` says which).',
          ),
        },
      },
    },
  };
}

function importPaths(): Record<string, Json> {
  const bodyErrors = {
    '413': ref('responses/bodyTooLarge'),
    '415': ref('responses/unsupportedBody'),
  };
  const refusals = {
    '400': importRefusals,
    '401': ref('responses/loginRequired'),
    '403': csrfOrEditForbidden,
    '404': problemResponse(
      'No such upload of the caller (`/problems/unknown-upload`: send the file again), or ' +
        'no such layer, or one the caller may not read (`/problems/unknown-collection`).',
    ),
    ...bodyErrors,
    ...common,
    '501': gdalMissingResponse,
  };
  return {
    '/imports/formats': {
      get: {
        tags: ['imports'],
        summary: 'The formats read and written, and the GDAL version',
        operationId: 'listFormats',
        responses: {
          '200': jsonAnswer('GeoPackage in and out and Shapefile out need GDAL (null: none).', {
            type: 'object',
            properties: {
              import: { type: 'array', items: { type: 'string', enum: [...sourceFormats] } },
              export: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, title: { type: 'string' } },
                },
              },
              gdal: { type: 'string', nullable: true },
            },
          }),
          '400': ref('responses/unknownParameter'),
          '401': ref('responses/badToken'),
          '406': ref('responses/notAcceptable'),
          '500': ref('responses/internal'),
        },
      },
    },
    '/imports/uploads': uploadPath(),
    '/imports/preview': {
      post: {
        tags: ['imports'],
        summary: 'The first 20 rows as an import would read, map and check them',
        operationId: 'previewImport',
        security: loginToWrite,
        requestBody: importBody,
        responses: {
          '200': jsonAnswer('Format, fields, mapping, notes, the rows and their problems.', {
            type: 'object',
            properties: {
              format: { type: 'string' },
              sourceLayers: { type: 'array', items: { type: 'string' } },
              fields: { type: 'array', items: { type: 'string' } },
              mapping: { type: 'object' },
              encoding: { type: 'string' },
              notes: { type: 'array', items: { type: 'string' } },
              noteCodes: { type: 'array', items: { type: 'object' } },
              sample: { type: 'array', items: { type: 'object' } },
              problems: { type: 'array', items: ref('schemas/importRejection') },
            },
          }),
          ...refusals,
        },
      },
    },
    '/imports': {
      post: {
        tags: ['imports'],
        summary: 'Start an import job in the background',
        operationId: 'startImport',
        security: loginToWrite,
        requestBody: importBody,
        responses: {
          '202': jsonAnswer(
            'Started; `Location` names the job to poll.',
            ref('schemas/importJob'),
            {
              Location: { schema: { type: 'string' } },
            },
          ),
          ...refusals,
        },
      },
      get: {
        tags: ['imports'],
        summary: 'The last 20 import jobs of a layer, newest first',
        operationId: 'listImportJobs',
        security: loginToRead,
        parameters: [
          { ...queryParameter('layerId', 'The layer.', { type: 'string' }), required: true },
        ],
        responses: {
          '200': jsonAnswer('The jobs.', {
            type: 'object',
            properties: { jobs: { type: 'array', items: ref('schemas/importJob') } },
          }),
          '400': problemResponse(
            'No layerId (`/problems/missing-layer`), or another query parameter.',
          ),
          '401': ref('responses/loginRequired'),
          '403': csrfOrEditForbidden,
          '404': problemResponse(
            'No such layer, or one the caller may not read (`/problems/unknown-collection`).',
          ),
          '406': ref('responses/notAcceptable'),
          ...common,
        },
      },
    },
  };
}

/** The media types of the export formats, each once. */
function exportMediaTypes(): Record<string, Json> {
  const types = Object.values(exportFormats).map((f) => f.mediaType.split(';')[0]!);
  const binary = { schema: { type: 'string', format: 'binary' } };
  return Object.fromEntries([...new Set(types)].map((type) => [type, binary]));
}

function exportPath(layer: LayerDefinition): Json {
  const names = [...Object.keys(exportFormats), ...exportFormatAliases];
  const format = queryParameter('format', 'The file format, or a short form of it.', {
    type: 'string',
    enum: names,
    default: 'geojson',
  });
  const equality = layer.attributes.map((a) => {
    const description = `Only features whose ${a.name} equals this value.`;
    return queryParameter(a.name, description, attributeSchema(a));
  });
  return {
    get: {
      tags: ['exports'],
      summary: `${layer.titleId} / ${layer.titleEn} as a file to download`,
      operationId: `export_${layer.id}`,
      description:
        'Streamed as it is read (GeoPackage and Shapefile once written whole). Each ' +
        'parameter once (else 400 `/problems/invalid-export`). A failure after the first ' +
        'bytes cuts the connection: an incomplete file is never ended as complete.',
      parameters: [
        format,
        { ...format, name: 'f', description: 'Same as format, when format is not given.' },
        queryParameter(
          'crs',
          'Output CRS as an EPSG code, URI or URN (default EPSG:4326, longitude first); a ' +
            'geocentric or unknown CRS is a 400.',
          { type: 'string' },
        ),
        ref('parameters/bbox'),
        ref('parameters/bboxCrs'),
        ref('parameters/filter'),
        ref('parameters/filterLang'),
        ref('parameters/filterCrs'),
        queryParameter(
          'datetime',
          layer.timeAttribute
            ? 'Instant or interval (start/end, ".." open), matched against ' +
                `${layer.timeAttribute} (a date as its whole UTC day).`
            : 'Instant or interval, checked, then ignored: this layer has no time attribute.',
          { type: 'string' },
        ),
        queryParameter('csvGeometry', 'CSV only: WKT (default), or x/y columns of points.', {
          type: 'string',
          enum: ['wkt', 'xy'],
        }),
        ...equality,
      ],
      responses: {
        '200': {
          description: `The file, named \`${layer.id}[_epsg<code>].<extension>\`.`,
          headers: {
            'Content-Disposition': { schema: { type: 'string' } },
            'Content-Crs': {
              description: 'The CRS of the file, as a URI in angle brackets.',
              schema: { type: 'string' },
            },
          },
          content: exportMediaTypes(),
        },
        '400': problemResponse(
          'An unknown format (`/problems/unknown-format`), CRS (`/problems/invalid-crs`), ' +
            'box, filter or attribute value, csvGeometry that does not fit ' +
            '(`/problems/invalid-csv-geometry`, `/problems/csv-geometry-not-csv`, ' +
            '`/problems/csv-geometry-not-points`), GeoJSON lines in another CRS ' +
            '(`/problems/crs-not-in-format`), a parameter twice or an unknown one.',
        ),
        '401': ref('responses/badToken'),
        '404': problemResponse(
          'No such layer, or one the caller may not read (`/problems/unknown-collection`).',
        ),
        '500': ref('responses/internal'),
        '501': gdalMissingResponse,
        '503': problemResponse(
          'Every export connection is busy past EXPORT_WAIT_MS (`/problems/exports-busy`), ' +
            'or the database does not answer (`/problems/database-unavailable`).',
          { 'Retry-After': ref('headers/RetryAfter') },
        ),
      },
    },
  };
}

let registered = false;

/** Adds the import and export paths to the OpenAPI document once. */
export function registerImportsOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push((layers): OpenApiPart => {
    const paths: Record<string, Json> = { ...importPaths(), ...jobPaths() };
    for (const layer of layers) paths[`/exports/${layer.id}`] = exportPath(layer);
    return { paths, schemas };
  });
}
