/**
 * Attribute rules of a layer declaration, checked the same way by the server (API writes and
 * imports) and by the web edit form. Pure: no server or browser imports, so both can use it.
 */
import type { AttributeDefinition, AttributeRule, LayerDefinition } from './types.js';

/** A layer or a record table: what attribute checks read of a declaration. */
export type AttributeHolder = Pick<LayerDefinition, 'id' | 'attributes' | 'attributeRules'>;

/** Stable codes of attribute and geometry problems, for clients that translate messages. */
export type ProblemCode =
  | 'unknown-attribute'
  | 'read-only'
  | 'required'
  | 'wrong-type'
  | 'not-in-domain'
  | 'below-minimum'
  | 'above-maximum'
  | 'too-long'
  | 'nul-character'
  | 'unpaired-surrogate'
  | 'in-the-future'
  | 'above-other'
  | 'not-below-other'
  | 'not-unique'
  | 'geometry-missing'
  | 'geometry-malformed'
  | 'geometry-unreadable'
  | 'geometry-wrong-type'
  | 'geometry-has-z'
  | 'geometry-out-of-range'
  | 'geometry-invalid'
  | 'geometry-outside-regency'
  | 'geometry-too-complex';

/** One problem of one feature: the field (`geometry` or an attribute name) and why. */
export interface FeatureProblem {
  field: string;
  code: ProblemCode;
  /** English sentence saying what would be accepted. */
  message: string;
  /** For a rule across two attributes: the other attribute, which `message` names too. */
  otherField?: string;
  /**
   * For `geometry-outside-regency`: how far the geometry reaches outside the regency and how
   * far it may, in metres, so that a client can say it in its own language.
   */
  outsideM?: number;
  toleranceM?: number;
  /** For `geometry-invalid`: what PostGIS says is wrong and where (`Self-intersection[x y]`). */
  invalidReason?: string;
}

/**
 * How the properties are meant: `create` and `replace` send the whole feature, so required
 * attributes must be present; `patch` sends only changes (RFC 7396: `null` unsets).
 */
export type WriteMode = 'create' | 'replace' | 'patch';

/** What to do with a property the layer does not declare. Default `reject`. */
export type UnknownAttributePolicy = 'reject' | 'ignore';

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function isCalendarDay(text: string): boolean {
  const match = isoDate.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const typeChecks: Record<AttributeDefinition['type'], (value: unknown) => boolean> = {
  text: (value) => typeof value === 'string',
  integer: (value) => Number.isSafeInteger(value),
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
  date: (value) => typeof value === 'string' && isCalendarDay(value),
  // Date.parse reads 2024-02-30T08:00Z as March 1; PostgreSQL refuses it, failing the edit
  timestamp: (value) =>
    typeof value === 'string' &&
    isoTimestamp.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    isCalendarDay(value.slice(0, 10)),
};

const typeDescriptions: Record<AttributeDefinition['type'], string> = {
  text: 'a text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date as YYYY-MM-DD',
  timestamp: 'an ISO 8601 timestamp with time zone, e.g. 2024-05-01T08:30:00+07:00',
};

/** The whole numbers an `integer` column (PostgreSQL `integer`, 32 bits) stores. */
const integerColumnRange = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/**
 * The range a numeric attribute accepts: its declared `min` and `max`, narrowed to what its
 * column stores (an `integer` holds -2147483648 to 2147483647; a `number`, a double, holds
 * every finite number, so only its declared limits count). Undefined where nothing limits it.
 */
export function acceptedRange(
  attribute: Partial<Pick<AttributeDefinition, 'type' | 'min' | 'max'>>,
) {
  if (attribute.type !== 'integer') return { min: attribute.min, max: attribute.max };
  return {
    min: Math.max(attribute.min ?? integerColumnRange.min, integerColumnRange.min),
    max: Math.min(attribute.max ?? integerColumnRange.max, integerColumnRange.max),
  };
}

/**
 * Longest value, in characters, of a text attribute that declares no `maxLength`: beyond any
 * name, source or remark (the longest seeded value has under 100), yet it keeps one value
 * from filling megabytes, which the body limit of a write alone allowed. Checked by edits and
 * imports, and by a CHECK constraint of each table for other writers, added NOT VALID on a
 * table holding a longer value stored before (see `textLimitStatements`).
 */
export const defaultTextMaxLength = 4000;

/** The longest text an attribute accepts: its `maxLength`, else the default of text ones. */
export function textMaxLength(
  attribute: Partial<Pick<AttributeDefinition, 'type' | 'maxLength'>>,
): number | undefined {
  if (attribute.maxLength !== undefined) return attribute.maxLength;
  return attribute.type === 'text' ? defaultTextMaxLength : undefined;
}

function tooLongMessage(attribute: AttributeDefinition, length: number, maxLength: number) {
  const limit = `${attribute.name} must be at most ${maxLength} characters long`;
  if (attribute.maxLength !== undefined) return `${limit}.`;
  return `${limit}, the limit of text attributes that declare none; it has ${length}.`;
}

/** True when the value counts as absent: null, undefined, or text of spaces only. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && !value.trim());
}

function problem(field: string, code: ProblemCode, message: string): FeatureProblem {
  return { field, code, message };
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const unpairedSurrogate = new RegExp(
  '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
);

/** The problems of one present value against its attribute's type, domain, range and length. */
export function checkAttributeValue(
  attribute: AttributeDefinition,
  value: unknown,
): FeatureProblem[] {
  const name = attribute.name;
  if (!typeChecks[attribute.type](value)) {
    // JSON reads a number past the double range (1e400) as Infinity
    const got = value === null ? 'null' : typeof value === 'number' ? value : typeof value;
    const expected = typeDescriptions[attribute.type];
    return [problem(name, 'wrong-type', `${name} must be ${expected}; got ${got}.`)];
  }
  // PostgreSQL text cannot hold U+0000: stored, it would fail the whole statement
  if (typeof value === 'string' && value.includes('\u0000')) {
    const message = `${name} must not contain the NUL character (U+0000).`;
    return [problem(name, 'nul-character', message)];
  }
  // Half of a character, as text cut by UTF-16 units mid-emoji: stored, it would become U+FFFD
  if (typeof value === 'string' && unpairedSurrogate.test(value)) {
    const message =
      `${name} holds half of a character (an unpaired UTF-16 surrogate, as where text was ` +
      'cut inside an emoji); send the whole character or leave it out.';
    return [problem(name, 'unpaired-surrogate', message)];
  }
  const problems: FeatureProblem[] = [];

  if (attribute.domain && !attribute.domain.some((coded) => coded.code === value)) {
    const codes = attribute.domain.map((coded) => coded.code).join(', ');
    problems.push(problem(name, 'not-in-domain', `${name} must be one of: ${codes}.`));
  }
  const { min, max } = acceptedRange(attribute);
  if (typeof value === 'number' && min !== undefined && value < min) {
    problems.push(problem(name, 'below-minimum', `${name} must be at least ${min}.`));
  }
  if (typeof value === 'number' && max !== undefined && value > max) {
    problems.push(problem(name, 'above-maximum', `${name} must be at most ${max}.`));
  }
  const maxLength = textMaxLength(attribute);
  if (typeof value === 'string' && maxLength !== undefined && value.length > maxLength) {
    problems.push(problem(name, 'too-long', tooLongMessage(attribute, value.length, maxLength)));
  }
  return problems;
}

function requiredProblem(attribute: AttributeDefinition): FeatureProblem {
  const name = attribute.name;
  return problem(name, 'required', `${name} is required.`);
}

function unknownProblems(layer: AttributeHolder, properties: Record<string, unknown>) {
  const declared = new Set(layer.attributes.map((a) => a.name));
  const known = layer.attributes.filter((a) => !a.computed).map((a) => a.name);
  return Object.keys(properties)
    .filter((key) => !declared.has(key))
    .map((key) => {
      const message = `${layer.id} has no attribute ${key}; known attributes: ${known.join(', ')}.`;
      return problem(key, 'unknown-attribute', message);
    });
}

/** A value as a number to compare: dates and timestamps by their instant. */
function comparable(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? undefined : instant;
}

function ruleProblem(rule: AttributeRule, value: unknown, otherValue: unknown): FeatureProblem {
  const { attribute, other } = rule;
  const values = `got ${String(value)} and ${String(otherValue)}`;
  if (rule.comparison === '<') {
    const message = `${attribute} must be less than ${other}; ${values}.`;
    return { field: attribute, code: 'not-below-other', message, otherField: other };
  }
  const message = `${attribute} must not be greater than ${other}; ${values}.`;
  return { field: attribute, code: 'above-other', message, otherField: other };
}

/** Whether a value sent is the one stored: the same number, day or instant, or both empty. */
function isSameValue(sent: unknown, stored: unknown): boolean {
  if (isBlank(sent) || isBlank(stored)) return isBlank(sent) && isBlank(stored);
  const value = comparable(sent);
  return value !== undefined && value === comparable(stored);
}

/**
 * The rules across two attributes (`attributeRules`) that `values` break: one problem per
 * rule, on its first attribute, naming both. A rule with an empty or unreadable value is not
 * checked (the type check reports the unreadable one). For a patch, pass the merged values.
 * `stored` holds an edited feature's values as stored: a rule whose two values the edit
 * leaves as they are is not checked, so a feature saved before the rule existed can still be
 * edited in its other attributes (the table's trigger lets it through the same way).
 */
export function checkAttributeRules(
  layer: Pick<AttributeHolder, 'attributeRules'>,
  values: Record<string, unknown>,
  stored?: Record<string, unknown>,
): FeatureProblem[] {
  const problems: FeatureProblem[] = [];
  for (const rule of layer.attributeRules ?? []) {
    const names = [rule.attribute, rule.other];
    if (stored && names.every((name) => isSameValue(values[name], stored[name]))) continue;
    const value = comparable(values[rule.attribute]);
    const otherValue = comparable(values[rule.other]);
    if (value === undefined || otherValue === undefined) continue;

    const holds = rule.comparison === '<' ? value < otherValue : value <= otherValue;
    if (!holds) problems.push(ruleProblem(rule, values[rule.attribute], values[rule.other]));
  }
  return problems;
}

const computedFrom: Record<NonNullable<AttributeDefinition['computed']>, string> = {
  length_m: 'computed from the geometry',
  area_ha: 'computed from the geometry',
  latest_record: "copied from the feature's newest record",
};

/**
 * The problem of a value sent for a computed attribute, which no client may write; `stored`
 * (for an edit of a stored feature) is named as the value that may be sent back.
 */
export function readOnlyProblem(
  attribute: AttributeDefinition,
  stored?: { value: unknown },
): FeatureProblem {
  const name = attribute.name;
  const source = computedFrom[attribute.computed!];
  const storedText = stored && (isBlank(stored.value) ? 'empty' : String(stored.value));
  const sentBack = stored ? ` or send it as stored (${storedText})` : '';
  const message = `${name} is read-only: it is ${source}; leave it out of the request${sentBack}.`;
  return problem(name, 'read-only', message);
}

/**
 * Values sent for computed attributes on create (any but null). A replace or a patch is
 * compared with the stored value by the server, so a feature read and sent back passes,
 * whole or as a patch, while an attempt to change the value does not.
 */
function readOnlyProblems(
  layer: AttributeHolder,
  properties: Record<string, unknown>,
  mode: WriteMode,
): FeatureProblem[] {
  if (mode !== 'create') return [];
  return layer.attributes
    .filter((a) => a.computed && !isBlank(properties[a.name]))
    .map((a) => readOnlyProblem(a));
}

/** The outcome of checking a feature's properties. */
export interface AttributeCheck {
  problems: FeatureProblem[];
  /**
   * The writable values to store, keyed by attribute name: blank text becomes null, computed
   * and unknown attributes are left out. For `patch`, only the attributes sent.
   */
  values: Record<string, unknown>;
}

/**
 * Checks properties against the layer's declaration: every declared attribute of the right
 * type, required ones present (for `create` and `replace`, or when `patch` unsets them), coded
 * values in their domain, numbers in range, text within its length, and (except for a patch,
 * which the server checks on the merged feature) the `attributeRules`, those left as `stored`
 * excepted (see `checkAttributeRules`). Computed attributes are read-only: a value sent for
 * one is refused on create; a replace or a patch is left to the server, which lets a value
 * equal to the stored one pass (a feature read and sent back). They are never stored.
 * Uniqueness needs the stored rows and is checked by the server.
 */
export function checkAttributes(
  layer: AttributeHolder,
  properties: Record<string, unknown>,
  mode: WriteMode,
  unknown: UnknownAttributePolicy = 'reject',
  stored?: Record<string, unknown>,
): AttributeCheck {
  const problems = unknown === 'reject' ? unknownProblems(layer, properties) : [];
  problems.push(...readOnlyProblems(layer, properties, mode));
  const values: Record<string, unknown> = {};

  for (const attribute of layer.attributes) {
    if (attribute.computed) continue;
    const sent = Object.hasOwn(properties, attribute.name);
    if (mode === 'patch' && !sent) continue;

    const value = properties[attribute.name];
    if (isBlank(value)) {
      if (attribute.required) problems.push(requiredProblem(attribute));
      values[attribute.name] = null;
      continue;
    }
    problems.push(...checkAttributeValue(attribute, value));
    values[attribute.name] = value;
  }
  // a patch holds only the values sent: the server checks the rules on the merged feature
  if (mode !== 'patch')
    problems.push(...checkAttributeRules(layer, readableValues(values, problems), stored));
  return { problems, values };
}

/** The values without those already refused, so a wrong type is not reported twice. */
function readableValues(values: Record<string, unknown>, problems: readonly FeatureProblem[]) {
  // most rows have no problem: no copy then (a copy per row was a tenth of an import's reading)
  if (problems.length === 0) return values;
  const refused = new Set(problems.map((p) => p.field));
  return Object.fromEntries(Object.entries(values).filter(([name]) => !refused.has(name)));
}

/** What the time check reads of a record table: its attributes and the one dating its rows. */
export type TimedHolder = Pick<AttributeHolder, 'attributes'> & { timeAttribute?: string };

/** Clock skew allowed between a client and the server for a timestamp. */
const clockSkewMs = 5 * 60 * 1000;

/**
 * The day it is now in Indonesia's easternmost time zone (WIT, UTC+9), so a record dated today
 * anywhere in the country is never refused; a date one day ahead in WIB still slips through.
 */
function latestIndonesianDay(now: Date): string {
  return new Date(now.getTime() + 9 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/**
 * A record dated in the future (its `timeAttribute` after now) would become the feature's
 * current condition ahead of time: it is refused. Checked on the values `checkAttributes` kept.
 */
export function checkRecordTime(
  table: TimedHolder,
  values: Record<string, unknown>,
  now: Date = new Date(),
): FeatureProblem[] {
  const attribute = table.attributes.find((a) => a.name === table.timeAttribute);
  const value = attribute && values[attribute.name];
  if (!attribute || typeof value !== 'string') return [];
  const future =
    attribute.type === 'date'
      ? value > latestIndonesianDay(now)
      : Date.parse(value) > now.getTime() + clockSkewMs;
  if (!future) return [];
  const message = `${attribute.name} must not lie in the future.`;
  return [problem(attribute.name, 'in-the-future', message)];
}

/**
 * How numbers are written in text. By default one comma or point is the decimal mark (`6,5`,
 * `6.5`). With `decimalComma` (a CSV in Indonesian number format) the comma is the decimal
 * mark and a point groups thousands (`1.234.567,5`); a point elsewhere (`1.23`) is refused.
 */
export interface NumberFormat {
  decimalComma?: boolean;
}

/** Decimal notation, with an optional exponent; spaces around it are allowed. */
const decimalNotation = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/**
 * The number a text writes in decimal notation (`109.07`, `-7`, `.5`, `1e3`), else NaN.
 * `Number()` alone would also read a blank as 0 and `0x6d`, `0b11` or `0o7` as numbers.
 */
export function readDecimal(text: string): number {
  return decimalNotation.test(text) ? Number(text) : NaN;
}

/** Thousands grouped by points in threes, then decimals after a comma: `2.000`, `1.234,5`. */
const groupedWithDecimalComma = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;

/** The number a text writes, or undefined when it writes none (or an ambiguous one). */
function readNumberText(text: string, format: NumberFormat): number | undefined {
  let normalized = text.replace(',', '.');
  if (format.decimalComma && groupedWithDecimalComma.test(text)) {
    normalized = text.replace(/\./g, '').replace(',', '.');
  } else if (format.decimalComma && text.includes('.')) {
    // `1.23` is a thousands point out of place or a decimal point: the reader never guesses
    return undefined;
  }
  const number = readDecimal(normalized);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Reads a value typed as text (a form input, a CSV cell) as the attribute's type: numbers as
 * `format` says (see `NumberFormat`), booleans as true/false, ya/tidak, 1/0; blank text is
 * null. Text that cannot be read is returned unchanged, so `checkAttributeValue` names the
 * problem.
 */
export function parseAttributeText(
  attribute: AttributeDefinition,
  text: string,
  format: NumberFormat = {},
): unknown {
  const trimmed = text.trim();
  if (!trimmed) return null;
  switch (attribute.type) {
    case 'integer':
    case 'number':
      return readNumberText(trimmed, format) ?? text;
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (['true', 'ya', 'yes', '1'].includes(lower)) return true;
      if (['false', 'tidak', 'no', '0'].includes(lower)) return false;
      return text;
    }
    case 'text':
      return text;
    default:
      return trimmed;
  }
}
