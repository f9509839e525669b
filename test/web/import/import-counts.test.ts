import { afterEach, describe, expect, it } from 'vitest';
import { ImportApiError } from '../../../web/api/import-api.js';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { codedText, describeRefusal, importText } from '../../../web/import/import-messages.js';
import { exportCount } from '../../../web/view-export/view-export-messages.js';

afterEach(() => setLanguage('id'));

/** `text` in English and back in Indonesian. */
function inBothLanguages(text: () => string) {
  setLanguage('en');
  const english = text();
  setLanguage('id');
  return { english, indonesian: text() };
}

describe('counts in the import sheet and the view export', () => {
  it('writes one written feature in the singular and more in the plural', () => {
    const one = inBothLanguages(() => importText('import.status.succeeded', { written: 1 }));
    const two = inBothLanguages(() => importText('import.status.succeeded', { written: 2 }));

    expect(one.english).toBe('Done: 1 feature written.');
    expect(two.english).toBe('Done: 2 features written.');
    expect(one.indonesian).toMatch(/^Berhasil: 1 \w+ ditulis\.$/);
    expect(two.indonesian).toBe(one.indonesian.replace('1', '2'));
  });

  it('writes a large count in the local style', () => {
    const many = inBothLanguages(() => importText('import.status.succeeded', { written: 1200 }));

    expect(many.english).toBe('Done: 1,200 features written.');
    expect(many.indonesian).toMatch(/^Berhasil: 1\.200 /);
  });

  it('counts the sample shown on the map', () => {
    const one = inBothLanguages(() => importText('import.sampleShown', { count: 1 }));
    const five = inBothLanguages(() => importText('import.sampleShown', { count: 5 }));

    expect(one.english).toBe('The first row is shown on the map.');
    expect(five.english).toBe('The first 5 rows are shown on the map.');
    expect(five.indonesian).toBe('5 baris pertama ditampilkan di peta.');
  });

  it("words a job's counted notes in the form their count takes", () => {
    const zDropped = (count: number) => () =>
      codedText({ code: 'z-dropped', params: { count } }, 'server text');
    const undone = (deleted: number) => () =>
      codedText({ code: 'undone', params: { actor: 'tapem', deleted, restored: 0 } }, 'x');
    const rejected = (count: number) => () =>
      codedText({ code: 'rejected-all-or-nothing', params: { rejected: count } }, 'x');

    expect(inBothLanguages(zDropped(1)).english).toBe(
      'Z (elevation) values dropped from 1 feature.',
    );
    expect(inBothLanguages(zDropped(3)).english).toBe(
      'Z (elevation) values dropped from 3 features.',
    );
    expect(inBothLanguages(undone(1)).english).toBe(
      'Undone by tapem: 1 imported feature removed and 0 restored.',
    );
    expect(inBothLanguages(rejected(1)).english).toBe(
      '1 row was rejected, so nothing was written (all or nothing).',
    );
    expect(inBothLanguages(rejected(1)).indonesian).toBe(
      '1 baris ditolak, jadi tidak ada yang ditulis (batalkan semuanya).',
    );
  });

  it('says a layer changed once after an import, rather than "1 times"', () => {
    const refusal = (laterEdits: number) =>
      new ImportApiError(409, 'server text', {
        type: '/problems/import-not-undoable',
        code: 'later-edits',
        laterEdits,
      });

    const once = inBothLanguages(() => describeRefusal(refusal(1)));
    const twice = inBothLanguages(() => describeRefusal(refusal(2)));

    expect(once.english).toMatch(/^The layer was changed once after this import;/);
    expect(twice.english).toMatch(/^The layer was changed 2 times after this import;/);
    expect(once.indonesian).toMatch(/^Lapisan telah diubah 1 kali setelah impor ini;/);
  });

  it('words the refusals of a Shapefile without its .dbf or with too few records', () => {
    const refusal = (type: string, members: Record<string, unknown>) => () =>
      describeRefusal(new ImportApiError(400, 'server text', { type, ...members }));

    const missing = inBothLanguages(refusal('/problems/missing-dbf', { file: 'jalan' }));
    const counted = inBothLanguages(
      refusal('/problems/dbf-record-count', { file: 'jalan', records: 1, shapes: 3 }),
    );

    expect(missing.english).toMatch(/^jalan\.shp has no \.dbf file, .* Send jalan\.dbf with it/);
    expect(missing.indonesian).toMatch(/^jalan\.shp tidak disertai berkas \.dbf /);
    expect(counted.english).toMatch(/^The number of records in jalan\.dbf \(1\) is not the /);
    expect(counted.indonesian).toMatch(/^Jumlah rekaman jalan\.dbf \(1\) tidak sama /);
  });

  it('counts the layers a map image leaves out of its legend', () => {
    const one = inBothLanguages(() => exportCount('export.moreLayers', 1));
    const two = inBothLanguages(() => exportCount('export.moreLayers', 2));

    expect(one.english).toBe('… and 1 more layer');
    expect(two.english).toBe('… and 2 more layers');
    expect(one.indonesian).toBe('… dan 1 lapisan lain');
  });
});
