import type { AttributeDefinition, LayerDefinition } from '../../layers/types.js';
import { getLocale, pickLabel, translate } from '../i18n/i18n.js';
import { formatUnit } from '../i18n/units.js';

const emptyValue = '—';

/**
 * An attribute value as the popup shows it, in the current language: the label of a coded
 * value, numbers and dates in the local format, yes or no, and the unit after the value.
 */
export function formatAttributeValue(attribute: AttributeDefinition, value: unknown): string {
  if (value === null || value === undefined || value === '') return emptyValue;

  const text = formatBareValue(attribute, value);
  return attribute.unit ? `${text} ${formatUnit(attribute.unit)}` : text;
}

/** An attribute value as `formatAttributeValue` writes it, without the unit. */
export function formatValueWithoutUnit(attribute: AttributeDefinition, value: unknown): string {
  if (value === null || value === undefined || value === '') return emptyValue;
  return formatBareValue(attribute, value);
}

/**
 * The name a feature is shown under: its `nameAttribute` as the popup shows values (a coded
 * name such as a hazard type by its label), else its id.
 */
export function formatFeatureName(
  definition: LayerDefinition,
  properties: Record<string, unknown>,
  featureId: unknown,
): string {
  const attribute = definition.attributes.find(({ name }) => name === definition.nameAttribute);
  const value = attribute && properties[attribute.name];
  if (!attribute || value === undefined || value === null || value === '') {
    return String(featureId ?? '');
  }
  return formatBareValue(attribute, value);
}

function formatBareValue(attribute: AttributeDefinition, value: unknown): string {
  const coded = attribute.domain?.find((codedValue) => codedValue.code === String(value));
  if (coded) return pickLabel(coded);

  switch (attribute.type) {
    case 'boolean':
      return translate(value === true || value === 'true' ? 'value.yes' : 'value.no');
    case 'integer':
    case 'number':
      return formatNumber(attribute, value);
    case 'date':
    case 'timestamp':
      return formatDate(attribute, value);
    default:
      return String(value);
  }
}

function formatNumber(attribute: AttributeDefinition, value: unknown): string {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);

  const maximumFractionDigits = attribute.type === 'integer' ? 0 : 2;
  const useGrouping = !isYear(attribute);
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits, useGrouping }).format(number);
}

// A year reads 2004, never 2.004. Declarations say "year" only in the name (`year`,
// `year_built`) or by a range of years (`period_end`, 1990 to 2100); a unit or format option
// on the attribute would say it outright.
function isYear(attribute: AttributeDefinition): boolean {
  if (attribute.type !== 'integer') return false;
  const declaredAsYears = (attribute.min ?? 0) >= 1000 && (attribute.max ?? Infinity) <= 2999;
  return /(^|_)year(_|$)/.test(attribute.name) || declaredAsYears;
}

// A `date` is a calendar day: read and shown in UTC so no time zone moves it to another day.
function formatDate(attribute: AttributeDefinition, value: unknown): string {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);

  const options: Intl.DateTimeFormatOptions =
    attribute.type === 'date'
      ? { dateStyle: 'long', timeZone: 'UTC' }
      : { dateStyle: 'long', timeStyle: 'short' };
  return new Intl.DateTimeFormat(getLocale(), options).format(date);
}
