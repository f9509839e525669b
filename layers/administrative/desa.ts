import type { LayerDefinition } from '../types.js';
import { administrativeAccess, boundaryMetadata } from './common.js';

/** Desa and kelurahan boundaries (the lowest administrative level). */
export const desa: LayerDefinition = {
  id: 'desa',
  theme: 'administrative',
  titleId: 'Desa/Kelurahan',
  titleEn: 'Village (desa/kelurahan)',
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
      maxLength: 13,
    },
    {
      name: 'type',
      type: 'text',
      titleId: 'Jenis',
      titleEn: 'Type',
      required: true,
      inTiles: true,
      domain: [
        { code: 'desa', labelId: 'Desa', labelEn: 'Village (desa)', color: '#8fbf7a' },
        { code: 'kelurahan', labelId: 'Kelurahan', labelEn: 'Urban village', color: '#e0a458' },
      ],
    },
    { name: 'kecamatan', type: 'text', titleId: 'Kecamatan', titleEn: 'Kecamatan' },
    {
      name: 'kecamatan_code',
      type: 'text',
      titleId: 'Kode kecamatan',
      titleEn: 'Kecamatan code',
      maxLength: 8,
    },
    {
      name: 'area_ha',
      type: 'number',
      titleId: 'Luas terhitung',
      titleEn: 'Computed area',
      unit: 'ha',
      computed: 'area_ha',
    },
  ],
  zoom: { min: 10, max: 20 },
  style: {
    stroke: '#6b8f5e',
    strokeWidth: 1,
    strokeDash: [4, 3],
    fill: '#8fbf7a',
    fillOpacity: 0.12,
    classifyBy: 'type',
    labelAttribute: 'name',
    labelMinZoom: 13,
  },
  access: administrativeAccess,
  metadata: {
    ...boundaryMetadata,
    abstractId: 'Batas 269 desa dan 15 kelurahan dengan kode Kemendagri dan kecamatannya.',
    abstractEn: 'Boundaries of the 269 desa and 15 kelurahan with Kemendagri code and kecamatan.',
    keywords: ['batas administrasi', 'desa', 'kelurahan', 'village boundary'],
  },
  order: 10,
};
