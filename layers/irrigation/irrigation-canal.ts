import { sampleMetadata } from '../sample-metadata.js';
import type { AttributeDefinition, CodedValue, LayerDefinition } from '../types.js';
import {
  irrigationAccess,
  irrigationAreaCodeAttribute,
  irrigationConditionDomain,
  irrigationContact,
  sourceAttribute,
} from './irrigation-domains.js';

/** Canal order, drawn narrower as the order falls (Permen PU 13/PRT/M/2012 asset types). */
const canalClassDomain: readonly CodedValue[] = [
  {
    code: 'primer',
    labelId: 'Saluran primer',
    labelEn: 'Primary canal',
    color: '#08519c',
    strokeWidth: 4,
  },
  {
    code: 'sekunder',
    labelId: 'Saluran sekunder',
    labelEn: 'Secondary canal',
    color: '#3182bd',
    strokeWidth: 2.5,
  },
  {
    code: 'tersier',
    labelId: 'Saluran tersier',
    labelEn: 'Tertiary canal',
    color: '#6baed6',
    strokeWidth: 1.5,
  },
  {
    code: 'pembuang',
    labelId: 'Saluran pembuang',
    labelEn: 'Drain',
    color: '#8c6d31',
    strokeWidth: 2,
  },
];

/** Network assets are either supply (pembawa) or drainage (pembuang). */
const flowTypeDomain: readonly CodedValue[] = [
  { code: 'supply', labelId: 'Pembawa (suplai)', labelEn: 'Supply' },
  { code: 'drainage', labelId: 'Pembuang', labelEn: 'Drainage' },
];

/** The canal's current state: copied from its newest inspection. */
function latestInspection(attribute: AttributeDefinition): AttributeDefinition {
  return {
    ...attribute,
    computed: 'latest_record',
    latestRecord: { tableId: 'irrigation_canal_inspection', attribute: attribute.name },
  };
}

/** Irrigation canals (supply and drainage) with their order and current condition. */
export const irrigationCanal: LayerDefinition = {
  id: 'irrigation_canal',
  theme: 'irrigation',
  titleId: 'Saluran irigasi',
  titleEn: 'Irrigation canals',
  owner: 'psda',
  geometry: { type: 'MultiLineString', srid: 4326 },
  nameAttribute: 'name',
  // datetime on the items selects by the date of the latest inspection
  timeAttribute: 'inspection_date',
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode saluran',
      titleEn: 'Canal code',
      required: true,
      unique: true,
      maxLength: 40,
    },
    {
      name: 'name',
      type: 'text',
      titleId: 'Nama saluran',
      titleEn: 'Name',
      required: true,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 15 },
    },
    {
      name: 'canal_class',
      type: 'text',
      titleId: 'Jenis saluran',
      titleEn: 'Canal order',
      required: true,
      domain: canalClassDomain,
      inTiles: true,
    },
    {
      name: 'flow_type',
      type: 'text',
      titleId: 'Fungsi aliran',
      titleEn: 'Flow type',
      required: true,
      domain: flowTypeDomain,
    },
    irrigationAreaCodeAttribute,
    latestInspection({
      name: 'condition_class',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: irrigationConditionDomain,
      inTiles: true,
    }),
    latestInspection({
      name: 'inspection_date',
      type: 'date',
      titleId: 'Tanggal inspeksi',
      titleEn: 'Inspection date',
    }),
    {
      name: 'length_m',
      type: 'number',
      titleId: 'Panjang terhitung',
      titleEn: 'Computed length',
      unit: 'm',
      computed: 'length_m',
    },
    sourceAttribute,
  ],
  zoom: { min: 10, max: 20 },
  style: {
    stroke: '#3182bd',
    strokeWidth: 1.5,
    classifyBy: 'canal_class',
    widthBy: 'canal_class',
    labelAttribute: 'name',
    labelMinZoom: 15,
  },
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId:
      'Saluran irigasi primer, sekunder, tersier dan pembuang dengan daerah irigasi dan ' +
      'kondisi dari inspeksi terakhir.',
    abstractEn:
      'Primary, secondary, tertiary and drainage canals with their irrigation area and the ' +
      'condition from the latest inspection.',
    keywords: ['saluran irigasi', 'saluran pembuang', 'irrigation canal', 'PAI'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
  order: 310,
};
