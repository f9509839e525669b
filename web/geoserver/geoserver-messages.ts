import { getLanguage } from '../i18n/i18n.js';

/** Indonesian text of the GeoServer admin page; its keys are the message keys. */
const messagesId = {
  title: 'Publikasi ke GeoServer',
  intro:
    'Lapisan Simpul diterbitkan ke GeoServer kabupaten untuk geoportal provinsi dan nasional. ' +
    'Rencana membandingkan GeoServer dengan deklarasi lapisan tanpa mengubah apa pun.',
  close: 'Kembali ke peta',
  loading: 'Memuat…',
  loginNeeded: 'Masuk sebagai administrator untuk melihat publikasi.',
  userName: 'Nama pengguna',
  password: 'Kata sandi',
  logIn: 'Masuk',
  notAdmin: 'Hanya administrator yang dapat menerbitkan ke GeoServer.',
  notConfigured: 'Publikasi belum dikonfigurasi: {problem}',
  geoserver: 'GeoServer: {url}',
  lastResult: 'Hasil terakhir',
  noResult: 'Belum pernah diterapkan.',
  lastSuccess: 'Terakhir berhasil: {run}',
  noSuccess: 'Belum pernah berhasil diterapkan.',
  'failure.configure': 'Gagal saat membaca konfigurasi: {error}',
  'failure.connect': 'Gagal saat menanyakan versi GeoServer: {error}',
  'failure.plan': 'Gagal saat membaca katalog GeoServer untuk rencana: {error}',
  'failure.apply': 'Gagal pada langkah {step}: {error}',
  runSummary: '{outcome} pada {when} oleh {who} (GeoServer {version})',
  plan: 'Periksa rencana',
  apply: 'Terapkan rencana',
  force: 'Paksa walau versi GeoServer rentan',
  working: 'Sedang berjalan…',
  counts: '{create} dibuat, {update} diubah, {delete} dihapus, {unchanged} tetap',
  nothingToDo: 'GeoServer sudah sesuai dengan deklarasi.',
  foreign: 'Dibiarkan (bukan buatan Simpul): {names}',
  warning: 'Peringatan: {warning}',
  'action.create': 'buat',
  'action.update': 'ubah',
  'action.delete': 'hapus',
  'action.unchanged': 'tetap',
  'status.done': 'selesai',
  'status.failed': 'gagal',
  'status.not-done': 'belum',
  'status.unchanged': 'tetap',
  'outcome.applied': 'Diterapkan',
  'outcome.unchanged': 'Tidak ada perubahan',
  'outcome.failed': 'Terhenti karena kegagalan',
  resume: 'Terapkan lagi untuk melanjutkan dari yang belum selesai.',
  'column.action': 'Tindakan',
  'column.kind': 'Jenis',
  'column.name': 'Nama',
  'column.fields': 'Bagian yang berbeda',
  'column.status': 'Status',
} as const;

/** A key of the GeoServer admin page's text. */
export type GeoServerMessageKey = keyof typeof messagesId;

const messagesEn: Record<GeoServerMessageKey, string> = {
  title: 'Publication to GeoServer',
  intro:
    "Simpul's layers are published to the regency's GeoServer for the provincial and " +
    'national geoportals. A plan compares GeoServer with the layer declarations and changes nothing.',
  close: 'Back to the map',
  loading: 'Loading…',
  loginNeeded: 'Log in as an administrator to see the publication.',
  userName: 'User name',
  password: 'Password',
  logIn: 'Log in',
  notAdmin: 'Only an administrator may publish to GeoServer.',
  notConfigured: 'Publication is not configured: {problem}',
  geoserver: 'GeoServer: {url}',
  lastResult: 'Last result',
  noResult: 'Never applied yet.',
  lastSuccess: 'Last success: {run}',
  noSuccess: 'Never applied successfully yet.',
  'failure.configure': 'Failed while reading the configuration: {error}',
  'failure.connect': 'Failed while asking GeoServer its version: {error}',
  'failure.plan': "Failed while reading GeoServer's catalog to plan: {error}",
  'failure.apply': 'Failed at step {step}: {error}',
  runSummary: '{outcome} on {when} by {who} (GeoServer {version})',
  plan: 'Check the plan',
  apply: 'Apply the plan',
  force: 'Force even though the GeoServer version is vulnerable',
  working: 'Working…',
  counts: '{create} to create, {update} to update, {delete} to delete, {unchanged} unchanged',
  nothingToDo: 'GeoServer already matches the declarations.',
  foreign: 'Left alone (not made by Simpul): {names}',
  warning: 'Warning: {warning}',
  'action.create': 'create',
  'action.update': 'update',
  'action.delete': 'delete',
  'action.unchanged': 'unchanged',
  'status.done': 'done',
  'status.failed': 'failed',
  'status.not-done': 'not done',
  'status.unchanged': 'unchanged',
  'outcome.applied': 'Applied',
  'outcome.unchanged': 'Nothing to change',
  'outcome.failed': 'Stopped by a failure',
  resume: 'Apply again to resume from what is not done.',
  'column.action': 'Action',
  'column.kind': 'Kind',
  'column.name': 'Name',
  'column.fields': 'What differs',
  'column.status': 'Status',
};

/** GeoServer admin page text in the interface language, `{name}` filled from `values`. */
export function geoserverText(
  key: GeoServerMessageKey,
  values: Record<string, string | number> = {},
): string {
  const text = getLanguage() === 'en' ? messagesEn[key] : messagesId[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}
