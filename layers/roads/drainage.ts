import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, LayerDefinition } from '../types.js';
import { roadConditionDomain, roadsAccess, roadsContact } from './road-domains.js';

/** Road-side drain types as inventoried for PKRMS (drainage type left and right). */
const drainTypeDomain: readonly CodedValue[] = [
  { code: 'tanah_terbuka', labelId: 'Saluran tanah terbuka', labelEn: 'Open earth ditch' },
  { code: 'pasangan_terbuka', labelId: 'Pasangan batu terbuka', labelEn: 'Open masonry drain' },
  { code: 'beton_u_ditch', labelId: 'Beton (U-ditch)', labelEn: 'Concrete U-ditch' },
  { code: 'tertutup', labelId: 'Saluran tertutup', labelEn: 'Covered drain' },
];

const roadSideDomain: readonly CodedValue[] = [
  { code: 'kiri', labelId: 'Kiri', labelEn: 'Left' },
  { code: 'kanan', labelId: 'Kanan', labelEn: 'Right' },
];

/** Road drainage: drains along road segments, one line per side. */
export const drainage: LayerDefinition = {
  id: 'drainage',
  theme: 'roads',
  titleId: 'Drainase jalan',
  titleEn: 'Road drainage',
  owner: 'bina-marga',
  geometry: { type: 'MultiLineString', srid: 4326 },
  nameAttribute: 'code',
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode saluran',
      titleEn: 'Drain code',
      required: true,
      unique: true,
      maxLength: 40,
    },
    {
      name: 'segment_code',
      type: 'text',
      titleId: 'Kode segmen jalan',
      titleEn: 'Road segment code',
      maxLength: 30,
    },
    {
      name: 'side',
      type: 'text',
      titleId: 'Sisi jalan',
      titleEn: 'Side of road',
      domain: roadSideDomain,
    },
    {
      name: 'drain_type',
      type: 'text',
      titleId: 'Jenis saluran',
      titleEn: 'Drain type',
      required: true,
      domain: drainTypeDomain,
    },
    {
      name: 'width_m',
      type: 'number',
      titleId: 'Lebar',
      titleEn: 'Width',
      unit: 'm',
      min: 0,
      max: 10,
    },
    {
      name: 'depth_m',
      type: 'number',
      titleId: 'Kedalaman',
      titleEn: 'Depth',
      unit: 'm',
      min: 0,
      max: 10,
    },
    {
      name: 'condition_class',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: roadConditionDomain,
      inTiles: true,
    },
    {
      name: 'length_m',
      type: 'number',
      titleId: 'Panjang terhitung',
      titleEn: 'Computed length',
      unit: 'm',
      computed: 'length_m',
    },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  zoom: { min: 13, max: 20 },
  style: { stroke: '#3b7dd8', strokeWidth: 1.5, strokeDash: [3, 2], classifyBy: 'condition_class' },
  access: roadsAccess,
  metadata: sampleMetadata({
    abstractId: 'Saluran drainase di sisi ruas jalan: jenis, sisi, dimensi dan kondisi.',
    abstractEn: 'Drains along road segments: type, side, dimensions and condition.',
    keywords: ['drainase', 'saluran samping', 'road drainage'],
    contact: roadsContact,
    updateFrequency: 'annually',
  }),
  order: 190,
};
