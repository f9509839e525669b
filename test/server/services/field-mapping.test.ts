import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../../layers/index.js';
import { checkAttributeValue } from '../../../layers/validate-attributes.js';
import { requireLayer } from '../../../server/services/layer-registry.js';
import {
  applyMapping,
  checkMapping,
  convertValue,
  suggestMapping,
} from '../../../server/services/field-mapping.js';

const desa = requireLayer('desa');
const attribute = (name: string) => desa.attributes.find((a) => a.name === name)!;

describe('mapping source fields to attributes', () => {
  it('matches fields by name, by the 10 characters a .dbf keeps, and by title', () => {
    const mapping = suggestMapping(desa, ['NAMA', 'code', 'Jenis', 'kecamatan_', 'OTHER']);

    expect(mapping).toEqual({
      name: 'NAMA',
      code: 'code',
      type: 'Jenis',
      kecamatan: null,
      kecamatan_code: 'kecamatan_',
    });
  });

  it('gives each source field to one attribute only', () => {
    const mapping = suggestMapping(desa, ['kecamatan']);

    expect(Object.values(mapping).filter((field) => field === 'kecamatan')).toHaveLength(1);
  });

  it('accepts a coded value by its code or by its label in either language', () => {
    const type = attribute('type');

    expect(convertValue(type, 'Kelurahan')).toBe('kelurahan');
    expect(convertValue(type, 'urban village')).toBe('kelurahan');
    expect(convertValue(type, 'DESA')).toBe('desa');
    expect(convertValue(type, 'kota')).toBe('kota');
  });

  it('matches a whole label whatever its case, surrounding or doubled spaces', () => {
    const type = attribute('type');

    expect(convertValue(type, 'Kelurahan ')).toBe('kelurahan');
    expect(convertValue(type, '  URBAN   village')).toBe('kelurahan');
    expect(convertValue(type, 'Kelurahan Baru')).toBe('Kelurahan Baru');
    expect(convertValue(type, 'Kelu')).toBe('Kelu');
  });

  it('matches a label written with other accents only when that names one code', () => {
    const condition: AttributeDefinition = {
      name: 'condition',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: [
        { code: 'baik', labelId: 'Baik', labelEn: 'Good' },
        { code: 'rusak', labelId: 'Rusak', labelEn: 'Damaged' },
        { code: 'cafe', labelId: 'Kafe', labelEn: 'Cafe' },
        { code: 'cafe_2', labelId: 'Kafe dua', labelEn: 'Café' },
      ],
    };

    expect(convertValue(condition, 'Baik ')).toBe('baik');
    expect(convertValue(condition, 'báik')).toBe('baik');
    expect(convertValue(condition, 'Dámaged')).toBe('rusak');
    // Cafe and Café are both labels: only the exact one names a code, and "CAFÉ" names both
    expect(convertValue(condition, 'cafe')).toBe('cafe');
    expect(convertValue(condition, 'Café')).toBe('cafe_2');
    expect(convertValue(condition, 'cafè')).toBe('cafè');
  });

  it('leaves an unknown or ambiguous value for the validation, which names the codes', () => {
    const type = attribute('type');
    const twoCodes = {
      ...type,
      domain: [
        { code: 'a', labelId: 'Sama', labelEn: 'Same' },
        { code: 'b', labelId: 'Lain', labelEn: 'same' },
      ],
    };

    const ambiguous = convertValue(twoCodes, 'SAME');
    const unknown = convertValue(type, 'dusun');

    expect(ambiguous).toBe('SAME');
    expect(checkAttributeValue(twoCodes, ambiguous)).toEqual([
      expect.objectContaining({ code: 'not-in-domain', message: 'type must be one of: a, b.' }),
    ]);
    expect(checkAttributeValue(type, unknown)[0]?.message).toMatch(/one of: desa, kelurahan/);
  });

  it('reads numbers written with a decimal comma and dates read from a .dbf', () => {
    const area = { ...attribute('area_ha'), computed: undefined };
    const day = { ...attribute('name'), type: 'date' as const };

    expect(convertValue(area, '12,5')).toBe(12.5);
    expect(convertValue(day, new Date(2024, 0, 31))).toBe('2024-01-31');
    expect(convertValue(attribute('code'), 3301)).toBe('3301');
  });

  it('leaves unmapped attributes empty and ignores computed ones', () => {
    const mapped = applyMapping(desa, { name: 'NAMA', code: null }, { NAMA: 'Grugu', area_ha: 9 });

    expect(mapped).toEqual({
      name: 'Grugu',
      code: null,
      type: null,
      kecamatan: null,
      kecamatan_code: null,
    });
  });

  it('refuses a mapping to a field the file does not have, naming its fields', () => {
    expect(() => checkMapping(desa, { name: 'NAME' }, ['NAMA', 'KODE'])).toThrow(/NAMA, KODE/);
  });

  it('refuses a mapping onto a computed attribute, saying it is computed', () => {
    expect(() => checkMapping(desa, { area_ha: 'LUAS' }, ['LUAS'])).toThrow(
      /area_ha is read-only: it is computed from the geometry/,
    );
    expect(() => checkMapping(desa, { area_ha: null }, ['LUAS'])).not.toThrow();
  });
});
