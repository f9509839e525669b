import { badRequest } from './problem.js';

/** The maximum and default page sizes of `/items`. */
export const itemsLimits = { default: 10, max: 10000 } as const;

/** Parsed, validated parameters of an items request (Part 1 core). */
export interface ItemsQuery {
  /** [minLon, minLat, maxLon, maxLat] in CRS84; a 6-number bbox drops its heights. */
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

type QueryValues = Record<string, unknown>;

function single(query: QueryValues, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw badRequest('invalid-parameter', `Give ${name} once, as text.`);
  return value;
}

function parseInteger(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw badRequest(
      `invalid-${name}`,
      `${name} must be an integer from ${min} to ${max}; got "${text}".`,
    );
  }
  return value;
}

/** Parses `bbox`: 4 or 6 comma-separated numbers, min before max, latitudes within ±90. */
export function parseBbox(text: string): [number, number, number, number] {
  const numbers = text.split(',').map((part) => Number(part.trim()));
  const valid = (numbers.length === 4 || numbers.length === 6) && numbers.every(Number.isFinite);
  if (!valid) {
    throw badRequest(
      'invalid-bbox',
      `bbox must be 4 numbers (minLon,minLat,maxLon,maxLat) or 6 with heights; got "${text}".`,
    );
  }
  const [x0, y0, x1, y1] =
    numbers.length === 4 ? numbers : [numbers[0], numbers[1], numbers[3], numbers[4]];
  if (y0! > y1! || Math.abs(y0!) > 90 || Math.abs(y1!) > 90) {
    throw badRequest(
      'invalid-bbox',
      `bbox latitudes must be within ±90 with min ≤ max; got "${text}".`,
    );
  }
  return [x0!, y0!, x1!, y1!];
}

/** Parses the core parameters of `/items`; anything malformed is a 400 that says what works. */
export function parseItemsQuery(query: QueryValues): ItemsQuery {
  const limitText = single(query, 'limit');
  const offsetText = single(query, 'offset');
  const bboxText = single(query, 'bbox');
  return {
    limit:
      limitText === undefined
        ? itemsLimits.default
        : parseInteger(limitText, 'limit', 1, itemsLimits.max),
    offset:
      offsetText === undefined ? 0 : parseInteger(offsetText, 'offset', 0, Number.MAX_SAFE_INTEGER),
    bbox: bboxText === undefined ? undefined : parseBbox(bboxText),
  };
}

/** A feature id from a path segment: a positive integer, else 404 (no such feature). */
export function parseFeatureId(text: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined;
}
