import { getLanguage } from './i18n.js';

/**
 * Units that declarations write as Indonesian words, with their English. Symbols (`m`, `ha`,
 * `l/s`, `%`) read the same in both languages and are shown as declared.
 */
const englishUnitWords: Readonly<Record<string, string>> = {
  jiwa: 'people',
  orang: 'people',
  KK: 'households',
};

/** A declared unit in the interface language: `jiwa` in Indonesian reads `people` in English. */
export function formatUnit(unit: string): string {
  if (getLanguage() !== 'en') return unit;
  return englishUnitWords[unit] ?? unit;
}
