import { timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from 'express';
import { config } from '../config.js';
import type { Principal } from '../services/access.js';
import { findSession, principalFromToken } from '../services/account-service.js';
import type pg from 'pg';
import { HttpProblem } from './problem.js';

declare module 'express-serve-static-core' {
  interface Locals {
    /** Who is asking; undefined for an anonymous visitor. */
    principal?: Principal;
    /** How the principal was recognised. */
    authMethod?: 'session' | 'token';
  }
}

/** Name of the session cookie; its value is a random secret stored only as a hash. */
export const sessionCookieName = 'simpul_session';

/** Header carrying the session's CSRF token on writes made with the session cookie. */
export const csrfHeaderName = 'X-CSRF-Token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session cookie's secret, or undefined. cookie-parser reads a value starting with `j:` as
 * JSON (`j:1` a number, `j:[]` a list): such a cookie holds no secret, as no cookie does.
 */
export function sessionSecretOf(req: Request): string | undefined {
  const value: unknown = req.cookies?.[sessionCookieName];
  return typeof value === 'string' ? value : undefined;
}

/** Cookie attributes: HttpOnly, SameSite=Lax, and Secure over https or when configured. */
export function sessionCookieOptions(req: Request): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.sessionCookieSecure || req.secure,
    path: '/',
    maxAge: config.sessionTtlHours * 3600 * 1000,
  };
}

function forbidden(type: string, detail: string) {
  return new HttpProblem(403, type, 'Forbidden', detail);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Refuses a cross-site write: the `Origin` header, when a browser sends one, must be this
 * server's own. Applies to cookie-authenticated writes and to the login itself. An opaque
 * origin (`null`: a sandboxed frame, a file page) is no origin of this server's either.
 */
export function checkSameOrigin(req: Request) {
  const origin = req.get('origin');
  if (!origin) return;
  // the host a trusted proxy forwards (TRUSTED_PROXIES), as the API's links name it
  const host = req.host;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (originHost !== host) {
    throw forbidden('cross-site-request', `Requests from ${origin} may not write here.`);
  }
}

function checkCsrf(req: Request, expected: string) {
  checkSameOrigin(req);
  const sent = req.get(csrfHeaderName) ?? '';
  if (!sameText(sent, expected)) {
    const detail =
      `A write with the session cookie needs the ${csrfHeaderName} header; ` +
      'read the token from GET /auth/session.';
    throw forbidden('csrf-token-missing', detail);
  }
}

async function recognise(db: Pick<pg.Pool, 'query'>, req: Request, res: Response) {
  const authorization = req.get('authorization');
  if (authorization) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!bearer) {
      const problem = new HttpProblem(
        401,
        'bad-authorization',
        'Unauthorized',
        'Send an API token as "Authorization: Bearer <token>".',
      );
      problem.headers['WWW-Authenticate'] = 'Bearer';
      throw problem;
    }
    res.locals.principal = await principalFromToken(db, bearer[1]!);
    res.locals.authMethod = 'token';
    return;
  }
  const secret = sessionSecretOf(req);
  if (!secret) return;

  const session = await findSession(db, secret);
  if (!session) {
    res.clearCookie(sessionCookieName, { path: '/' });
    return;
  }
  // The login checks its Origin itself; a stale session must not block logging in again.
  const needsCsrf = !safeMethods.has(req.method) && req.path !== '/auth/login';
  if (needsCsrf) checkCsrf(req, session.csrfToken);
  res.locals.principal = session.principal;
  res.locals.authMethod = 'session';
}

/**
 * Sets `res.locals.principal` from an `Authorization: Bearer` API token or the session
 * cookie; neither leaves it undefined (a visitor). A bad token is a 401, never a visitor;
 * a cookie-authenticated write without the session's CSRF token is a 403.
 */
export function authenticate(db: Pick<pg.Pool, 'query'>): RequestHandler[] {
  const identify = (req: Request, res: Response, next: NextFunction) => {
    recognise(db, req, res).then(() => next(), next);
  };
  return [cookieParser(), identify];
}
