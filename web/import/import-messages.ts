import type { CodedText, ImportApiError } from '../api/import-api.js';
import {
  formatCount,
  getLanguage,
  pickTitle,
  selectCountForm,
  type CountedKey,
} from '../i18n/i18n.js';
import type { ProblemDeclaration } from '../i18n/problem-messages.js';

/**
 * Interface text of import and export, Indonesian first. A text that counts has a form per
 * plural category (`.one`, `.other`); an Indonesian noun keeps one form, so its two are alike.
 */
const messagesId = {
  'import.open': 'Impor dan ekspor data',
  'import.openShort': 'Impor/Ekspor',
  'import.close': 'Tutup',
  'import.title': 'Impor dan ekspor',
  'export.heading': 'Ekspor lapisan',
  'export.layer': 'Lapisan',
  'export.format': 'Format',
  'export.crs': 'Sistem koordinat',
  'export.viewOnly': 'Hanya objek di tampilan peta',
  'export.download': 'Unduh',
  'import.heading': 'Impor berkas',
  'import.loginFirst': 'Masuk sebagai editor untuk mengimpor data.',
  'import.layer': 'Lapisan tujuan',
  'import.file': 'Berkas (GeoJSON, Shapefile .zip, GeoPackage, CSV, KML, FlatGeobuf)',
  'import.upload': 'Unggah',
  'import.uploading': 'Mengunggah… {percent}',
  'import.uploaded': '{file}: {format}',
  'import.sourceLayer': 'Lapisan dalam berkas',
  'import.encoding': 'Pengodean teks (.dbf, CSV)',
  'import.encodingAuto': 'otomatis (.cpg, atau dikenali dari isinya)',
  'import.crs': 'Sistem koordinat berkas (bila tidak tertulis)',
  'import.delimiter': 'Pemisah CSV',
  'import.delimiterAuto': 'otomatis',
  'import.decimalMark': 'Tanda desimal',
  'import.decimalMarkAuto': 'dari berkas',
  'import.decimalMarkComma': 'koma (109,01)',
  'import.decimalMarkPoint': 'titik (109.01)',
  'import.preview': 'Pratinjau',
  'import.mapping': 'Pemetaan kolom',
  'import.attribute': 'Atribut',
  'import.field': 'Kolom berkas',
  'import.noField': '— kosong —',
  'import.sampleShown.one': '{count} baris pertama ditampilkan di peta.',
  'import.sampleShown.other': '{count} baris pertama ditampilkan di peta.',
  'import.sampleProblems': 'Masalah pada baris pertama',
  'import.noProblems': 'Baris pertama lolos validasi.',
  'import.previewStale':
    'Pemetaan kolom diubah setelah pratinjau; pemeriksaan di bawah masih menurut pemetaan ' +
    'lama. Tekan Pratinjau untuk memeriksa ulang.',
  'import.previewStaleReading':
    'Pilihan pembacaan berkas diubah setelah pratinjau; kolom, contoh di peta dan pemeriksaan ' +
    'di bawah masih menurut pilihan lama. Tekan Pratinjau untuk membaca ulang.',
  'import.mode': 'Jika ada baris yang salah',
  'import.modeAll': 'batalkan semuanya',
  'import.modeValid': 'tulis baris yang benar saja',
  'import.action': 'Objek yang ada',
  'import.append': 'tambahkan',
  'import.replace': 'ganti semuanya (dapat dibatalkan)',
  'import.dryRun': 'Periksa saja, jangan tulis',
  'import.start': 'Mulai impor',
  'import.cancel': 'Hentikan',
  'import.undo': 'Batalkan impor ini',
  'import.progress': 'dibaca {read} · valid {written} · ditolak {rejected}',
  'import.committing': 'Menyimpan ke lapisan…',
  'import.step.reading': 'Membaca berkas…',
  'import.step.checking-geometries': 'Memeriksa geometri…',
  'import.step.checking-unique-values': 'Memeriksa nilai unik…',
  'import.step.writing': 'Menyimpan ke lapisan…',
  'import.status.running': 'Berjalan',
  'import.status.committing': 'Menyimpan',
  'import.status.succeeded.one': 'Berhasil: {written} objek ditulis.',
  'import.status.succeeded.other': 'Berhasil: {written} objek ditulis.',
  'import.status.checked': 'Diperiksa: tidak ada yang ditulis.',
  'import.status.rejected': 'Ditolak: tidak ada yang ditulis.',
  'import.status.failed': 'Gagal.',
  'import.status.cancelled': 'Dihentikan: lapisan tidak berubah.',
  'import.status.undone': 'Impor telah dibatalkan.',
  'import.rejected': 'Baris yang ditolak ({total})',
  'import.geometry': 'Geometri',
  'import.row': 'Baris',
  'import.reason': 'Alasan',
  'import.downloadReport': 'Unduh laporan (CSV)',
  'import.failed': 'Gagal: {reason}',
  'import.offline': 'tidak tersambung ke server; coba lagi nanti.',
  'import.serverFailed': 'server sedang bermasalah (HTTP {status}); coba lagi nanti.',
  'import.value': 'Nilai',
  'refusal.missing-crs':
    'Sistem koordinat berkas tidak diketahui. Isi sistem koordinat berkas, mis. EPSG:32749 ' +
    'untuk UTM zona 49S atau EPSG:4326 untuk bujur/lintang; Simpul tidak pernah menebaknya.',
  'refusal.missing-crs-sourceLayer':
    'Lapisan "{sourceLayer}" tidak menyebut sistem koordinatnya, tidak seperti lapisan yang ' +
    'diimpor bersamanya: impor lapisan itu sendiri dan isi sistem koordinatnya, mis. ' +
    'EPSG:32749 untuk UTM zona 49S atau EPSG:4326 untuk bujur/lintang; Simpul tidak pernah ' +
    'menebaknya.',
  'refusal.missing-crs-shapefile':
    '{shapefile} tidak disertai berkas .prj, jadi sistem koordinatnya tidak diketahui. Isi ' +
    'sistem koordinat berkas, mis. EPSG:32749 untuk UTM zona 49S atau EPSG:4326 untuk ' +
    'bujur/lintang; Simpul tidak pernah menebaknya.',
  'refusal.invalid-crs':
    '"{crs}" bukan sistem koordinat; isi kode EPSG seperti EPSG:32749 atau EPSG:4326.',
  'refusal.crs-misplaces-features.one':
    'Bila dibaca dalam {crs} sesuai pilihan, {sampled} objek pertama jatuh di luar kabupaten ' +
    '(misalnya {example}); bila dibaca dalam {fileCrs} yang disebut berkas, ' +
    'jatuh di dalamnya. ' +
    'Kosongkan pilihan sistem koordinat agar berkas dibaca dalam sistemnya sendiri.',
  'refusal.crs-misplaces-features.other':
    'Bila dibaca dalam {crs} sesuai pilihan, {sampled} objek pertama jatuh di luar kabupaten ' +
    '(misalnya {example}); bila dibaca dalam {fileCrs} yang disebut berkas, ' +
    'jatuh di dalamnya. ' +
    'Kosongkan pilihan sistem koordinat agar berkas dibaca dalam sistemnya sendiri.',
  'refusal.crs-misplaces-features-format-crs-given.one':
    'Bila dibaca dalam {crs} sesuai pilihan, {sampled} objek pertama jatuh di luar kabupaten ' +
    '(misalnya {example}); bila dibaca dalam {formatCrs}, sistem koordinat formatnya, jatuh ' +
    'di dalamnya. Isi sistem koordinat berkas dengan {formatCrs} agar dibaca dalam itu.',
  'refusal.crs-misplaces-features-format-crs-given.other':
    'Bila dibaca dalam {crs} sesuai pilihan, {sampled} objek pertama jatuh di luar kabupaten ' +
    '(misalnya {example}); bila dibaca dalam {formatCrs}, sistem koordinat formatnya, jatuh ' +
    'di dalamnya. Isi sistem koordinat berkas dengan {formatCrs} agar dibaca dalam itu.',
  'refusal.crs-misplaces-features-format-crs-named.one':
    'Bila dibaca dalam {crs} yang disebut berkas, {sampled} objek pertama jatuh di luar ' +
    'kabupaten (misalnya {example}); bila dibaca dalam {formatCrs}, sistem koordinat ' +
    'formatnya, jatuh di dalamnya. Isi sistem koordinat berkas dengan {formatCrs} agar ' +
    'dibaca dalam itu.',
  'refusal.crs-misplaces-features-format-crs-named.other':
    'Bila dibaca dalam {crs} yang disebut berkas, {sampled} objek pertama jatuh di luar ' +
    'kabupaten (misalnya {example}); bila dibaca dalam {formatCrs}, sistem koordinat ' +
    'formatnya, jatuh di dalamnya. Isi sistem koordinat berkas dengan {formatCrs} agar ' +
    'dibaca dalam itu.',
  'refusal.crs-misplaces-features-file-crs-lon-lat.one':
    'Bila dibaca dalam {crs} yang disebut berkas, objek pertama jatuh di luar kabupaten ' +
    '({example}); bila dibaca sebagai bujur/lintang ({formatCrs}), jatuh di dalamnya: berkas ' +
    'menyebut sistem koordinat yang salah. Isi sistem koordinat berkas dengan {formatCrs} ' +
    'agar dibaca dalam itu.',
  'refusal.crs-misplaces-features-file-crs-lon-lat.other':
    'Bila dibaca dalam {crs} yang disebut berkas, {sampled} objek pertama jatuh di luar ' +
    'kabupaten (misalnya {example}); bila dibaca sebagai bujur/lintang ({formatCrs}), jatuh ' +
    'di dalamnya: berkas menyebut sistem koordinat yang salah. Isi sistem koordinat berkas ' +
    'dengan {formatCrs} agar dibaca dalam itu.',
  'refusal.crs-misplaces-features-layer-crs-lon-lat.one':
    'Bila dibaca dalam {crs} yang disebut lapisan "{sourceLayer}", objek pertama jatuh di ' +
    'luar kabupaten ({example}); bila dibaca sebagai bujur/lintang ({formatCrs}), jatuh di ' +
    'dalamnya: lapisan menyebut sistem koordinat yang salah. Ubah sistem koordinatnya ' +
    'menjadi {formatCrs} di SIG (di QGIS: Properti Layer, Sumber, CRS yang ditetapkan) lalu ' +
    'ekspor lagi.',
  'refusal.crs-misplaces-features-layer-crs-lon-lat.other':
    'Bila dibaca dalam {crs} yang disebut lapisan "{sourceLayer}", {sampled} objek pertama ' +
    'jatuh di luar kabupaten (misalnya {example}); bila dibaca sebagai bujur/lintang ' +
    '({formatCrs}), jatuh di dalamnya: lapisan menyebut sistem koordinat yang salah. Ubah ' +
    'sistem koordinatnya menjadi {formatCrs} di SIG (di QGIS: Properti Layer, Sumber, CRS ' +
    'yang ditetapkan) lalu ekspor lagi.',
  'refusal.crs-not-applicable':
    'Lapisan {sourceLayer} menyebut sistem koordinatnya sendiri, yang dibaca GDAL ke ' +
    'bujur/lintang: kosongkan pilihan sistem koordinat.',
  'refusal.coordinates-outside-crs.one':
    'Koordinat {sampled} objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca ' +
    'dalam {crs}. Isi sistem koordinat berkas, mis. EPSG:32749 untuk UTM zona 49S.',
  'refusal.coordinates-outside-crs.other':
    'Koordinat {sampled} objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca ' +
    'dalam {crs}. Isi sistem koordinat berkas, mis. EPSG:32749 untuk UTM zona 49S.',
  'refusal.coordinates-outside-crs-swapped.one':
    'Koordinat objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca dalam ' +
    '{crs}; tampaknya lintang dan bujur tertukar. Pilih kolom bujur sebagai x dan kolom ' +
    'lintang sebagai y.',
  'refusal.coordinates-outside-crs-swapped.other':
    'Koordinat {sampled} objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca ' +
    'dalam {crs}; tampaknya lintang dan bujur tertukar. Pilih kolom bujur sebagai x dan ' +
    'kolom lintang sebagai y.',
  'refusal.coordinates-outside-crs-fileCrs.one':
    'Koordinat {sampled} objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca ' +
    'dalam {crs}. Berkas sendiri menyebut {fileCrs}: kosongkan pilihan sistem koordinat agar ' +
    'dibaca dalam itu.',
  'refusal.coordinates-outside-crs-fileCrs.other':
    'Koordinat {sampled} objek pertama (misalnya {example}) bukan bujur/lintang bila dibaca ' +
    'dalam {crs}. Berkas sendiri menyebut {fileCrs}: kosongkan pilihan sistem koordinat agar ' +
    'dibaca dalam itu.',
  'refusal.unknown-crs':
    '{crs} bukan sistem koordinat yang dikenal basis data; isi kode EPSG yang lain.',
  'refusal.unreadable-crs':
    'Sistem koordinat {crs} tidak dapat dibaca; isi kode EPSG-nya, mis. EPSG:32749.',
  'refusal.crs-datum-unknown':
    'Sistem koordinat {crs} menyebut datum "{datum}" tanpa pergeserannya ke WGS 84 ' +
    '(TOWGS84): tanpa itu letaknya meleset puluhan sampai ratusan meter. Isi kode EPSG-nya, ' +
    'mis. EPSG:23889 untuk ID74 / UTM zona 49S; Simpul tidak pernah menebaknya.',
  'refusal.unknown-format':
    '{fileName} bukan format yang dapat dibaca Simpul. Kirim salah satu: {formats}.',
  'refusal.unreadable-zip':
    'Arsip zip rusak atau bukan arsip zip, sehingga tidak dapat dibuka. Buat ulang arsipnya ' +
    'lalu unggah lagi.',
  'refusal.unreadable-zip-entry':
    '{entry} di dalam arsip zip rusak: isinya tidak sebesar {declaredBytes} bita yang ' +
    'tertulis. Buat ulang arsipnya lalu unggah lagi.',
  'refusal.unreadable-zip-duplicate-name':
    'Arsip zip berisi dua berkas dengan nama yang sama ({otherEntry} dan {entry}); zip satu ' +
    'set data saja, atau ganti nama salah satunya.',
  'refusal.unreadable-zip-damaged-entry':
    '{entry} di dalam arsip zip tidak dapat dibaca (rusak, atau dikemas dengan kompresi atau ' +
    'sandi yang tidak dikenal). Buat ulang arsipnya dengan kompresi biasa lalu unggah lagi.',
  'refusal.zip-too-large':
    'Arsip zip berisi lebih dari {maxGb} GB setelah dibuka; pecah menjadi beberapa berkas.',
  'refusal.zip-too-large-inflation':
    'Arsip zip berisi lebih dari {maxInflation} kali ukurannya dan lebih dari {freelyGb} GB ' +
    'setelah dibuka, seperti bom zip; buat ulang arsipnya.',
  'refusal.empty-zip':
    '{fileName} tidak berisi berkas .shp, .kml, .gpkg, .geojson, .csv, atau .fgb.',
  'refusal.no-shapefile': '{file} bukan berkas .shp yang dapat dibaca.',
  'refusal.unreadable-shp':
    'Bagian geometri Shapefile (.shp) rusak atau terpotong, sehingga tidak dapat dibaca. ' +
    'Ekspor ulang dari aplikasi asalnya lalu unggah lagi.',
  'refusal.unreadable-dbf':
    'Tabel atribut Shapefile (.dbf) rusak atau terpotong, sehingga tidak dapat dibaca. ' +
    'Ekspor ulang dari aplikasi asalnya lalu unggah lagi.',
  'refusal.missing-dbf':
    '{file}.shp tidak disertai berkas .dbf yang memuat atributnya. Kirim {file}.dbf ' +
    'bersamanya (zip Shapefile beserta semua berkasnya).',
  'refusal.dbf-record-count':
    'Jumlah rekaman {file}.dbf ({records}) tidak sama dengan jumlah bentuk di {file}.shp, ' +
    'sehingga atributnya tidak dapat dipasangkan. Ekspor ulang Shapefile beserta semua ' +
    'berkasnya dari aplikasi asalnya.',
  'refusal.unreadable-json':
    'Berkas GeoJSON rusak atau terpotong: isinya bukan JSON yang sah. Ekspor ulang berkasnya.',
  'refusal.not-geojson':
    'Berkas ini bukan GeoJSON: tidak memuat anggota "features" dan bukan sebuah Feature ' +
    '(TopoJSON harus diubah dulu menjadi GeoJSON).',
  'refusal.unreadable-json-line':
    'Baris {line} bukan JSON yang sah; berkasnya mungkin terpotong. Ekspor ulang berkasnya.',
  'refusal.not-a-feature':
    'Rekaman {row} bukan Feature GeoJSON; setiap rekaman harus berisi "type": "Feature".',
  'refusal.unreadable-kml': 'Berkas KML rusak, sehingga tidak dapat dibaca.',
  'refusal.kml-point-positions':
    'Placemark {row} memiliki Point dengan {positions} posisi, padahal Point hanya memuat ' +
    'satu. Beri satu posisi, atau taruh beberapa Point dalam MultiGeometry.',
  'refusal.option-like-layer-name':
    'Nama lapisan "{layer}" diawali tanda minus, yang dibaca GDAL sebagai opsi. Ganti nama ' +
    'lapisannya di aplikasi GIS, lalu unggah lagi.',
  'refusal.no-geometry-layers':
    '{fileName} tidak berisi lapisan bergeometri, hanya tabel tanpa geometri. Ekspor ulang ' +
    'lapisannya beserta kolom geometrinya ke GeoPackage.',
  'refusal.unreadable-csv':
    'Berkas CSV rusak atau tanda kutipnya salah tempat, sehingga tidak dapat dibaca. ' +
    'Perbaiki berkasnya lalu unggah lagi.',
  'refusal.kml-link-not-read-remote':
    '{file} menautkan ke {link} (NetworkLink), yang tidak diambil Simpul: hanya berkas di ' +
    'dalam KMZ yang dibaca. Unduh berkas tautan itu lalu kirim, atau kirim KMZ yang memuatnya.',
  'refusal.kml-link-not-read-missing':
    '{file} menautkan ke {link} (NetworkLink), yang tidak ada di dalam berkas yang dikirim; ' +
    'kirim KMZ yang juga memuat berkas tautan itu.',
  'refusal.kml-link-not-read-no-href':
    '{file} memuat NetworkLink "{name}" tanpa alamat di Link/href (KML 2.2); simpan ulang ' +
    'berkasnya dengan penulis KML terkini, atau kirim berkas tautannya sendiri.',
  'refusal.unreadable-flatgeobuf': 'Berkas FlatGeobuf rusak, sehingga tidak dapat dibaca.',
  'refusal.empty-file': 'Berkas CSV kosong.',
  'refusal.empty-upload': 'Berkas yang diunggah kosong (0 bita).',
  'refusal.upload-too-large': 'Ukuran unggahan paling besar {maxMb} MB.',
  'refusal.file-too-large':
    'Satu placemark berkas KML ini memerlukan lebih dari {maxMb} MB memori untuk dibaca; ' +
    'ubah berkasnya menjadi GeoPackage.',
  'refusal.file-too-large-too-much-memory':
    'Satu placemark berkas KML ini memerlukan lebih dari {maxMb} MB memori untuk dibaca; ' +
    'ubah berkasnya menjadi GeoPackage.',
  'refusal.choose-source-layer':
    '{fileName} berisi beberapa lapisan; pilih salah satu: {sourceLayers}.',
  'refusal.choose-source-layer-sourceLayer':
    '{fileName} tidak berisi lapisan "{sourceLayer}"; pilih salah satu: {sourceLayers}.',
  'refusal.repeated-source-layer':
    'Lapisan sumber "{sourceLayer}" disebut dua kali; sebut setiap lapisan berkas sekali saja.',
  'refusal.unknown-encoding':
    '"{encoding}" bukan pengodean teks; pakai mis. utf-8, windows-1252, atau iso-8859-1.',
  'refusal.unknown-column': 'CSV tidak punya kolom "{column}"; kolomnya: {columns}.',
  'refusal.no-geometry-columns':
    'Tidak ada kolom geometri di antara: {columns}. Sebutkan kolom WKT, atau kolom bujur dan ' +
    'lintang.',
  'refusal.gdal-missing':
    '{format} memerlukan GDAL, yang belum terpasang di server. Kirim GeoJSON, CSV, ' +
    'Shapefile, KML, atau FlatGeobuf, atau minta pengelola server memasang GDAL.',
  'refusal.gdal-failed': 'GDAL tidak dapat membaca berkas ini; berkasnya mungkin rusak.',
  'refusal.unreadable-geopackage':
    '{fileName} bukan GeoPackage: berkas ini bukan basis data SQLite, padahal GeoPackage ' +
    'adalah basis data SQLite (berkas lain yang dinamai .gpkg, atau berkas yang terpotong). ' +
    'Ekspor ulang lapisannya ke GeoPackage.',
  'refusal.empty-geopackage':
    '{fileName} tidak berisi satu lapisan pun: GeoPackage ini tidak punya tabel fitur. ' +
    'Ekspor ulang lapisannya ke GeoPackage.',
  'refusal.invalid-mapping-unknown-field':
    'Berkas tidak punya kolom "{field}" (dipetakan ke {attribute}); kolomnya: {fields}.',
  'refusal.invalid-mapping-unknown-attribute':
    'Lapisan tidak punya atribut "{attribute}" yang dapat diisi; petakan salah satu: ' +
    '{attributes}.',
  'refusal.invalid-mapping-read-only':
    '{attribute} dihitung otomatis, jadi tidak dapat diisi dari berkas; petakan salah satu: ' +
    '{attributes}.',
  'refusal.invalid-mapping-not-an-object':
    'Pemetaan kolom tidak sah: setiap atribut dipetakan ke satu kolom berkas atau dikosongkan.',
  'refusal.invalid-import-not-text': 'Pilihan {name} harus berupa teks.',
  'refusal.invalid-import-not-a-list': 'Pilihan {name} harus berupa daftar nama.',
  'refusal.invalid-import-not-an-object': 'Pilihan {name} harus berupa objek (JSON).',
  'refusal.invalid-import-not-true-or-false':
    'Pilihan {name} harus bernilai true atau false (JSON), bukan {value}.',
  'refusal.invalid-import-not-one-of':
    'Pilihan {name} harus salah satu dari {allowed}, bukan "{value}".',
  'refusal.invalid-import-missing-upload-or-layer':
    'Unggah berkas dan pilih lapisan tujuan terlebih dahulu.',
  'refusal.invalid-import-unknown-option': 'Pilihan impor {name} tidak dikenal.',
  'refusal.unknown-upload':
    'Berkas unggahan tidak ada lagi (unggahan disimpan sehari); kirim berkasnya lagi.',
  'refusal.login-required': 'Masuk terlebih dahulu untuk mengimpor data.',
  'refusal.edit-forbidden':
    'Akun ini tidak berhak menyunting lapisan tersebut, jadi tidak dapat mengimpor ke dalamnya. ' +
    'Mintalah hak sunting kepada admin.',
  'refusal.unknown-collection':
    'Lapisan tujuan tidak ada di server; muat ulang halaman lalu pilih lapisannya lagi.',
  'refusal.unknown-import': 'Server tidak mengenal impor ini lagi; mulai impornya kembali.',
  'refusal.missing-file': 'Unggahan tidak berisi berkas; pilih berkasnya lagi.',
  'refusal.database-unavailable':
    'Basis data tidak menjawab; coba lagi sebentar lagi. Jika berlanjut, sebutkan kode ' +
    'permintaan {requestId}.',
  'refusal.internal':
    'Server gagal menjawab; sebutkan kode permintaan {requestId} saat melaporkannya.',
  'refusal.upload-removed': 'Berkas unggahan telah dihapus: kirim berkas yang sudah diperbaiki.',
  'refusal.import-finished': 'Impor ini sudah berakhir, jadi tidak dapat dihentikan lagi.',
  'refusal.import-not-undoable-not-succeeded': 'Hanya impor yang berhasil yang dapat dibatalkan.',
  'refusal.import-not-undoable-no-history':
    'Riwayat objek tidak menyimpan perubahan dari impor ini, jadi impor tidak dapat dibatalkan.',
  'refusal.import-not-undoable-later-edits.one':
    'Lapisan telah diubah {laterEdits} kali setelah impor ini; membatalkannya akan membuang ' +
    'perubahan itu. Pulihkan objek satu per satu dari riwayatnya.',
  'refusal.import-not-undoable-later-edits.other':
    'Lapisan telah diubah {laterEdits} kali setelah impor ini; membatalkannya akan membuang ' +
    'perubahan itu. Pulihkan objek satu per satu dari riwayatnya.',
  'note.legacy-crs-member': 'Berkas menyebut sistem koordinatnya pada anggota "crs" versi lama.',
  'note.legacy-crs-unreadable':
    'Anggota "crs" versi lama pada berkas menyebut "{name}", yang bukan sistem koordinat ' +
    'yang dapat dibaca Simpul.',
  'note.read-through-gdal-given':
    'Dibaca lewat GDAL, diproyeksikan ulang dari {crs}, sesuai pilihan.',
  'note.read-through-gdal':
    'Dibaca melalui GDAL, diproyeksikan ulang dari sistem koordinat lapisannya.',
  'note.surfaces-merged':
    '{sourceLayer}: geometri TIN atau PolyhedralSurface dibaca sebagai poligon, segitiga ' +
    'atau bidang tiap objek digabung menjadi batas luarnya.',
  'note.csv-wkt-column': 'Geometri dari kolom WKT "{column}".',
  'note.csv-coordinate-columns': 'Titik dari kolom "{xColumn}" (x) dan "{yColumn}" (y).',
  'note.csv-delimiter': 'Pemisah {delimiter}.',
  'note.csv-repeated-column':
    'CSV memuat lebih dari satu kolom "{column}"; kolom ke-{position} dibaca sebagai ' +
    '"{renamed}".',
  'note.csv-delimiter-decimal-comma': 'Pemisah {delimiter}, desimal dengan koma.',
  'note.csv-point-ambiguous':
    'Kolom "{column}" berisi angka seperti {example}, yang dibaca dengan titik sebagai tanda ' +
    'desimal ({read}). Bila titik itu pemisah ribuan, pilih tanda desimal "koma".',
  'note.csv-crs-assumed':
    'CSV tidak menyebut sistem koordinat: koordinat dibaca sebagai bujur/lintang (EPSG:4326).',
  'note.crs-given': 'Koordinat dibaca dalam {crs}, sesuai pilihan.',
  'note.crs-given-over-file':
    'Koordinat dibaca dalam {crs}, sesuai pilihan, bukan dalam {fileCrs} yang disebut berkas.',
  'note.encoding-given': 'Teks dibaca sebagai {encoding}, sesuai pilihan.',
  'note.encoding-from-cpg': 'Teks dibaca sebagai {encoding}, sesuai berkas .cpg.',
  'note.encoding-from-driver':
    'Teks dibaca sebagai {encoding}, sesuai kode bahasa .dbf ({driver}).',
  'note.encoding-recognised-utf-8':
    'Pengodean tidak disebut berkas .cpg maupun .dbf: teks dibaca sebagai utf-8 karena berisi ' +
    'huruf beraksen UTF-8. Bila nama tampak salah, pilih pengodeannya.',
  'note.dbf-cut-letters':
    'Sebagian nilai terpotong di tengah huruf pada lebar kolom .dbf oleh program pembuatnya; ' +
    'huruf yang terpotong dibuang.',
  'note.encoding-plain-ascii':
    'Pengodean tidak disebut berkas .cpg maupun .dbf: teksnya ASCII biasa, terbaca sama ' +
    'dalam pengodean apa pun.',
  'note.encoding-assumed-windows-1252':
    'Pengodean tidak disebut berkas .cpg maupun .dbf: teks dibaca sebagai windows-1252, ' +
    'bawaan Windows, karena bukan UTF-8. Bila nama tampak salah, pilih pengodeannya.',
  'note.cpg-unknown-encoding': 'Berkas .cpg menyebut pengodean yang tidak dikenal ("{cpg}").',
  'note.csv-encoding-windows-1252':
    'CSV bukan UTF-8: teks dibaca sebagai windows-1252, yang disimpan Excel di Windows. ' +
    'Bila nama tampak salah, pilih pengodeannya.',
  'note.field-names-restored': 'Nama kolom lengkap dipulihkan dari daftar kolom ekspor.',
  'note.source-layer-rows': '{sourceLayer}: baris {firstRow}–{lastRow}.',
  'note.z-dropped.one': 'Nilai Z (ketinggian) dibuang dari {count} objek.',
  'note.z-dropped.other': 'Nilai Z (ketinggian) dibuang dari {count} objek.',
  'note.m-dropped.one': 'Nilai M (ukuran) dibuang dari {count} objek.',
  'note.m-dropped.other': 'Nilai M (ukuran) dibuang dari {count} objek.',
  'note.replaced-by-key.one':
    'Diganti menurut {key}: {updated} objek diperbarui di tempat beserta catatannya, ' +
    '{removed} dihapus beserta catatannya, {inserted} ditambahkan.',
  'note.replaced-by-key.other':
    'Diganti menurut {key}: {updated} objek diperbarui di tempat beserta catatannya, ' +
    '{removed} dihapus beserta catatannya, {inserted} ditambahkan.',
  'note.kept-rejected.one':
    '{kept} objek yang barisnya ditolak dibiarkan seperti semula, beserta catatannya.',
  'note.kept-rejected.other':
    '{kept} objek yang barisnya ditolak dibiarkan seperti semula, beserta catatannya.',
  'note.checked.one':
    'Diperiksa: {valid} baris valid dan {rejected} ditolak; tidak ada yang ditulis.',
  'note.checked.other':
    'Diperiksa: {valid} baris valid dan {rejected} ditolak; tidak ada yang ditulis.',
  'note.rejected-all-or-nothing.one':
    '{rejected} baris ditolak, jadi tidak ada yang ditulis (batalkan semuanya).',
  'note.rejected-all-or-nothing.other':
    '{rejected} baris ditolak, jadi tidak ada yang ditulis (batalkan semuanya).',
  'note.replace-without-valid-rows':
    'Tidak ada baris yang valid: lapisan dibiarkan seperti semula, tidak dikosongkan.',
  'note.cancelled': 'Dihentikan; lapisan dibiarkan seperti semula.',
  'note.failed-reading': 'Berkas tidak dapat dibaca: {detail} Lapisan dibiarkan seperti semula.',
  'note.failed-reading-upload-removed':
    'Berkas tidak dapat dibaca: {detail} Lapisan dibiarkan seperti semula. Berkas unggahan ' +
    'telah dihapus: kirim berkas yang sudah diperbaiki.',
  'note.failed-on-server':
    'Impor gagal di server; lapisan dibiarkan seperti semula. Sebutkan nomor impor saat ' +
    'melaporkannya.',
  'note.server-stopped':
    'Server atau perintah yang menjalankan impor berhenti; lapisan dibiarkan seperti semula.',
  'note.database-connection-lost':
    'Sambungan ke basis data terputus, jadi impor berhenti; lapisan dibiarkan seperti semula. ' +
    'Ulangi impor setelah basis data kembali menjawab.',
  'note.undone.one':
    'Dibatalkan oleh {actor}: {deleted} objek impor dihapus, {restored} dipulihkan.',
  'note.undone.other':
    'Dibatalkan oleh {actor}: {deleted} objek impor dihapus, {restored} dipulihkan.',
} as const;

/** A key of the import and export interface text. */
export type ImportMessageKey = keyof typeof messagesId;

const messagesEn: Record<ImportMessageKey, string> = {
  'import.open': 'Import and export data',
  'import.openShort': 'Import/Export',
  'import.close': 'Close',
  'import.title': 'Import and export',
  'export.heading': 'Export a layer',
  'export.layer': 'Layer',
  'export.format': 'Format',
  'export.crs': 'Coordinate system',
  'export.viewOnly': 'Only features in the map view',
  'export.download': 'Download',
  'import.heading': 'Import a file',
  'import.loginFirst': 'Log in as an editor to import data.',
  'import.layer': 'Target layer',
  'import.file': 'File (GeoJSON, zipped Shapefile, GeoPackage, CSV, KML, FlatGeobuf)',
  'import.upload': 'Upload',
  'import.uploading': 'Uploading… {percent}',
  'import.uploaded': '{file}: {format}',
  'import.sourceLayer': 'Layer in the file',
  'import.encoding': 'Text encoding (.dbf, CSV)',
  'import.encodingAuto': 'automatic (.cpg, or recognised from the text)',
  'import.crs': 'Coordinate system of the file (when it names none)',
  'import.delimiter': 'CSV delimiter',
  'import.delimiterAuto': 'automatic',
  'import.decimalMark': 'Decimal mark',
  'import.decimalMarkAuto': 'from the file',
  'import.decimalMarkComma': 'comma (109,01)',
  'import.decimalMarkPoint': 'point (109.01)',
  'import.preview': 'Preview',
  'import.mapping': 'Field mapping',
  'import.attribute': 'Attribute',
  'import.field': 'File field',
  'import.noField': '— empty —',
  'import.sampleShown.one': 'The first row is shown on the map.',
  'import.sampleShown.other': 'The first {count} rows are shown on the map.',
  'import.sampleProblems': 'Problems in the first rows',
  'import.noProblems': 'The first rows pass validation.',
  'import.previewStale':
    'The field mapping changed after the preview; the checks below still follow the old ' +
    'mapping. Press Preview to check again.',
  'import.previewStaleReading':
    'The reading options changed after the preview; the fields, the sample on the map and ' +
    'the checks below still follow the old options. Press Preview to read the file again.',
  'import.mode': 'When a row is wrong',
  'import.modeAll': 'write nothing',
  'import.modeValid': 'write the valid rows only',
  'import.action': 'Existing features',
  'import.append': 'keep and add',
  'import.replace': 'replace them all (undoable)',
  'import.dryRun': 'Check only, write nothing',
  'import.start': 'Start import',
  'import.cancel': 'Stop',
  'import.undo': 'Undo this import',
  'import.progress': 'read {read} · valid {written} · rejected {rejected}',
  'import.committing': 'Saving into the layer…',
  'import.step.reading': 'Reading the file…',
  'import.step.checking-geometries': 'Checking geometries…',
  'import.step.checking-unique-values': 'Checking unique values…',
  'import.step.writing': 'Saving into the layer…',
  'import.status.running': 'Running',
  'import.status.committing': 'Saving',
  'import.status.succeeded.one': 'Done: {written} feature written.',
  'import.status.succeeded.other': 'Done: {written} features written.',
  'import.status.checked': 'Checked: nothing was written.',
  'import.status.rejected': 'Refused: nothing was written.',
  'import.status.failed': 'Failed.',
  'import.status.cancelled': 'Stopped: the layer is unchanged.',
  'import.status.undone': 'The import was undone.',
  'import.rejected': 'Rejected rows ({total})',
  'import.geometry': 'Geometry',
  'import.row': 'Row',
  'import.reason': 'Reason',
  'import.downloadReport': 'Download the report (CSV)',
  'import.failed': 'Failed: {reason}',
  'import.offline': 'no connection to the server; try again later.',
  'import.serverFailed': 'the server has a problem (HTTP {status}); try again later.',
  'import.value': 'Value',
  'refusal.missing-crs':
    'The coordinate system of the file is unknown. Give the coordinate system of the file, ' +
    'e.g. EPSG:32749 for UTM zone 49S or EPSG:4326 for longitude/latitude; Simpul never ' +
    'guesses it.',
  'refusal.missing-crs-sourceLayer':
    'The layer "{sourceLayer}" names no coordinate system, unlike the layers imported with ' +
    'it: import it on its own, giving its coordinate system, e.g. EPSG:32749 for UTM zone ' +
    '49S or EPSG:4326 for longitude/latitude; Simpul never guesses it.',
  'refusal.missing-crs-shapefile':
    '{shapefile} has no .prj file, so its coordinate system is unknown. Give the coordinate ' +
    'system of the file, e.g. EPSG:32749 for UTM zone 49S or EPSG:4326 for ' +
    'longitude/latitude; Simpul never guesses it.',
  'refusal.invalid-crs':
    '"{crs}" is not a coordinate system; give an EPSG code such as EPSG:32749 or EPSG:4326.',
  'refusal.crs-misplaces-features.one':
    'Read in {crs}, as chosen, the first feature lands outside the regency ({example}); ' +
    'read in {fileCrs}, which the file names, it lands in it. Leave the coordinate system ' +
    'empty to read the file in its own.',
  'refusal.crs-misplaces-features.other':
    'Read in {crs}, as chosen, the first {sampled} features land outside the regency (such as ' +
    '{example}); read in {fileCrs}, which the file names, they land in it. Leave the ' +
    'coordinate system empty to read the file in its own.',
  'refusal.crs-misplaces-features-format-crs-given.one':
    'Read in {crs}, as chosen, the first feature lands outside the regency ({example}); ' +
    'read in {formatCrs}, the coordinate system of the format, it lands in it. Give ' +
    '{formatCrs} as the coordinate system of the file to read it in that.',
  'refusal.crs-misplaces-features-format-crs-given.other':
    'Read in {crs}, as chosen, the first {sampled} features land outside the regency (such as ' +
    '{example}); read in {formatCrs}, the coordinate system of the format, they land in it. ' +
    'Give {formatCrs} as the coordinate system of the file to read them in that.',
  'refusal.crs-misplaces-features-format-crs-named.one':
    'Read in {crs}, which the file names, the first feature lands outside the regency ' +
    '({example}); read in {formatCrs}, the coordinate system of the format, it lands in it. ' +
    'Give {formatCrs} as the coordinate system of the file to read it in that.',
  'refusal.crs-misplaces-features-format-crs-named.other':
    'Read in {crs}, which the file names, the first {sampled} features land outside the ' +
    'regency (such as {example}); read in {formatCrs}, the coordinate system of the format, ' +
    'they land in it. Give {formatCrs} as the coordinate system of the file to read them in ' +
    'that.',
  'refusal.crs-misplaces-features-file-crs-lon-lat.one':
    'Read in {crs}, which the file names, the first feature lands outside the regency ' +
    '({example}); read as longitude/latitude ({formatCrs}), it lands in it: the file names a ' +
    'wrong coordinate system. Give {formatCrs} as the coordinate system of the file to read ' +
    'it in that.',
  'refusal.crs-misplaces-features-file-crs-lon-lat.other':
    'Read in {crs}, which the file names, the first {sampled} features land outside the ' +
    'regency (such as {example}); read as longitude/latitude ({formatCrs}), they land in it: ' +
    'the file names a wrong coordinate system. Give {formatCrs} as the coordinate system of ' +
    'the file to read them in that.',
  'refusal.crs-misplaces-features-layer-crs-lon-lat.one':
    'Read in {crs}, which the layer "{sourceLayer}" names, the first feature lands outside ' +
    'the regency ({example}); read as longitude/latitude ({formatCrs}), it lands in it: the ' +
    'layer names a wrong coordinate system. Set its CRS to {formatCrs} in the GIS (in QGIS: ' +
    'Layer Properties, Source, Assigned CRS) and export it again.',
  'refusal.crs-misplaces-features-layer-crs-lon-lat.other':
    'Read in {crs}, which the layer "{sourceLayer}" names, the first {sampled} features land ' +
    'outside the regency (such as {example}); read as longitude/latitude ({formatCrs}), they ' +
    'land in it: the layer names a wrong coordinate system. Set its CRS to {formatCrs} in the ' +
    'GIS (in QGIS: Layer Properties, Source, Assigned CRS) and export it again.',
  'refusal.crs-not-applicable':
    'The layer {sourceLayer} names its own coordinate system, from which GDAL reads it into ' +
    'longitude/latitude: leave the coordinate system empty.',
  'refusal.coordinates-outside-crs.one':
    'The coordinates of the first feature ({example}) are not longitude/latitude once read ' +
    'in {crs}. Give the coordinate system of the file, e.g. EPSG:32749 for UTM zone 49S.',
  'refusal.coordinates-outside-crs.other':
    'The coordinates of the first {sampled} features (such as {example}) are not ' +
    'longitude/latitude once read in {crs}. Give the coordinate system of the file, e.g. ' +
    'EPSG:32749 for UTM zone 49S.',
  'refusal.coordinates-outside-crs-swapped.one':
    'The coordinates of the first feature ({example}) are not longitude/latitude once read ' +
    'in {crs}; they look like latitude and longitude swapped. Choose the longitude column ' +
    'as x and the latitude column as y.',
  'refusal.coordinates-outside-crs-swapped.other':
    'The coordinates of the first {sampled} features (such as {example}) are not ' +
    'longitude/latitude once read in {crs}; they look like latitude and longitude swapped. ' +
    'Choose the longitude column as x and the latitude column as y.',
  'refusal.coordinates-outside-crs-fileCrs.one':
    'The coordinates of the first feature ({example}) are not longitude/latitude once read ' +
    'in {crs}. The file itself names {fileCrs}: leave the coordinate system empty to read ' +
    'it in that.',
  'refusal.coordinates-outside-crs-fileCrs.other':
    'The coordinates of the first {sampled} features (such as {example}) are not ' +
    'longitude/latitude once read in {crs}. The file itself names {fileCrs}: leave the ' +
    'coordinate system empty to read them in that.',
  'refusal.unknown-crs':
    '{crs} is not a coordinate system the database knows; give another EPSG code.',
  'refusal.unreadable-crs':
    'The coordinate system {crs} cannot be read; give its EPSG code, e.g. EPSG:32749.',
  'refusal.crs-datum-unknown':
    'The coordinate system {crs} names the datum "{datum}" without its shift to WGS 84 ' +
    '(TOWGS84): read without it, positions would be tens to hundreds of metres off. Give its ' +
    'EPSG code, e.g. EPSG:23889 for ID74 / UTM zone 49S; Simpul never guesses it.',
  'refusal.unknown-format': '{fileName} is not a format Simpul reads. Send one of: {formats}.',
  'refusal.unreadable-zip':
    'The zip archive is damaged or not a zip archive, so it cannot be opened. Make the ' +
    'archive again and upload it again.',
  'refusal.unreadable-zip-entry':
    '{entry} in the zip archive is damaged: it does not hold the {declaredBytes} bytes it ' +
    'declares. Make the archive again and upload it again.',
  'refusal.unreadable-zip-duplicate-name':
    'The zip archive holds two files of one name ({otherEntry} and {entry}); zip one dataset ' +
    'at a time, or rename one of them.',
  'refusal.unreadable-zip-damaged-entry':
    '{entry} in the zip archive cannot be read (damaged, or packed with a compression or ' +
    'encryption not known here). Make the archive again with ordinary compression and ' +
    'upload it again.',
  'refusal.zip-too-large':
    'The zip archive unpacks to more than {maxGb} GB; split it into several files.',
  'refusal.zip-too-large-inflation':
    'The zip archive unpacks to more than {maxInflation} times its size and more than ' +
    '{freelyGb} GB, as a zip bomb does; zip the files again.',
  'refusal.empty-zip': '{fileName} holds no .shp, .kml, .gpkg, .geojson, .csv or .fgb file.',
  'refusal.no-shapefile': '{file} is not a readable .shp file.',
  'refusal.unreadable-shp':
    'The geometry part of the Shapefile (.shp) is damaged or cut short, so it cannot be ' +
    'read. Export it again from the program that made it and upload it again.',
  'refusal.unreadable-dbf':
    'The attribute table of the Shapefile (.dbf) is damaged or cut short, so it cannot be ' +
    'read. Export it again from the program that made it and upload it again.',
  'refusal.missing-dbf':
    '{file}.shp has no .dbf file, which holds its attributes. Send {file}.dbf with it ' +
    '(zip the Shapefile with all its files).',
  'refusal.dbf-record-count':
    'The number of records in {file}.dbf ({records}) is not the number of shapes in ' +
    '{file}.shp, so the attributes cannot be matched. Export the Shapefile again with all ' +
    'its files from the program that made it.',
  'refusal.unreadable-json':
    'The GeoJSON file is damaged or cut short: it is not valid JSON. Export the file again.',
  'refusal.not-geojson':
    'The file is not GeoJSON: it holds no "features" member and is not a Feature (convert ' +
    'a TopoJSON file to GeoJSON first).',
  'refusal.unreadable-json-line':
    'Line {line} is not valid JSON; the file may be cut short. Export the file again.',
  'refusal.not-a-feature':
    'Record {row} is not a GeoJSON Feature; each record must have "type": "Feature".',
  'refusal.unreadable-kml': 'The KML file is damaged, so it cannot be read.',
  'refusal.kml-point-positions':
    'Placemark {row} has a Point of {positions} positions; a Point holds one. Give it one ' +
    'position, or put several Points in a MultiGeometry.',
  'refusal.option-like-layer-name':
    'The layer name "{layer}" starts with a minus, which GDAL reads as an option. Rename the ' +
    'layer in the GIS application, then upload it again.',
  'refusal.no-geometry-layers':
    '{fileName} holds no layer with geometries, only tables without. Export the layer with ' +
    'its geometry column to the GeoPackage again.',
  'refusal.unreadable-csv':
    'The CSV file is damaged or has a quote out of place, so it cannot be read. ' +
    'Correct the file and upload it again.',
  'refusal.kml-link-not-read-remote':
    '{file} links to {link} (a NetworkLink), which Simpul does not fetch: it reads only files ' +
    'inside the KMZ. Download the linked file and send it, or a KMZ holding it.',
  'refusal.kml-link-not-read-missing':
    '{file} links to {link} (a NetworkLink), which is not inside the file sent; send a KMZ ' +
    'that holds the linked file too.',
  'refusal.kml-link-not-read-no-href':
    '{file} holds the NetworkLink "{name}" without an address in Link/href (KML 2.2); save ' +
    'the file again with a current KML writer, or send the linked file itself.',
  'refusal.unreadable-flatgeobuf': 'The FlatGeobuf file is damaged, so it cannot be read.',
  'refusal.empty-file': 'The CSV file is empty.',
  'refusal.empty-upload': 'The uploaded file is empty (0 bytes).',
  'refusal.upload-too-large': 'Uploads are limited to {maxMb} MB.',
  'refusal.file-too-large':
    'A placemark of this KML file needs more than {maxMb} MB of memory to read; convert ' +
    'the file to GeoPackage.',
  'refusal.file-too-large-too-much-memory':
    'A placemark of this KML file needs more than {maxMb} MB of memory to read; convert ' +
    'the file to GeoPackage.',
  'refusal.choose-source-layer': '{fileName} holds several layers; choose one of: {sourceLayers}.',
  'refusal.choose-source-layer-sourceLayer':
    '{fileName} holds no layer "{sourceLayer}"; choose one of: {sourceLayers}.',
  'refusal.repeated-source-layer':
    'The source layer "{sourceLayer}" is named twice; name each layer of the file once.',
  'refusal.unknown-encoding':
    '"{encoding}" is not a text encoding; use e.g. utf-8, windows-1252 or iso-8859-1.',
  'refusal.unknown-column': 'The CSV has no column "{column}"; its columns are: {columns}.',
  'refusal.no-geometry-columns':
    'No geometry column among: {columns}. Name a WKT column, or the longitude and latitude ' +
    'columns.',
  'refusal.gdal-missing':
    '{format} needs GDAL, which is not installed on the server. Send GeoJSON, CSV, ' +
    'Shapefile, KML or FlatGeobuf, or ask the server administrator to install GDAL.',
  'refusal.gdal-failed': 'GDAL cannot read this file; it may be damaged.',
  'refusal.unreadable-geopackage':
    '{fileName} is not a GeoPackage: it is no SQLite database, which a GeoPackage is (a file ' +
    'renamed .gpkg, or one cut short). Export the layer to a GeoPackage again.',
  'refusal.empty-geopackage':
    '{fileName} holds no layer: the GeoPackage has no table of features. Export the layer ' +
    'to the GeoPackage again.',
  'refusal.invalid-mapping-unknown-field':
    'The file has no field "{field}" (mapped to {attribute}); its fields: {fields}.',
  'refusal.invalid-mapping-unknown-attribute':
    'The layer has no writable attribute "{attribute}"; map any of: {attributes}.',
  'refusal.invalid-mapping-read-only':
    '{attribute} is computed, so it cannot be filled from the file; map any of: {attributes}.',
  'refusal.invalid-mapping-not-an-object':
    'The field mapping is not valid: each attribute maps to one field of the file, or none.',
  'refusal.invalid-import-not-text': 'The option {name} must be text.',
  'refusal.invalid-import-not-a-list': 'The option {name} must be a list of names.',
  'refusal.invalid-import-not-an-object': 'The option {name} must be an object (JSON).',
  'refusal.invalid-import-not-true-or-false':
    'The option {name} must be true or false (JSON), not {value}.',
  'refusal.invalid-import-not-one-of': 'The option {name} is one of {allowed}, not "{value}".',
  'refusal.invalid-import-missing-upload-or-layer':
    'Upload a file and choose the target layer first.',
  'refusal.invalid-import-unknown-option': 'There is no import option {name}.',
  'refusal.unknown-upload':
    'The uploaded file is no longer there (uploads are kept a day); send the file again.',
  'refusal.login-required': 'Log in first to import data.',
  'refusal.edit-forbidden':
    'This account may not edit that layer, so it cannot import into it. Ask an administrator ' +
    'for the edit right.',
  'refusal.unknown-collection':
    'The target layer does not exist on the server; reload the page and choose the layer again.',
  'refusal.unknown-import': 'The server no longer knows this import; start it again.',
  'refusal.missing-file': 'The upload held no file; choose the file again.',
  'refusal.database-unavailable':
    'The database does not answer; try again in a moment. If it lasts, quote request ' +
    '{requestId}.',
  'refusal.internal': 'The server failed to answer; quote request {requestId} when reporting it.',
  'refusal.upload-removed': 'The uploaded file was removed: send a corrected one.',
  'refusal.import-finished': 'This import has already ended, so it can no longer be stopped.',
  'refusal.import-not-undoable-not-succeeded': 'Only a succeeded import can be undone.',
  'refusal.import-not-undoable-no-history':
    'The feature history holds no change of this import, so it cannot be undone.',
  'refusal.import-not-undoable-later-edits.one':
    'The layer was changed once after this import; undoing it would discard that change. ' +
    'Restore single features from their history instead.',
  'refusal.import-not-undoable-later-edits.other':
    'The layer was changed {laterEdits} times after this import; undoing it would discard ' +
    'those changes. Restore single features from their history instead.',
  'note.legacy-crs-member': 'The file names its CRS in the legacy "crs" member.',
  'note.legacy-crs-unreadable':
    'The legacy "crs" member names "{name}", not a coordinate system Simpul reads.',
  'note.read-through-gdal-given': 'Read through GDAL, reprojected from {crs}, as asked.',
  'note.read-through-gdal': 'Read through GDAL, reprojected from the layer CRS.',
  'note.surfaces-merged':
    '{sourceLayer}: its TIN or PolyhedralSurface geometries were read as polygons, ' +
    'the triangles or faces of each merged into its outline.',
  'note.csv-wkt-column': 'Geometry from WKT column "{column}".',
  'note.csv-coordinate-columns': 'Points from columns "{xColumn}" (x) and "{yColumn}" (y).',
  'note.csv-delimiter': 'Delimiter {delimiter}.',
  'note.csv-repeated-column':
    'The CSV has more than one column "{column}"; column {position} is read as "{renamed}".',
  'note.csv-delimiter-decimal-comma': 'Delimiter {delimiter}, decimal comma.',
  'note.csv-point-ambiguous':
    'Column "{column}" holds numbers such as {example}, read with the point as decimal mark ' +
    '({read}). If the point separates thousands ({grouped}), choose the decimal mark "comma".',
  'note.csv-crs-assumed':
    'The CSV names no CRS: coordinates read as longitude/latitude (EPSG:4326).',
  'note.crs-given': 'Coordinates read in {crs}, as asked.',
  'note.crs-given-over-file':
    'Coordinates read in {crs}, as asked, not in {fileCrs} that the file names.',
  'note.encoding-given': 'Text read as {encoding}, as asked.',
  'note.encoding-from-cpg': 'Text read as {encoding}, as the .cpg file says.',
  'note.encoding-from-driver':
    'Text read as {encoding}, as the .dbf language driver ({driver}) says.',
  'note.encoding-recognised-utf-8':
    'Neither a .cpg file nor the .dbf names the encoding: text read as utf-8, since it is ' +
    'UTF-8 with accented letters. If names look wrong, give the encoding.',
  'note.dbf-cut-letters':
    'Some values were cut mid-letter at the .dbf field width by the program that wrote them; ' +
    'the cut letter is left out.',
  'note.encoding-plain-ascii':
    'Neither a .cpg file nor the .dbf names the encoding: its text is plain ASCII, which ' +
    'reads the same in every encoding.',
  'note.encoding-assumed-windows-1252':
    'Neither a .cpg file nor the .dbf names the encoding: text read as windows-1252, the ' +
    'Windows default, since it is not UTF-8. If names look wrong, give the encoding.',
  'note.cpg-unknown-encoding': 'The .cpg file names no known encoding ("{cpg}").',
  'note.csv-encoding-windows-1252':
    'The CSV is not UTF-8: text read as windows-1252, what Excel on Windows saves. ' +
    'If names look wrong, give the encoding.',
  'note.field-names-restored': 'Full field names restored from the export field list.',
  'note.source-layer-rows': '{sourceLayer}: rows {firstRow}–{lastRow}.',
  'note.z-dropped.one': 'Z (elevation) values dropped from {count} feature.',
  'note.z-dropped.other': 'Z (elevation) values dropped from {count} features.',
  'note.m-dropped.one': 'M (measure) values dropped from {count} feature.',
  'note.m-dropped.other': 'M (measure) values dropped from {count} features.',
  'note.replaced-by-key.one':
    'Replaced by {key}: {updated} feature updated in place with its records kept, ' +
    '{removed} removed with their records, {inserted} added.',
  'note.replaced-by-key.other':
    'Replaced by {key}: {updated} features updated in place with their records kept, ' +
    '{removed} removed with their records, {inserted} added.',
  'note.kept-rejected.one':
    '{kept} feature whose row was rejected left as it was, with its records.',
  'note.kept-rejected.other':
    '{kept} features whose rows were rejected left as they were, with their records.',
  'note.checked.one': 'Checked: {valid} valid row, {rejected} rejected; nothing written.',
  'note.checked.other': 'Checked: {valid} valid rows, {rejected} rejected; nothing written.',
  'note.rejected-all-or-nothing.one':
    '{rejected} row was rejected, so nothing was written (all or nothing).',
  'note.rejected-all-or-nothing.other':
    '{rejected} rows were rejected, so nothing was written (all or nothing).',
  'note.replace-without-valid-rows':
    'No valid row: the layer was left as it was rather than emptied.',
  'note.cancelled': 'Cancelled; the layer was left as it was.',
  'note.failed-reading': 'The file could not be read: {detail} The layer was left as it was.',
  'note.failed-reading-upload-removed':
    'The file could not be read: {detail} The layer was left as it was. The uploaded file ' +
    'was removed: send a corrected one.',
  'note.failed-on-server':
    'The import failed on the server; the layer was left as it was. Quote the job id when ' +
    'reporting it.',
  'note.server-stopped':
    'The server or command running the import stopped; the layer was left as it was.',
  'note.database-connection-lost':
    'The connection to the database was lost, so the import stopped; the layer was left as ' +
    'it was. Try the import again once the database answers.',
  'note.undone.one':
    'Undone by {actor}: {deleted} imported feature removed and {restored} restored.',
  'note.undone.other':
    'Undone by {actor}: {deleted} imported features removed and {restored} restored.',
};

/** A key of an import text as its callers name it: a counting text by its forms' shared key. */
export type ImportTextKey =
  Exclude<ImportMessageKey, `${string}.${'one' | 'other'}`> | CountedKey<ImportMessageKey>;

/**
 * The value each counting text counts, which chooses its form and is written in the local
 * style (1.200, 1,200); the other numbers of the text follow the form it chose.
 */
const countedValues: Record<CountedKey<ImportMessageKey>, string> = {
  'import.sampleShown': 'count',
  'import.status.succeeded': 'written',
  'refusal.crs-misplaces-features': 'sampled',
  'refusal.crs-misplaces-features-format-crs-given': 'sampled',
  'refusal.crs-misplaces-features-format-crs-named': 'sampled',
  'refusal.crs-misplaces-features-file-crs-lon-lat': 'sampled',
  'refusal.crs-misplaces-features-layer-crs-lon-lat': 'sampled',
  'refusal.coordinates-outside-crs': 'sampled',
  'refusal.coordinates-outside-crs-swapped': 'sampled',
  'refusal.coordinates-outside-crs-fileCrs': 'sampled',
  'refusal.import-not-undoable-later-edits': 'laterEdits',
  'note.z-dropped': 'count',
  'note.m-dropped': 'count',
  'note.replaced-by-key': 'updated',
  'note.kept-rejected': 'kept',
  'note.checked': 'valid',
  'note.rejected-all-or-nothing': 'rejected',
  'note.undone': 'deleted',
};

function isCountedKey(key: string): key is CountedKey<ImportMessageKey> {
  return key in countedValues;
}

/**
 * The text of `key` in the interface language and its values: a counting text in the form its
 * count takes (the `.other` form when the count is missing), that count written locally.
 */
function chooseText(key: ImportTextKey, values: Record<string, string | number>) {
  const texts = getLanguage() === 'en' ? messagesEn : messagesId;
  if (!isCountedKey(key)) return { text: texts[key], values };

  const name = countedValues[key];
  const count = Number(values[name]);
  if (!(name in values) || !Number.isFinite(count)) {
    return { text: texts[`${key}.other`], values };
  }
  const form = selectCountForm(texts, key, count);
  return { text: texts[form], values: { ...values, [name]: formatCount(count) } };
}

/**
 * Import and export text in the interface language, `{name}` placeholders filled; a counting
 * text in the form its count takes (1 feature, 3 features).
 */
export function importText(key: ImportTextKey, values: Record<string, string | number> = {}) {
  const chosen = chooseText(key, values);
  return chosen.text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in chosen.values ? String(chosen.values[name]) : placeholder,
  );
}

function isImportTextKey(key: string): key is ImportTextKey {
  return isCountedKey(key) || (key in messagesId && !/\.(one|other)$/.test(key));
}

/**
 * A job's note or message in the interface language, from its code and params; `english`, the
 * server's text, for a code not known here (a newer server, an older job). A job stopped by its
 * file words the file's problem too, from the problem's type and members kept in its params.
 */
export function codedText(coded: CodedText | null | undefined, english: string): string {
  const key = `note.${coded?.code ?? ''}`;
  if (!coded || !isImportTextKey(key)) return english;
  const params = { ...coded.params };
  if (typeof params.problem === 'string' && typeof params.detail === 'string') {
    params.detail = refusalText(params.problem, params, params.detail);
  }
  return importText(key, params);
}

/**
 * An attribute's title in the interface language, "Geometri" / "Geometry" for the geometry,
 * its name when the layer is not known.
 */
export function attributeTitle(name: string, declaration: ProblemDeclaration | undefined) {
  if (name === 'geometry') return importText('import.geometry');
  const attribute = declaration?.attributes.find((a) => a.name === name);
  return attribute ? pickTitle(attribute) : name;
}

/** Names of a long list a refusal shows; the rest are counted. */
const namesShown = 10;

/**
 * The members a refusal's text quotes: text and numbers as sent, lists joined. A list shows
 * its first ten names and the count of the rest, which also counts the names the server left
 * out: it quotes the first 50 of a long list (`columns`) with the count of all (`columnCount`).
 */
function quotedValues(members: Record<string, unknown>, declaration?: ProblemDeclaration) {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(members)) {
    if (typeof value === 'string' || typeof value === 'number') values[name] = value;
    else if (Array.isArray(value)) {
      const count = members[`${name.replace(/s$/, '')}Count`];
      const all = typeof count === 'number' ? Math.max(count, value.length) : value.length;
      const shown = value.slice(0, namesShown).map(String);
      const more = all - shown.length;
      values[name] = [...shown, ...(more > 0 ? [`… (+${more})`] : [])].join(', ');
    }
  }
  if (typeof members.attribute === 'string') {
    values.attribute = attributeTitle(members.attribute, declaration);
  }
  if (Array.isArray(members.attributes)) {
    const titles = members.attributes.map((name) => attributeTitle(String(name), declaration));
    values.attributes = titles.join(', ');
  }
  return values;
}

/**
 * The text of a refusal of type `type`: the most precise key the members allow
 * (`invalid-mapping-unknown-field` by its `code`, `missing-crs-shapefile` by a member present),
 * else the type's own; `english` when no key fits or a member the text quotes is missing.
 */
function refusalText(
  type: string | undefined,
  members: Record<string, unknown>,
  english: string,
  declaration?: ProblemDeclaration,
): string {
  const variants = [
    ...(typeof members.code === 'string' ? [members.code] : []),
    ...Object.keys(members).filter((name) => members[name] !== undefined),
  ];
  const candidates = [
    ...variants.map((variant) => `refusal.${type}-${variant}`),
    `refusal.${type}`,
  ];
  const key = candidates.find(isImportTextKey);
  if (!type || !key) return english;

  // placeholders are checked in the text, not the result: a quoted value may hold braces
  const values = quotedValues(members, declaration);
  const template = chooseText(key, values).text;
  const quoted = [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
  return quoted.every((name) => name in values) ? importText(key, values) : english;
}

/**
 * Why the server refused a file or its options, in the interface language, from the problem's
 * type and the members it quotes (attributes by their titles in `declaration`, the target
 * layer); the server's English `detail` for a type not known here.
 */
export function describeRefusal(error: ImportApiError, declaration?: ProblemDeclaration): string {
  const text = refusalText(error.type, error.body, error.message, declaration);
  if (text === error.message || error.body.uploadRemoved !== true) return text;
  return `${text} ${importText('refusal.upload-removed')}`;
}
