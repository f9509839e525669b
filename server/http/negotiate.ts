import type { NextFunction, Request, Response } from 'express';
import { badRequest, HttpProblem } from './problem.js';

/** The representation a client asked for. */
export type Representation = 'json' | 'html';

/** The JSON media types every JSON answer satisfies; a route adds its own (schema, OpenAPI). */
export const jsonMediaTypes = ['application/json', 'application/geo+json'] as const;

/**
 * 406 for an Accept header that names nothing a route serves, listing what it does serve
 * (in `detail` and as `available`), rather than JSON the client said it cannot use.
 */
export function notAcceptable<Params>(
  req: Request<Params>,
  available: readonly string[],
): HttpProblem {
  const asked = (req.get('accept') ?? '').slice(0, 120);
  const detail =
    `Accept: ${asked} names nothing ${req.path.slice(0, 120)} serves; ` +
    `it serves ${available.join(', ')}.`;
  return new HttpProblem(406, 'not-acceptable', 'Not acceptable', detail, { available });
}

/** A `charset=utf-8` parameter of a media range, with the spaces before it. */
const utf8Charset = /\s*;\s*charset\s*=\s*"?utf-?8"?(?=\s*(?:[;,]|$))/gi;

/**
 * Drops `charset=utf-8` from the media ranges of the Accept header: every answer is UTF-8,
 * but Express's negotiation matches a range's parameters exactly, so the
 * `application/json; charset=utf-8` that many HTTP libraries send was a 406 everywhere.
 * Another charset is kept, and still refused.
 */
export function acceptUtf8AsSent(req: Request, _res: Response, next: NextFunction) {
  const accept = req.headers.accept;
  if (accept && /charset/i.test(accept)) {
    req.headers.accept = accept.replace(utf8Charset, '');
  }
  next();
}

/**
 * Says that the answer depends on the Accept header (RFC 9110 12.5.5), so that a shared or
 * browser cache holding one representation of the URL does not hand it to a client that
 * asked for another (the HTML page for JSON, a PDF for JSON, a 406 for either).
 */
function variesByAccept(req: Request<unknown>) {
  req.res?.vary('Accept');
}

/**
 * The one check of the Accept header: passes when it takes one of `available`, and when it is
 * missing or empty, or takes every type (the wildcard browsers send at a lower q); else 406.
 */
export function requireAcceptable<Params>(
  req: Request<Params>,
  available: readonly string[],
): void {
  variesByAccept(req as Request<unknown>);
  if (!req.get('accept')?.trim()) return;
  if (req.accepts([...available]) === false) throw notAcceptable(req, available);
}

/**
 * `f=json|html` wins; otherwise the Accept header decides, and a client that states no
 * preference gets JSON (browsers always ask for text/html first). An Accept header taking
 * neither is a 406; `jsonTypes` are the route's own JSON media types (schema, OpenAPI).
 */
export function chooseRepresentation(
  req: Request,
  jsonTypes: readonly string[] = [],
): Representation {
  const f = req.query.f;
  if (f !== undefined) {
    if (f === 'json' || f === 'geojson') return 'json';
    if (f === 'html') return 'html';
    throw badRequest('invalid-format', `f must be json or html; got "${String(f)}".`);
  }
  variesByAccept(req);
  if (acceptsHtmlFirst(req)) return 'html';
  requireAcceptable(req, [...jsonMediaTypes, ...jsonTypes, 'text/html']);
  return 'json';
}

/**
 * A route answering JSON only: `f` may be `json` (or left out), and the Accept header must
 * take JSON or one of the route's own `jsonTypes`; else 400 or 406 before the route works.
 */
export function answersJson(...jsonTypes: string[]) {
  const available = [...jsonMediaTypes, ...jsonTypes];
  return <Params>(req: Request<Params>, _res: Response, next: NextFunction) => {
    const f = req.query.f;
    if (f !== undefined && f !== 'json') {
      throw badRequest('invalid-format', `f must be json here; got "${String(f)}".`);
    }
    requireAcceptable(req, available);
    next();
  };
}

/** True when the Accept header names text/html and prefers it to JSON (a browser navigating). */
export function acceptsHtmlFirst(req: Request): boolean {
  const best = req.accepts(['application/json', 'application/geo+json', 'text/html']);
  return best === 'text/html' && Boolean(req.get('accept')?.includes('text/html'));
}

// A host name, IPv4 or bracketed IPv6 address, with an optional port; nothing else.
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The absolute base URL of this server as the client reached it, without a trailing slash.
 * Links are built from the Host header, or the X-Forwarded-Host and X-Forwarded-Proto of a
 * proxy that TRUSTED_PROXIES names (Express's `req.host` and `req.protocol`), so both are
 * checked: a link must never carry a scheme other than http(s) or a host with other
 * characters (a shared cache would hand such a link to every client).
 */
export function baseUrl(req: Request): string {
  const protocol = req.protocol === 'https' ? 'https' : 'http';
  const host = req.host ?? '';
  if (!hostPattern.test(host)) {
    throw badRequest('invalid-host', 'The Host header must be a host name with an optional port.');
  }
  return `${protocol}://${host}`;
}

/** An absolute URL with some query parameters replaced (undefined removes one). */
export function changeUrl(href: string, changes: Record<string, string | undefined>): string {
  const url = new URL(href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url.toString();
}

/** The request's own URL with some query parameters replaced (undefined removes one). */
export function urlWith(req: Request, changes: Record<string, string | undefined>): string {
  return changeUrl(new URL(req.originalUrl, baseUrl(req)).toString(), changes);
}
