import type { CodedValue } from '../types.js';

/** Protected (lindung) or cultivation (budi daya) zone, the first level of the plan. */
export type PlanZoneKind = 'lindung' | 'budidaya';

/** One class of the pola ruang: its code, its place in the classification and its colour. */
export interface PlanZoneClass {
  code: string;
  /** The abbreviation printed on RTRW maps (HL, P-1, PK…). */
  symbol: string;
  kind: PlanZoneKind;
  /** The classification path ORDE01–ORDE04, most general first; the last one is NAMOBJ. */
  path: readonly string[];
  labelEn: string;
  color: string;
}

const protectedRoot = 'Kawasan Lindung';
const cultivationRoot = 'Kawasan Budi Daya';

/**
 * The pola ruang classes of an RTRW kabupaten, after the classification of Permen ATR/BPN
 * 11/2021 and the database standard of Permen ATR/BPN 14/2021 (Lampiran III attributes,
 * Lampiran IV classes). The symbols and colours follow those seen in published RTRW datasets;
 * both are still to be verified against Lampiran IV and the regency's own RTRW database.
 */
export const planZoneClasses: readonly PlanZoneClass[] = [
  {
    code: 'badan_air',
    symbol: 'BA',
    kind: 'lindung',
    path: [protectedRoot, 'Badan Air'],
    labelEn: 'Water body',
    color: '#97dbf2',
  },
  {
    code: 'hutan_lindung',
    symbol: 'HL',
    kind: 'lindung',
    path: [protectedRoot, 'Kawasan Hutan Lindung'],
    labelEn: 'Protection forest',
    color: '#325f28',
  },
  {
    code: 'perlindungan_setempat',
    symbol: 'PS',
    kind: 'lindung',
    path: [protectedRoot, 'Kawasan Perlindungan Setempat'],
    labelEn: 'Local protection (river and coast setbacks)',
    color: '#05d7d7',
  },
  {
    code: 'cagar_alam',
    symbol: 'CA',
    kind: 'lindung',
    path: [protectedRoot, 'Kawasan Konservasi', 'Kawasan Cagar Alam'],
    labelEn: 'Nature reserve',
    color: '#1e6b3c',
  },
  {
    code: 'ekosistem_mangrove',
    symbol: 'EM',
    kind: 'lindung',
    path: [protectedRoot, 'Kawasan Ekosistem Mangrove'],
    labelEn: 'Mangrove ecosystem',
    color: '#3c9c6e',
  },
  {
    code: 'hutan_produksi_terbatas',
    symbol: 'HPT',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Hutan Produksi', 'Kawasan Hutan Produksi Terbatas'],
    labelEn: 'Limited production forest',
    color: '#4b9b37',
  },
  {
    code: 'hutan_produksi_tetap',
    symbol: 'HP',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Hutan Produksi', 'Kawasan Hutan Produksi Tetap'],
    labelEn: 'Permanent production forest',
    color: '#7db437',
  },
  {
    code: 'hutan_rakyat',
    symbol: 'HR',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Hutan Rakyat'],
    labelEn: 'Community forest',
    color: '#9acd32',
  },
  {
    code: 'tanaman_pangan',
    symbol: 'P-1',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertanian', 'Kawasan Tanaman Pangan'],
    labelEn: 'Food crops',
    color: '#c8f546',
  },
  {
    code: 'hortikultura',
    symbol: 'P-2',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertanian', 'Kawasan Hortikultura'],
    labelEn: 'Horticulture',
    color: '#e1f0a0',
  },
  {
    code: 'perkebunan',
    symbol: 'P-3',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertanian', 'Kawasan Perkebunan'],
    labelEn: 'Plantation',
    color: '#afaf37',
  },
  {
    code: 'peternakan',
    symbol: 'P-4',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertanian', 'Kawasan Peternakan'],
    labelEn: 'Livestock',
    color: '#d2b48c',
  },
  {
    code: 'perikanan_budi_daya',
    symbol: 'IK',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Perikanan', 'Kawasan Perikanan Budi Daya'],
    labelEn: 'Aquaculture',
    color: '#6fa8dc',
  },
  {
    code: 'pertambangan',
    symbol: 'TB',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertambangan dan Energi', 'Kawasan Pertambangan Batuan'],
    labelEn: 'Mining (rock and sand)',
    color: '#5f7391',
  },
  {
    code: 'peruntukan_industri',
    symbol: 'KPI',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Peruntukan Industri'],
    labelEn: 'Industrial allocation',
    color: '#690000',
  },
  {
    code: 'pariwisata',
    symbol: 'W',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pariwisata'],
    labelEn: 'Tourism',
    color: '#e377c2',
  },
  {
    code: 'permukiman_perkotaan',
    symbol: 'PK',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Permukiman', 'Kawasan Permukiman Perkotaan'],
    labelEn: 'Urban settlement',
    color: '#f59b1e',
  },
  {
    code: 'permukiman_perdesaan',
    symbol: 'PD',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Permukiman', 'Kawasan Permukiman Perdesaan'],
    labelEn: 'Rural settlement',
    color: '#f5cd82',
  },
  {
    code: 'transportasi',
    symbol: 'TR',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Transportasi'],
    labelEn: 'Transport',
    color: '#b4b4b4',
  },
  {
    code: 'pertahanan_keamanan',
    symbol: 'HK',
    kind: 'budidaya',
    path: [cultivationRoot, 'Kawasan Pertahanan dan Keamanan'],
    labelEn: 'Defence and security',
    color: '#7f6a4a',
  },
];

/** The zone code domain: label "Kawasan Hutan Lindung (HL)", colour of the class. */
export const planZoneCodeDomain: readonly CodedValue[] = planZoneClasses.map((zoneClass) => ({
  code: zoneClass.code,
  labelId: `${zoneClass.path.at(-1)} (${zoneClass.symbol})`,
  labelEn: `${zoneClass.labelEn} (${zoneClass.symbol})`,
  color: zoneClass.color,
}));

/** The class of a zone code, or undefined. */
export function findPlanZoneClass(code: string): PlanZoneClass | undefined {
  return planZoneClasses.find((zoneClass) => zoneClass.code === code);
}
