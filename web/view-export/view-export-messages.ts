/** Interface text of the map view export, Indonesian first with English. */
import { formatCount, getLanguage, selectCountForm, type CountedKey } from '../i18n/i18n.js';

const exportMessagesId = {
  'export.open': 'Unduh tampilan peta (PNG)',
  'export.preparing': 'Menyiapkan gambar peta…',
  'export.done': 'Gambar peta diunduh.',
  'export.tainted':
    'Gambar peta tidak dapat dibuat: sebuah lapisan memuat gambar dari server lain yang tidak ' +
    'mengizinkan penyalinan (CORS). Sembunyikan lapisan latar atau lapisan gambar itu, lalu ' +
    'coba lagi.',
  'export.failed': 'Gambar peta tidak dapat dibuat: {reason}',
  'export.printed': 'Dibuat {date}',
  'export.scale': 'skala ±1:{scale} pada layar 96 dpi',
  'export.sources': 'Sumber: {sources}',
  'export.legend': 'Legenda',
  'export.sampleBadge': 'contoh',
  // Indonesian nouns keep one form: the two forms of a counting text are alike
  'export.moreLayers.one': '… dan {count} lapisan lain',
  'export.moreLayers.other': '… dan {count} lapisan lain',
} as const;

/** A key of the view export's text. */
export type ExportMessageKey = keyof typeof exportMessagesId;

const exportMessagesEn: Record<ExportMessageKey, string> = {
  'export.open': 'Download the map view (PNG)',
  'export.preparing': 'Preparing the map image…',
  'export.done': 'Map image downloaded.',
  'export.tainted':
    'The map image could not be made: a layer shows images from another server that does not ' +
    'allow copying them (CORS). Hide that background or image layer, then try again.',
  'export.failed': 'The map image could not be made: {reason}',
  'export.printed': 'Made {date}',
  'export.scale': 'scale ±1:{scale} on a 96 dpi screen',
  'export.sources': 'Sources: {sources}',
  'export.legend': 'Legend',
  'export.sampleBadge': 'sample',
  'export.moreLayers.one': '… and {count} more layer',
  'export.moreLayers.other': '… and {count} more layers',
};

/** View export text for `key` in the current language, `{name}` placeholders filled. */
export function exportText(key: ExportMessageKey, values: Record<string, string | number> = {}) {
  const text = getLanguage() === 'en' ? exportMessagesEn[key] : exportMessagesId[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** View export text counting `count` things, in the form the count takes (1 layer, 2 layers). */
export function exportCount(key: CountedKey<ExportMessageKey>, count: number) {
  const texts = getLanguage() === 'en' ? exportMessagesEn : exportMessagesId;
  return exportText(selectCountForm(texts, key, count), { count: formatCount(count) });
}
