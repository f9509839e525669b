import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { startTime as requestLogStart } from 'pino-http';
import type { LayerDefinition } from '../../layers/index.js';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { answersJson, baseUrl } from '../http/negotiate.js';
import { matchesIfNoneMatch } from '../http/entity-tags.js';
import { registerTilesOpenApi } from '../http/tiles-openapi.js';
import { notFound } from '../http/problem.js';
import { takesParameters } from '../http/query-parameters.js';
import { log } from '../log.js';
import { canReadLayer, type Principal } from '../services/access.js';
import { getLayerExtent } from '../services/feature-service.js';
import { listLayers, listThemes, unknownLayer } from '../services/layer-registry.js';
import {
  maxTileZoom,
  parseTileCoord,
  resolveTileLayers,
  TileService,
  type CachedTile,
  type TileEncoding,
} from '../services/tile-service.js';
import { rawBytes } from '../tiles/tile-cache.js';

const fieldTypes = {
  text: 'String',
  integer: 'Number',
  number: 'Number',
  boolean: 'Boolean',
  date: 'String',
  timestamp: 'String',
} as const;

function vectorLayer(layer: LayerDefinition) {
  const fields = Object.fromEntries(
    layer.attributes.filter((a) => a.inTiles).map((a) => [a.name, fieldTypes[a.type]]),
  );
  return {
    id: layer.id,
    description: layer.titleEn,
    minzoom: layer.zoom.min,
    maxzoom: layer.zoom.max,
    fields,
  };
}

function unionBounds(extents: (number[] | null)[]): number[] {
  const present = extents.filter((e): e is number[] => e !== null);
  if (present.length === 0) return [-180, -85.0511, 180, 85.0511];
  return [0, 1, 2, 3].map((i) => (i < 2 ? Math.min : Math.max)(...present.map((e) => e[i]!)));
}

/**
 * The requested layers this caller may read. A layer it may not read is answered like one
 * that does not exist, so tiles do not reveal which restricted layers there are; a theme
 * quietly keeps only its readable layers.
 */
function readableLayers(res: Response, layerList: string): LayerDefinition[] {
  const principal = res.locals.principal as Principal | undefined;
  const layers = resolveTileLayers(layerList);
  const explicit = new Set(layerList.split(','));
  const readable = layers.filter((layer) => {
    if (canReadLayer(principal, layer)) return true;
    if (explicit.has(layer.id)) throw unknownLayer(layer.id);
    return false;
  });
  if (readable.length === 0) {
    throw notFound('unknown-collection', `No layer of "${layerList}" is readable here.`);
  }
  return readable;
}

/** What an `Accept-Encoding` header asks for, remembered per distinct header (a handful). */
const encodingByHeader = new Map<string, TileEncoding | undefined>();

/**
 * Whether the client takes gzip: named (or as `x-gzip`) without `q=0`, or covered by `*`
 * when not named at all, so `gzip;q=0, *` refuses it (RFC 9110, 12.5.3). A small parser
 * instead of the negotiator: this runs for every cached tile.
 */
function parseAcceptEncoding(header: string): TileEncoding | undefined {
  const accepted = new Map<string, boolean>();
  for (const part of header.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    const refused = parameters.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
    if (name) accepted.set(name === 'x-gzip' ? 'gzip' : name, !refused);
  }
  return (accepted.get('gzip') ?? accepted.get('*')) ? 'gzip' : undefined;
}

function wantedEncoding(req: IncomingMessage): TileEncoding | undefined {
  const header = req.headers['accept-encoding'];
  if (!header) return undefined;
  if (encodingByHeader.has(header)) return encodingByHeader.get(header);
  const wanted = parseAcceptEncoding(header);
  // Browsers send a few distinct values; anything beyond is parsed each time, not kept.
  if (encodingByHeader.size < 64) encodingByHeader.set(header, wanted);
  return wanted;
}

/** The representation sent: gzip bytes when stored and accepted, else the raw ones. */
function representation(entry: CachedTile, wanted: TileEncoding | undefined) {
  if (wanted && entry.gzip) return { bytes: entry.gzip, encoding: wanted };
  return { bytes: rawBytes(entry), encoding: undefined };
}

/** A strong ETag per representation: `"<hash of raw>"` and `"<hash>-gzip"`. */
function etagFor(entry: CachedTile, encoding: TileEncoding | undefined) {
  return encoding ? `${entry.etag.slice(0, -1)}-${encoding}"` : entry.etag;
}

/**
 * Whether `If-None-Match` names this tile's content, by the comparison every answer shares.
 * Either encoding's tag matches: the client's stored copy decodes to the same tile whichever
 * encoding it came in.
 */
function isNotModified(req: IncomingMessage, entry: CachedTile): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return matchesIfNoneMatch(header, [etagFor(entry, undefined), etagFor(entry, 'gzip')]);
}

function cacheControl(layers: LayerDefinition[]): string {
  // A restricted layer's tile must not be stored by a shared proxy.
  const scope = layers.every(isPublic) ? 'public' : 'private';
  return config.tileMaxAgeS > 0 ? `${scope}, max-age=${config.tileMaxAgeS}` : `${scope}, no-cache`;
}

function isPublic(layer: LayerDefinition) {
  return layer.access.read === 'public';
}

/**
 * The header lines of a 200 answer, as Node's flat name/value list. A cached tile builds
 * them once per representation and keeps them: the same key always means the same layers,
 * hence the same `Cache-Control`.
 */
function okHeaders(
  entry: CachedTile,
  layers: LayerDefinition[],
  bytes: Buffer,
  encoding: TileEncoding | undefined,
): string[] {
  const kept = encoding ? entry.wireHeaders?.gzip : entry.wireHeaders?.identity;
  if (kept) return kept;
  const headers = [
    'ETag',
    etagFor(entry, encoding),
    'Cache-Control',
    cacheControl(layers),
    'Vary',
    'Accept-Encoding',
    'Content-Type',
    'application/vnd.mapbox-vector-tile',
    'Content-Length',
    String(bytes.length),
  ];
  if (encoding) headers.push('Content-Encoding', encoding);
  entry.wireHeaders = { ...entry.wireHeaders, [encoding ?? 'identity']: headers };
  return headers;
}

/** Writes a tile (or 304, or 204 for an empty one) with its validators, straight to Node. */
function writeTile(
  req: IncomingMessage,
  res: ServerResponse,
  layers: LayerDefinition[],
  entry: CachedTile,
) {
  const { bytes, encoding } = representation(entry, wantedEncoding(req));
  const notModified = isNotModified(req, entry);
  if (bytes.length > 0 && !notModified) {
    res
      .writeHead(200, okHeaders(entry, layers, bytes, encoding))
      .end(req.method === 'HEAD' ? undefined : bytes);
    return;
  }
  const headers = {
    ETag: etagFor(entry, encoding),
    'Cache-Control': cacheControl(layers),
    Vary: 'Accept-Encoding',
  };
  res.writeHead(notModified ? 304 : 204, headers).end();
}

/** `/tiles/{layers}/{z}/{x}/{y}.mvt` with no query, numbers without leading zeros. */
const tilePathPattern =
  /^\/tiles\/([^/?]+)\/(0|[1-9]\d?)\/(0|[1-9]\d{0,9})\/(0|[1-9]\d{0,9})\.mvt$/;

/**
 * The layers of a tile address when all are public, remembered per distinct list; undefined
 * for a list the shortcut leaves to the router (unknown, restricted, malformed).
 */
function publicLayerResolver() {
  const known = new Map<string, LayerDefinition[] | undefined>();
  return (layerList: string): LayerDefinition[] | undefined => {
    if (known.has(layerList)) return known.get(layerList);
    let layers: LayerDefinition[] | undefined;
    try {
      layers = resolveTileLayers(decodeURIComponent(layerList));
      if (!layers.every(isPublic)) layers = undefined;
    } catch {
      layers = undefined;
    }
    // Lists are few (layers, themes, the client's combinations); a flood of made-up ones
    // is resolved each time rather than kept.
    if (known.size < 512) known.set(layerList, layers);
    return layers;
  };
}

/** Where the shortcut leaves a tile it rendered but did not answer, for the router to use. */
const shortcutOutcome = Symbol('tile rendered by the shortcut');

type TileRequest = IncomingMessage & { [shortcutOutcome]?: Promise<CachedTile> };

/** The tile the shortcut already asked for on this request, taken once. */
function takeShortcutOutcome(req: IncomingMessage): Promise<CachedTile> | undefined {
  const outcome = (req as TileRequest)[shortcutOutcome];
  delete (req as TileRequest)[shortcutOutcome];
  return outcome;
}

/**
 * Answers a request for a tile of public layers straight from Node's request, before Express
 * and the rest of the app run (request logging, sessions, routing): the hot path of the
 * platform, where that work cost several times a cached tile, and a tenth of the processor a
 * rendered one leaves to Node. A cached, current tile is answered at once; a missing one is
 * rendered (shared with concurrent requests for it) and answered when it succeeds. A tile that
 * fails (too large, too slow, no database) goes on to the app with its outcome attached, so
 * the app's one error path answers it without rendering it again. Everything else (a
 * restricted layer, a token, a bad address, a query string) goes on to `next`, the app.
 * Tiles are not logged one line each; the tile service's counters (on `/health`) stand for
 * them, and slow or refused tiles are logged where they happen.
 */
export function createPublicTileShortcut(
  context: AppContext,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const tiles = context.tiles;
  const publicLayers = publicLayerResolver();
  return (req, res, next) => {
    const match = tiles && req.url ? tilePathPattern.exec(req.url) : null;
    const eligible = req.method === 'GET' || req.method === 'HEAD';
    if (!tiles || !match || !eligible || req.headers.authorization) return next();

    const layers = publicLayers(match[1]!);
    const tile = { z: Number(match[2]), x: Number(match[3]), y: Number(match[4]) };
    const size = 2 ** tile.z;
    if (!layers || tile.z > maxTileZoom || tile.x >= size || tile.y >= size) return next();

    const answer = (entry: CachedTile) => {
      try {
        writeTile(req, res, layers, entry);
      } catch (error) {
        // Nothing above should throw; if it does, end this answer rather than leave it hanging.
        log.error({ err: error, url: req.url }, 'tile not answered');
        res.destroy();
      }
    };
    const entry = tiles.cachedTile(layers, tile);
    if (entry) {
      if (entry.problem) return next();
      return answer(entry);
    }
    const arrivedAt = Date.now();
    const wanted = wantedEncoding(req);
    const outcome = tiles.getTile(layers, tile, wanted ? [wanted] : []);
    const handOver = () => {
      (req as TileRequest)[shortcutOutcome] = outcome;
      // The request log then times the answer from its arrival, the failed rendering included.
      res[requestLogStart] = arrivedAt;
      next();
    };
    outcome.then((rendered) => (rendered.problem ? handOver() : answer(rendered)), handOver);
  };
}

/** The tile sets of the layers this caller may read, and of every theme. */
function tileSets(req: Request, principal: Principal | undefined) {
  const base = baseUrl(req);
  const entry = (list: string, title: string) => ({
    id: list,
    title,
    tiles: `${base}/tiles/${list}/{z}/{x}/{y}.mvt`,
    tilejson: `${base}/tiles/${list}.json`,
  });
  return {
    layers: listLayers()
      .filter((layer) => canReadLayer(principal, layer))
      .map((layer) => entry(layer.id, layer.titleEn)),
    themes: listThemes().map((theme) => entry(`theme:${theme.id}`, theme.titleEn)),
  };
}

/**
 * Vector tiles (MVT 2.1) per layer, for a comma-separated list of layers and `theme:<id>`,
 * and their TileJSON. Tiles come through the app's tile service (cache, invalidation,
 * limits); an app built without one gets an uncached service.
 */
export function createTilesRouter(context: AppContext): Router {
  registerTilesOpenApi();
  const router = Router();
  const { pool } = context.database;
  const tiles = context.tiles ?? TileService.uncached(context.database);

  const formatOnly = takesParameters('f');
  const json = answersJson();

  router.get('/tiles', formatOnly, json, (req, res) => {
    res.json(tileSets(req, res.locals.principal as Principal | undefined));
  });

  router.get('/tiles/:layerList/:z/:x/:y.mvt', async (req, res) => {
    const layers = readableLayers(res, req.params.layerList);
    const tile = parseTileCoord(req.params.z, req.params.x, req.params.y);

    const wanted = wantedEncoding(req);
    const entry = await (takeShortcutOutcome(req) ??
      tiles.getTile(layers, tile, wanted ? [wanted] : []));
    if (entry.problem) throw entry.problem;
    writeTile(req, res, layers, entry);
  });

  router.get('/tiles/:layerList.json', formatOnly, json, async (req, res) => {
    const layers = readableLayers(res, req.params.layerList);
    const extents = await Promise.all(layers.map((layer) => getLayerExtent(pool, layer)));
    const url = `${baseUrl(req)}/tiles/${req.params.layerList}/{z}/{x}/{y}.mvt`;
    res.json({
      tilejson: '3.0.0',
      name: layers.map((l) => l.titleEn).join(' + '),
      description: layers.map((l) => l.metadata.abstractEn).join(' '),
      attribution: [...new Set(layers.map((l) => l.metadata.source))].join('; '),
      scheme: 'xyz',
      tiles: [url],
      minzoom: Math.min(...layers.map((l) => l.zoom.min)),
      maxzoom: Math.max(...layers.map((l) => l.zoom.max)),
      bounds: unionBounds(extents),
      vector_layers: layers.map(vectorLayer),
    });
  });

  return router;
}
