import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage, translateCount } from '../../../web/i18n/i18n.js';

afterEach(() => setLanguage('id'));

describe('counting in the interface language', () => {
  it('keeps one form of the noun in Indonesian and writes one and many in English', () => {
    const indonesian = [1, 3].map((count) => translateCount('identify.count', count));
    setLanguage('en');
    const english = [1, 3].map((count) => translateCount('identify.count', count));

    expect(indonesian).toEqual(['1 objek di titik ini', '3 objek di titik ini']);
    expect(english).toEqual(['1 feature at this place', '3 features at this place']);
  });

  it('writes a large count with the thousands separator of the language', () => {
    const indonesian = translateCount('identify.count', 1200);
    setLanguage('en');
    const english = translateCount('identify.count', 1200);

    expect(indonesian).toBe('1.200 objek di titik ini');
    expect(english).toBe('1,200 features at this place');
  });
});
