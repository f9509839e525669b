import { getLanguage } from '../i18n/i18n.js';

/** Interface text of the plan lookup (Informasi Tata Ruang) and dashboards, Indonesian first. */
const messagesId = {
  'plan.openShort': 'ITR',
  'plan.openName': 'ITR, Informasi Tata Ruang',
  'plan.openTooltip':
    'ITR, Informasi Tata Ruang: zona rencana tata ruang dan aturan kegiatan di satu tempat',
  'plan.close': 'Tutup',
  'plan.title': 'Informasi Tata Ruang',
  'plan.modePoint': 'Klik titik',
  'plan.modeDraw': 'Gambar persil',
  'plan.modeUpload': 'Unggah persil',
  'plan.hintPoint':
    'Klik lokasi pada peta, atau geser peta hingga lokasi di bawah tanda silang, lalu tanyakan.',
  'plan.askCentre': 'Tanyakan pusat peta',
  'plan.askCentreLabel': 'Tanyakan rencana di tanda silang, pusat peta yang terlihat',
  'plan.hintDraw': 'Klik sudut-sudut persil pada peta; klik ganda untuk selesai.',
  'plan.hintUpload': 'Pilih berkas GeoJSON persil (EPSG:4326).',
  'plan.activity': 'Kegiatan yang direncanakan',
  'plan.noActivity': '— tanpa kegiatan —',
  'plan.loading': 'Menghitung…',
  'plan.failed': 'Informasi tidak dapat dihitung: {reason}',
  'plan.outsideRegency':
    'Tempat ini berada di luar wilayah kabupaten; rencana tata ruangnya tidak mencakupnya.',
  'plan.withoutArea':
    'Persil ini tidak memiliki luas: sudut-sudutnya segaris atau berulang. Gambar ulang ' +
    'dengan paling sedikit tiga sudut yang berjauhan.',
  'plan.unrepairable':
    'Persil ini memotong dirinya sendiri dan memiliki terlalu banyak titik sudut untuk ' +
    'diperbaiki di sini. Perbaiki bentuknya di aplikasi GIS, lalu kirim lagi.',
  'plan.tooComplex':
    'Persil ini terlalu rumit untuk dihitung dalam batas waktu. Sederhanakan bentuknya ' +
    '(lebih sedikit titik sudut atau bagian), lalu coba lagi.',
  'plan.location': 'Lokasi',
  'plan.area': 'Luas persil',
  'plan.place': 'Tempat',
  'plan.point': 'titik yang diklik',
  'plan.zones': 'Rencana pola ruang',
  'plan.zone': 'Kawasan',
  'plan.share': 'Bagian',
  'plan.areaHa': 'Luas (ha)',
  'plan.noZone': 'Lokasi tidak berada dalam zona rencana mana pun.',
  'plan.outside': '{percent} dari persil berada di luar zona rencana.',
  'plan.regulation': 'Dasar hukum',
  'plan.period': 'periode',
  'plan.answer': 'Ketentuan kegiatan',
  'plan.warnings': 'Peringatan',
  'plan.noWarnings': 'Tidak ada kawasan lindung atau zona bahaya.',
  'plan.print': 'Cetak',
  'plan.pdf': 'PDF',
  'plan.png': 'PNG',
  'plan.printFailed': 'Berkas cetak tidak dapat dibuat: {reason}',
  'plan.printBusy': 'Server sedang mencetak banyak berkas. Coba lagi sebentar lagi.',
  'plan.fileInvalid': 'Berkas bukan GeoJSON poligon: {reason}',
  'plan.elapsed': 'Dihitung dalam {ms} ms dari data terkini.',
  'sample.analysis': 'Dihitung dari data contoh buatan, bukan data resmi: {layers}.',
  'dashboard.open': 'Dasbor',
  'dashboard.title': 'Dasbor perencanaan',
  'dashboard.exposure': 'Paparan bahaya',
  'dashboard.roads': 'Kondisi jalan',
  'dashboard.irrigation': 'Kondisi irigasi',
  'dashboard.hazardType': 'Jenis bahaya',
  'dashboard.year': 'Tahun',
  'dashboard.roadStatus': 'Status jalan',
  'dashboard.allRoads': 'Semua jalan',
  'dashboard.current': 'Kini',
  'dashboard.csv': 'Unduh CSV',
  'dashboard.loading': 'Memuat…',
  'dashboard.failed': 'Statistik tidak dapat dimuat: {reason}',
  'reason.offline': 'tidak tersambung ke server; coba lagi nanti.',
  'reason.serverFailed': 'server sedang bermasalah (HTTP {status}); coba lagi nanti.',
  'dashboard.kecamatan': 'Kecamatan',
  'dashboard.regency': 'Kabupaten',
  'dashboard.population': 'Penduduk terpapar',
  'dashboard.areaHa': 'Luas (ha)',
  'dashboard.roadKm': 'Jalan (km)',
  'dashboard.bridges': 'Jembatan',
  'dashboard.structures': 'Bangunan irigasi',
  'dashboard.canalKm': 'Saluran (km)',
  'dashboard.evacuation': 'Titik evakuasi',
  'dashboard.class': 'Kelas',
  'dashboard.totalKm': 'Panjang (km)',
  'dashboard.kemantapan': 'Kemantapan',
  'dashboard.kemantapanTrend': 'Kemantapan jalan (baik + sedang) per tahun',
  'dashboard.area': 'Daerah irigasi',
  'dashboard.iksi': 'Nilai IKSI',
  'dashboard.goodCanal': 'Saluran baik',
  'dashboard.mapNote': 'Peta: kecamatan diwarnai menurut {what}.',
} as const;

/** A key of the plan lookup and dashboard text. */
export type PlanMessageKey = keyof typeof messagesId;

const messagesEn: Record<PlanMessageKey, string> = {
  'plan.openShort': 'ITR',
  'plan.openName': 'ITR, spatial plan information (Informasi Tata Ruang)',
  'plan.openTooltip':
    'ITR (Informasi Tata Ruang): the spatial plan zone and activity rules of a place',
  'plan.close': 'Close',
  'plan.title': 'Spatial plan information',
  'plan.modePoint': 'Click a point',
  'plan.modeDraw': 'Draw a parcel',
  'plan.modeUpload': 'Upload a parcel',
  'plan.hintPoint':
    'Click the place on the map, or bring it under the cross and ask about the map centre.',
  'plan.askCentre': 'Ask about the map centre',
  'plan.askCentreLabel': 'Ask the plan at the cross, the centre of the map in view',
  'plan.hintDraw': 'Click the corners of the parcel on the map; double-click to finish.',
  'plan.hintUpload': 'Choose a GeoJSON file of the parcel (EPSG:4326).',
  'plan.activity': 'Planned activity',
  'plan.noActivity': '— no activity —',
  'plan.loading': 'Computing…',
  'plan.failed': 'The information could not be computed: {reason}',
  'plan.outsideRegency': 'This place lies outside the regency; its spatial plan does not cover it.',
  'plan.withoutArea':
    'The parcel has no area: its corners lie on one line or repeat. Draw it again with at ' +
    'least three corners apart.',
  'plan.unrepairable':
    'The parcel crosses itself and has too many corners to be repaired here. Fix its shape ' +
    'in a GIS application, then send it again.',
  'plan.tooComplex':
    'The parcel is too complex to compute within the time limit. Simplify its shape (fewer ' +
    'corners or parts), then try again.',
  'plan.location': 'Location',
  'plan.area': 'Parcel area',
  'plan.place': 'Place',
  'plan.point': 'clicked point',
  'plan.zones': 'Spatial plan zones',
  'plan.zone': 'Zone',
  'plan.share': 'Share',
  'plan.areaHa': 'Area (ha)',
  'plan.noZone': 'The place lies in no plan zone.',
  'plan.outside': '{percent} of the parcel lies outside the plan zones.',
  'plan.regulation': 'Regulation',
  'plan.period': 'period',
  'plan.answer': 'Activity rule',
  'plan.warnings': 'Warnings',
  'plan.noWarnings': 'No protected area or hazard zone.',
  'plan.print': 'Print',
  'plan.pdf': 'PDF',
  'plan.png': 'PNG',
  'plan.printFailed': 'The print file could not be made: {reason}',
  'plan.printBusy': 'The server is printing many files. Try again in a moment.',
  'plan.fileInvalid': 'The file is not a GeoJSON polygon: {reason}',
  'plan.elapsed': 'Computed in {ms} ms from current data.',
  'sample.analysis': 'Computed from invented sample data, not official data: {layers}.',
  'dashboard.open': 'Dashboard',
  'dashboard.title': 'Planning dashboard',
  'dashboard.exposure': 'Hazard exposure',
  'dashboard.roads': 'Road condition',
  'dashboard.irrigation': 'Irrigation condition',
  'dashboard.hazardType': 'Hazard type',
  'dashboard.year': 'Year',
  'dashboard.roadStatus': 'Road status',
  'dashboard.allRoads': 'All roads',
  'dashboard.current': 'Now',
  'dashboard.csv': 'Download CSV',
  'dashboard.loading': 'Loading…',
  'dashboard.failed': 'The statistics could not be loaded: {reason}',
  'reason.offline': 'no connection to the server; try again later.',
  'reason.serverFailed': 'the server has a problem (HTTP {status}); try again later.',
  'dashboard.kecamatan': 'Kecamatan',
  'dashboard.regency': 'Regency',
  'dashboard.population': 'People exposed',
  'dashboard.areaHa': 'Area (ha)',
  'dashboard.roadKm': 'Roads (km)',
  'dashboard.bridges': 'Bridges',
  'dashboard.structures': 'Irrigation structures',
  'dashboard.canalKm': 'Canals (km)',
  'dashboard.evacuation': 'Evacuation points',
  'dashboard.class': 'Class',
  'dashboard.totalKm': 'Length (km)',
  'dashboard.kemantapan': 'Good or fair',
  'dashboard.kemantapanTrend': 'Share of roads in good or fair condition per year',
  'dashboard.area': 'Irrigation area',
  'dashboard.iksi': 'IKSI score',
  'dashboard.goodCanal': 'Canals in good condition',
  'dashboard.mapNote': 'Map: kecamatan coloured by {what}.',
};

/** Text for `key` in the interface language, with `{name}` placeholders filled. */
export function planText(key: PlanMessageKey, values: Record<string, string | number> = {}) {
  const text = getLanguage() === 'en' ? messagesEn[key] : messagesId[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** The text of a bilingual server value in the interface language. */
export function pickText(text: { id: string; en: string }) {
  return getLanguage() === 'en' ? text.en : text.id;
}
