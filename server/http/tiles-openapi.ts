import type { LayerDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import { listThemes } from '../services/layer-registry.js';
import { maxTileZoom } from '../services/tile-service.js';
import {
  jsonAnswer,
  openApiContributions,
  problemResponse,
  ref,
  type OpenApiPart,
} from './openapi.js';

/**
 * Vector tiles and their TileJSON (`routes/tiles.ts`) in the OpenAPI document, for the
 * layers the caller may read and every theme.
 */

type Json = Record<string, unknown>;

/** The names a tile list takes: the readable layers, and `theme:<id>` of every theme. */
function listItems(layers: readonly LayerDefinition[]): string[] {
  return [...layers.map((l) => l.id), ...listThemes().map((t) => `theme:${t.id}`)];
}

function layerListParameter(layers: readonly LayerDefinition[]): Json {
  const item = `(?:${listItems(layers).join('|')})`;
  return {
    name: 'layerList',
    in: 'path',
    required: true,
    description:
      'A layer id, or several separated by commas (`kecamatan,desa`), or `theme:<id>` for ' +
      'the layers of a theme the caller may read; each layer once (else 400 ' +
      '`/problems/invalid-layer-list`). A layer the caller may not read is a 404 as one ' +
      'that does not exist.',
    schema: { type: 'string', pattern: `^${item}(?:,${item})*$` },
  };
}

const tileSetSchema = {
  type: 'object',
  required: ['id', 'title', 'tiles', 'tilejson'],
  properties: {
    id: { type: 'string', description: 'The layer list: a layer id or `theme:<id>`.' },
    title: { type: 'string' },
    tiles: { type: 'string', description: 'URL template `…/{z}/{x}/{y}.mvt`.' },
    tilejson: { type: 'string', description: 'URL of its TileJSON.' },
  },
};

const tileJsonSchema = {
  type: 'object',
  description: 'TileJSON 3.0.0.',
  required: ['tilejson', 'tiles', 'vector_layers'],
  properties: {
    tilejson: { type: 'string', enum: ['3.0.0'] },
    name: { type: 'string' },
    description: { type: 'string' },
    attribution: { type: 'string' },
    scheme: { type: 'string', enum: ['xyz'] },
    tiles: { type: 'array', items: { type: 'string' } },
    minzoom: { type: 'integer' },
    maxzoom: { type: 'integer' },
    bounds: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
    vector_layers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          description: { type: 'string' },
          minzoom: { type: 'integer' },
          maxzoom: { type: 'integer' },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
};

const binary = { type: 'string', format: 'binary' };

function tileCoordinate(name: string, description: string, maximum?: number): Json {
  const schema = { type: 'integer', minimum: 0, ...(maximum === undefined ? {} : { maximum }) };
  return { name, in: 'path', required: true, description, schema };
}

const validators = {
  ETag: {
    description: 'Strong, per encoding (`"<hash>"`, `"<hash>-gzip"`); either matches.',
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description:
      '`public` for public layers only, else `private`; `no-cache` (revalidate) unless ' +
      `TILE_MAX_AGE_S sets a max-age (now ${config.tileMaxAgeS}).`,
    schema: { type: 'string' },
  },
};

const readErrors = {
  '401': ref('responses/badToken'),
  '500': ref('responses/internal'),
  '503': ref('responses/databaseUnavailable'),
};

function tilePath(layers: readonly LayerDefinition[]): Json {
  return {
    get: {
      tags: ['tiles'],
      summary: 'A Mapbox vector tile (MVT 2.1) of one or more layers',
      operationId: 'getTile',
      description:
        'One MVT layer per requested layer published at that zoom, named by its id, in Web ' +
        'Mercator tile coordinates (extent 4096). The query string is ignored (clients add ' +
        'one to bust caches). A tile is gzip-compressed for a client whose Accept-Encoding ' +
        'takes gzip. The Accept header is not read.',
      parameters: [
        layerListParameter(layers),
        tileCoordinate(
          'z',
          `Zoom, 0 to ${maxTileZoom}, in decimal digits without leading zeros.`,
          maxTileZoom,
        ),
        tileCoordinate('x', 'Column, 0 to 2^z − 1, in decimal digits without leading zeros.'),
        tileCoordinate('y', 'Row from the north, 0 to 2^z − 1, likewise.'),
        {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'An ETag of the copy held; 304 while the tile is unchanged.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'The tile.',
          headers: {
            ...validators,
            'Content-Encoding': {
              description: '`gzip` when sent compressed.',
              schema: { type: 'string', enum: ['gzip'] },
            },
          },
          content: {
            'application/vnd.mapbox-vector-tile': { schema: binary },
          },
        },
        '204': { description: 'No feature touches the tile.', headers: validators },
        '304': { description: 'Unchanged since the ETag sent.', headers: validators },
        '400': problemResponse(
          'A zoom, column or row outside the tile matrix, or not in decimal digits ' +
            '(`/problems/invalid-tile-address`), or a layer named twice ' +
            '(`/problems/invalid-layer-list`).',
        ),
        '404': problemResponse(
          'No such layer, or one the caller may not read (`/problems/unknown-collection`), ' +
            'no such theme (`/problems/unknown-theme`), or a zoom outside every listed ' +
            "layer's range (`/problems/zoom-out-of-range`, naming the ranges).",
        ),
        '422': problemResponse(
          `The tile would be larger than TILE_MAX_KB (${config.tileMaxKb} KB; ` +
            '`/problems/tile-too-large`, with `tileBytes` and `maxTileBytes`): ask for a ' +
            'deeper zoom or fewer layers.',
        ),
        ...readErrors,
        '503': problemResponse(
          'The tile took longer than TILE_TIMEOUT_MS and was abandoned ' +
            '(`/problems/tile-timeout`), no tile connection came free in that time ' +
            '(`/problems/tiles-busy`), or the database does not answer ' +
            '(`/problems/database-unavailable`, with Retry-After).',
        ),
      },
    },
  };
}

function tileJsonPath(layers: readonly LayerDefinition[]): Json {
  return {
    get: {
      tags: ['tiles'],
      summary: 'TileJSON of one or more layers, or of a theme',
      operationId: 'getTileJson',
      parameters: [layerListParameter(layers), ref('parameters/fJson')],
      responses: {
        '200': jsonAnswer(
          'Template, zoom range, bounds (CRS84) and fields per layer.',
          ref('schemas/tileJson'),
        ),
        '400': problemResponse(
          'A layer named twice (`/problems/invalid-layer-list`), f other than json ' +
            '(`/problems/invalid-format`), or another query parameter ' +
            '(`/problems/unknown-parameter`).',
        ),
        '404': problemResponse(
          'No such layer, or one the caller may not read (`/problems/unknown-collection`), ' +
            'or no such theme (`/problems/unknown-theme`).',
        ),
        '406': ref('responses/notAcceptable'),
        ...readErrors,
      },
    },
  };
}

function tilesPaths(layers: readonly LayerDefinition[]): Record<string, Json> {
  return {
    '/tiles': {
      get: {
        tags: ['tiles'],
        summary: 'Every layer the caller may read, and every theme, as a tile set',
        operationId: 'listTileSets',
        parameters: [ref('parameters/fJson')],
        responses: {
          '200': jsonAnswer('The tile sets.', {
            type: 'object',
            required: ['layers', 'themes'],
            properties: {
              layers: { type: 'array', items: ref('schemas/tileSet') },
              themes: { type: 'array', items: ref('schemas/tileSet') },
            },
          }),
          '400': problemResponse(
            'f other than json (`/problems/invalid-format`), or another query parameter ' +
              '(`/problems/unknown-parameter`).',
          ),
          '401': ref('responses/badToken'),
          '406': ref('responses/notAcceptable'),
          '500': ref('responses/internal'),
        },
      },
    },
    '/tiles/{layerList}/{z}/{x}/{y}.mvt': tilePath(layers),
    '/tiles/{layerList}.json': tileJsonPath(layers),
  };
}

let registered = false;

/** Adds the tile paths to the OpenAPI document once. */
export function registerTilesOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push((layers): OpenApiPart => ({
    paths: tilesPaths(layers),
    schemas: { tileSet: tileSetSchema, tileJson: tileJsonSchema },
  }));
}
