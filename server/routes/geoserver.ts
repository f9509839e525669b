import { Router, type Request } from 'express';
import type { AppContext } from '../app-context.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { utf8Json } from '../http/json-body.js';
import { answersJson } from '../http/negotiate.js';
import { takesParameters } from '../http/query-parameters.js';
import type { Principal } from '../services/access.js';
import { parseSwitch, switchWordsHint } from '../switch-value.js';

/**
 * The publication code, loaded on the first request that needs it: its REST client and XML
 * parser (about 6 MB per process) are not held by every server process from its start.
 */
const publication = () => import('../services/geoserver-service.js');

/** How an administrator's token is narrowed past publishing, or undefined when it is not. */
function describeNarrowScope(scope: Principal['scope'], write: boolean): string | undefined {
  if (scope && scope.layerIds !== 'all') return 'is limited to some layers';
  if (scope && write && !scope.write) return 'may not write';
  return undefined;
}

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
  if (!principal.roles.includes('admin')) {
    const detail = 'Only an administrator may plan or apply the GeoServer publication.';
    throw new HttpProblem(403, 'admin-only', 'Forbidden', detail);
  }
  const narrowed = describeNarrowScope(principal.scope, write);
  if (narrowed) {
    const act = write ? 'applying' : 'planning';
    const token = write ? 'token that may write every layer' : 'token for every layer';
    const detail =
      `This API token ${narrowed}: ${act} needs an administrator ${token}, ` +
      'or an administrator login.';
    throw new HttpProblem(403, 'token-scope-too-narrow', 'Forbidden', detail);
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
 * The apply's body: none, or a JSON object whose one member is `force`. Anything else is
 * refused rather than read as an apply without force: `{"forse": true}` or a form's
 * `force=1` would otherwise publish at once.
 */
function readApplyBody(req: Request): { force: boolean } {
  // A POST without a body still says Content-Length: 0 (fetch does): no body, whatever its type.
  const empty = req.get('content-length') === '0' && !req.get('transfer-encoding');
  if (!empty && req.is('application/json') === false) {
    const type = req.get('content-type');
    const detail = `Send the body as application/json, or no body; got ${type}.`;
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', detail);
  }
  // The parser takes objects and arrays only: an array is all that is left to refuse.
  const body = (req.body ?? {}) as Record<string, unknown>;
  const example = 'a JSON object such as {"force": true}';
  if (Array.isArray(body)) {
    throw badRequest('invalid-body', `The body must be ${example}, or absent; got an array.`);
  }
  const unknown = Object.keys(body).filter((name) => name !== 'force');
  if (unknown.length > 0) {
    const quoted = unknown.map((name) => `"${name.slice(0, 40)}"`).join(', ');
    const takes = 'An apply takes force (a switch), or no body.';
    throw badRequest(
      'unknown-member',
      `Unknown member ${quoted.slice(0, 200)} in the body. ${takes}`,
    );
  }
  return { force: readForce(body.force) };
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

  const applyBody = utf8Json({
    limit: '4kb',
  });
  router.post('/admin/geoserver/apply', takesParameters(), applyBody, async (req, res) => {
    const principal = requirePublisher(res.locals.principal, true);
    const { force } = readApplyBody(req);

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
