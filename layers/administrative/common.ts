import type { LayerAccess, LayerMetadata } from '../types.js';

/** Boundaries are public; the boundary unit edits them. */
export const administrativeAccess: LayerAccess = {
  read: 'public',
  edit: ['admin', 'administrative:editor'],
};

/** Provenance shared by the three boundary layers (see seeds/cilacap/SOURCES.md). */
export const boundaryMetadata: Omit<LayerMetadata, 'abstractId' | 'abstractEn' | 'keywords'> = {
  source:
    'cahyadsn/wilayah_boundaries and cahyadsn/wilayah; codes and names per ' +
    'Kepmendagri 300.2.2-2138/2025; profile figures from BPS Kabupaten Cilacap Dalam Angka 2017',
  licence: 'MIT (Cahya DSN); indicative boundaries, not legal boundaries (batas definitif)',
  updateFrequency: 'annually',
  contact: 'Bagian Tata Pemerintahan',
  sample: false,
};
