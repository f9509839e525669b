import { sampleMetadata } from '../sample-metadata.js';
import type { AttributeDefinition, RecordTableDefinition } from '../types.js';
import {
  irrigationAccess,
  irrigationConditionDomain,
  irrigationContact,
  sourceAttribute,
} from './irrigation-domains.js';

const inspectionDate: AttributeDefinition = {
  name: 'inspection_date',
  type: 'date',
  titleId: 'Tanggal inspeksi',
  titleEn: 'Inspection date',
  required: true,
};

const conditionClass: AttributeDefinition = {
  name: 'condition_class',
  type: 'text',
  titleId: 'Kondisi',
  titleEn: 'Condition',
  required: true,
  domain: irrigationConditionDomain,
};

const damagePercent: AttributeDefinition = {
  name: 'damage_percent',
  type: 'number',
  titleId: 'Tingkat kerusakan',
  titleEn: 'Damage share',
  unit: '%',
  min: 0,
  max: 100,
};

const inspector: AttributeDefinition = {
  name: 'inspector',
  type: 'text',
  titleId: 'Petugas',
  titleEn: 'Inspector',
};

/** Inspections of irrigation canals, kept as history; the newest gives the canal's condition. */
export const irrigationCanalInspection: RecordTableDefinition = {
  id: 'irrigation_canal_inspection',
  theme: 'irrigation',
  titleId: 'Inspeksi saluran irigasi',
  titleEn: 'Irrigation canal inspections',
  owner: 'psda',
  parent: { layerId: 'irrigation_canal', attribute: 'code' },
  timeAttribute: 'inspection_date',
  naturalKey: ['code', 'inspection_date'],
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode saluran',
      titleEn: 'Canal code',
      required: true,
      maxLength: 40,
    },
    inspectionDate,
    conditionClass,
    damagePercent,
    inspector,
    sourceAttribute,
  ],
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId: 'Riwayat inspeksi kondisi saluran irigasi.',
    abstractEn: 'History of irrigation canal condition inspections.',
    keywords: ['inspeksi irigasi', 'kondisi saluran', 'irrigation inspection'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
};

/**
 * Inspections of irrigation structures, kept as history, with the IKSI component score (baik
 * 76–100, sedang 51–75, rusak 26–50, rusak berat 1–25, hilang 0); the newest gives the
 * structure's condition and score.
 */
export const irrigationStructureInspection: RecordTableDefinition = {
  id: 'irrigation_structure_inspection',
  theme: 'irrigation',
  titleId: 'Inspeksi bangunan irigasi',
  titleEn: 'Irrigation structure inspections',
  owner: 'psda',
  parent: { layerId: 'irrigation_structure', attribute: 'code' },
  timeAttribute: 'inspection_date',
  naturalKey: ['code', 'inspection_date'],
  attributes: [
    {
      name: 'code',
      type: 'text',
      titleId: 'Kode bangunan',
      titleEn: 'Structure code',
      required: true,
      maxLength: 40,
    },
    inspectionDate,
    conditionClass,
    {
      name: 'iksi_score',
      type: 'number',
      titleId: 'Nilai IKSI komponen',
      titleEn: 'IKSI component score',
      min: 0,
      max: 100,
    },
    damagePercent,
    inspector,
    sourceAttribute,
  ],
  access: irrigationAccess,
  metadata: sampleMetadata({
    abstractId: 'Riwayat inspeksi bangunan irigasi dengan nilai komponen IKSI.',
    abstractEn: 'History of irrigation structure inspections with IKSI component scores.',
    keywords: ['inspeksi irigasi', 'IKSI', 'kondisi bangunan', 'irrigation inspection'],
    contact: irrigationContact,
    updateFrequency: 'annually',
  }),
};
