import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answer headers a script of another origin may read besides the CORS-safelisted ones. */
const exposedHeaders = [
  'ETag',
  'Location',
  'Content-Crs',
  'Content-Disposition',
  'Allow',
  'Accept-Patch',
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
].join(', ');

/**
 * Request headers a script of another origin may send: an API token, a body, its CRS and its
 * compression (a batch of thousands of features gzip-compressed), the preconditions of a
 * write. Not X-CSRF-Token: a session's writes stay with the web map's own origin, whose cookie
 * a browser does not send to an answer allowing every origin anyway.
 */
const allowedHeaders = [
  'Authorization',
  'Content-Type',
  'Content-Crs',
  'Content-Encoding',
  'If-Match',
  'If-None-Match',
];

const allowedMethods = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';

/**
 * CORS, so a web map or portal served from another origin (MapLibre, OpenLayers, a script)
 * can read the tiles, features and problems that any client may fetch, and write with an API
 * token: every answer allows every origin without credentials, and names the headers such a
 * script needs (ETag, Content-Crs, Location). Set on every answer, with or without Origin, so
 * a shared cache never hands a browser a copy without it. A preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here, before authentication and routing: it
 * carries no token, so a restricted layer's route would refuse it. True when it answered.
 * Not the `cors` package: it takes every OPTIONS for a preflight, where an OPTIONS without
 * Access-Control-Request-Method is a client asking a route what it allows (OGC API Features
 * Part 4 reads Allow from it).
 */
export function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', exposedHeaders);
  const preflight =
    req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (!preflight) return false;

  res.writeHead(204, {
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers': allowedHeaders.join(', '),
    'Access-Control-Max-Age': '3600',
  });
  res.end();
  return true;
}
