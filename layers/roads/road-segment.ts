import { sampleMetadata } from '../sample-metadata.js';
import type { AttributeDefinition, LayerDefinition } from '../types.js';
import {
  roadConditionDomain,
  roadFunctionDomain,
  roadsAccess,
  roadsContact,
  roadStatusDomain,
  roadSurfaceDomain,
} from './road-domains.js';

/** The current condition of a segment: copied from its newest condition survey. */
function latestSurvey(attribute: AttributeDefinition): AttributeDefinition {
  return {
    ...attribute,
    computed: 'latest_record',
    latestRecord: { tableId: 'road_condition_survey', attribute: attribute.name },
  };
}

/**
 * Road segments (links, ruas): one feature per link section between chainages, PKRMS-style.
 * Condition, IRI, SDI and survey date are those of the newest `road_condition_survey`.
 */
export const roadSegment: LayerDefinition = {
  id: 'road_segment',
  theme: 'roads',
  titleId: 'Ruas jalan',
  titleEn: 'Road segments',
  owner: 'bina-marga',
  geometry: { type: 'MultiLineString', srid: 4326 },
  nameAttribute: 'name',
  // datetime on the items selects by the date of the latest condition survey
  timeAttribute: 'survey_date',
  attributes: [
    {
      name: 'segment_code',
      type: 'text',
      titleId: 'Kode segmen',
      titleEn: 'Segment code',
      required: true,
      unique: true,
      maxLength: 30,
      // From the zoom single segments can be told apart and picked: a code different for each
      // of thousands of segments made a zoom-10 tile 36% larger and 31% slower to build.
      inTiles: { fromZoom: 14 },
      description: 'Road number and section, e.g. 012.2: the key condition surveys refer to.',
    },
    {
      name: 'road_number',
      type: 'text',
      titleId: 'Nomor ruas',
      titleEn: 'Road (link) number',
      required: true,
      maxLength: 20,
      // the label, drawn from labelMinZoom
      inTiles: { fromZoom: 14 },
    },
    { name: 'name', type: 'text', titleId: 'Nama ruas', titleEn: 'Name', required: true },
    {
      name: 'status',
      type: 'text',
      titleId: 'Status jalan',
      titleEn: 'Road status',
      required: true,
      domain: roadStatusDomain,
      inTiles: true,
    },
    {
      name: 'function',
      type: 'text',
      titleId: 'Fungsi jalan',
      titleEn: 'Road function',
      domain: roadFunctionDomain,
      inTiles: true,
    },
    {
      name: 'surface',
      type: 'text',
      titleId: 'Jenis perkerasan',
      titleEn: 'Surface type',
      domain: roadSurfaceDomain,
    },
    {
      name: 'width_m',
      type: 'number',
      titleId: 'Lebar perkerasan',
      titleEn: 'Pavement width',
      unit: 'm',
      min: 1,
      max: 40,
    },
    {
      name: 'length_m',
      type: 'number',
      titleId: 'Panjang terhitung',
      titleEn: 'Computed length',
      unit: 'm',
      computed: 'length_m',
    },
    {
      name: 'chainage_from_m',
      type: 'number',
      titleId: 'Patok awal (STA)',
      titleEn: 'Chainage from',
      unit: 'm',
      min: 0,
    },
    {
      name: 'chainage_to_m',
      type: 'number',
      titleId: 'Patok akhir (STA)',
      titleEn: 'Chainage to',
      unit: 'm',
      min: 0,
    },
    latestSurvey({
      name: 'condition_class',
      type: 'text',
      titleId: 'Kondisi jalan',
      titleEn: 'Road condition',
      domain: roadConditionDomain,
      inTiles: true,
    }),
    latestSurvey({
      name: 'iri',
      type: 'number',
      titleId: 'IRI',
      titleEn: 'IRI (roughness)',
      unit: 'm/km',
      min: 0,
      max: 30,
    }),
    latestSurvey({
      name: 'sdi',
      type: 'number',
      titleId: 'SDI',
      titleEn: 'Surface distress index',
      min: 0,
      max: 400,
    }),
    latestSurvey({
      name: 'survey_date',
      type: 'date',
      titleId: 'Tanggal survei',
      titleEn: 'Survey date',
    }),
    {
      name: 'kecamatan_code',
      type: 'text',
      titleId: 'Kode kecamatan',
      titleEn: 'Kecamatan code',
      maxLength: 8,
    },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  attributeRules: [{ attribute: 'chainage_from_m', comparison: '<=', other: 'chainage_to_m' }],
  routeMeasures: { from: 'chainage_from_m', to: 'chainage_to_m' },
  zoom: { min: 9, max: 20 },
  style: {
    stroke: '#8c8c8c',
    strokeWidth: 2,
    classifyBy: 'condition_class',
    widthBy: 'status',
    labelAttribute: 'road_number',
    labelMinZoom: 14,
  },
  access: roadsAccess,
  metadata: sampleMetadata({
    abstractId:
      'Ruas jalan (link) dengan nomor ruas, status, fungsi, perkerasan, lebar, patok dan ' +
      'kondisi terakhir (baik, sedang, rusak ringan, rusak berat) dari survei IRI/SDI.',
    abstractEn:
      'Road segments (links) with road number, status, function, surface, width, chainage ' +
      'and latest condition (good, fair, minor, major damage) from IRI/SDI surveys.',
    keywords: ['jalan', 'ruas jalan', 'kondisi jalan', 'road', 'road condition', 'PKRMS'],
    contact: roadsContact,
    updateFrequency: 'annually',
  }),
  order: 200,
};
