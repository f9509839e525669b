import type { AttributeDefinition, AttributeType, LayerDefinition } from '../../layers/index.js';
import { readDecimal } from '../../layers/validate-attributes.js';
import { config } from '../config.js';
import { findCode } from '../services/field-mapping.js';
import { isDate, isStorableText, isTimestamp } from '../cql2/literals.js';
import { parseFilter, type FilterLanguage } from '../cql2/parse-filter.js';
import { crs84, parseCrs, type CrsDefinition } from './crs.js';
import { badRequest } from './problem.js';
import { rejectUnknownParameters } from './query-parameters.js';

/** The maximum and default page sizes of `/items` (the maximum from ITEMS_MAX_LIMIT). */
export const itemsLimits = { default: 10, max: config.itemsMaxLimit } as const;

/** Most sort keys one `sortby` may name. */
export const maxSortKeys = 8;

/** One `sortby` key: an attribute name or `id`, ascending unless `descending`. */
export interface SortKey {
  name: string;
  descending: boolean;
}

/**
 * Parsed, validated parameters of an items request (Parts 1, 2 and 3). Every condition
 * (`filter`, `datetime`, queryables given as parameters) is a CQL2 JSON expression; they are
 * all combined with AND.
 */
export interface ItemsQuery {
  limit: number;
  /** Position of the page; with `after` it is only counted, not skipped. */
  offset: number;
  /** Continue after this feature id (keyset paging of the default order, set by next links). */
  after?: number;
  /** [minX, minY, maxX, maxY] in `bboxCrs` axis order; a 6-number bbox drops its heights. */
  bbox?: number[];
  bboxCrs: CrsDefinition;
  /** CRS of the returned geometries. */
  crs: CrsDefinition;
  conditions: unknown[];
  /** CRS of geometry literals in `filter`. */
  filterCrs: CrsDefinition;
  /** Attribute names to return; all when undefined. */
  properties?: string[];
  sortby: SortKey[];
}

/** Parameters of a single-item request. */
export interface ItemQuery {
  crs: CrsDefinition;
  properties?: string[];
}

type QueryValues = Record<string, unknown>;

const commonParameters = ['f', 'crs', 'properties'];
const itemsParameters = [
  ...commonParameters,
  'limit',
  'offset',
  'after',
  'bbox',
  'bbox-crs',
  'datetime',
  'filter',
  'filter-lang',
  'filter-crs',
  'sortby',
];

function single(query: QueryValues, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw badRequest('invalid-parameter', `Give ${name} once, as text.`);
  if (!isStorableText(value))
    throw badRequest('invalid-parameter', `${name} may not contain the NUL character.`);
  return value;
}

function parseInteger(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d{1,16}$/.test(text) || value < min || value > max) {
    throw badRequest(
      `invalid-${name}`,
      `${name} must be an integer from ${min} to ${max}; got "${text.slice(0, 40)}".`,
      { parameter: name, minimum: min, maximum: max },
    );
  }
  return value;
}

/**
 * `limit`: a whole number from 1. Above the maximum, the maximum: OGC API Features 1.0.1
 * (17-069r4, requirement 22 C) has a larger limit answered with the largest page, not refused.
 */
function parseLimit(text: string): number {
  // any number of digits: one above the maximum is read as it, however long
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    const largest = itemsLimits.max;
    throw badRequest(
      'invalid-limit',
      `limit must be a whole number from 1 (more than ${largest} reads as ${largest}); ` +
        `got "${text.slice(0, 40)}".`,
      { parameter: 'limit', minimum: 1, maximum: largest },
    );
  }
  return Math.min(Number(text), itemsLimits.max);
}

/** Parses `bbox`: 4 or 6 comma-separated finite numbers; the CRS checks the ranges. */
export function parseBbox(text: string): number[] {
  const numbers = text.split(',').map(readDecimal);
  const valid = (numbers.length === 4 || numbers.length === 6) && numbers.every(Number.isFinite);
  if (!valid) {
    throw badRequest(
      'invalid-bbox',
      `bbox must be 4 numbers (minX,minY,maxX,maxY) or 6 with heights; got "${text.slice(0, 80)}".`,
    );
  }
  return numbers.length === 4 ? numbers : [numbers[0]!, numbers[1]!, numbers[3]!, numbers[4]!];
}

function checkBboxRange(bbox: number[], crs: CrsDefinition) {
  const [a, b, c, d] = bbox as [number, number, number, number];
  const [x0, y0, x1, y1] = crs.latitudeFirst ? [b, a, d, c] : [a, b, c, d];
  const [ax0, ay0, ax1, ay1] = crs.validArea;
  const inside =
    [x0, x1].every((x) => x >= ax0 && x <= ax1) && [y0, y1].every((y) => y >= ay0 && y <= ay1);
  if (!inside || y0 > y1 || (crs.srid !== 4326 && x0 > x1)) {
    // the usual slip: longitude first, as in CRS84, for a CRS whose axes run the other way
    const order = crs.latitudeFirst
      ? ` ${crs.uri} takes latitude first (minLat,minLon,maxLat,maxLon); for longitude ` +
        'first, give no bbox-crs (CRS84).'
      : '';
    throw badRequest(
      'invalid-bbox',
      `bbox ${bbox.join(',')} is not a box in ${crs.uri}: min before max, ` +
        `eastings/longitudes ${ax0}..${ax1}, northings/latitudes ${ay0}..${ay1}.${order}`,
    );
  }
}

/**
 * Parses `bbox` in `crs` (CRS84 when not given) and checks it is a box there: min before max,
 * within the CRS's valid area. In CRS84 a west edge east of the east edge crosses the
 * antimeridian. Anything else is a 400 `invalid-bbox` saying what works.
 */
export function parseCheckedBbox(text: string, crs: CrsDefinition = crs84): number[] {
  const bbox = parseBbox(text);
  checkBboxRange(bbox, crs);
  return bbox;
}

function parseNames(text: string, layer: LayerDefinition, parameter: string): string[] {
  const declared = layer.attributes.map((a) => a.name);
  const names = text === '' ? [] : text.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !declared.includes(n));
  if (unknown.length > 0) {
    throw badRequest(
      `invalid-${parameter}`,
      `${parameter} names unknown attributes (${unknown.join(', ').slice(0, 200)}); ` +
        `${layer.id} has ${declared.join(', ')}.`,
    );
  }
  return names;
}

function parseSortby(text: string, layer: LayerDefinition): SortKey[] {
  const sortable = ['id', ...layer.attributes.map((a) => a.name)];
  const keys = text.split(',').map((part) => {
    const trimmed = part.trim();
    const descending = trimmed.startsWith('-');
    const name = trimmed.replace(/^[+-]/, '');
    if (!sortable.includes(name)) {
      throw badRequest(
        'invalid-sortby',
        `sortby keys are [+|-]name with a name from ${sortable.join(', ')}; got "${trimmed.slice(0, 60)}".`,
      );
    }
    return { name, descending };
  });
  if (keys.length > maxSortKeys)
    throw badRequest('invalid-sortby', `sortby takes at most ${maxSortKeys} keys.`);
  return keys;
}

/**
 * `datetime` (an instant, or an interval `start/end` with `..` or empty for an open end) as a
 * CQL2 condition on the layer's time attribute. Part 1 requires every items operation to take
 * the parameter, so on a layer without a time attribute it is checked and then ignored: none
 * of its features carries a time to compare. A date (the attribute's or the parameter's) met by
 * a timestamp is its whole UTC day, as the compiler reads T_INTERSECTS.
 */
export function datetimeCondition(text: string, layer: LayerDefinition): unknown {
  // GDAL 3.6 (Debian 12) writes a date compared in `-where` as `2024-06-01T`, its time left
  // out: read as that day, or ogrinfo and ogr2ogr stopped at the 400 of every such filter.
  const parts = text.split('/').map((part) => part.replace(/^(\d{4}-\d{2}-\d{2})T$/, '$1'));
  const isInstant = (p: string) => isDate(p) || isTimestamp(p);
  const valid =
    (parts.length === 1 && isInstant(parts[0]!)) ||
    (parts.length === 2 &&
      parts.every((p) => p === '' || p === '..' || isInstant(p)) &&
      parts.some(isInstant));
  if (!valid) {
    throw badRequest(
      'invalid-datetime',
      'datetime is an instant (2024-05-01 or 2024-05-01T08:00:00Z) or an interval start/end ' +
        `with ".." for an open end; got "${text.slice(0, 60)}".`,
    );
  }
  // A date ends at its day's last instant (UTC), as the filter reads it: an interval
  // 2024-06-22T10:00:00Z/2024-06-22 is the rest of that day. Date reads YYYY-MM-DD as its first.
  const lastMsOfDay = 24 * 3600 * 1000 - 1;
  const [start, end] = parts.map((part, i) => {
    if (!isInstant(part)) return NaN;
    return Date.parse(part) + (i === 1 && isDate(part) ? lastMsOfDay : 0);
  });
  if (start! > end!) {
    throw badRequest(
      'invalid-datetime',
      `datetime ${text.slice(0, 60)} ends before it starts; give the earlier instant first.`,
    );
  }
  if (!layer.timeAttribute) return undefined;
  const property = { property: layer.timeAttribute };
  if (parts.length === 1) return { op: 't_intersects', args: [property, parts[0]] };
  const bounds = parts.map((p) => (p === '' ? '..' : p));
  return { op: 't_intersects', args: [property, { interval: bounds }] };
}

/** How each attribute type reads a parameter's text, and what it expects (for the 400). */
const parameterReaders: Record<
  AttributeType,
  { expected: string; read: (text: string) => unknown | undefined }
> = {
  text: { expected: 'text', read: (text) => text },
  integer: {
    expected: 'an integer',
    read: (text) => (/^\s*[+-]?\d+(\.0*)?\s*$/.test(text) ? Number(text) : undefined),
  },
  number: {
    expected: 'a number',
    read: (text) => [readDecimal(text)].find(Number.isFinite),
  },
  boolean: {
    expected: 'true or false',
    read: (text) => (text === 'true' || text === 'false' ? text === 'true' : undefined),
  },
  date: {
    expected: 'a date (YYYY-MM-DD)',
    read: (text) => (isDate(text) ? { date: text } : undefined),
  },
  timestamp: {
    expected: 'an RFC 3339 timestamp',
    read: (text) => (isTimestamp(text) ? { timestamp: text } : undefined),
  },
};

/**
 * A queryable given as `?name=value` (an items parameter, an export's `attribute=value`):
 * equality as CQL2 JSON, the value read as the attribute's declared type (a coded one's label
 * read as its code). A value not of that type is a 400 `invalid-parameter` naming the
 * attribute, the value and the type expected.
 */
export function equalityCondition(attribute: AttributeDefinition, text: string): unknown {
  const { expected, read } = parameterReaders[attribute.type];
  // a label names its code (`status=Berfungsi`, either language), as in an import
  const value = read((attribute.domain && findCode(attribute, text)) ?? text);
  if (value === undefined) {
    throw badRequest(
      'invalid-parameter',
      `${attribute.name} is ${expected}; got "${text.slice(0, 80)}".`,
      { attribute: attribute.name, value: text.slice(0, 80), expected: attribute.type },
    );
  }
  // a code the domain lacks matched nothing, and an empty page read as "none there"
  const codes = attribute.domain?.map((coded) => coded.code);
  if (codes && !codes.includes(String(value))) {
    const listed = codes.length > 20 ? `${codes.slice(0, 20).join(', ')}, …` : codes.join(', ');
    throw badRequest(
      'invalid-parameter',
      `${attribute.name} takes one of its codes: ${listed}; got "${text.slice(0, 80)}".`,
      { attribute: attribute.name, value: text.slice(0, 80), expected: 'code', codes },
    );
  }
  return { op: '=', args: [{ property: attribute.name }, value] };
}

/** `filter-lang` as a filter language, cql2-text when not given; another name is a 400. */
export function parseFilterLanguage(language = 'cql2-text'): FilterLanguage {
  if (language !== 'cql2-text' && language !== 'cql2-json') {
    throw badRequest(
      'invalid-filter-lang',
      `filter-lang must be cql2-text or cql2-json; got "${language}".`,
    );
  }
  return language;
}

function parseFilterParameters(query: QueryValues): { condition?: unknown; crs: CrsDefinition } {
  const text = single(query, 'filter');
  const language = parseFilterLanguage(single(query, 'filter-lang'));
  const crsText = single(query, 'filter-crs');
  const crs = crsText === undefined ? crs84 : parseCrs(crsText, 'filter-crs');
  if (text === undefined) return { crs };
  return { condition: parseFilter(text, language), crs };
}

/** The conditions of `filter`, `datetime` and queryables given as parameters, as CQL2 JSON. */
function parseConditions(query: QueryValues, layer: LayerDefinition) {
  const filter = parseFilterParameters(query);
  const conditions: unknown[] = filter.condition === undefined ? [] : [filter.condition];

  const datetimeText = single(query, 'datetime');
  const datetime = datetimeText === undefined ? undefined : datetimeCondition(datetimeText, layer);
  if (datetime !== undefined) conditions.push(datetime);

  for (const attribute of layer.attributes) {
    const text = single(query, attribute.name);
    if (text !== undefined) conditions.push(equalityCondition(attribute, text));
  }
  return { conditions, filterCrs: filter.crs };
}

function parseBboxParameters(query: QueryValues) {
  const bboxText = single(query, 'bbox');
  const bboxCrsText = single(query, 'bbox-crs');
  const bboxCrs = bboxCrsText === undefined ? crs84 : parseCrs(bboxCrsText, 'bbox-crs');
  const bbox = bboxText === undefined ? undefined : parseCheckedBbox(bboxText, bboxCrs);
  return { bbox, bboxCrs };
}

/** Parses an items request; anything malformed or unknown is a 400 that says what works. */
export function parseItemsQuery(query: QueryValues, layer: LayerDefinition): ItemsQuery {
  rejectUnknownParameters(query, [...itemsParameters, ...layer.attributes.map((a) => a.name)]);
  const limitText = single(query, 'limit');
  const offsetText = single(query, 'offset');
  const sortbyText = single(query, 'sortby');
  const afterText = single(query, 'after');
  if (afterText !== undefined && sortbyText !== undefined)
    throw badRequest('invalid-after', 'after continues the default order; with sortby use offset.');

  return {
    ...parseOutputParameters(query, layer),
    ...parseBboxParameters(query),
    ...parseConditions(query, layer),
    limit: limitText === undefined ? itemsLimits.default : parseLimit(limitText),
    offset: offsetText === undefined ? 0 : parseInteger(offsetText, 'offset', 0, 1e15),
    after: afterText === undefined ? undefined : parseInteger(afterText, 'after', 0, 1e15),
    sortby: sortbyText === undefined ? [] : parseSortby(sortbyText, layer),
  };
}

/** `crs` and `properties`: how the features are written, for items and single items alike. */
function parseOutputParameters(query: QueryValues, layer: LayerDefinition): ItemQuery {
  const crsText = single(query, 'crs');
  const propertiesText = single(query, 'properties');
  return {
    crs: crsText === undefined ? crs84 : parseCrs(crsText, 'crs'),
    properties:
      propertiesText === undefined ? undefined : parseNames(propertiesText, layer, 'properties'),
  };
}

/** Parses a single-item request: `crs`, `properties` and `f`. */
export function parseItemQuery(query: QueryValues, layer: LayerDefinition): ItemQuery {
  rejectUnknownParameters(query, commonParameters);
  return parseOutputParameters(query, layer);
}

/** A feature id from a path segment: a positive integer, else 404 (no such feature). */
export function parseFeatureId(text: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined;
}
