import express, { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { answersJson } from '../http/negotiate.js';
import { takesParameters } from '../http/query-parameters.js';
import type { Principal } from '../services/access.js';
import { parseSwitch, switchWordsHint } from '../switch-value.js';

/**
 * The publication code, loaded on the first request that needs it: its REST client and XML
 * parser (about 6 MB per process) are not held by every server process from its start.
 */
const publication = () => import('../services/geoserver-service.js');

/**
 * Publication is an administrator's act: a logged-in admin, or an admin's API token (whose
 * scope must allow writing everything to apply).
 */
function requirePublisher(principal: Principal | undefined, write: boolean): Principal {
  if (!principal) {
    const detail = 'GeoServer publication needs an administrator login or API token.';
    const problem = new HttpProblem(401, 'login-required', 'Login required', detail);
    problem.headers['WWW-Authenticate'] = 'Bearer';
    throw problem;
  }
  const scope = principal.scope;
  const scopeAllows = !scope || (scope.layerIds === 'all' && (!write || scope.write));
  if (!principal.roles.includes('admin') || !scopeAllows) {
    const detail = 'Only an administrator may plan or apply the GeoServer publication.';
    throw new HttpProblem(403, 'admin-only', 'Forbidden', detail);
  }
  return principal;
}

/** `force` as a switch (true or a switch word); anything else is a 400, never a quiet no. */
function readForce(value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  const force = parseSwitch(text);
  if (force !== undefined) return force;
  const detail = `force must be ${switchWordsHint}; got ${JSON.stringify(value).slice(0, 40)}.`;
  throw badRequest('invalid-force', detail);
}

/**
 * `/admin/geoserver`: the status and last apply, `/admin/geoserver/plan` (asks GeoServer,
 * changes nothing there; recorded), `POST /admin/geoserver/apply` (carries the plan out,
 * recorded).
 */
export function createGeoServerRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;

  const jsonAnswer = answersJson();

  router.get('/admin/geoserver', takesParameters(), jsonAnswer, async (_req, res) => {
    requirePublisher(res.locals.principal, false);
    res.set('Cache-Control', 'no-store');
    res.json(await (await publication()).getGeoServerStatus(pool));
  });

  router.get('/admin/geoserver/plan', takesParameters('force'), jsonAnswer, async (req, res) => {
    const principal = requirePublisher(res.locals.principal, false);
    const force = readForce(req.query.force);

    const requestedBy = `${principal.kind}:${principal.name}`;
    const { planGeoServerPublication } = await publication();
    const plan = await planGeoServerPublication(pool, { force, requestedBy });
    res.set('Cache-Control', 'no-store');
    res.json(plan);
  });

  router.post('/admin/geoserver/apply', express.json({ limit: '4kb' }), async (req, res) => {
    const principal = requirePublisher(res.locals.principal, true);
    const force = readForce((req.body as { force?: unknown } | undefined)?.force);

    const requestedBy = `${principal.kind}:${principal.name}`;
    const { applyGeoServerPublication } = await publication();
    const result = await applyGeoServerPublication(pool, { force, requestedBy });

    const { outcome, steps } = result.report;
    const { warning } = result.plan.geoserver;
    if (warning) req.log.warn({ warning }, 'geoserver publication forced onto a refused version');
    const done = steps.filter((step) => step.status === 'done').length;
    req.log.info({ outcome, done, steps: steps.length, force }, 'geoserver publication applied');
    res.json(result);
  });

  return router;
}
