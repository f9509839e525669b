import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectCsvLayout } from '../../../server/formats/read-csv.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-csv-test-'));

describe('reading CSV', () => {
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('names the real options to give when it finds no geometry column', () => {
    const file = path.join(folder, 'no-geometry.csv');
    fs.writeFileSync(file, 'nama,jenis,timur,utara\nBalai desa,titik_kumpul,287337,9152163\n');

    expect(() => detectCsvLayout(file)).toThrow(/--wkt-column.*csv\.wktColumn/s);
    expect(() => detectCsvLayout(file)).toThrow(/--x-column and --y-column.*csv\.xColumn/s);
  });
});
