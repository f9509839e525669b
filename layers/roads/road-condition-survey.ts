import { sampleMetadata } from '../sample-metadata.js';
import type { CodedValue, RecordTableDefinition } from '../types.js';
import { roadConditionDomain, roadsAccess, roadsContact } from './road-domains.js';

/** How the condition was measured. */
const surveyMethodDomain: readonly CodedValue[] = [
  { code: 'roughometer', labelId: 'Roughometer (IRI)', labelEn: 'Roughometer (IRI)' },
  { code: 'roadroid', labelId: 'Roadroid (IRI, ponsel)', labelEn: 'Roadroid (IRI, phone)' },
  { code: 'visual_sdi', labelId: 'Visual (SDI)', labelEn: 'Visual (SDI)' },
];

/**
 * Condition surveys of road segments, kept as history: the newest survey of a segment gives its
 * current condition class, IRI, SDI and survey date (see `road_segment`).
 */
export const roadConditionSurvey: RecordTableDefinition = {
  id: 'road_condition_survey',
  theme: 'roads',
  titleId: 'Survei kondisi jalan',
  titleEn: 'Road condition surveys',
  owner: 'bina-marga',
  parent: { layerId: 'road_segment', attribute: 'segment_code' },
  timeAttribute: 'survey_date',
  naturalKey: ['segment_code', 'survey_date'],
  attributes: [
    {
      name: 'segment_code',
      type: 'text',
      titleId: 'Kode segmen',
      titleEn: 'Segment code',
      required: true,
      maxLength: 30,
    },
    {
      name: 'survey_date',
      type: 'date',
      titleId: 'Tanggal survei',
      titleEn: 'Survey date',
      required: true,
    },
    {
      name: 'condition_class',
      type: 'text',
      titleId: 'Kondisi jalan',
      titleEn: 'Road condition',
      required: true,
      domain: roadConditionDomain,
    },
    {
      name: 'iri',
      type: 'number',
      titleId: 'IRI',
      titleEn: 'IRI (roughness)',
      unit: 'm/km',
      min: 0,
      max: 30,
    },
    {
      name: 'sdi',
      type: 'number',
      titleId: 'SDI',
      titleEn: 'Surface distress index',
      min: 0,
      max: 400,
    },
    {
      name: 'method',
      type: 'text',
      titleId: 'Metode survei',
      titleEn: 'Survey method',
      domain: surveyMethodDomain,
    },
    { name: 'surveyor', type: 'text', titleId: 'Surveyor', titleEn: 'Surveyor' },
    { name: 'source', type: 'text', titleId: 'Sumber data', titleEn: 'Source' },
  ],
  access: roadsAccess,
  metadata: sampleMetadata({
    abstractId: 'Riwayat survei kondisi per segmen jalan (IRI, SDI, kelas kondisi).',
    abstractEn: 'History of condition surveys per road segment (IRI, SDI, condition class).',
    keywords: ['survei kondisi jalan', 'IRI', 'SDI', 'road condition survey'],
    contact: roadsContact,
    updateFrequency: 'annually',
  }),
};
