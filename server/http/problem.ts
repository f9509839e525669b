import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnreachable } from '../db/unreachable.js';
import { log } from '../log.js';
import { prefersHtmlProblem, renderProblemPage } from './problem-page.js';
import { countNoun } from '../counted-noun.js';

/** One field-level error in a validation problem, so a form can show it beside its input. */
export interface FieldError {
  field: string;
  message: string;
  /** Stable code of the rule broken (`required`, `not-in-domain`…), for translated messages. */
  code?: string;
  /** Index of the feature in a batch or the row number of an import. */
  index?: number;
}

/**
 * An error that is an HTTP answer: services throw it, the error handler renders it as RFC 9457
 * problem details. `type` is a stable slug under `/problems/`.
 */
export class HttpProblem extends Error {
  /** Headers sent with the problem (`Retry-After`, `WWW-Authenticate`, `Allow`). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** 400 for input the caller can fix; `detail` says what would work. */
export function badRequest(type: string, detail: string, extra?: Record<string, unknown>) {
  return new HttpProblem(400, type, 'Invalid request', detail, extra);
}

/**
 * 501 for a format read or written through GDAL on a server without it: a lack of the server
 * that no retry lifts, where another format, or installing GDAL, does.
 */
export function gdalMissing(detail: string, extra?: Record<string, unknown>) {
  return new HttpProblem(501, 'gdal-missing', 'GDAL not installed', detail, extra);
}

/** 404 for a collection, feature or tile that does not exist. */
export function notFound(type: string, detail: string) {
  return new HttpProblem(404, type, 'Not found', detail);
}

function problemBody(problem: HttpProblem, req: Request) {
  return {
    type: `/problems/${problem.type}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: req.originalUrl,
    requestId: String(req.id ?? ''),
    ...problem.extra,
  };
}

function isMalformedBody(error: unknown): error is { status: number; type: string } {
  const e = error as { status?: number; type?: string };
  return e?.status !== undefined && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return countNoun(bytes, 'byte');
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A body past the parser's limit: its declared size and the limit. A body of no declared size
 * (chunked, or compressed: the limit applies once decompressed) was read only up to the limit;
 * that count was given as its size, so a gzip body of 200 MB "held 20.0 MB" of a 20 MB limit.
 */
function tooLargeDetail(error: object, compressed: boolean): string {
  const { length, limit } = error as Record<string, unknown>;
  if (typeof limit !== 'number') return 'The body is larger than this request takes.';
  const held =
    typeof length === 'number' && !compressed
      ? `holds ${formatBytes(length)}`
      : `runs past ${formatBytes(limit)}${compressed ? ' once decompressed' : ''}`;
  return `The body ${held}; this request takes at most ${formatBytes(limit)}.`;
}

/**
 * What is wrong with a body the JSON parser refused. It takes objects and arrays only, and
 * words its refusal of valid JSON such as `null` or `42` as a syntax error; say what it is.
 */
function bodyErrorDetail(error: { type: string; body?: unknown }, req: Request): string {
  const message = (error as unknown as Error).message;
  if (error.type === 'entity.too.large') {
    const encoding = req.get('content-encoding')?.trim().toLowerCase();
    return tooLargeDetail(error, Boolean(encoding) && encoding !== 'identity');
  }
  if (error.type !== 'entity.parse.failed' || typeof error.body !== 'string') return message;
  try {
    const value: unknown = JSON.parse(error.body);
    const kind = value === null ? 'null' : typeof value;
    return `The body must be a JSON object or array, not ${kind}.`;
  } catch {
    return message;
  }
}

/**
 * A body whose Content-Encoding (gzip, deflate, br) does not decompress: the body parser passes
 * zlib's error on with status 400 but, unlike its own errors, without a `type`.
 */
function isUndecodableBody(error: unknown): error is Error {
  const { status, code } = (error ?? {}) as { status?: unknown; code?: unknown };
  // zlib's codes (gzip, deflate) begin Z_, the Brotli decoder's ERR__ERROR_
  return status === 400 && typeof code === 'string' && /^(Z_|ERR__ERROR_)/.test(code);
}

/** 503 while the database does not answer: nothing the caller did, and worth retrying. */
export function databaseUnavailable(): HttpProblem {
  const problem = new HttpProblem(
    503,
    'database-unavailable',
    'Database unavailable',
    'The database does not answer; try again in a moment. Quote the requestId if it lasts.',
  );
  problem.headers['Retry-After'] = '5';
  return problem;
}

/** Normalises anything thrown into a problem; unknown errors become a generic 500. */
function toProblem(error: unknown, req: Request): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isUndecodableBody(error)) {
    const encoding = req.get('content-encoding');
    const detail = `The body is not valid Content-Encoding ${encoding} data (${error.message}).`;
    return new HttpProblem(400, 'body-encoding-invalid', 'Unreadable request body', detail);
  }
  if (isMalformedBody(error)) {
    // body-parser errors: malformed JSON (400), body too large (413), bad charset (415)
    return new HttpProblem(
      error.status,
      `body-${error.type.replace(/\./g, '-')}`,
      'Unreadable request body',
      bodyErrorDetail(error, req),
    );
  }
  if (error instanceof URIError) {
    // the router could not decode a path segment such as %FF or a bare %
    return badRequest('invalid-path', 'The path holds a percent-escape that is not valid UTF-8.');
  }
  if (isDatabaseUnreachable(error)) return databaseUnavailable();
  return new HttpProblem(
    500,
    'internal',
    'Internal server error',
    'The server failed to answer; quote the requestId when reporting it.',
  );
}

/** The one place errors become HTTP answers. Causes of 5xx go to the log, never to the client. */
export function sendProblem(error: unknown, req: Request, res: Response, _next: NextFunction) {
  const problem = toProblem(error, req);
  const logger = req.log ?? log;
  if (problem.status >= 500) logger.error({ err: error }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.set(problem.headers);
  res.vary('Accept');
  const body = problemBody(problem, req);
  if (prefersHtmlProblem(req)) {
    const page = renderProblemPage({ ...problem, requestId: body.requestId });
    res.status(problem.status).type('text/html').send(page);
    return;
  }
  res.status(problem.status).type('application/problem+json').json(body);
}
