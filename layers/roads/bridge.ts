import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerDefinition } from '../types.js';
import { roadsAccess, roadsContact } from './road-domains.js';

/** Main structure (superstructure) types of the bridge inventory (BMS). */
const bridgeStructureDomain: readonly CodedValue[] = [
  { code: 'gelagar_beton', labelId: 'Gelagar beton bertulang', labelEn: 'RC girder' },
  { code: 'beton_prategang', labelId: 'Gelagar beton prategang', labelEn: 'Prestressed girder' },
  { code: 'pelat_beton', labelId: 'Pelat beton', labelEn: 'Concrete slab' },
  { code: 'gelagar_baja', labelId: 'Gelagar baja', labelEn: 'Steel girder' },
  { code: 'rangka_baja', labelId: 'Rangka baja', labelEn: 'Steel truss' },
  { code: 'box_culvert', labelId: 'Box culvert', labelEn: 'Box culvert' },
  { code: 'pelengkung', labelId: 'Pelengkung', labelEn: 'Arch' },
  { code: 'gantung', labelId: 'Jembatan gantung', labelEn: 'Suspension' },
  { code: 'kayu', labelId: 'Kayu', labelEn: 'Timber' },
];

/**
 * BMS "nilai kondisi" of the whole bridge, 0 (no damage) to 5 (collapsed); wording from the
 * BMS inspection manual as cited in studies, still to be verified against the manual itself.
 * An ordinal class, stored like every coded value as its text code ('0'…'5').
 */
const bridgeConditionDomain: readonly CodedValue[] = [
  { code: '0', labelId: '0 – Baik sekali', labelEn: '0 – No damage', color: '#1a9641' },
  { code: '1', labelId: '1 – Rusak ringan', labelEn: '1 – Minor damage', color: '#a6d96a' },
  { code: '2', labelId: '2 – Perlu pemantauan', labelEn: '2 – Needs monitoring', color: '#e6c700' },
  { code: '3', labelId: '3 – Perlu penanganan', labelEn: '3 – Needs attention', color: '#f28c28' },
  { code: '4', labelId: '4 – Kritis', labelEn: '4 – Critical', color: '#d7191c' },
  {
    code: '5',
    labelId: '5 – Runtuh / tidak berfungsi',
    labelEn: '5 – Collapsed',
    color: '#7b0c0e',
  },
];

/** Bridges on the road network, as points on the road with the BMS inventory and condition. */
export const bridge: LayerDefinition = {
  id: 'bridge',
  theme: 'roads',
  titleId: 'Jembatan',
  titleEn: 'Bridges',
  owner: 'bina-marga',
  geometry: { type: 'Point', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    {
      name: 'bridge_number',
      type: 'text',
      titleId: 'Nomor jembatan',
      titleEn: 'Bridge number',
      required: true,
      unique: true,
      maxLength: 30,
      inTiles: true,
    },
    {
      name: 'name',
      type: 'text',
      titleId: 'Nama jembatan',
      titleEn: 'Name',
      required: true,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 15 },
    },
    {
      name: 'road_number',
      type: 'text',
      titleId: 'Nomor ruas',
      titleEn: 'Road (link) number',
      maxLength: 20,
    },
    {
      name: 'chainage_m',
      type: 'number',
      titleId: 'Patok (STA)',
      titleEn: 'Chainage',
      unit: 'm',
      min: 0,
    },
    {
      name: 'length_m',
      type: 'number',
      titleId: 'Panjang',
      titleEn: 'Length',
      unit: 'm',
      min: 0,
      max: 2000,
    },
    {
      name: 'width_m',
      type: 'number',
      titleId: 'Lebar',
      titleEn: 'Width',
      unit: 'm',
      min: 0,
      max: 50,
    },
    {
      name: 'spans',
      type: 'integer',
      titleId: 'Jumlah bentang',
      titleEn: 'Number of spans',
      min: 1,
      max: 100,
    },
    {
      name: 'structure_type',
      type: 'text',
      titleId: 'Tipe bangunan atas',
      titleEn: 'Superstructure type',
      domain: bridgeStructureDomain,
    },
    {
      name: 'condition_bms',
      type: 'text',
      titleId: 'Nilai kondisi (BMS)',
      titleEn: 'Condition rating (BMS)',
      domain: bridgeConditionDomain,
      inTiles: true,
    },
    {
      name: 'year_built',
      type: 'integer',
      titleId: 'Tahun dibangun',
      titleEn: 'Year built',
      min: 1850,
      max: 2100,
    },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  zoom: { min: 11, max: 20 },
  style: {
    stroke: '#333333',
    fill: '#4a4a4a',
    pointRadius: 5,
    classifyBy: 'condition_bms',
    labelAttribute: 'name',
    labelMinZoom: 15,
  },
  access: roadsAccess,
  metadata: sampleMetadata({
    abstractId:
      'Jembatan pada jaringan jalan: nomor, nama, panjang, lebar, jumlah bentang, tipe ' +
      'bangunan atas dan nilai kondisi BMS 0–5.',
    abstractEn:
      'Bridges on the road network: number, name, length, width, spans, superstructure type ' +
      'and BMS condition rating 0–5.',
    keywords: ['jembatan', 'bridge', 'BMS', 'kondisi jembatan'],
    contact: roadsContact,
    updateFrequency: 'annually',
  }),
  order: 220,
};
