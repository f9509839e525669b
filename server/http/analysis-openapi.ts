import { openApiContributions, problemResponse, ref } from './openapi.js';

/**
 * The planners' analyses (`routes/analysis.ts`) in the OpenAPI document, added through the
 * document's contribution hook so the feature API's generator stays unaware of them.
 */

type Json = Record<string, unknown>;

const problem = (description: string) => problemResponse(description);

const errors = {
  '400': problem('A parameter or the place is invalid; `detail` says what would work.'),
  '404': problem('The analysis needs a layer this deployment does not declare.'),
  '500': ref('responses/internal'),
};

function formatParameter(formats: string[]) {
  return {
    name: 'f',
    in: 'query',
    required: false,
    description: 'Format; overrides the Accept header.',
    schema: { type: 'string', enum: formats, default: 'json' },
  };
}

function query(name: string, description: string, schema: Json) {
  return { name, in: 'query', required: false, description, schema };
}

const activityParameter = query(
  'activity',
  'An activity code of the ITBX matrix (see /analysis/plan-activities); the answer per zone ' +
    'is I permitted, T limited, B conditional or X prohibited, with its conditions in words.',
  { type: 'string' },
);

const geoJsonPlace = {
  type: 'object',
  description:
    'A GeoJSON Point, Polygon or MultiPolygon in EPSG:4326 (longitude, latitude), a Feature of ' +
    'one, or a FeatureCollection of polygons (an uploaded parcel file); at most 20,000 vertices.',
  required: ['type'],
  properties: { type: { type: 'string' } },
};

const placeCrs = {
  type: 'string',
  nullable: true,
  description:
    'Optional; must name WGS 84 longitude and latitude (EPSG:4326 or CRS84, as a code or ' +
    'URI): any other system is refused, since places are not reprojected. null says none ' +
    '(WGS 84).',
};

const planBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        oneOf: [
          {
            type: 'object',
            required: ['geometry'],
            properties: { geometry: geoJsonPlace, crs: placeCrs, activity: { type: 'string' } },
          },
          geoJsonPlace,
        ],
      },
    },
    'application/geo+json': { schema: geoJsonPlace },
  },
};

const planResponses = {
  '200': {
    description:
      'Plan zones with area (ha, WGS 84 ellipsoid) and share of the place, zone code and name, ' +
      'regulation and period, the activity answer, and protected-area and hazard warnings. ' +
      'As JSON, as a printable one-page HTML, or rendered to PDF or PNG.',
    content: {
      'application/json': { schema: { type: 'object' } },
      'text/html': { schema: { type: 'string' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
      'image/png': { schema: { type: 'string', format: 'binary' } },
    },
  },
  '406': problem('PDF or PNG asked where the server has no Chromium; ask for f=html.'),
  ...errors,
};

function statistics(summary: string, operationId: string, description: string, params: Json[]) {
  return {
    get: {
      tags: ['analysis'],
      summary,
      operationId,
      description,
      parameters: [...params, formatParameter(['json', 'csv'])],
      responses: {
        '200': {
          description:
            'The statistics as JSON, or as a CSV table (UTF-8 with BOM) whose last column, ' +
            'sample_data, names the layers of invented sample data the figures come from.',
          content: {
            'application/json': { schema: { type: 'object' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        ...errors,
      },
    },
  };
}

function analysisPaths(): Record<string, Json> {
  const planInformation = {
    tags: ['analysis'],
    summary: 'Spatial plan information (Informasi Tata Ruang) of a place',
    responses: planResponses,
  };
  return {
    '/analysis/plan-information': {
      get: {
        ...planInformation,
        operationId: 'planInformationAtPoint',
        parameters: [
          { ...query('lon', 'Longitude (EPSG:4326).', { type: 'number' }), required: true },
          { ...query('lat', 'Latitude (EPSG:4326).', { type: 'number' }), required: true },
          activityParameter,
          formatParameter(['json', 'html', 'pdf', 'png']),
        ],
      },
      post: {
        ...planInformation,
        operationId: 'planInformationOfParcel',
        parameters: [activityParameter, formatParameter(['json', 'html', 'pdf', 'png'])],
        requestBody: planBody,
        responses: {
          ...planResponses,
          '415': problem('The body is not application/json or application/geo+json.'),
        },
      },
    },
    '/analysis/plan-activities': {
      get: {
        tags: ['analysis'],
        summary: 'Activities of the ITBX matrix, with labels',
        operationId: 'planActivities',
        parameters: [formatParameter(['json'])],
        responses: {
          '200': {
            description: 'The activities.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/analysis/hazard-exposure': statistics(
      'Hazard exposure per hazard type, class and kecamatan',
      'hazardExposure',
      'People exposed (desa population apportioned by the share of its area in the zone; the ' +
        'method is stated in the answer), road length by condition, bridges, irrigation ' +
        'structures, canal length and evacuation points, per kecamatan and for the regency.',
      [query('year', 'Population year; default the latest with figures.', { type: 'integer' })],
    ),
    '/analysis/road-condition': statistics(
      'Road condition and kemantapan per kecamatan over survey years',
      'roadCondition',
      'Road length (km) per condition class and the share in good or fair condition ' +
        '(kemantapan jalan), now and at the end of every survey year.',
      [
        query('status', 'Comma-separated road statuses to count, e.g. kabupaten.', {
          type: 'string',
        }),
      ],
    ),
    '/analysis/irrigation-condition': statistics(
      'Irrigation asset condition per irrigation area, with IKSI scores',
      'irrigationCondition',
      'Canal length and structure counts per condition class, and the mean IKSI component score.',
      [],
    ),
  };
}

let registered = false;

/** Adds the analysis paths to the OpenAPI document once. */
export function registerAnalysisOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push(() => ({ paths: analysisPaths() }));
}
