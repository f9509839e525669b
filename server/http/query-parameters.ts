import type { NextFunction, Request, Response } from 'express';
import { badRequest } from './problem.js';

/**
 * Refuses query parameters a request does not take, which it would otherwise ignore: a
 * misspelt `limt` or `bbx` then answered as if it had not been sent. The 400 names them and
 * lists the accepted ones, in `detail` and as `accepted`.
 */
export function rejectUnknownParameters(
  query: Record<string, unknown>,
  accepted: readonly string[],
): void {
  const unknown = Object.keys(query).filter((name) => !accepted.includes(name));
  if (unknown.length === 0) return;

  const quoted = unknown.map((name) => `"${name.slice(0, 40)}"`).join(', ');
  const names = accepted.join(', ');
  const takes = names ? `takes ${names}` : 'takes no query parameters';
  const detail = `Unknown query parameter ${quoted.slice(0, 200)}. This request ${takes}.`;
  throw badRequest('unknown-parameter', detail, { accepted });
}

/** A route's middleware refusing every query parameter but `accepted` (see above). */
export function takesParameters(...accepted: string[]) {
  return <Params>(req: Request<Params>, _res: Response, next: NextFunction) => {
    rejectUnknownParameters(req.query, accepted);
    next();
  };
}

/** Past this an offset loses integer precision on its way to the database. */
const maxOffset = Number.MAX_SAFE_INTEGER;

/**
 * A parameter or path segment in decimal digits as a number, `fallback` when not given;
 * `1e2`, `0x10`, ` 5`, an empty value or a repeat are NaN.
 */
export function decimalDigits(value: unknown, fallback = NaN): number {
  if (value === undefined) return fallback;
  return typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
}

/**
 * `limit` and `offset` of a paged list that is not a feature API page (histories, records,
 * rejected rows): `limit` 1 to `maxLimit`, `defaultLimit` when not given, `offset` 0 or more.
 * Anything else is a 400 `bad-limit` or `bad-offset` saying what works, never a quiet default.
 */
export function parsePageParameters(
  query: Record<string, unknown>,
  defaultLimit = 100,
  maxLimit = 1000,
): { limit: number; offset: number } {
  const limit = decimalDigits(query.limit, defaultLimit);
  const offset = decimalDigits(query.offset, 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw badRequest('bad-limit', `limit must be an integer from 1 to ${maxLimit}.`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) {
    throw badRequest('bad-offset', `offset must be an integer from 0 to ${maxOffset}.`);
  }
  return { limit, offset };
}
