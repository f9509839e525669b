import type { CodedValue, LayerAccess } from '../types.js';

/** Road layers are public; Bina Marga edits them. */
export const roadsAccess: LayerAccess = { read: 'public', edit: ['admin', 'roads:editor'] };

/** Who answers for the road layers. */
export const roadsContact = 'Dinas Pekerjaan Umum dan Penataan Ruang, Bidang Bina Marga';

/**
 * Road condition classes of every Bina Marga report, in the usual green to red. With IRI (m/km)
 * the bands are < 4, 4–8, 8–12, > 12; with SDI < 50, 50–100, 100–150, > 150 (Panduan Survei
 * Kondisi Jalan SMD-03/RCS 2011; primary table still to be verified). Baik and sedang together
 * are "mantap".
 */
export const roadConditionDomain: readonly CodedValue[] = [
  { code: 'baik', labelId: 'Baik', labelEn: 'Good', color: '#1a9641' },
  { code: 'sedang', labelId: 'Sedang', labelEn: 'Fair', color: '#e6c700' },
  { code: 'rusak_ringan', labelId: 'Rusak ringan', labelEn: 'Minor damage', color: '#f28c28' },
  { code: 'rusak_berat', labelId: 'Rusak berat', labelEn: 'Major damage', color: '#d7191c' },
];

/** Road status, who holds the road (UU 38/2004 as amended by UU 2/2022; PP 34/2006). */
export const roadStatusDomain: readonly CodedValue[] = [
  { code: 'nasional', labelId: 'Jalan nasional', labelEn: 'National road', strokeWidth: 5 },
  { code: 'provinsi', labelId: 'Jalan provinsi', labelEn: 'Provincial road', strokeWidth: 4 },
  { code: 'kabupaten', labelId: 'Jalan kabupaten', labelEn: 'Regency road', strokeWidth: 3 },
  { code: 'kota', labelId: 'Jalan kota', labelEn: 'City road', strokeWidth: 3 },
  { code: 'desa', labelId: 'Jalan desa', labelEn: 'Village road', strokeWidth: 1.5 },
];

/** Road function, primer (inter-regional) or sekunder (urban) (UU 38/2004; PP 34/2006). */
export const roadFunctionDomain: readonly CodedValue[] = [
  { code: 'arteri_primer', labelId: 'Arteri primer', labelEn: 'Primary arterial' },
  { code: 'kolektor_primer', labelId: 'Kolektor primer', labelEn: 'Primary collector' },
  { code: 'lokal_primer', labelId: 'Lokal primer', labelEn: 'Primary local' },
  { code: 'lingkungan_primer', labelId: 'Lingkungan primer', labelEn: 'Primary neighbourhood' },
  { code: 'arteri_sekunder', labelId: 'Arteri sekunder', labelEn: 'Secondary arterial' },
  { code: 'kolektor_sekunder', labelId: 'Kolektor sekunder', labelEn: 'Secondary collector' },
  { code: 'lokal_sekunder', labelId: 'Lokal sekunder', labelEn: 'Secondary local' },
  {
    code: 'lingkungan_sekunder',
    labelId: 'Lingkungan sekunder',
    labelEn: 'Secondary neighbourhood',
  },
];

/** Pavement (surface) types as inventoried for PKRMS. */
export const roadSurfaceDomain: readonly CodedValue[] = [
  { code: 'aspal', labelId: 'Aspal (hotmix)', labelEn: 'Asphalt concrete' },
  { code: 'penetrasi_makadam', labelId: 'Penetrasi / makadam', labelEn: 'Penetration macadam' },
  { code: 'beton', labelId: 'Beton (perkerasan kaku)', labelEn: 'Concrete (rigid)' },
  { code: 'paving_blok', labelId: 'Paving blok', labelEn: 'Concrete block paving' },
  { code: 'kerikil', labelId: 'Kerikil / telford', labelEn: 'Gravel' },
  { code: 'tanah', labelId: 'Tanah', labelEn: 'Earth' },
];
