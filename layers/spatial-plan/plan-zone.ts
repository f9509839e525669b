import { sampleMetadata } from '../sample-metadata.js';
import type { AttributeDefinition, LayerAccess, LayerDefinition } from '../types.js';
import { planZoneCodeDomain } from './plan-zone-classes.js';

/** Spatial plan layers are public; the planning office edits them. */
export const spatialPlanAccess: LayerAccess = {
  read: 'public',
  edit: ['admin', 'spatial-plan:editor'],
};

/** Who answers for the spatial plan layers. */
export const spatialPlanContact = 'Dinas Pekerjaan Umum dan Penataan Ruang, Bidang Tata Ruang';

function ordeAttribute(level: number): AttributeDefinition {
  return {
    name: `orde0${level}`,
    type: 'text',
    titleId: `ORDE0${level}`,
    titleEn: `Classification level ${level}`,
    description: `Level ${level} of the classification path (Permen ATR/BPN 14/2021, ORDE0${level}).`,
  };
}

/**
 * Zones of the regional spatial plan (RTRW pola ruang), one polygon per zone patch, with the
 * attribute structure of the national RTR database standard (NAMOBJ, ORDE01–ORDE04). Zones
 * must tile the regency without gaps or overlaps (Lampiran I topology rules).
 */
export const planZone: LayerDefinition = {
  id: 'plan_zone',
  theme: 'spatial-plan',
  titleId: 'Pola ruang (RTRW)',
  titleEn: 'Spatial plan zones',
  owner: 'planning-office',
  geometry: { type: 'MultiPolygon', srid: 4326 },
  nameAttribute: 'namobj',
  attributes: [
    {
      name: 'namobj',
      type: 'text',
      titleId: 'NAMOBJ',
      titleEn: 'Object name',
      required: true,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 14 },
      description: 'Name of the lowest classification element (NAMOBJ).',
    },
    {
      name: 'zone_code',
      type: 'text',
      titleId: 'Kode kawasan',
      titleEn: 'Zone code',
      required: true,
      domain: planZoneCodeDomain,
      inTiles: true,
    },
    ordeAttribute(1),
    ordeAttribute(2),
    ordeAttribute(3),
    ordeAttribute(4),
    {
      name: 'kind',
      type: 'text',
      titleId: 'Fungsi kawasan',
      titleEn: 'Zone kind',
      required: true,
      domain: [
        { code: 'lindung', labelId: 'Kawasan lindung', labelEn: 'Protected area' },
        { code: 'budidaya', labelId: 'Kawasan budi daya', labelEn: 'Cultivation area' },
      ],
      inTiles: true,
    },
    {
      name: 'regulation',
      type: 'text',
      titleId: 'Dasar hukum',
      titleEn: 'Regulation',
      description: 'The regional regulation (Perda) that sets the plan.',
    },
    {
      name: 'period_start',
      type: 'integer',
      titleId: 'Awal periode rencana',
      titleEn: 'Plan period start',
      min: 1990,
      max: 2100,
    },
    {
      name: 'period_end',
      type: 'integer',
      titleId: 'Akhir periode rencana',
      titleEn: 'Plan period end',
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
    { name: 'remark', type: 'text', titleId: 'Keterangan (REMARK)', titleEn: 'Remark' },
    { name: 'source', type: 'text', titleId: 'Sumber data (SBDATA)', titleEn: 'Source' },
  ],
  attributeRules: [{ attribute: 'period_start', comparison: '<=', other: 'period_end' }],
  zoom: { min: 9, max: 20 },
  style: {
    stroke: '#6e6e6e',
    strokeWidth: 0.5,
    fillOpacity: 0.55,
    classifyBy: 'zone_code',
    labelAttribute: 'namobj',
    labelMinZoom: 14,
  },
  access: spatialPlanAccess,
  metadata: sampleMetadata({
    abstractId:
      'Rencana pola ruang RTRW kabupaten: kawasan lindung dan budi daya dengan kode kawasan, ' +
      'jalur klasifikasi (NAMOBJ, ORDE01–ORDE04), dasar hukum dan periode rencana.',
    abstractEn:
      'Regency spatial plan (RTRW pola ruang): protected and cultivation zones with zone code, ' +
      'classification path (NAMOBJ, ORDE01–ORDE04), regulation and plan period.',
    keywords: ['RTRW', 'pola ruang', 'rencana tata ruang', 'spatial plan', 'zoning'],
    contact: spatialPlanContact,
    updateFrequency: 'irregular',
  }),
  order: 100,
};
