import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerDefinition } from '../types.js';
import {
  irrigationAccess,
  irrigationAreaCodeAttribute,
  irrigationContact,
  sourceAttribute,
} from './irrigation-domains.js';

const wellStatusDomain: readonly CodedValue[] = [
  { code: 'berfungsi', labelId: 'Berfungsi', labelEn: 'Working', color: '#1a9641' },
  {
    code: 'perlu_perbaikan',
    labelId: 'Perlu perbaikan',
    labelEn: 'Needs repair',
    color: '#f28c28',
  },
  { code: 'tidak_berfungsi', labelId: 'Tidak berfungsi', labelEn: 'Not working', color: '#d7191c' },
];

/** Bore wells of groundwater irrigation (JIAT) with depth, discharge and status. */
export const boreWell: LayerDefinition = {
  id: 'bore_well',
  theme: 'irrigation',
  titleId: 'Sumur bor irigasi',
  titleEn: 'Irrigation bore wells',
  owner: 'psda',
  geometry: { type: 'Point', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode sumur',
      titleEn: 'Well code',
      required: true,
      unique: true,
      maxLength: 30,
    },
    {
      name: 'name',
      type: 'text',
      titleId: 'Nama sumur',
      titleEn: 'Name',
      required: true,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 16 },
    },
    {
      name: 'depth_m',
      type: 'number',
      titleId: 'Kedalaman',
      titleEn: 'Depth',
      unit: 'm',
      min: 0,
      max: 500,
    },
    {
      name: 'discharge_lps',
      type: 'number',
      titleId: 'Debit',
      titleEn: 'Discharge',
      unit: 'l/s',
      min: 0,
      max: 200,
    },
    {
      name: 'served_area_ha',
      type: 'number',
      titleId: 'Luas layanan',
      titleEn: 'Served area',
      unit: 'ha',
      min: 0,
    },
    {
      name: 'status',
      type: 'text',
      titleId: 'Status',
      titleEn: 'Status',
      required: true,
      domain: wellStatusDomain,
      inTiles: true,
    },
    irrigationAreaCodeAttribute,
    sourceAttribute,
  ],
  zoom: { min: 11, max: 20 },
  style: {
    stroke: '#08306b',
    fill: '#4292c6',
    pointRadius: 5,
    classifyBy: 'status',
    labelAttribute: 'name',
    labelMinZoom: 16,
  },
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId: 'Sumur bor irigasi air tanah (JIAT): kedalaman, debit (l/detik) dan status.',
    abstractEn: 'Groundwater irrigation bore wells (JIAT): depth, discharge (l/s) and status.',
    keywords: ['sumur bor', 'irigasi air tanah', 'JIAT', 'bore well'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
  order: 330,
};
