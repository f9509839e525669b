import type { AttributeDefinition, LayerDefinition } from '../types.js';
import { administrativeAccess, boundaryMetadata } from './common.js';

const populationYears = [2012, 2013, 2014, 2015, 2016];

const populationAttributes: AttributeDefinition[] = populationYears.map((year) => ({
  name: `population_${year}`,
  type: 'integer',
  titleId: `Penduduk ${year}`,
  titleEn: `Population ${year}`,
  unit: 'jiwa',
  min: 0,
}));

/** Kecamatan boundaries with the BPS profile figures joined by Kemendagri code. */
export const kecamatan: LayerDefinition = {
  id: 'kecamatan',
  theme: 'administrative',
  titleId: 'Kecamatan',
  titleEn: 'Kecamatan (district)',
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
      maxLength: 8,
    },
    {
      name: 'area_ha_official',
      type: 'number',
      titleId: 'Luas resmi (BPS)',
      titleEn: 'Official area (BPS)',
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
      name: 'desa_count',
      type: 'integer',
      titleId: 'Jumlah desa',
      titleEn: 'Number of desa',
      min: 0,
    },
    {
      name: 'kelurahan_count',
      type: 'integer',
      titleId: 'Jumlah kelurahan',
      titleEn: 'Number of kelurahan',
      min: 0,
    },
    {
      name: 'elevation_m',
      type: 'number',
      titleId: 'Ketinggian rata-rata',
      titleEn: 'Mean elevation',
      unit: 'm',
    },
    ...populationAttributes,
  ],
  zoom: { min: 8, max: 20 },
  style: {
    stroke: '#5b4a8b',
    strokeWidth: 2,
    fill: '#b9a7e0',
    fillOpacity: 0.15,
    labelAttribute: 'name',
    labelMinZoom: 10,
  },
  access: administrativeAccess,
  metadata: {
    ...boundaryMetadata,
    abstractId:
      'Batas 24 kecamatan dengan kode Kemendagri, luas, jumlah desa dan kelurahan, ' +
      'ketinggian dan jumlah penduduk 2012–2016 (BPS).',
    abstractEn:
      'Kecamatan boundaries with Kemendagri code, area, desa and kelurahan counts, ' +
      'elevation and population 2012–2016 (BPS).',
    keywords: ['batas administrasi', 'kecamatan', 'administrative boundary', 'district'],
  },
  order: 20,
};
