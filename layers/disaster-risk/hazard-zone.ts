import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerAccess, LayerDefinition } from '../types.js';

/** Disaster risk layers are public; the disaster agency (BPBD) edits them. */
export const disasterRiskAccess: LayerAccess = {
  read: 'public',
  edit: ['admin', 'disaster-risk:editor'],
};

/** Who answers for the disaster risk layers. */
export const disasterRiskContact = 'Badan Penanggulangan Bencana Daerah (BPBD)';

/** The hazards mapped by InaRISK (BNPB), the same ten a KRB assesses. */
export const hazardTypeDomain: readonly CodedValue[] = [
  { code: 'banjir', labelId: 'Banjir', labelEn: 'Flood' },
  { code: 'banjir_bandang', labelId: 'Banjir bandang', labelEn: 'Flash flood' },
  { code: 'tsunami', labelId: 'Tsunami', labelEn: 'Tsunami' },
  { code: 'tanah_longsor', labelId: 'Tanah longsor', labelEn: 'Landslide' },
  { code: 'gempa_bumi', labelId: 'Gempa bumi', labelEn: 'Earthquake' },
  {
    code: 'gelombang_ekstrem_abrasi',
    labelId: 'Gelombang ekstrem dan abrasi',
    labelEn: 'Extreme waves and coastal abrasion',
  },
  { code: 'kekeringan', labelId: 'Kekeringan', labelEn: 'Drought' },
  { code: 'cuaca_ekstrem', labelId: 'Cuaca ekstrem', labelEn: 'Extreme weather' },
  {
    code: 'kebakaran_hutan_lahan',
    labelId: 'Kebakaran hutan dan lahan',
    labelEn: 'Forest and land fire',
  },
  { code: 'letusan_gunung_api', labelId: 'Letusan gunung api', labelEn: 'Volcanic eruption' },
];

/**
 * Hazard classes of the BNPB method (Perka BNPB 2/2012), graded from light to dark. From an
 * index 0–1: rendah below 0.334, sedang to 0.666, tinggi above (thirds; still to be verified).
 */
export const hazardClassDomain: readonly CodedValue[] = [
  { code: 'rendah', labelId: 'Bahaya rendah', labelEn: 'Low hazard', color: '#fed976' },
  { code: 'sedang', labelId: 'Bahaya sedang', labelEn: 'Medium hazard', color: '#fd8d3c' },
  { code: 'tinggi', labelId: 'Bahaya tinggi', labelEn: 'High hazard', color: '#bd0026' },
];

/**
 * Hazard zones (kawasan rawan / indeks bahaya): where a hazard may strike and how strongly.
 * This is hazard only, not risk: risk also weighs vulnerability and capacity, and belongs in
 * a layer of its own.
 */
export const hazardZone: LayerDefinition = {
  id: 'hazard_zone',
  theme: 'disaster-risk',
  titleId: 'Kawasan rawan bencana (bahaya)',
  titleEn: 'Hazard zones',
  owner: 'bpbd',
  geometry: { type: 'MultiPolygon', srid: 4326 },
  nameAttribute: 'hazard_type',
  attributes: [
    {
      name: 'hazard_type',
      type: 'text',
      titleId: 'Jenis bahaya',
      titleEn: 'Hazard type',
      required: true,
      domain: hazardTypeDomain,
      inTiles: true,
    },
    {
      name: 'hazard_class',
      type: 'text',
      titleId: 'Kelas bahaya',
      titleEn: 'Hazard class',
      required: true,
      domain: hazardClassDomain,
      inTiles: true,
    },
    {
      name: 'index_value',
      type: 'number',
      titleId: 'Indeks bahaya',
      titleEn: 'Hazard index',
      min: 0,
      max: 1,
      description: 'BNPB hazard index 0–1 where the assessment gives one.',
    },
    {
      name: 'year',
      type: 'integer',
      titleId: 'Tahun kajian',
      titleEn: 'Assessment year',
      min: 1990,
      max: 2100,
    },
    {
      name: 'area_ha',
      type: 'number',
      titleId: 'Luas terhitung',
      titleEn: 'Computed area',
      unit: 'ha',
      computed: 'area_ha',
    },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source', required: true },
  ],
  zoom: { min: 8, max: 20 },
  // One hazard type at a time: ten hazards over the same ground, stacked, read as one blur.
  style: {
    stroke: '#bd0026',
    strokeWidth: 0.5,
    fillOpacity: 0.35,
    classifyBy: 'hazard_class',
    showOneOf: 'hazard_type',
  },
  access: disasterRiskAccess,
  metadata: sampleMetadata({
    abstractId:
      'Kawasan rawan bencana per jenis bahaya (banjir, tsunami, longsor, abrasi, dll.) dengan ' +
      'kelas bahaya rendah/sedang/tinggi dan indeks bahaya BNPB. Bahaya, bukan risiko.',
    abstractEn:
      'Hazard zones per hazard type (flood, tsunami, landslide, abrasion…) with hazard class ' +
      'low/medium/high and BNPB hazard index. Hazard, not risk.',
    keywords: ['kawasan rawan bencana', 'indeks bahaya', 'InaRISK', 'hazard', 'BPBD'],
    contact: disasterRiskContact,
    updateFrequency: 'irregular',
  }),
  order: 400,
};
