import type { AttributeDefinition } from '../../../layers/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { formatUnit } from '../../../web/i18n/units.js';
import { formatAttributeValue } from '../../../web/identify/format-value.js';

const population: AttributeDefinition = {
  name: 'population_2016',
  type: 'integer',
  titleId: 'Penduduk 2016',
  titleEn: 'Population 2016',
  unit: 'jiwa',
};

afterEach(() => setLanguage('id'));

describe('units in the interface language', () => {
  it('counts people in jiwa in Indonesian and in people in English', () => {
    const indonesian = formatAttributeValue(population, 103322);
    setLanguage('en');
    const english = formatAttributeValue(population, 103322);

    expect(indonesian).toBe('103.322 jiwa');
    expect(english).toBe('103,322 people');
  });

  it('leaves unit symbols as declared in both languages', () => {
    setLanguage('en');

    expect(['m', 'ha', 'l/s', '%'].map(formatUnit)).toEqual(['m', 'ha', 'l/s', '%']);
  });
});
