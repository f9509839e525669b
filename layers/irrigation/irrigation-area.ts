import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerDefinition } from '../types.js';
import { irrigationAccess, irrigationContact, sourceAttribute } from './irrigation-domains.js';

/**
 * Who manages a daerah irigasi (form SIPAI-D01). By size (PP 20/2006): the regency under
 * 1,000 ha within the regency, the province 1,000–3,000 ha or cross-regency, the centre above
 * 3,000 ha or cross-province (thresholds to verify against Permen PUPR 14/PRT/M/2015).
 */
const authorityDomain: readonly CodedValue[] = [
  { code: 'pusat', labelId: 'Pemerintah pusat', labelEn: 'Central government', color: '#2c7bb6' },
  { code: 'provinsi', labelId: 'Provinsi', labelEn: 'Province', color: '#74add1' },
  { code: 'kabupaten', labelId: 'Kabupaten', labelEn: 'Regency', color: '#abd9e9' },
  { code: 'desa', labelId: 'Desa / P3A', labelEn: 'Village / water users', color: '#d9f0d3' },
];

/** Daerah irigasi: the area one irrigation system serves, with potential and functional area. */
export const irrigationArea: LayerDefinition = {
  id: 'irrigation_area',
  theme: 'irrigation',
  titleId: 'Daerah irigasi',
  titleEn: 'Irrigation areas',
  owner: 'psda',
  geometry: { type: 'MultiPolygon', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode DI',
      titleEn: 'Irrigation area code',
      required: true,
      unique: true,
      maxLength: 30,
      inTiles: true,
    },
    {
      name: 'name',
      type: 'text',
      titleId: 'Nama DI',
      titleEn: 'Name',
      required: true,
      inTiles: true,
    },
    {
      name: 'authority',
      type: 'text',
      titleId: 'Kewenangan',
      titleEn: 'Authority',
      required: true,
      domain: authorityDomain,
      inTiles: true,
    },
    {
      name: 'water_source',
      type: 'text',
      titleId: 'Sumber air',
      titleEn: 'Water source',
    },
    {
      name: 'potential_area_ha',
      type: 'number',
      titleId: 'Luas potensial',
      titleEn: 'Potential area',
      unit: 'ha',
      min: 0,
    },
    {
      name: 'functional_area_ha',
      type: 'number',
      titleId: 'Luas fungsional',
      titleEn: 'Functional area',
      unit: 'ha',
      min: 0,
    },
    {
      name: 'area_ha',
      type: 'number',
      titleId: 'Luas terhitung',
      titleEn: 'Computed area',
      unit: 'ha',
      computed: 'area_ha',
    },
    sourceAttribute,
  ],
  zoom: { min: 9, max: 20 },
  style: {
    stroke: '#2c7bb6',
    strokeWidth: 1.5,
    fillOpacity: 0.2,
    classifyBy: 'authority',
    labelAttribute: 'name',
    labelMinZoom: 11,
  },
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId:
      'Daerah irigasi (DI) dengan kode, kewenangan pengelolaan, sumber air, luas potensial ' +
      'dan luas fungsional.',
    abstractEn:
      'Irrigation areas (daerah irigasi) with code, managing authority, water source, potential ' +
      'and functional area.',
    keywords: ['daerah irigasi', 'irigasi', 'irrigation area', 'PAI'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
  order: 300,
};
