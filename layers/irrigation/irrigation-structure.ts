import { sampleMetadata } from '../sample-metadata.js';
import type { AttributeDefinition, CodedValue, LayerDefinition } from '../types.js';
import {
  irrigationAccess,
  irrigationAreaCodeAttribute,
  irrigationConditionDomain,
  irrigationContact,
  sourceAttribute,
} from './irrigation-domains.js';

/**
 * Irrigation structures of the network asset list (Permen PU 13/PRT/M/2012 Lampiran I; Juklak
 * PAKSI 2019). The PAKSI numeric asset codes are not included: the code table was not available.
 */
const structureTypeDomain: readonly CodedValue[] = [
  { code: 'bendungan', labelId: 'Bendungan', labelEn: 'Dam', color: '#08306b' },
  { code: 'bendung', labelId: 'Bendung', labelEn: 'Weir', color: '#08519c' },
  {
    code: 'bangunan_pengambilan',
    labelId: 'Bangunan pengambilan',
    labelEn: 'Intake',
    color: '#2171b5',
  },
  {
    code: 'bangunan_bagi',
    labelId: 'Bangunan bagi',
    labelEn: 'Division structure',
    color: '#6a51a3',
  },
  {
    code: 'bagi_sadap',
    labelId: 'Bangunan bagi-sadap',
    labelEn: 'Division and offtake',
    color: '#807dba',
  },
  { code: 'sadap', labelId: 'Bangunan sadap', labelEn: 'Offtake', color: '#9e9ac8' },
  { code: 'pintu', labelId: 'Pintu air', labelEn: 'Gate', color: '#e6550d' },
  { code: 'gorong_gorong', labelId: 'Gorong-gorong', labelEn: 'Culvert', color: '#636363' },
  { code: 'sipon', labelId: 'Sipon', labelEn: 'Siphon', color: '#31a354' },
  { code: 'talang', labelId: 'Talang', labelEn: 'Aqueduct', color: '#74c476' },
  { code: 'terjunan', labelId: 'Bangunan terjun', labelEn: 'Drop structure', color: '#fd8d3c' },
  {
    code: 'bangunan_ukur',
    labelId: 'Bangunan ukur',
    labelEn: 'Measuring structure',
    color: '#fdae6b',
  },
  { code: 'jembatan', labelId: 'Jembatan saluran', labelEn: 'Canal bridge', color: '#969696' },
  {
    code: 'bangunan_penguras',
    labelId: 'Bangunan penguras',
    labelEn: 'Scour sluice',
    color: '#3182bd',
  },
  { code: 'pelimpah', labelId: 'Pelimpah', labelEn: 'Spillway', color: '#6baed6' },
];

/** The structure's current state: copied from its newest inspection. */
function latestInspection(attribute: AttributeDefinition): AttributeDefinition {
  return {
    ...attribute,
    computed: 'latest_record',
    latestRecord: { tableId: 'irrigation_structure_inspection', attribute: attribute.name },
  };
}

/** Irrigation structures (weirs, division structures, gates, culverts…) with their condition. */
export const irrigationStructure: LayerDefinition = {
  id: 'irrigation_structure',
  theme: 'irrigation',
  titleId: 'Bangunan irigasi',
  titleEn: 'Irrigation structures',
  owner: 'psda',
  geometry: { type: 'Point', srid: 4326 },
  nameAttribute: 'name',
  // datetime on the items selects by the date of the latest inspection
  timeAttribute: 'inspection_date',
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode bangunan',
      titleEn: 'Structure code',
      required: true,
      unique: true,
      maxLength: 40,
      inTiles: true,
    },
    {
      name: 'name',
      type: 'text',
      titleId: 'Nama bangunan',
      titleEn: 'Name',
      required: true,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 16 },
    },
    {
      name: 'structure_type',
      type: 'text',
      titleId: 'Jenis bangunan',
      titleEn: 'Structure type',
      required: true,
      domain: structureTypeDomain,
      inTiles: true,
    },
    irrigationAreaCodeAttribute,
    {
      name: 'canal_code',
      type: 'text',
      titleId: 'Kode saluran',
      titleEn: 'Canal code',
      maxLength: 40,
    },
    latestInspection({
      name: 'condition_class',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: irrigationConditionDomain,
      inTiles: true,
    }),
    latestInspection({
      name: 'iksi_score',
      type: 'number',
      titleId: 'Nilai IKSI komponen',
      titleEn: 'IKSI component score',
      min: 0,
      max: 100,
    }),
    latestInspection({
      name: 'inspection_date',
      type: 'date',
      titleId: 'Tanggal inspeksi',
      titleEn: 'Inspection date',
    }),
    sourceAttribute,
  ],
  zoom: { min: 12, max: 20 },
  style: {
    stroke: '#ffffff',
    fill: '#2171b5',
    pointRadius: 5,
    classifyBy: 'structure_type',
    labelAttribute: 'name',
    labelMinZoom: 16,
  },
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId:
      'Bangunan irigasi (bendung, bangunan bagi/sadap, pintu, gorong-gorong, sipon, talang, ' +
      'dll.) dengan kondisi dan nilai IKSI dari inspeksi terakhir.',
    abstractEn:
      'Irrigation structures (weirs, division and offtake structures, gates, culverts, ' +
      'siphons, aqueducts…) with condition and IKSI score from the latest inspection.',
    keywords: ['bangunan irigasi', 'bendung', 'pintu air', 'irrigation structure', 'IKSI'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
  order: 320,
};
