import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerDefinition } from '../types.js';
import { disasterRiskAccess, disasterRiskContact, hazardTypeDomain } from './hazard-zone.js';

const evacuationTypeDomain: readonly CodedValue[] = [
  { code: 'titik_kumpul', labelId: 'Titik kumpul', labelEn: 'Assembly point', color: '#31a354' },
  {
    code: 'tempat_evakuasi_sementara',
    labelId: 'Tempat evakuasi sementara (TES)',
    labelEn: 'Temporary evacuation site',
    color: '#3182bd',
  },
  {
    code: 'tempat_evakuasi_akhir',
    labelId: 'Tempat evakuasi akhir (TEA)',
    labelEn: 'Final evacuation site',
    color: '#08519c',
  },
  {
    code: 'shelter_tsunami',
    labelId: 'Shelter tsunami (evakuasi vertikal)',
    labelEn: 'Tsunami shelter (vertical evacuation)',
    color: '#756bb1',
  },
];

/** Evacuation points: assembly points, evacuation sites and shelters with their capacity. */
export const evacuationPoint: LayerDefinition = {
  id: 'evacuation_point',
  theme: 'disaster-risk',
  titleId: 'Titik evakuasi',
  titleEn: 'Evacuation points',
  owner: 'bpbd',
  geometry: { type: 'Point', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    { name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name', required: true, inTiles: true },
    {
      name: 'type',
      type: 'text',
      titleId: 'Jenis',
      titleEn: 'Type',
      required: true,
      domain: evacuationTypeDomain,
      inTiles: true,
    },
    {
      name: 'capacity',
      type: 'integer',
      titleId: 'Kapasitas',
      titleEn: 'Capacity',
      unit: 'jiwa',
      min: 0,
    },
    {
      name: 'hazard_type',
      type: 'text',
      titleId: 'Untuk bahaya',
      titleEn: 'For hazard',
      domain: hazardTypeDomain,
    },
    {
      name: 'desa_code',
      type: 'text',
      titleId: 'Kode desa',
      titleEn: 'Desa code',
      maxLength: 13,
    },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  zoom: { min: 10, max: 20 },
  style: {
    stroke: '#ffffff',
    fill: '#31a354',
    pointRadius: 6,
    classifyBy: 'type',
    labelAttribute: 'name',
    labelMinZoom: 15,
  },
  access: disasterRiskAccess,
  metadata: sampleMetadata({
    abstractId: 'Titik kumpul, tempat evakuasi dan shelter tsunami dengan kapasitas.',
    abstractEn: 'Assembly points, evacuation sites and tsunami shelters with their capacity.',
    keywords: ['titik evakuasi', 'shelter', 'evacuation point', 'BPBD'],
    contact: disasterRiskContact,
    updateFrequency: 'annually',
  }),
  order: 420,
};
