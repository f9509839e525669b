/**
 * Problems of a feature's values and geometry in the interface language, worded from the
 * stable codes the server and `layers/validate-attributes.ts` give them (`required`,
 * `geometry-outside-regency`…). Shared by the edit form and the import report, so a rule
 * broken reads the same wherever it is met.
 */
import type { AttributeType } from '../../layers/types.js';
import { acceptedRange, textMaxLength } from '../../layers/validate-attributes.js';
import type { FieldProblem } from '../api/edit-api.js';
import { getLanguage, getLocale, pickTitle } from './i18n.js';

const problemMessagesId = {
  'problem.required': 'Wajib diisi.',
  'problem.wrong-type': 'Jenis nilai tidak sesuai.',
  'problem.not-in-domain': 'Pilih salah satu nilai yang tersedia.',
  'problem.below-minimum': 'Paling kecil {min}.',
  'problem.above-maximum': 'Paling besar {max}.',
  'problem.too-long': 'Paling banyak {maxLength} karakter.',
  'problem.nul-character': 'Teks tidak boleh memuat karakter NUL (U+0000).',
  'problem.unpaired-surrogate':
    'Teks memuat separuh karakter (misalnya emoji yang terpotong); kirim karakter utuhnya.',
  'problem.not-unique': 'Nilai ini sudah dipakai objek lain.',
  'problem.above-other': 'Tidak boleh lebih besar dari {other}.',
  'problem.not-below-other': 'Harus lebih kecil dari {other}.',
  'problem.unknown-attribute': 'Atribut tidak dikenal.',
  'problem.read-only': 'Dihitung otomatis; tidak dapat diisi.',
  'problem.in-the-future': 'Tanggal tidak boleh di masa depan.',
  'problem.geometry': 'Geometri tidak sah: {message}',
  'problem.geometry-missing': 'Gambar objeknya pada peta terlebih dahulu.',
  'problem.geometry-malformed': 'Bentuk geometri tidak lengkap; gambar ulang objeknya.',
  'problem.geometry-unreadable':
    'Geometri WKT tidak dapat dibaca; periksa penulisannya, misalnya POINT (109.0153 -7.7266).',
  'problem.geometry-wrong-type': 'Jenis geometri tidak sesuai dengan lapisan ini.',
  'problem.geometry-has-z': 'Geometri hanya boleh berkoordinat dua dimensi (tanpa Z atau M).',
  'problem.geometry-out-of-range': 'Koordinat bukan bujur dan lintang yang sah.',
  'problem.geometry-invalid':
    'Geometri tidak sah, misalnya garis atau poligon yang memotong dirinya sendiri. ' +
    'Perbaiki bentuknya.',
  'problem.geometry-outside-regency':
    'Geometri berada {outside} di luar batas kabupaten; paling jauh {tolerance} yang diterima.',
  'problem.geometry-too-complex':
    'Geometri terlalu rumit untuk diperiksa; sederhanakan atau pecah menjadi beberapa objek.',
} as const;

type ProblemMessageKey = keyof typeof problemMessagesId;

const problemMessagesEn: Record<ProblemMessageKey, string> = {
  'problem.required': 'Required.',
  'problem.wrong-type': 'Wrong kind of value.',
  'problem.not-in-domain': 'Choose one of the listed values.',
  'problem.below-minimum': 'At least {min}.',
  'problem.above-maximum': 'At most {max}.',
  'problem.too-long': 'At most {maxLength} characters.',
  'problem.nul-character': 'The text must not contain the NUL character (U+0000).',
  'problem.unpaired-surrogate':
    'The text holds half of a character (such as an emoji cut in two); send the whole one.',
  'problem.not-unique': 'Another feature already uses this value.',
  'problem.above-other': 'Must not be greater than {other}.',
  'problem.not-below-other': 'Must be less than {other}.',
  'problem.unknown-attribute': 'Unknown attribute.',
  'problem.read-only': 'Computed; it cannot be filled in.',
  'problem.in-the-future': 'The date must not lie in the future.',
  'problem.geometry': 'Invalid geometry: {message}',
  'problem.geometry-missing': 'Draw the feature on the map first.',
  'problem.geometry-malformed': 'The geometry is incomplete; draw the feature again.',
  'problem.geometry-unreadable':
    'The WKT geometry cannot be read; check how it is written, e.g. POINT (109.0153 -7.7266).',
  'problem.geometry-wrong-type': 'The kind of geometry does not fit this layer.',
  'problem.geometry-has-z': 'Only two-dimensional coordinates are accepted (no Z or M).',
  'problem.geometry-out-of-range': 'A coordinate is not a valid longitude and latitude.',
  'problem.geometry-invalid':
    'The geometry is not valid, for instance a line or polygon crossing itself. Fix its shape.',
  'problem.geometry-outside-regency':
    'The geometry reaches {outside} outside the regency; at most {tolerance} is accepted.',
  'problem.geometry-too-complex':
    'The geometry is too complex to check; simplify it or split it into several features.',
};

function isProblemMessageKey(key: string): key is ProblemMessageKey {
  return key in problemMessagesId;
}

function problemText(key: ProblemMessageKey, values: Record<string, string | number>) {
  const text = getLanguage() === 'en' ? problemMessagesEn[key] : problemMessagesId[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** A distance in metres as people read it: `500 m`, `3,2 km` (in the interface language). */
function formatDistance(metres: number | undefined): string {
  if (metres === undefined) return '';
  const kilometres = metres >= 1000;
  const format = new Intl.NumberFormat(getLocale(), { maximumFractionDigits: kilometres ? 1 : 0 });
  return kilometres ? `${format.format(metres / 1000)} km` : `${format.format(metres)} m`;
}

/** What a problem's text reads of its layer or record table: the attributes' titles and limits. */
export type ProblemDeclaration = {
  attributes: readonly {
    name: string;
    titleId: string;
    titleEn: string;
    /** With it, an integer's limits include what its column stores (see `acceptedRange`). */
    type?: AttributeType;
    min?: number;
    max?: number;
    maxLength?: number;
  }[];
};

/**
 * A problem's text in the interface language, from its code; the server's English words for
 * a code not known here (a geometry's then behind "Invalid geometry:").
 */
export function describeProblem(problem: FieldProblem, declaration: ProblemDeclaration): string {
  const key = `problem.${problem.code ?? ''}`;
  if (!problem.code || !isProblemMessageKey(key) || key === 'problem.geometry') {
    if (problem.field !== 'geometry') return problem.message;
    return problemText('problem.geometry', { message: problem.message });
  }

  const attribute = declaration.attributes.find((a) => a.name === problem.field);
  const other = declaration.attributes.find((a) => a.name === problem.otherField);
  const range = attribute && acceptedRange(attribute);
  return problemText(key, {
    min: range?.min ?? '',
    max: range?.max ?? '',
    maxLength: (attribute && textMaxLength(attribute)) ?? '',
    other: other ? pickTitle(other) : (problem.otherField ?? ''),
    outside: formatDistance(problem.outsideM),
    tolerance: formatDistance(problem.toleranceM),
  });
}
