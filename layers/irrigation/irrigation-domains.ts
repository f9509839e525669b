import type { AttributeDefinition, CodedValue, LayerAccess } from '../types.js';

/** Irrigation layers are public; the water resources office (PSDA) edits them. */
export const irrigationAccess: LayerAccess = {
  read: 'public',
  edit: ['admin', 'irrigation:editor'],
};

/** Who answers for the irrigation layers. */
export const irrigationContact = 'Dinas Pekerjaan Umum dan Penataan Ruang, Bidang Sumber Daya Air';

/**
 * Condition of an irrigation asset by its damage share: baik < 10%, rusak ringan 10–20%, rusak
 * sedang 21–40%, rusak berat > 40%. Used with Permen PUPR 12/PRT/M/2015 and the PAI inventory;
 * the band limits are still to be verified against the regulation.
 */
export const irrigationConditionDomain: readonly CodedValue[] = [
  { code: 'baik', labelId: 'Baik', labelEn: 'Good', color: '#1a9641' },
  { code: 'rusak_ringan', labelId: 'Rusak ringan', labelEn: 'Minor damage', color: '#e6c700' },
  { code: 'rusak_sedang', labelId: 'Rusak sedang', labelEn: 'Moderate damage', color: '#f28c28' },
  { code: 'rusak_berat', labelId: 'Rusak berat', labelEn: 'Major damage', color: '#d7191c' },
];

/** The daerah irigasi (irrigation area) code an asset belongs to. */
export const irrigationAreaCodeAttribute: AttributeDefinition = {
  name: 'irrigation_area_code',
  type: 'text',
  titleId: 'Kode daerah irigasi',
  titleEn: 'Irrigation area code',
  maxLength: 30,
};

/** A source attribute saying where the feature's data came from. */
export const sourceAttribute: AttributeDefinition = {
  name: 'source',
  type: 'text',
  titleId: 'Sumber data',
  titleEn: 'Source',
};
