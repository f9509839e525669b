import type { LayerDefinition } from '../types.js';
import { administrativeAccess, boundaryMetadata } from './common.js';

/** The regency outline (kabupaten), one feature. */
export const regency: LayerDefinition = {
  id: 'regency',
  theme: 'administrative',
  titleId: 'Batas Kabupaten',
  titleEn: 'Regency boundary',
  owner: 'boundary-unit',
  geometry: { type: 'MultiPolygon', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    { name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name', required: true, inTiles: true },
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode Kemendagri',
      titleEn: 'Kemendagri code',
      required: true,
      unique: true,
      inTiles: true,
    },
    { name: 'province', type: 'text', titleId: 'Provinsi', titleEn: 'Province' },
    {
      name: 'area_ha_official',
      type: 'number',
      titleId: 'Luas resmi',
      titleEn: 'Official area',
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
    {
      name: 'population',
      type: 'integer',
      titleId: 'Jumlah penduduk',
      titleEn: 'Population',
      unit: 'jiwa',
      min: 0,
    },
    {
      name: 'population_source',
      type: 'text',
      titleId: 'Sumber data penduduk',
      titleEn: 'Population source',
    },
  ],
  zoom: { min: 0, max: 20 },
  style: { stroke: '#7b2d26', strokeWidth: 3, fillOpacity: 0 },
  access: administrativeAccess,
  metadata: {
    ...boundaryMetadata,
    abstractId: 'Batas wilayah kabupaten, gabungan seluruh desa dan kelurahan.',
    abstractEn: 'The regency outline, the union of all its desa and kelurahan.',
    keywords: ['batas administrasi', 'kabupaten', 'administrative boundary', 'regency'],
  },
  order: 30,
  regencyOutline: true,
};
