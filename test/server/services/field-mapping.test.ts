import { describe, expect, it } from 'vitest';
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
