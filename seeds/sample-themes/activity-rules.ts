import { planZoneClasses } from '../../layers/spatial-plan/plan-zone-classes.js';
import { plannedActivityDomain } from '../../layers/spatial-plan/plan-activity-rule.js';
import type { SampleThemeOptions } from './options.js';

type Rule = 'I' | 'T' | 'B' | 'X';

/** How a group of zones rules on each activity; activities not named take `otherwise`. */
interface RuleProfile {
  zones: readonly string[];
  otherwise: Rule;
  rules: Readonly<Record<string, Rule>>;
}

/**
 * Sample zoning rules (ITBX) in the spirit of RTRW zoning provisions: protected zones forbid
 * building, farmland keeps farming and limits housing, towns allow most urban uses. Invented
 * for the sample; the real matrix comes from the regency's Perda.
 */
const profiles: readonly RuleProfile[] = [
  {
    zones: ['hutan_lindung', 'cagar_alam', 'ekosistem_mangrove'],
    otherwise: 'X',
    rules: {
      ruang_terbuka_hijau: 'I',
      penelitian_pendidikan: 'T',
      pariwisata: 'B',
      prasarana_jaringan: 'B',
    },
  },
  {
    zones: ['perlindungan_setempat', 'badan_air'],
    otherwise: 'X',
    rules: {
      ruang_terbuka_hijau: 'I',
      penelitian_pendidikan: 'T',
      pariwisata: 'T',
      prasarana_jaringan: 'B',
    },
  },
  {
    zones: ['hutan_produksi_terbatas', 'hutan_produksi_tetap', 'hutan_rakyat'],
    otherwise: 'X',
    rules: {
      pemanfaatan_hasil_hutan: 'I',
      ruang_terbuka_hijau: 'I',
      penelitian_pendidikan: 'I',
      perkebunan: 'T',
      peternakan: 'T',
      pariwisata: 'T',
      prasarana_jaringan: 'B',
      pertambangan: 'B',
    },
  },
  {
    zones: ['tanaman_pangan', 'hortikultura', 'perkebunan', 'peternakan', 'perikanan_budi_daya'],
    otherwise: 'X',
    rules: {
      pertanian_pangan: 'I',
      perkebunan: 'I',
      peternakan: 'T',
      perikanan_budi_daya: 'T',
      ruang_terbuka_hijau: 'I',
      penelitian_pendidikan: 'I',
      perumahan: 'T',
      perdagangan_jasa: 'T',
      pergudangan: 'T',
      pariwisata: 'T',
      fasilitas_umum: 'B',
      prasarana_jaringan: 'B',
    },
  },
  {
    zones: ['permukiman_perkotaan', 'permukiman_perdesaan'],
    otherwise: 'T',
    rules: {
      perumahan: 'I',
      perdagangan_jasa: 'I',
      perkantoran: 'I',
      fasilitas_umum: 'I',
      ruang_terbuka_hijau: 'I',
      prasarana_jaringan: 'I',
      pariwisata: 'I',
      penelitian_pendidikan: 'I',
      industri: 'B',
      pertambangan: 'X',
      pemanfaatan_hasil_hutan: 'X',
    },
  },
  {
    zones: ['peruntukan_industri'],
    otherwise: 'X',
    rules: {
      industri: 'I',
      pergudangan: 'I',
      prasarana_jaringan: 'I',
      ruang_terbuka_hijau: 'I',
      perkantoran: 'T',
      perdagangan_jasa: 'T',
      fasilitas_umum: 'T',
      penelitian_pendidikan: 'T',
      perumahan: 'B',
    },
  },
  {
    zones: ['pertambangan'],
    otherwise: 'X',
    rules: {
      pertambangan: 'B',
      prasarana_jaringan: 'B',
      ruang_terbuka_hijau: 'I',
      pertanian_pangan: 'T',
    },
  },
  {
    zones: ['pariwisata'],
    otherwise: 'X',
    rules: {
      pariwisata: 'I',
      ruang_terbuka_hijau: 'I',
      penelitian_pendidikan: 'I',
      perdagangan_jasa: 'T',
      fasilitas_umum: 'T',
      prasarana_jaringan: 'T',
      perumahan: 'B',
    },
  },
  {
    zones: ['transportasi'],
    otherwise: 'X',
    rules: {
      prasarana_jaringan: 'I',
      ruang_terbuka_hijau: 'I',
      pergudangan: 'T',
      perkantoran: 'T',
      perdagangan_jasa: 'T',
    },
  },
  {
    zones: ['pertahanan_keamanan'],
    otherwise: 'X',
    rules: { ruang_terbuka_hijau: 'I', prasarana_jaringan: 'B', penelitian_pendidikan: 'B' },
  },
];

/** The conditions of a T or B answer, in both languages. */
const conditions: Record<'T' | 'B', [string, string]> = {
  T: [
    'Diizinkan terbatas: luas, intensitas bangunan (KDB/KLB) dan waktu kegiatan dibatasi, ' +
      'tidak mengganggu fungsi utama kawasan.',
    'Permitted with limits: area, building intensity (coverage and floor ratios) and hours are ' +
      "capped, and the zone's main function must not be disturbed.",
  ],
  B: [
    'Diizinkan bersyarat: wajib kajian lingkungan (AMDAL atau UKL-UPL) dan persetujuan ' +
      'bupati setelah rekomendasi Forum Penataan Ruang.',
    "Conditional: needs an environmental assessment (AMDAL or UKL-UPL) and the regent's " +
      'approval on the advice of the spatial planning forum.',
  ],
};

/** Specific conditions that read better than the general ones. */
const specificConditions: Record<string, [string, string]> = {
  'T:perumahan': [
    'Hanya rumah petani atau penduduk setempat, KDB paling tinggi 10%, tanpa mengalihfungsikan ' +
      'sawah beririgasi teknis (LP2B).',
    "Only farmers' or residents' houses, at most 10% site coverage, without converting " +
      'irrigated rice fields (protected farmland).',
  ],
  'B:perumahan': [
    'Hanya mes atau asrama pekerja di dalam kawasan, dengan persetujuan pengelola kawasan.',
    "Only staff housing inside the zone, with the zone manager's consent.",
  ],
  'T:pariwisata': [
    'Wisata alam tanpa bangunan permanen dan tanpa mengubah bentang alam.',
    'Nature tourism without permanent buildings and without reshaping the landscape.',
  ],
  'B:pertambangan': [
    'Dengan izin usaha pertambangan, rencana reklamasi dan jaminan reklamasi pascatambang.',
    'With a mining business licence, a reclamation plan and a post-mining reclamation bond.',
  ],
};

/** The ITBX matrix of every zone code and activity, with conditions for T and B in words. */
export function generateActivityRules(options: SampleThemeOptions): Record<string, unknown>[] {
  return planZoneClasses.flatMap((zoneClass) => {
    const profile = profiles.find((p) => p.zones.includes(zoneClass.code));
    return plannedActivityDomain.map(({ code: activity }) => {
      const rule = profile?.rules[activity] ?? profile?.otherwise ?? 'X';
      const words =
        rule === 'T' || rule === 'B'
          ? (specificConditions[`${rule}:${activity}`] ?? conditions[rule])
          : undefined;
      return {
        zone_code: zoneClass.code,
        activity,
        rule,
        condition: words?.[0],
        condition_en: words?.[1],
        regulation: options.plan.regulation,
        source: options.source,
      };
    });
  });
}
