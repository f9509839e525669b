import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { LayerDefinition } from '../../layers/index.js';
import type { AppContext } from '../app-context.js';
import { crs84, type CrsDefinition } from '../http/crs.js';
import {
  renderCollectionHtml,
  renderCollectionsHtml,
  renderConformanceHtml,
  renderItemHtml,
  renderItemsHtml,
  renderLandingHtml,
  renderOpenApiHtml,
  renderQueryablesHtml,
} from '../http/html-views.js';
import {
  parseFeatureId,
  parseItemQuery,
  parseItemsQuery,
  type ItemsQuery,
} from '../http/items-query.js';
import {
  answersJson,
  baseUrl,
  changeUrl,
  chooseRepresentation,
  urlWith,
} from '../http/negotiate.js';
import {
  collectionDocument,
  conformanceClasses,
  landingDocument,
  openApiMediaType,
  queryablesDocument,
  schemaDocument,
  type Link,
} from '../http/ogc-documents.js';
import { ifMatchTags } from '../http/entity-tags.js';
import { HttpProblem } from '../http/problem.js';
import { openApiDocument } from '../http/openapi.js';
import { takesParameters } from '../http/query-parameters.js';
import { listRecordTables } from '../services/record-service.js';
import { supportedCrsUris } from '../http/crs.js';
import type { Principal } from '../services/access.js';
import {
  getFeature,
  getLayerExtent,
  getTimeExtent,
  listFeatures,
  listReadableLayers,
  requireReadableLayer,
  type FeaturePage,
} from '../services/feature-service.js';

const gzip = promisify(zlib.gzip);

const schemaMediaType = 'application/schema+json';

function sendJson(res: Response, body: unknown, type = 'application/json') {
  res.type(type).send(JSON.stringify(body));
}

function sendHtml(res: Response, html: string) {
  res.type('html').send(html);
}

/** The caller set by the authentication middleware; undefined is an anonymous visitor. */
function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

function contentCrs(res: Response, crs: CrsDefinition) {
  res.set('Content-Crs', `<${crs.uri}>`);
}

async function describeLayer(context: AppContext, base: string, layer: LayerDefinition) {
  const { pool } = context.database;
  const [spatial, temporal] = await Promise.all([
    getLayerExtent(pool, layer),
    getTimeExtent(pool, layer),
  ]);
  return collectionDocument(base, layer, { spatial, temporal });
}

/**
 * Links of an items page. They carry no `f`, so clients that follow them keep their Accept. In
 * the default order `next` continues after the last id (keyset paging): exact while features
 * are edited, and as fast on the last page of a large layer as on the first.
 */
function itemsLinks(req: Request, page: FeaturePage, query: ItemsQuery) {
  const { offset, limit } = query;
  // a limit above the maximum was read as the maximum: the links say so
  const pageSize = req.query.limit === undefined ? undefined : String(limit);
  const link = (changes: Record<string, string | undefined>) =>
    urlWith(req, { limit: pageSize, ...changes, f: undefined });
  const links: Link[] = [
    { href: link({}), rel: 'self', type: 'application/geo+json', title: 'This page' },
    { href: urlWith(req, { f: 'html' }), rel: 'alternate', type: 'text/html', title: 'As HTML' },
    {
      href: `${baseUrl(req)}/collections/${page.layer.id}`,
      rel: 'collection',
      type: 'application/json',
      title: page.layer.titleEn,
    },
  ];
  if (page.hasNext) {
    const keyset = query.sortby.length === 0 && page.lastId !== undefined;
    const after = keyset ? String(page.lastId) : undefined;
    const next = link({ offset: String(offset + limit), after });
    links.push({ href: next, rel: 'next', type: 'application/geo+json', title: 'Next page' });
  }
  if (offset > 0) {
    const prev = link({ offset: String(Math.max(0, offset - limit)), after: undefined });
    links.push({ href: prev, rel: 'prev', type: 'application/geo+json', title: 'Previous page' });
  }
  return links;
}

/** The items response as text: the features array comes from the database as it is. */
function featureCollectionText(page: FeaturePage, links: Link[]): string {
  const matched = page.numberMatched === undefined ? '' : `,"numberMatched":${page.numberMatched}`;
  return (
    `{"type":"FeatureCollection","numberReturned":${page.numberReturned}${matched},` +
    `"timeStamp":"${new Date().toISOString()}","links":${JSON.stringify(links)},` +
    `"features":${page.featuresJson}}`
  );
}

/** A page this size or larger is sent gzip-compressed to a client that accepts it. */
const compressFromBytes = 1024;

/**
 * Sends an items page as GeoJSON, gzip-compressed for a client that accepts it: a page of
 * polygons compresses to a quarter or less, and a system paging through a layer at 10,000
 * features a page fetched megabytes a page. Compressed on the thread pool, off the event loop.
 * res.end, not res.send: no ETag hashed over every page (a page is not revalidated).
 */
async function sendPage(req: Request, res: Response, text: string) {
  const body = Buffer.from(text);
  res.vary('Accept-Encoding').type('application/geo+json');
  if (body.length < compressFromBytes || req.acceptsEncodings('gzip', 'identity') !== 'gzip') {
    res.end(body);
    return;
  }
  const zipped = await gzip(body);
  res.set('Content-Encoding', 'gzip').end(zipped);
}

/**
 * OGC API Features, Parts 1, 2 and 3, read side: landing page, conformance, OpenAPI, collections,
 * queryables, schemas, items and single items, as JSON and HTML. Layers the caller may not read
 * do not exist for them.
 */
export function createCollectionsRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;
  const formatOnly = takesParameters('f');

  router.get('/conformance', formatOnly, (req, res) => {
    if (chooseRepresentation(req) === 'html')
      return sendHtml(res, renderConformanceHtml(conformanceClasses));
    sendJson(res, { conformsTo: conformanceClasses });
  });

  router.get('/api', formatOnly, (req, res) => {
    const principal = principalOf(res);
    const tables = listRecordTables(principal);
    const document = openApiDocument(baseUrl(req), listReadableLayers(principal), tables);
    if (chooseRepresentation(req, [openApiMediaType]) === 'html')
      return sendHtml(res, renderOpenApiHtml(document));
    sendJson(res, document, openApiMediaType);
  });

  router.get('/collections', formatOnly, async (req, res) => {
    const base = baseUrl(req);
    const layers = listReadableLayers(principalOf(res));
    const collections = await Promise.all(
      layers.map((layer) => describeLayer(context, base, layer)),
    );
    if (chooseRepresentation(req) === 'html')
      return sendHtml(res, renderCollectionsHtml(collections));

    const links: Link[] = [
      { href: `${base}/collections`, rel: 'self', type: 'application/json', title: 'Collections' },
      { href: `${base}/collections?f=html`, rel: 'alternate', type: 'text/html', title: 'As HTML' },
    ];
    sendJson(res, { links, crs: supportedCrsUris, collections });
  });

  router.get('/collections/:layerId', formatOnly, async (req, res) => {
    const layer = requireReadableLayer(req.params.layerId, principalOf(res));
    const document = await describeLayer(context, baseUrl(req), layer);
    if (chooseRepresentation(req) === 'html')
      return sendHtml(res, renderCollectionHtml(layer, document));
    sendJson(res, document);
  });

  router.get('/collections/:layerId/queryables', formatOnly, (req, res) => {
    const layer = requireReadableLayer(req.params.layerId, principalOf(res));
    const document = queryablesDocument(baseUrl(req), layer);
    if (chooseRepresentation(req, [schemaMediaType]) === 'html')
      return sendHtml(res, renderQueryablesHtml(layer, document.properties as never));
    sendJson(res, document, schemaMediaType);
  });

  const schemaAnswer = answersJson(schemaMediaType);
  router.get('/collections/:layerId/schema', formatOnly, schemaAnswer, (req, res) => {
    const layer = requireReadableLayer(req.params.layerId, principalOf(res));
    sendJson(res, schemaDocument(baseUrl(req), layer), schemaMediaType);
  });

  router.get('/collections/:layerId/items', async (req, res) => {
    const layer = requireReadableLayer(req.params.layerId, principalOf(res));
    const representation = chooseRepresentation(req);
    const query = parseItemsQuery(req.query, layer);
    // The HTML map draws longitude and latitude, whatever crs was asked.
    if (representation === 'html') query.crs = crs84;

    const page = await listFeatures(pool, layer, query);
    const links = itemsLinks(req, page, query);
    res.vary('Accept');
    if (representation === 'html') {
      const htmlLink = (rel: string) => {
        const link = links.find((l) => l.rel === rel);
        return link && changeUrl(link.href, { f: 'html' });
      };
      const paging = {
        next: htmlLink('next'),
        prev: htmlLink('prev'),
        numberMatched: page.numberMatched,
      };
      return sendHtml(res, renderItemsHtml(layer, JSON.parse(page.featuresJson), paging));
    }
    contentCrs(res, query.crs);
    await sendPage(req, res, featureCollectionText(page, links));
  });

  router.get('/collections/:layerId/items/:featureId', async (req, res) => {
    const layer = requireReadableLayer(req.params.layerId, principalOf(res));
    const representation = chooseRepresentation(req);
    const query = parseItemQuery(req.query, layer);
    if (representation === 'html') query.crs = crs84;
    const feature = await getFeature(pool, layer, parseFeatureId(req.params.featureId), query);

    // Editing (Part 4) relies on this ETag form for If-Match: keep it "<id>-<version>". The
    // HTML page is another representation of the URL, so it has another strong ETag (RFC 9110
    // 8.8.3): with the same one, a cache revalidating the GeoJSON got a 304 for the page.
    const etag = `${feature.id}-${feature.version}`;
    res.vary('Accept');
    const sentTag = representation === 'html' ? `"${etag}-html"` : `"${etag}"`;
    res.set('ETag', sentTag);
    requireIfMatch(req, sentTag);
    if (representation === 'html') return sendHtml(res, renderItemHtml(layer, feature));

    const base = baseUrl(req);
    const self = `${base}/collections/${layer.id}/items/${feature.id}`;
    const links: Link[] = [
      { href: self, rel: 'self', type: 'application/geo+json', title: 'This feature' },
      { href: `${self}?f=html`, rel: 'alternate', type: 'text/html', title: 'As HTML' },
      {
        href: `${base}/collections/${layer.id}`,
        rel: 'collection',
        type: 'application/json',
        title: layer.titleEn,
      },
    ];
    const { id, geometry, properties } = feature;
    contentCrs(res, query.crs);
    sendJson(res, { type: 'Feature', id, geometry, properties, links }, 'application/geo+json');
  });

  return router;
}

/**
 * RFC 9110 13.1.1: a read whose If-Match names no current tag of the feature (strongly
 * compared) is a 412, not the feature it did not expect; it was answered 200 as if it matched.
 */
function requireIfMatch(req: Request, etag: string) {
  const header = req.get('if-match')?.trim();
  if (!header) return;
  const tags = ifMatchTags(header);
  if (tags[0] === '*' || tags.includes(etag)) return;
  const detail = `The feature is at ETag ${etag}; If-Match named ${header.slice(0, 120)}.`;
  throw new HttpProblem(412, 'stale-version', 'Precondition failed', detail);
}

/** The landing page as JSON or HTML; browsers without `f` get the web map (routes/index.ts). */
export function sendLandingPage(req: Request, res: Response, asHtml: boolean) {
  const document = landingDocument(baseUrl(req), 'Simpul');
  if (asHtml) return sendHtml(res, renderLandingHtml(document.description, document.links));
  sendJson(res, document);
}
