import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, RecordTableDefinition } from '../types.js';
import { planZoneCodeDomain } from './plan-zone-classes.js';
import { spatialPlanAccess, spatialPlanContact } from './plan-zone.js';

/** The ITBX classes of the zoning regulation (peraturan zonasi). */
export const activityRuleDomain: readonly CodedValue[] = [
  { code: 'I', labelId: 'Diizinkan (I)', labelEn: 'Permitted (I)', color: '#1a9641' },
  { code: 'T', labelId: 'Terbatas (T)', labelEn: 'Limited (T)', color: '#e6c700' },
  { code: 'B', labelId: 'Bersyarat (B)', labelEn: 'Conditional (B)', color: '#f28c28' },
  { code: 'X', labelId: 'Tidak diizinkan (X)', labelEn: 'Prohibited (X)', color: '#d7191c' },
];

/** Activities the zoning regulation rules on, one row of the ITBX matrix each. */
export const plannedActivityDomain: readonly CodedValue[] = [
  { code: 'perumahan', labelId: 'Perumahan', labelEn: 'Housing' },
  { code: 'perdagangan_jasa', labelId: 'Perdagangan dan jasa', labelEn: 'Trade and services' },
  { code: 'perkantoran', labelId: 'Perkantoran', labelEn: 'Offices' },
  { code: 'industri', labelId: 'Industri', labelEn: 'Industry' },
  { code: 'pergudangan', labelId: 'Pergudangan', labelEn: 'Warehousing' },
  { code: 'fasilitas_umum', labelId: 'Fasilitas umum dan sosial', labelEn: 'Public facilities' },
  { code: 'pertanian_pangan', labelId: 'Pertanian tanaman pangan', labelEn: 'Food crop farming' },
  { code: 'perkebunan', labelId: 'Perkebunan', labelEn: 'Plantation' },
  { code: 'peternakan', labelId: 'Peternakan', labelEn: 'Livestock' },
  { code: 'perikanan_budi_daya', labelId: 'Perikanan budi daya', labelEn: 'Aquaculture' },
  { code: 'pertambangan', labelId: 'Pertambangan', labelEn: 'Mining' },
  { code: 'pariwisata', labelId: 'Pariwisata', labelEn: 'Tourism' },
  {
    code: 'pemanfaatan_hasil_hutan',
    labelId: 'Pemanfaatan hasil hutan kayu',
    labelEn: 'Timber harvesting',
  },
  { code: 'ruang_terbuka_hijau', labelId: 'Ruang terbuka hijau', labelEn: 'Green open space' },
  {
    code: 'prasarana_jaringan',
    labelId: 'Jaringan prasarana (jalan, energi, telekomunikasi, air)',
    labelEn: 'Infrastructure networks (roads, energy, telecom, water)',
  },
  {
    code: 'penelitian_pendidikan',
    labelId: 'Penelitian dan pendidikan',
    labelEn: 'Research and education',
  },
];

/**
 * The activity rules of each zone code (the ITBX matrix of the zoning regulation): whether an
 * activity is permitted (I), limited (T), conditional (B) or prohibited (X), and for T and B
 * the conditions in words.
 */
export const planActivityRule: RecordTableDefinition = {
  id: 'plan_activity_rule',
  theme: 'spatial-plan',
  titleId: 'Ketentuan kegiatan (ITBX)',
  titleEn: 'Zone activity rules (ITBX)',
  owner: 'planning-office',
  naturalKey: ['zone_code', 'activity'],
  attributes: [
    {
      name: 'zone_code',
      type: 'text',
      titleId: 'Kode kawasan',
      titleEn: 'Zone code',
      required: true,
      domain: planZoneCodeDomain,
    },
    {
      name: 'activity',
      type: 'text',
      titleId: 'Kegiatan',
      titleEn: 'Activity',
      required: true,
      domain: plannedActivityDomain,
    },
    {
      name: 'rule',
      type: 'text',
      titleId: 'Ketentuan',
      titleEn: 'Rule',
      required: true,
      domain: activityRuleDomain,
    },
    {
      name: 'condition',
      type: 'text',
      titleId: 'Syarat / batasan',
      titleEn: 'Conditions (Indonesian)',
      description: 'For T and B: the limits or conditions, in words.',
    },
    {
      name: 'condition_en',
      type: 'text',
      titleId: 'Syarat / batasan (Inggris)',
      titleEn: 'Conditions (English)',
    },
    { name: 'regulation', type: 'text', titleId: 'Dasar hukum', titleEn: 'Regulation' },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  access: spatialPlanAccess,
  metadata: sampleMetadata({
    abstractId:
      'Matriks ketentuan kegiatan per kode kawasan: I diizinkan, T terbatas, B bersyarat, ' +
      'X tidak diizinkan, dengan syarat T dan B dalam kalimat.',
    abstractEn:
      'Activity rules per zone code: I permitted, T limited, B conditional, X prohibited, with ' +
      'the conditions of T and B in words.',
    keywords: ['peraturan zonasi', 'ITBX', 'KKPR', 'zoning regulation'],
    contact: spatialPlanContact,
    updateFrequency: 'irregular',
  }),
};
