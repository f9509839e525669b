import type { LayerMetadata } from './types.js';

/** What a sample layer's abstract and the `source` of its seeded features begin with. */
export const sampleNotice = 'CONTOH / SAMPLE';

interface SampleDescription {
  abstractId: string;
  abstractEn: string;
  keywords: string[];
  contact: string;
  updateFrequency: LayerMetadata['updateFrequency'];
}

/**
 * Metadata of a layer whose seeded features are invented sample data: the abstract says so in
 * both languages and `sample` is true, until the owning department imports its real data.
 */
export function sampleMetadata(description: SampleDescription): LayerMetadata {
  return {
    ...description,
    abstractId:
      `${sampleNotice}: ${description.abstractId} Isi awal adalah data contoh buatan, ` +
      'bukan data resmi; ganti dengan impor data dinas.',
    abstractEn:
      `${sampleNotice}: ${description.abstractEn} The initial content is generated sample ` +
      "data, not official data; replace it by importing the department's data.",
    source: 'Data contoh buatan / generated sample data (Simpul seed generator)',
    licence: 'CC0 1.0 (generated sample data)',
    sample: true,
  };
}
