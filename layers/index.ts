import { desa } from './administrative/desa.js';
import { kecamatan } from './administrative/kecamatan.js';
import { regency } from './administrative/regency.js';
import { evacuationPoint } from './disaster-risk/evacuation-point.js';
import { hazardZone } from './disaster-risk/hazard-zone.js';
import { boreWell } from './irrigation/bore-well.js';
import { irrigationArea } from './irrigation/irrigation-area.js';
import { irrigationCanal } from './irrigation/irrigation-canal.js';
import {
  irrigationCanalInspection,
  irrigationStructureInspection,
} from './irrigation/irrigation-inspections.js';
import { irrigationStructure } from './irrigation/irrigation-structure.js';
import { bridge } from './roads/bridge.js';
import { drainage } from './roads/drainage.js';
import { roadConditionSurvey } from './roads/road-condition-survey.js';
import { roadSegment } from './roads/road-segment.js';
import { planActivityRule } from './spatial-plan/plan-activity-rule.js';
import { planZone } from './spatial-plan/plan-zone.js';
import type { LayerDefinition, RecordTableDefinition, ThemeDefinition } from './types.js';

export type * from './types.js';

/** The themes in layer-tree order. */
export const themes: readonly ThemeDefinition[] = [
  {
    id: 'administrative',
    titleId: 'Administrasi',
    titleEn: 'Administrative',
    owner: 'boundary-unit',
  },
  { id: 'roads', titleId: 'Jalan', titleEn: 'Roads', owner: 'bina-marga' },
  { id: 'irrigation', titleId: 'Irigasi', titleEn: 'Irrigation', owner: 'psda' },
  {
    id: 'spatial-plan',
    titleId: 'Rencana Tata Ruang',
    titleEn: 'Spatial plan',
    owner: 'planning-office',
  },
  { id: 'disaster-risk', titleId: 'Risiko Bencana', titleEn: 'Disaster risk', owner: 'bpbd' },
];

/** Every declared layer. Adding a layer means adding its declaration here and its seed. */
export const layerDefinitions: readonly LayerDefinition[] = [
  regency,
  kecamatan,
  desa,
  roadSegment,
  bridge,
  drainage,
  irrigationArea,
  irrigationCanal,
  irrigationStructure,
  boreWell,
  planZone,
  hazardZone,
  evacuationPoint,
];

/** Every declared table of records without geometry (histories and rule tables). */
export const recordTables: readonly RecordTableDefinition[] = [
  roadConditionSurvey,
  irrigationCanalInspection,
  irrigationStructureInspection,
  planActivityRule,
];
