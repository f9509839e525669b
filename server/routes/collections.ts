import { Router, type Request, type Response } from 'express';
import type { LayerDefinition } from '../../layers/index.js';
import { escapeHtml, renderHtmlPage, renderPropertyTable } from '../http/html-page.js';
import { parseFeatureId, parseItemsQuery } from '../http/items-query.js';
import { baseUrl, chooseRepresentation, urlWith } from '../http/negotiate.js';
import { collectionDocument, conformanceClasses, landingDocument } from '../http/ogc-documents.js';
import type { AppContext } from '../app-context.js';
import {
  getFeature,
  getLayerExtent,
  listFeatures,
  type ApiFeature,
} from '../services/feature-service.js';
import { listLayers, requireLayer } from '../services/layer-registry.js';

function sendJson(res: Response, body: unknown, type = 'application/json') {
  res.type(type).send(JSON.stringify(body));
}

function renderCollectionsHtml(collections: ReturnType<typeof collectionDocument>[]) {
  const rows = collections.map(
    (c) =>
      `<tr><td><a href="/collections/${escapeHtml(c.id)}?f=html">${escapeHtml(c.id)}</a></td>` +
      `<td>${escapeHtml(c.title)}</td><td>${escapeHtml(c.description)}</td></tr>`,
  );
  return renderHtmlPage('Koleksi / Collections', `<table>${rows.join('')}</table>`);
}

function renderFeatureHtml(layer: LayerDefinition, feature: ApiFeature) {
  const rows: [string, unknown][] = layer.attributes.map((a) => [
    `${a.titleId} / ${a.titleEn}${a.unit ? ` (${a.unit})` : ''}`,
    feature.properties[a.name],
  ]);
  return renderPropertyTable([['id', feature.id], ...rows]);
}

function itemsLinks(
  req: Request,
  offset: number,
  limit: number,
  returned: number,
  matched: number,
) {
  const links = [
    { href: urlWith(req, { f: undefined }), rel: 'self', type: 'application/geo+json' },
    { href: urlWith(req, { f: 'html' }), rel: 'alternate', type: 'text/html' },
  ];
  if (offset + returned < matched) {
    const next = urlWith(req, { offset: String(offset + limit), f: undefined });
    links.push({ href: next, rel: 'next', type: 'application/geo+json' });
  }
  if (offset > 0) {
    const prev = urlWith(req, { offset: String(Math.max(0, offset - limit)), f: undefined });
    links.push({ href: prev, rel: 'prev', type: 'application/geo+json' });
  }
  return links;
}

/** OGC API Features, Part 1 core: landing page, conformance, collections, items. */
export function createCollectionsRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;

  router.get('/conformance', (req, res) => {
    if (chooseRepresentation(req) === 'html') {
      const items = conformanceClasses.map((c) => `<li>${escapeHtml(c)}</li>`).join('');
      res.type('html').send(renderHtmlPage('Kesesuaian / Conformance', `<ul>${items}</ul>`));
      return;
    }
    sendJson(res, { conformsTo: conformanceClasses });
  });

  router.get('/collections', async (req, res) => {
    const base = baseUrl(req);
    const collections = await Promise.all(
      listLayers().map(async (layer) =>
        collectionDocument(base, layer, await getLayerExtent(pool, layer)),
      ),
    );
    if (chooseRepresentation(req) === 'html') {
      res.type('html').send(renderCollectionsHtml(collections));
      return;
    }
    const links = [{ href: `${base}/collections`, rel: 'self', type: 'application/json' }];
    sendJson(res, { links, collections });
  });

  router.get('/collections/:layerId', async (req, res) => {
    const layer = requireLayer(req.params.layerId);
    const document = collectionDocument(baseUrl(req), layer, await getLayerExtent(pool, layer));
    if (chooseRepresentation(req) === 'html') {
      const link = `<p><a href="/collections/${escapeHtml(layer.id)}/items?f=html">Fitur / Features</a></p>`;
      const body = `<p>${escapeHtml(document.description)}</p>${link}`;
      res.type('html').send(renderHtmlPage(document.title, body));
      return;
    }
    sendJson(res, document);
  });

  router.get('/collections/:layerId/items', async (req, res) => {
    const query = parseItemsQuery(req.query);
    const representation = chooseRepresentation(req);
    const { layer, features, numberMatched } = await listFeatures(pool, req.params.layerId, query);

    if (representation === 'html') {
      const tables = features.map(
        (f) => `<h2>${escapeHtml(f.id)}</h2>${renderFeatureHtml(layer, f)}`,
      );
      res.type('html').send(renderHtmlPage(`${layer.titleId} / ${layer.titleEn}`, tables.join('')));
      return;
    }
    const links = itemsLinks(req, query.offset, query.limit, features.length, numberMatched);
    sendJson(
      res,
      {
        type: 'FeatureCollection',
        features: features.map(({ version: _version, ...feature }) => feature),
        numberMatched,
        numberReturned: features.length,
        timeStamp: new Date().toISOString(),
        links,
      },
      'application/geo+json',
    );
  });

  router.get('/collections/:layerId/items/:featureId', async (req, res) => {
    const representation = chooseRepresentation(req);
    const featureId = parseFeatureId(req.params.featureId);
    const { layer, feature } = await getFeature(pool, req.params.layerId, featureId);

    res.set('ETag', `"${feature.id}-${feature.version}"`);
    if (representation === 'html') {
      res
        .type('html')
        .send(renderHtmlPage(`${layer.titleId} ${feature.id}`, renderFeatureHtml(layer, feature)));
      return;
    }
    const { version: _version, ...body } = feature;
    const self = `${baseUrl(req)}/collections/${layer.id}/items/${feature.id}`;
    const links = [
      { href: self, rel: 'self', type: 'application/geo+json' },
      {
        href: `${baseUrl(req)}/collections/${layer.id}`,
        rel: 'collection',
        type: 'application/json',
      },
    ];
    sendJson(res, { ...body, links }, 'application/geo+json');
  });

  return router;
}

/** The landing page as JSON; HTML browsers get the web map at `/` (see routes/index.ts). */
export function sendLandingPage(req: Request, res: Response, asHtml: boolean) {
  const document = landingDocument(baseUrl(req), 'Simpul');
  if (asHtml) {
    const links = document.links.map(
      (l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.title)}</a></li>`,
    );
    res
      .type('html')
      .send(
        renderHtmlPage(
          'Simpul',
          `<p>${escapeHtml(document.description)}</p><ul>${links.join('')}</ul>`,
        ),
      );
    return;
  }
  sendJson(res, document);
}
