import { describe, expect, it } from 'vitest';
import { fieldListCsv, shortenFieldNames } from '../../../server/formats/shapefile-field-names.js';

describe('shortening field names for a .dbf', () => {
  it('cuts names to 10 characters and numbers those that would collide', () => {
    const names = shortenFieldNames(['id', 'population_2016', 'population_2020', 'Population_x']);

    expect([...names.values()]).toEqual(['id', 'population', 'populati_1', 'Populati_2']);
  });

  it('lists each shortened field beside its attribute', () => {
    const list = fieldListCsv(shortenFieldNames(['name', 'kecamatan_code']));

    expect(list).toBe('field,attribute\nname,name\nkecamatan_,kecamatan_code\n');
  });
});
