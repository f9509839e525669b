import type { LayerDefinition } from '../../layers/types.js';

/** A line layer coloured by condition class (one class lacks a colour), wide by status. */
export const roadsByCondition: LayerDefinition = {
  id: 'road_fixture',
  theme: 'roads',
  titleId: 'Ruas jalan',
  titleEn: 'Road segment',
  owner: 'bina-marga',
  geometry: { type: 'MultiLineString', srid: 4326 },
  nameAttribute: 'name',
  attributes: [
    { name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name', inTiles: true },
    {
      name: 'condition',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: [
        { code: 'baik', labelId: 'Baik', labelEn: 'Good', color: '#2e7d32' },
        { code: 'rusak_berat', labelId: 'Rusak berat', labelEn: 'Poor', color: '#c62828' },
        { code: 'tidak_diketahui', labelId: 'Tidak diketahui', labelEn: 'Unknown' },
      ],
    },
    {
      name: 'status',
      type: 'text',
      titleId: 'Status',
      titleEn: 'Status',
      domain: [
        { code: 'kabupaten', labelId: 'Jalan kabupaten', labelEn: 'Regency road', strokeWidth: 4 },
        { code: 'desa', labelId: 'Jalan desa', labelEn: 'Village road' },
      ],
    },
    { name: 'width_m', type: 'number', titleId: 'Lebar', titleEn: 'Width', unit: 'm' },
    { name: 'paved', type: 'boolean', titleId: 'Diaspal', titleEn: 'Paved' },
    { name: 'surveyed_on', type: 'date', titleId: 'Tanggal survei', titleEn: 'Survey date' },
  ],
  zoom: { min: 10, max: 20 },
  style: {
    stroke: '#777777',
    strokeWidth: 2,
    classifyBy: 'condition',
    widthBy: 'status',
    labelAttribute: 'name',
  },
  access: { read: 'public', edit: ['admin'] },
  metadata: {
    abstractId: 'Contoh',
    abstractEn: 'Example',
    keywords: [],
    source: 'test',
    licence: 'test',
    updateFrequency: 'irregular',
    contact: 'test',
    sample: true,
  },
};
