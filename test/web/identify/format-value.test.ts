import type { AttributeDefinition } from '../../../layers/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { formatAttributeValue, formatFeatureName } from '../../../web/identify/format-value.js';
import { roadsByCondition } from '../fixtures.js';

function attribute(name: string) {
  const found = roadsByCondition.attributes.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`fixture has no attribute ${name}`);
  return found;
}

afterEach(() => setLanguage('id'));

describe('formatAttributeValue', () => {
  it('shows coded values by their label in the interface language', () => {
    expect(formatAttributeValue(attribute('condition'), 'rusak_berat')).toBe('Rusak berat');

    setLanguage('en');
    expect(formatAttributeValue(attribute('condition'), 'rusak_berat')).toBe('Poor');
  });

  it('formats numbers in the local style with the unit after them', () => {
    expect(formatAttributeValue(attribute('width_m'), 1234.567)).toBe('1.234,57 m');

    setLanguage('en');
    expect(formatAttributeValue(attribute('width_m'), 1234.567)).toBe('1,234.57 m');
  });

  it('writes years without a thousands separator', () => {
    const yearBuilt: AttributeDefinition = {
      name: 'year_built',
      type: 'integer',
      titleId: 'Tahun dibangun',
      titleEn: 'Year built',
    };

    expect(formatAttributeValue(yearBuilt, 2004)).toBe('2004');
  });

  it('writes an integer declared as a range of years without a thousands separator', () => {
    const periodEnd: AttributeDefinition = {
      name: 'period_end',
      type: 'integer',
      titleId: 'Akhir periode rencana',
      titleEn: 'Plan period end',
      min: 1990,
      max: 2100,
    };

    expect(formatAttributeValue(periodEnd, 2031)).toBe('2031');
  });

  it('names a feature by the label of a coded name attribute, in the interface language', () => {
    const byCondition = { ...roadsByCondition, nameAttribute: 'condition' };

    expect(formatFeatureName(byCondition, { condition: 'rusak_berat' }, 7)).toBe('Rusak berat');
    expect(formatFeatureName(roadsByCondition, { name: 'Jalan Gatot Subroto' }, 7)).toBe(
      'Jalan Gatot Subroto',
    );
    expect(formatFeatureName(roadsByCondition, {}, 7)).toBe('7');

    setLanguage('en');
    expect(formatFeatureName(byCondition, { condition: 'rusak_berat' }, 7)).toBe('Poor');
  });

  it('shows a calendar date without moving it by the time zone', () => {
    expect(formatAttributeValue(attribute('surveyed_on'), '2024-03-01')).toBe('1 Maret 2024');
  });

  it('says yes or no for booleans and a dash for missing values', () => {
    expect(formatAttributeValue(attribute('paved'), true)).toBe('Ya');
    expect(formatAttributeValue(attribute('width_m'), null)).toBe('—');
  });
});
