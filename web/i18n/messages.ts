/** Interface languages: Indonesian first, English as the switch. */
export type Language = 'id' | 'en';

/** Indonesian interface text; its keys are the message keys. */
const messagesId = {
  'app.loading': 'Memuat peta…',
  'app.failed': 'Peta tidak dapat dimuat. Periksa koneksi lalu muat ulang halaman.',
  'panel.toggle': 'Tampilkan atau sembunyikan panel',
  'panel.layers': 'Lapisan',
  'panel.legend': 'Legenda',
  'language.toggle': 'Switch to English',
  'language.toggleShort': 'EN',
  'layerTree.outOfZoom': 'Tampil pada zoom {min}–{max}',
  'layerTree.opacity': 'Opasitas {title}',
  'layerTree.shown': 'Yang ditampilkan dari {title}',
  'sample.badge': 'contoh',
  'sample.note': 'Data contoh buatan, bukan data resmi.',
  'legend.empty': 'Tidak ada lapisan yang ditampilkan.',
  'identify.loading': 'Memuat data…',
  'identify.failed': 'Data objek tidak dapat dimuat.',
  // Indonesian nouns keep one form: 1 objek, 3 objek ("one" keeps the keys of both alike)
  'identify.count.one': '{count} objek di titik ini',
  'identify.count.other': '{count} objek di titik ini',
  'identify.close': 'Tutup',
  'identify.previous': 'Objek sebelumnya di titik ini',
  'identify.next': 'Objek berikutnya di titik ini',
  'identify.edit': 'Sunting objek ini',
  'identify.readOnly':
    'Akun Anda hanya dapat melihat lapisan ini; menyuntingnya perlu salah satu peran: {roles}.',
  'value.yes': 'Ya',
  'value.no': 'Tidak',
  'filePicker.choose': 'Pilih berkas…',
  'filePicker.noneChosen': 'Belum ada berkas dipilih',
  'map.label': 'Peta: geser dengan tombol panah, perbesar dan perkecil dengan + dan -',
  'map.zoomIn': 'Perbesar',
  'map.zoomOut': 'Perkecil',
  'map.showRegency': 'Tampilkan seluruh kabupaten',
  'map.attribution': 'Sumber data dan peta',
  'search.title': 'Cari',
  'search.placeholder': 'Nama atau kode: kecamatan, desa, jalan…',
  'search.label': 'Cari objek menurut nama atau kode',
  'search.searching': 'Mencari…',
  'search.none': 'Tidak ada yang cocok dengan “{text}”.',
  'search.count.one': '{count} hasil; pilih untuk melihatnya di peta.',
  'search.count.other': '{count} hasil; pilih untuk melihatnya di peta.',
  'search.more': 'Hanya {count} hasil pertama yang ditampilkan; ketik lebih lengkap.',
  'search.failed': 'Pencarian gagal. Periksa koneksi, lalu coba lagi.',
} as const;

/** A key of the interface text. */
export type MessageKey = keyof typeof messagesId;

const messagesEn: Record<MessageKey, string> = {
  'app.loading': 'Loading the map…',
  'app.failed': 'The map could not be loaded. Check the connection and reload the page.',
  'panel.toggle': 'Show or hide the panel',
  'panel.layers': 'Layers',
  'panel.legend': 'Legend',
  'language.toggle': 'Ganti ke Bahasa Indonesia',
  'language.toggleShort': 'ID',
  'layerTree.outOfZoom': 'Shown at zoom {min}–{max}',
  'layerTree.opacity': 'Opacity of {title}',
  'layerTree.shown': 'What {title} shows',
  'sample.badge': 'sample',
  'sample.note': 'Invented sample data, not official data.',
  'legend.empty': 'No layer is shown.',
  'identify.loading': 'Loading…',
  'identify.failed': 'The feature could not be loaded.',
  'identify.count.one': '{count} feature at this place',
  'identify.count.other': '{count} features at this place',
  'identify.close': 'Close',
  'identify.previous': 'Previous feature at this place',
  'identify.next': 'Next feature at this place',
  'identify.edit': 'Edit this feature',
  'identify.readOnly':
    'Your account may only view this layer; editing it needs one of the roles: {roles}.',
  'value.yes': 'Yes',
  'value.no': 'No',
  'filePicker.choose': 'Choose a file…',
  'filePicker.noneChosen': 'No file chosen',
  'map.label': 'Map: move it with the arrow keys, zoom with + and -',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.showRegency': 'Show the whole regency',
  'map.attribution': 'Data and map sources',
  'search.title': 'Search',
  'search.placeholder': 'Name or code: kecamatan, desa, road…',
  'search.label': 'Search features by name or code',
  'search.searching': 'Searching…',
  'search.none': 'Nothing matches “{text}”.',
  'search.count.one': '{count} result; choose it to see it on the map.',
  'search.count.other': '{count} results; choose one to see it on the map.',
  'search.more': 'Only the first {count} results are shown; type more of the name.',
  'search.failed': 'The search failed. Check the connection, then try again.',
};

/** Interface text per language. */
export const messages: Record<Language, Record<MessageKey, string>> = {
  id: messagesId,
  en: messagesEn,
};

/** The BCP 47 locale used to format numbers and dates in each language. */
export const locales: Record<Language, string> = { id: 'id-ID', en: 'en-GB' };
