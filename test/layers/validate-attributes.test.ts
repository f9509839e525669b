import { describe, expect, it } from 'vitest';
import type { LayerDefinition } from '../../layers/types.js';
import {
  checkAttributes,
  checkRecordTime,
  defaultTextMaxLength,
  parseAttributeText,
} from '../../layers/validate-attributes.js';

/** A layer with one attribute of each rule, so each rule can fail alone. */
const surveyedAssets = {
  id: 'surveyed_asset',
  geometry: { type: 'Point', srid: 4326 },
  attributes: [
    { name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name', required: true, maxLength: 10 },
    {
      name: 'condition',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: [
        { code: 'baik', labelId: 'Baik', labelEn: 'Good' },
        { code: 'rusak_berat', labelId: 'Rusak berat', labelEn: 'Poor' },
      ],
    },
    { name: 'width_m', type: 'number', titleId: 'Lebar', titleEn: 'Width', min: 0, max: 50 },
    { name: 'lanes', type: 'integer', titleId: 'Lajur', titleEn: 'Lanes' },
    { name: 'paved', type: 'boolean', titleId: 'Diaspal', titleEn: 'Paved' },
    { name: 'surveyed_on', type: 'date', titleId: 'Tanggal survei', titleEn: 'Survey date' },
    { name: 'checked_at', type: 'timestamp', titleId: 'Diperiksa', titleEn: 'Checked at' },
    {
      name: 'length_m',
      type: 'number',
      titleId: 'Panjang',
      titleEn: 'Length',
      computed: 'length_m',
    },
  ],
} as unknown as LayerDefinition;

const complete = {
  name: 'Jembatan',
  condition: 'baik',
  width_m: 6.5,
  lanes: 2,
  paved: true,
  surveyed_on: '2024-02-29',
  checked_at: '2024-05-01T08:30:00+07:00',
};

function codesOf(properties: Record<string, unknown>, mode: 'create' | 'patch' = 'create') {
  return checkAttributes(surveyedAssets, properties, mode).problems.map(
    (p) => `${p.field}:${p.code}`,
  );
}

describe('attribute checks shared by the server and the edit form', () => {
  it('accepts a feature that meets every rule', () => {
    expect(codesOf(complete)).toEqual([]);
  });

  it.each([
    ['a missing required attribute', { name: undefined }, 'name:required'],
    ['blank text in a required attribute', { name: '   ' }, 'name:required'],
    ['text longer than its maximum', { name: 'Jembatan Besar' }, 'name:too-long'],
    ['a code outside the domain', { condition: 'bagus' }, 'condition:not-in-domain'],
    ['a number below the minimum', { width_m: -1 }, 'width_m:below-minimum'],
    ['a number above the maximum', { width_m: 51 }, 'width_m:above-maximum'],
    ['a number sent as text', { width_m: '6.5' }, 'width_m:wrong-type'],
    ['a fraction for an integer', { lanes: 1.5 }, 'lanes:wrong-type'],
    ['a word for a boolean', { paved: 'ya' }, 'paved:wrong-type'],
    ['a whole number above what its column stores', { lanes: 2 ** 31 }, 'lanes:above-maximum'],
    [
      'a whole number below what its column stores',
      { lanes: -(2 ** 31) - 1 },
      'lanes:below-minimum',
    ],
    ['text holding a NUL character', { name: 'Jem\u0000' }, 'name:nul-character'],
    ['text holding half an emoji', { name: 'Jem\ud83d' }, 'name:unpaired-surrogate'],
    ['a day that does not exist', { surveyed_on: '2023-02-29' }, 'surveyed_on:wrong-type'],
    ['a timestamp without time zone', { checked_at: '2024-05-01T08:30' }, 'checked_at:wrong-type'],
    [
      'a timestamp on a day that does not exist',
      { checked_at: '2024-02-30T08:30:00Z' },
      'checked_at:wrong-type',
    ],
    ['an attribute the layer does not declare', { colour: 'red' }, 'colour:unknown-attribute'],
  ])('refuses %s', (_case, change, expected) => {
    expect(codesOf({ ...complete, ...change })).toEqual([expected]);
  });

  it('holds text of an attribute declaring no maximum to the default one, saying so', () => {
    const remarked = {
      id: 'remarked',
      attributes: [{ name: 'remark', type: 'text', titleId: 'Catatan', titleEn: 'Remark' }],
    } as unknown as LayerDefinition;
    const longest = 'x'.repeat(defaultTextMaxLength);

    const kept = checkAttributes(remarked, { remark: longest }, 'create');
    const refused = checkAttributes(remarked, { remark: `${longest}x` }, 'patch');

    expect(defaultTextMaxLength).toBeGreaterThanOrEqual(1000);
    expect(kept.problems).toEqual([]);
    expect(refused.problems).toEqual([
      {
        field: 'remark',
        code: 'too-long',
        message:
          `remark must be at most ${defaultTextMaxLength} characters long, the limit of text ` +
          `attributes that declare none; it has ${defaultTextMaxLength + 1}.`,
      },
    ]);
  });

  it('names the largest whole number an integer column stores, for a value past it', () => {
    const { problems } = checkAttributes(
      surveyedAssets,
      { ...complete, lanes: 2147483648 },
      'create',
    );

    expect(problems).toEqual([
      { field: 'lanes', code: 'above-maximum', message: 'lanes must be at most 2147483647.' },
    ]);
  });

  it('lists every problem of a feature, not only the first', () => {
    const codes = codesOf({ condition: 'bagus', width_m: 99 });

    expect(codes).toEqual(['name:required', 'condition:not-in-domain', 'width_m:above-maximum']);
  });

  it('refuses a computed attribute on create, naming it read-only', () => {
    const created = checkAttributes(surveyedAssets, { ...complete, length_m: 12 }, 'create');

    expect(created.problems).toEqual([
      {
        field: 'length_m',
        code: 'read-only',
        message:
          'length_m is read-only: it is computed from the geometry; leave it out of the request.',
      },
    ]);
  });

  it('leaves a computed attribute of a patch to the server, and never returns it', () => {
    // a patch may send back what it read: the server compares it with the stored value
    const patched = checkAttributes(surveyedAssets, { length_m: 12, width_m: 7 }, 'patch');

    expect(patched.problems).toEqual([]);
    expect(patched.values).toEqual({ width_m: 7 });
  });

  it('accepts a computed attribute left empty, and never returns one for storage', () => {
    const created = checkAttributes(surveyedAssets, { ...complete, length_m: null }, 'create');
    // a replace sends back what it read: the server compares it with the stored value
    const replaced = checkAttributes(surveyedAssets, { ...complete, length_m: 12 }, 'replace');

    expect(created.problems).toEqual([]);
    expect(replaced.problems).toEqual([]);
    expect(replaced.values).not.toHaveProperty('length_m');
  });

  it('checks only the sent attributes of a patch, and refuses unsetting a required one', () => {
    expect(codesOf({ width_m: 7 }, 'patch')).toEqual([]);
    expect(codesOf({ name: null }, 'patch')).toEqual(['name:required']);
    expect(checkAttributes(surveyedAssets, { width_m: 7 }, 'patch').values).toEqual({
      width_m: 7,
    });
  });

  it('ignores undeclared properties when asked to, as imports may', () => {
    const check = checkAttributes(
      surveyedAssets,
      { ...complete, colour: 'red' },
      'create',
      'ignore',
    );

    expect(check.problems).toEqual([]);
    expect(check.values).not.toHaveProperty('colour');
  });

  it('reads form and CSV text as the attribute type', () => {
    const [name, , width, lanes, paved] = surveyedAssets.attributes;

    expect(parseAttributeText(width!, '6,5')).toBe(6.5);
    expect(parseAttributeText(lanes!, '2')).toBe(2);
    expect(parseAttributeText(paved!, 'Ya')).toBe(true);
    expect(parseAttributeText(name!, '  ')).toBeNull();
    expect(parseAttributeText(width!, 'lebar')).toBe('lebar');
  });

  it('reads decimal notation only, leaving hex, binary and octal text to be refused', () => {
    const [, , width, lanes] = surveyedAssets.attributes;

    expect(parseAttributeText(width!, '1.5e1')).toBe(15);
    expect(['0x10', '0b11', '0o7'].map((text) => parseAttributeText(width!, text))).toEqual([
      '0x10',
      '0b11',
      '0o7',
    ]);
    expect(parseAttributeText(lanes!, '0x2')).toBe('0x2');
  });

  it('reads points as thousands and the comma as decimals with a decimal comma', () => {
    const width = surveyedAssets.attributes[2]!;
    const read = (text: string) => parseAttributeText(width, text, { decimalComma: true });

    expect(['2.000', '1.234.567,5', '-1.500', '6,5', '2500'].map(read)).toEqual([
      2000, 1234567.5, -1500, 6.5, 2500,
    ]);
    // a point not grouping thousands is either misplaced or a decimal point: not guessed
    expect(['1.23', '1.5', '12.34.567', '1.234,5,6'].map(read)).toEqual([
      '1.23',
      '1.5',
      '12.34.567',
      '1.234,5,6',
    ]);
  });
});

describe('checkRecordTime', () => {
  const dated = (type: 'date' | 'timestamp') => ({
    timeAttribute: 'surveyed',
    attributes: [{ name: 'surveyed', type, titleId: 'Tanggal', titleEn: 'Date' }],
  });
  const now = new Date('2026-06-01T10:00:00Z');

  it('refuses a record dated after today, naming its time attribute', () => {
    expect(checkRecordTime(dated('date'), { surveyed: '2031-06-01' }, now)).toEqual([
      expect.objectContaining({ field: 'surveyed', code: 'in-the-future' }),
    ]);
    expect(checkRecordTime(dated('date'), { surveyed: '2026-06-01' }, now)).toEqual([]);
  });

  it('refuses a timestamp ahead of the clock by more than a few minutes', () => {
    const table = dated('timestamp');
    expect(checkRecordTime(table, { surveyed: '2026-06-01T11:00:00Z' }, now)).toHaveLength(1);
    expect(checkRecordTime(table, { surveyed: '2026-06-01T10:01:00Z' }, now)).toEqual([]);
  });
});

describe('rules across two attributes', () => {
  const surveyedPeriods = {
    ...surveyedAssets,
    attributes: [
      ...surveyedAssets.attributes,
      { name: 'surveyed_until', type: 'date', titleId: 'Sampai', titleEn: 'Until' },
    ],
    attributeRules: [
      { attribute: 'lanes', comparison: '<=', other: 'width_m' },
      { attribute: 'surveyed_on', comparison: '<', other: 'surveyed_until' },
    ],
  } as unknown as LayerDefinition;

  it('refuses values out of order, naming both attributes, as the edit form sees them', () => {
    const properties = {
      ...complete,
      lanes: 9,
      width_m: 7.5,
      surveyed_on: '2024-03-01',
      surveyed_until: '2024-03-01',
    };

    const { problems } = checkAttributes(surveyedPeriods, properties, 'replace');

    expect(problems).toEqual([
      {
        field: 'lanes',
        otherField: 'width_m',
        code: 'above-other',
        message: 'lanes must not be greater than width_m; got 9 and 7.5.',
      },
      {
        field: 'surveyed_on',
        otherField: 'surveyed_until',
        code: 'not-below-other',
        message: 'surveyed_on must be less than surveyed_until; got 2024-03-01 and 2024-03-01.',
      },
    ]);
  });

  it('leaves a rule unchecked while one side is empty or already refused', () => {
    const emptySide = { ...complete, lanes: 9, width_m: null };
    const wrongType = { ...complete, lanes: 'nine', width_m: 2 };

    const empty = checkAttributes(surveyedPeriods, emptySide, 'create').problems;
    const refused = checkAttributes(surveyedPeriods, wrongType, 'create').problems;

    expect(empty).toEqual([]);
    expect(refused.map((p) => p.code)).toEqual(['wrong-type']);
  });

  it('leaves a patch to the server, which checks it on the merged feature', () => {
    const patch = { lanes: 9, width_m: 2 };

    const { problems } = checkAttributes(surveyedPeriods, patch, 'patch');

    expect(problems).toEqual([]);
  });
});
