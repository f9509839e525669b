import type { Request } from 'express';
import { badRequest } from './problem.js';

/** The representation a client asked for. */
export type Representation = 'json' | 'html';

/**
 * `f=json|html` wins; otherwise the Accept header decides, and a client that states no
 * preference gets JSON (browsers always ask for text/html first).
 */
export function chooseRepresentation(req: Request): Representation {
  const f = req.query.f;
  if (f !== undefined) {
    if (f === 'json' || f === 'geojson') return 'json';
    if (f === 'html') return 'html';
    throw badRequest('invalid-format', `f must be json or html; got "${String(f)}".`);
  }
  return acceptsHtmlFirst(req) ? 'html' : 'json';
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
 * Links are built from the Host and X-Forwarded-Proto headers, so both are checked: a link
 * must never carry a scheme other than http(s) or a host with other characters (a shared
 * cache would hand such a link to every client).
 */
export function baseUrl(req: Request): string {
  const protocol = req.protocol === 'https' ? 'https' : 'http';
  const host = req.get('host') ?? '';
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
