import { Router, type Request } from 'express';
import type { AppContext } from '../app-context.js';
import {
  checkSameOrigin,
  sessionCookieName,
  sessionCookieOptions,
  sessionSecretOf,
} from '../http/authenticate.js';
import { registerAuthOpenApi } from '../http/auth-openapi.js';
import { utf8Json } from '../http/json-body.js';
import { answersJson } from '../http/negotiate.js';
import { badRequest, notFound } from '../http/problem.js';
import { decimalDigits, takesParameters } from '../http/query-parameters.js';
import { canEditLayer, canReadLayer } from '../services/access.js';
import {
  createApiToken,
  createUser,
  findSession,
  listApiTokens,
  listUsers,
  logIn,
  logOut,
  revokeApiToken,
  updateUser,
} from '../services/account-service.js';
import { requireAdmin, requirePrincipal } from '../services/edit-access.js';
import { listLayers } from '../services/layer-registry.js';

/** Whether a value is, or a list holding, text with the NUL character PostgreSQL refuses. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  return Array.isArray(value) && value.some(holdsNul);
}

/**
 * The JSON object of a request, holding only the members `allowed` when given. A member it
 * does not take is a 400 naming it: read as absent, `layers` for `layerIds` made a token of
 * every layer and `disable` for `disabled` left the account enabled, both answered as done. A
 * name or value holding NUL is a 400 too: the database cannot store it and failed with a 500.
 */
function bodyOf(req: Request, allowed?: readonly string[]): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('bad-body', 'Send a JSON object (Content-Type: application/json).');
  }
  const unknown = Object.keys(body).filter((name) => allowed && !allowed.includes(name));
  if (allowed && unknown.length > 0) {
    const named = unknown.slice(0, 10).map((name) => JSON.stringify(name.slice(0, 60)));
    const detail =
      `This request does not take ${named.join(', ')}; ` +
      `it takes ${allowed.map((name) => JSON.stringify(name)).join(', ')}.`;
    throw badRequest('bad-body', detail);
  }
  const withNul = Object.entries(body).find(([, value]) => holdsNul(value));
  if (withNul) throw badRequest('bad-body', `${withNul[0]} may not contain the NUL character.`);
  return body as Record<string, unknown>;
}

/** A member that is true or false when given; other values (`"true"`, 1) are a 400. */
function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw badRequest('bad-body', `${name} is true or false; got ${JSON.stringify(value)}.`);
}

function parseTokenId(text: string): number {
  const id = decimalDigits(text);
  if (!Number.isSafeInteger(id) || id < 1)
    throw badRequest('bad-token-id', 'A token id is a positive integer.');
  return id;
}

/**
 * Accounts: `/auth/login`, `/auth/logout`, `/auth/session` (who am I, CSRF token, layers I
 * may edit), and for administrators `/auth/users` and `/auth/tokens`.
 */
export function createAuthRouter(context: AppContext): Router {
  registerAuthOpenApi();
  const router = Router();
  // what the GET routes read: no query parameters, and an Accept that takes JSON
  const readsJson = [takesParameters(), answersJson()];
  // A write takes no query parameter: one (?dryRun=1) would else be ignored and the write made.
  const noParameters = takesParameters();
  const { pool } = context.database;
  // A body not UTF-8 is refused: each stray byte read as U+FFFD, another password was the same.
  router.use('/auth', utf8Json({ limit: '64kb' }));

  router.post('/auth/login', noParameters, async (req, res) => {
    checkSameOrigin(req);
    // A login's other members change nothing that a client could take as done
    const { name, password } = bodyOf(req);
    // A body without the two fields is a client's mistake, not a wrong password: it is not
    // counted against the login limit.
    if (typeof name !== 'string' || typeof password !== 'string') {
      throw badRequest('bad-login', 'Send {"name": "…", "password": "…"}, both as text.');
    }
    const client = req.get('user-agent')?.slice(0, 200) ?? 'unknown';
    const session = await logIn(pool, { name, password, address: req.ip ?? 'unknown', client });

    res.cookie(sessionCookieName, session.secret, sessionCookieOptions(req));
    res.json({ user: session.user, csrfToken: session.csrfToken });
  });

  router.post('/auth/logout', noParameters, async (req, res) => {
    const secret = sessionSecretOf(req);
    if (secret) await logOut(pool, secret);
    res.clearCookie(sessionCookieName, { path: '/' });
    res.status(204).end();
  });

  router.get('/auth/session', ...readsJson, async (req, res) => {
    const principal = res.locals.principal;
    res.set('Cache-Control', 'no-store');
    if (!principal) {
      res.json({ user: null });
      return;
    }
    const secret = sessionSecretOf(req);
    const session =
      res.locals.authMethod === 'session' && secret ? await findSession(pool, secret) : undefined;
    const layers = listLayers();
    res.json({
      user: { name: principal.name, roles: principal.roles, kind: principal.kind },
      csrfToken: session?.csrfToken ?? null,
      expiresAt: session?.expiresAt ?? null,
      readableLayers: layers.filter((l) => canReadLayer(principal, l)).map((l) => l.id),
      editableLayers: layers.filter((l) => canEditLayer(principal, l)).map((l) => l.id),
    });
  });

  router.get('/auth/users', ...readsJson, async (_req, res) => {
    requireAdmin(res.locals.principal);
    res.json({ users: await listUsers(pool) });
  });

  router.post('/auth/users', noParameters, async (req, res) => {
    requireAdmin(res.locals.principal);
    const { name, password, roles } = bodyOf(req, ['name', 'password', 'roles']);
    if (typeof name !== 'string') throw badRequest('bad-user-name', 'name is required.');
    if (roles !== undefined && !Array.isArray(roles))
      throw badRequest('unknown-role', 'roles is a list.');
    const user = await createUser(pool, {
      name,
      password: String(password ?? ''),
      roles: Array.isArray(roles) ? roles : [],
    });
    res.status(201).json(user);
  });

  router.patch('/auth/users/:name', noParameters, async (req, res) => {
    requireAdmin(res.locals.principal);
    const { password, roles, disabled } = bodyOf(req, ['password', 'roles', 'disabled']);
    if (roles !== undefined && !Array.isArray(roles))
      throw badRequest('unknown-role', 'roles is a list.');
    // No name holds NUL (names are letters, digits and . - _); the lookup of one failed
    if (req.params.name.includes('\u0000')) {
      throw notFound('unknown-user', `No user named ${JSON.stringify(req.params.name)}.`);
    }
    const changes = {
      password,
      roles,
      disabled: optionalBoolean(disabled, 'disabled'),
    };
    res.json(await updateUser(pool, req.params.name, changes));
  });

  router.post('/auth/password', noParameters, async (req, res) => {
    const principal = res.locals.principal;
    requirePrincipal(principal);
    if (principal.kind !== 'user') throw badRequest('not-a-user', 'Tokens have no password.');
    const { currentPassword, newPassword } = bodyOf(req, ['currentPassword', 'newPassword']);
    const address = req.ip ?? 'unknown';
    // Re-checking the current password counts against the login limit like a login.
    await logIn(pool, {
      name: principal.name,
      password: currentPassword,
      address,
      client: 'password-change',
    });
    await updateUser(pool, principal.name, { password: newPassword });
    res.clearCookie(sessionCookieName, { path: '/' });
    res.status(204).end();
  });

  router.get('/auth/tokens', ...readsJson, async (_req, res) => {
    requireAdmin(res.locals.principal);
    res.json({ tokens: await listApiTokens(pool) });
  });

  router.post('/auth/tokens', noParameters, async (req, res) => {
    const principal = res.locals.principal;
    requireAdmin(principal);
    const members = ['name', 'roles', 'layerIds', 'write', 'withoutIfMatch'];
    const { name, roles, layerIds, write, withoutIfMatch } = bodyOf(req, members);
    optionalBoolean(write, 'write');
    const request = { name, roles, layerIds, write, withoutIfMatch };
    const token = await createApiToken(pool, request, principal!.name);
    res.status(201).json(token);
  });

  router.delete('/auth/tokens/:tokenId', noParameters, async (req, res) => {
    requireAdmin(res.locals.principal);
    res.json(await revokeApiToken(pool, parseTokenId(req.params.tokenId)));
  });

  return router;
}
