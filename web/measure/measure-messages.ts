/** Interface text of the measuring tool, Indonesian first with English. */
import { getLanguage } from '../i18n/i18n.js';

const measureMessagesId = {
  'measure.open': 'Ukur jarak atau luas',
  'measure.toolbar': 'Pengukuran',
  'measure.length': 'Jarak',
  'measure.area': 'Luas',
  'measure.addCentre': 'Titik di tengah',
  'measure.addCentreLabel': 'Tambah titik di tengah peta (tanda silang)',
  'measure.undoPoint': 'Hapus titik terakhir',
  'measure.finish': 'Selesai',
  'measure.clear': 'Hapus ukuran',
  'measure.close': 'Tutup pengukuran',
  'measure.hintLength':
    'Ketuk peta untuk tiap titik garis; ketuk dua kali atau pilih Selesai untuk mengakhiri.',
  'measure.hintArea':
    'Ketuk peta untuk tiap sudut bidang; ketuk dua kali atau pilih Selesai untuk mengakhiri.',
  'measure.lengthResult': 'Panjang: {length}',
  'measure.areaResult': 'Luas: {area} · keliling {perimeter}',
} as const;

/** A key of the measuring tool's text. */
export type MeasureMessageKey = keyof typeof measureMessagesId;

const measureMessagesEn: Record<MeasureMessageKey, string> = {
  'measure.open': 'Measure a distance or an area',
  'measure.toolbar': 'Measuring',
  'measure.length': 'Distance',
  'measure.area': 'Area',
  'measure.addCentre': 'Point at centre',
  'measure.addCentreLabel': 'Add a point at the centre of the map (the cross)',
  'measure.undoPoint': 'Remove the last point',
  'measure.finish': 'Finish',
  'measure.clear': 'Clear measurements',
  'measure.close': 'Close measuring',
  'measure.hintLength':
    'Tap the map for each point of the line; double-tap or choose Finish to end.',
  'measure.hintArea':
    'Tap the map for each corner of the area; double-tap or choose Finish to end.',
  'measure.lengthResult': 'Length: {length}',
  'measure.areaResult': 'Area: {area} · perimeter {perimeter}',
};

/** Measuring text for `key` in the current language, `{name}` placeholders filled. */
export function measureText(key: MeasureMessageKey, values: Record<string, string> = {}) {
  const text = getLanguage() === 'en' ? measureMessagesEn[key] : measureMessagesId[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
