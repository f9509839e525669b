/**
 * How the fields of a source file become a layer's attributes: matched by name (automatically,
 * adjustable by the caller), and converted to the attribute's type. Coded values are accepted
 * by code or by whole label in either language (case, spaces and, where that names one code,
 * accents aside). Whether the result is acceptable is decided by the one feature validation
 * (`feature-validation.ts`), never here.
 */
import type { AttributeDefinition, LayerDefinition } from '../../layers/index.js';
import {
  parseAttributeText,
  readOnlyProblem,
  type NumberFormat,
} from '../../layers/validate-attributes.js';
import { quotedNames } from '../formats/quoted-names.js';
import { badRequest } from '../http/problem.js';
import { writableAttributes } from './layer-registry.js';

/** Attribute name → source field name, or null to leave the attribute empty. */
export type FieldMapping = Record<string, string | null>;

/** Lower case, letters and digits only: `Kode_Kec.` and `kode kec` compare equal. */
function normalize(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** How a field may name an attribute, strongest first: each rule runs over every attribute. */
const matchRules: ((attribute: AttributeDefinition, field: string) => boolean)[] = [
  (attribute, field) => field === attribute.name,
  (attribute, field) => field.toLowerCase() === attribute.name.slice(0, 10).toLowerCase(),
  (attribute, field) =>
    [attribute.name, attribute.titleId, attribute.titleEn].some(
      (name) => normalize(name) === normalize(field),
    ),
];

/**
 * The automatic mapping: each writable attribute takes the source field of the same name,
 * else the one holding its name cut to the 10 characters of a `.dbf`, else one equal to its
 * name or title ignoring case, accents and punctuation. Each field serves one attribute;
 * attributes without a match map to null. A `given` mapping (`--map`, a request's `mapping`)
 * adjusts it: the attributes it names keep its field (null: left empty), the fields it uses
 * are matched to no other attribute, and the attributes it leaves out are matched as above.
 */
export function suggestMapping(
  layer: LayerDefinition,
  fields: readonly string[],
  given: FieldMapping = {},
): FieldMapping {
  const attributes = writableAttributes(layer).filter((a) => !Object.hasOwn(given, a.name));
  const mapping: FieldMapping = Object.fromEntries(attributes.map((a) => [a.name, null]));
  const taken = new Set(Object.values(given).filter((field) => field !== null));
  for (const rule of matchRules) {
    for (const attribute of attributes.filter((a) => mapping[a.name] === null)) {
      const field = fields.find((f) => !taken.has(f) && rule(attribute, f));
      if (field === undefined) continue;
      mapping[attribute.name] = field;
      taken.add(field);
    }
  }
  return { ...mapping, ...given };
}

/**
 * Checks a mapping given by a caller: attributes declared and writable, fields present. A
 * refusal names its `code` (`read-only`, `unknown-attribute`, `unknown-field`) and quotes the
 * attribute, the field and the names that would work as members.
 */
export function checkMapping(
  layer: LayerDefinition,
  mapping: FieldMapping,
  fields: readonly string[] | undefined,
): void {
  const attributes = writableAttributes(layer).map((a) => a.name);
  const mapAnyOf = `Map any of: ${attributes.join(', ')}.`;
  for (const [attribute, field] of Object.entries(mapping)) {
    const computed = layer.attributes.find((a) => a.name === attribute && a.computed);
    if (computed && field !== null) {
      const detail = `${readOnlyProblem(computed).message} ${mapAnyOf}`;
      throw badRequest('invalid-mapping', detail, { code: 'read-only', attribute, attributes });
    }
    if (!attributes.includes(attribute) && !computed) {
      const detail = `${layer.id} has no writable attribute "${attribute}". ${mapAnyOf}`;
      const extra = { code: 'unknown-attribute', attribute, attributes };
      throw badRequest('invalid-mapping', detail, extra);
    }
    if (field !== null && fields && fields.length > 0 && !fields.includes(field)) {
      const quoted = quotedNames(fields);
      const detail =
        `The file has no field "${field}" (mapped to ${attribute}); ` +
        `its fields: ${quoted.text}.`;
      const fieldCount = fields.length;
      const extra = { code: 'unknown-field', field, attribute, fields: quoted.shown, fieldCount };
      throw badRequest('invalid-mapping', detail, extra);
    }
  }
}

/** A calendar day `YYYY-MM-DD` of a Date read from a `.dbf` (built in local time there). */
function toCalendarDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Text as labels are compared: spaces trimmed and collapsed, case folded; or accents too. */
function looseText(text: string, ignoreAccents: boolean): string {
  const spaced = text.trim().replace(/\s+/g, ' ').toLowerCase();
  return ignoreAccents ? spaced.normalize('NFD').replace(/\p{M}/gu, '') : spaced;
}

/** A domain's codes, and the codes each loose form of a code or label names. */
interface CodeIndex {
  codes: Set<string>;
  byText: Map<string, Set<string>>;
  byBareText: Map<string, Set<string>>;
}

/** Built once per attribute: an import converts the values of every row through it. */
const codeIndexes = new WeakMap<AttributeDefinition, CodeIndex>();

function addCode(codesByText: Map<string, Set<string>>, text: string, code: string) {
  codesByText.set(text, (codesByText.get(text) ?? new Set()).add(code));
}

function codeIndexOf(attribute: AttributeDefinition): CodeIndex {
  let index = codeIndexes.get(attribute);
  if (index) return index;
  index = { codes: new Set(), byText: new Map(), byBareText: new Map() };
  for (const coded of attribute.domain ?? []) {
    index.codes.add(coded.code);
    for (const text of [coded.code, coded.labelId, coded.labelEn]) {
      addCode(index.byText, looseText(text, false), coded.code);
      addCode(index.byBareText, looseText(text, true), coded.code);
    }
  }
  codeIndexes.set(attribute, index);
  return index;
}

/**
 * The code a value names: the code itself; else the one code whose code or label (either
 * language) equals the whole value ignoring case and spaces; else ignoring accents too.
 * A value naming two codes at the first step that finds any names none: the import never
 * guesses, so the validation rejects it listing the codes, as it rejects an edit's.
 */
export function findCode(attribute: AttributeDefinition, value: string): string | undefined {
  const index = codeIndexOf(attribute);
  if (index.codes.has(value)) return value;
  const found =
    index.byText.get(looseText(value, false)) ?? index.byBareText.get(looseText(value, true));
  return found?.size === 1 ? [...found][0] : undefined;
}

/**
 * A source value converted to the attribute's type where it reads as one; else unchanged.
 * Numbers written as text are read as `format` says (a CSV with a decimal comma).
 */
export function convertValue(
  attribute: AttributeDefinition,
  value: unknown,
  format: NumberFormat = {},
): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return attribute.type === 'timestamp' ? value.toISOString() : toCalendarDay(value);
  }
  if (attribute.domain && (typeof value === 'string' || typeof value === 'number')) {
    return findCode(attribute, String(value)) ?? value;
  }
  if (typeof value === 'string') return parseAttributeText(attribute, value, format);
  if (attribute.type === 'text' && (typeof value === 'number' || typeof value === 'boolean')) {
    return String(value);
  }
  if (attribute.type === 'boolean' && (value === 0 || value === 1)) return value === 1;
  return value;
}

/** The properties to validate for one source record: mapped attributes, converted. */
export function applyMapping(
  layer: LayerDefinition,
  mapping: FieldMapping,
  properties: Record<string, unknown>,
  format: NumberFormat = {},
): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const attribute of writableAttributes(layer)) {
    const field = mapping[attribute.name];
    mapped[attribute.name] = field ? convertValue(attribute, properties[field], format) : null;
  }
  return mapped;
}
