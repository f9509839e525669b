import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { answerOptions, methodNotAllowed, methodsAt } from '../http/allowed-methods.js';
import { authenticate } from '../http/authenticate.js';
import { chooseRepresentation } from '../http/negotiate.js';
import { registerPlatformOpenApi } from '../http/platform-openapi.js';
import { notFound } from '../http/problem.js';
import { createAnalysisRouter } from './analysis.js';
import { createAuthRouter } from './auth.js';
import { createClientRouter } from './client.js';
import { createCollectionWritesRouter } from './collection-writes.js';
import { createCollectionsRouter, sendLandingPage } from './collections.js';
import { createGeoServerRouter } from './geoserver.js';
import { createHealthRouter } from './health.js';
import { createHistoryRouter } from './history.js';
import { createRecordsRouter } from './records.js';
import { createImportsRouter } from './imports.js';
import { createTilesRouter } from './tiles.js';

/**
 * Every mount path and the file that serves it:
 *   /                     web map for browsers, OGC API landing page for JSON clients
 *   (every request)       http/authenticate.ts sets res.locals.principal (token or session)
 *   /auth/...             routes/auth.ts (login, session, users, API tokens)
 *   POST/PUT/PATCH/DELETE/OPTIONS /collections/.../items, /batch   routes/collection-writes.ts
 *   /collections/{id}/history, .../items/{id}/history   routes/history.ts
 *   /records/{tableId}    routes/records.ts (condition surveys, inspections)
 *   /conformance, /collections/...   routes/collections.ts (OGC API Features)
 *   /tiles/...            routes/tiles.ts (MVT and TileJSON)
 *   /client/config        routes/client.ts (what the web map builds itself from)
 *   /imports/..., /exports/{layerId}   routes/imports.ts (uploads, import jobs, downloads)
 *   /health               routes/health.ts
 *   /admin/geoserver/...  routes/geoserver.ts (publication plan, apply, last result)
 *   /analysis/...         routes/analysis.ts (plan lookup, hazard exposure, condition statistics)
 *   /assets, /...         the built web client (web/dist)
 */
export function createRoutes(context: AppContext): Router {
  // /client/config, /health and /admin/geoserver in the OpenAPI document
  registerPlatformOpenApi();
  const router = Router();
  const webDistDir = context.webDistDir ?? config.webDistDir;
  const indexHtml = path.join(webDistDir, 'index.html');

  // before every router, each of which would answer OPTIONS with its own methods only
  router.use(answerOptions(router));
  // a router of its own, which answers OPTIONS / before the catch-all below
  const root = Router();
  root.get('/', (req, res) => {
    const wantsHtml = chooseRepresentation(req) === 'html';
    if (wantsHtml && req.query.f === undefined && fs.existsSync(indexHtml)) {
      res.sendFile(indexHtml);
      return;
    }
    sendLandingPage(req, res, wantsHtml);
  });
  router.use(root);
  router.use(createHealthRouter(context));
  router.use(authenticate(context.database.pool));
  router.use(createAuthRouter(context));
  // before the read routes, whose router would answer OPTIONS with GET only
  router.use(createCollectionWritesRouter(context));
  router.use(createHistoryRouter(context));
  router.use(createRecordsRouter(context));
  router.use(createCollectionsRouter(context));
  router.use(createTilesRouter(context));
  router.use(createImportsRouter(context));
  router.use(createClientRouter(context));
  router.use(createAnalysisRouter(context));
  router.use(createGeoServerRouter(context));
  // redirect: false, or a folder such as /assets would answer an HTML 301 instead of a 404
  router.use(express.static(webDistDir, { index: false, maxAge: '1h', redirect: false }));

  router.use((req) => {
    // a path some route takes, but not by this method (a route may also pass a GET on)
    const allowed = methodsAt(router, req.path);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (allowed.length > 0 && !allowed.includes(method)) {
      throw methodNotAllowed(req.method, req.path, allowed);
    }

    const read = req.method === 'GET' || req.method === 'HEAD';
    const detail = read
      ? `Nothing is served at ${req.path}. Start at / for the links.`
      : `Nothing answers ${req.method} at ${req.path}; OPTIONS lists the methods a path takes.`;
    throw notFound('unknown-path', detail);
  });
  return router;
}
