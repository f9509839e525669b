import { desa } from './administrative/desa.js';
import { kecamatan } from './administrative/kecamatan.js';
import { regency } from './administrative/regency.js';
import type { LayerDefinition, ThemeDefinition } from './types.js';

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
export const layerDefinitions: readonly LayerDefinition[] = [regency, kecamatan, desa];
