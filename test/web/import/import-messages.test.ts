import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { codedText, describeRefusal } from '../../../web/import/import-messages.js';

afterEach(() => setLanguage('id'));

describe("a job's message in the import sheet", () => {
  it('words a job cut off from its database in both languages, not in the server text', () => {
    const lost = { code: 'database-connection-lost' };

    setLanguage('en');
    const english = codedText(lost, 'server text');
    setLanguage('id');
    const indonesian = codedText(lost, 'server text');

    expect(english).toMatch(/^The connection to the database was lost, so the import stopped/);
    expect(indonesian).toMatch(/^Sambungan ke basis data terputus, jadi impor berhenti/);
  });
});

describe('a refusal in the import sheet', () => {
  it('names the GeoPackage layer that names no CRS beside layers that name theirs', () => {
    const body = { type: '/problems/missing-crs', sourceLayer: 'tanpa_crs' };
    const refusal = new ImportApiError(400, 'server text', body);

    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage('id');
    const indonesian = describeRefusal(refusal);

    expect(english).toMatch(/^The layer "tanpa_crs" names no coordinate system/);
    expect(indonesian).toMatch(/^Lapisan "tanpa_crs" tidak menyebut sistem koordinatnya/);
  });

  it('says a file naming metres over lon/lat coordinates is to be read as lon/lat', () => {
    const body = {
      type: '/problems/crs-misplaces-features',
      code: 'file-crs-lon-lat',
      crs: 'WGS 84 / UTM zone 49S',
      formatCrs: 'EPSG:4326',
      sampled: 2,
      example: '106.51264, -89.99993',
    };
    const refusal = new ImportApiError(400, 'server text', body);

    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage('id');
    const indonesian = describeRefusal(refusal);

    expect(english).toMatch(/^Read in WGS 84 \/ UTM zone 49S, which the file names, the first/);
    expect(english).toMatch(/Give EPSG:4326 as the coordinate system/);
    expect(indonesian).toMatch(/^Bila dibaca dalam WGS 84 \/ UTM zone 49S yang disebut berkas/);
  });

  it('says a GeoPackage layer naming metres over lon/lat is to be given lon/lat', () => {
    const body = {
      type: '/problems/crs-misplaces-features',
      code: 'layer-crs-lon-lat',
      crs: 'WGS 84 / UTM zone 49S',
      formatCrs: 'EPSG:4326',
      sourceLayer: 'titik',
      sampled: 1,
      example: '500000.00011, -10000000.00084',
    };
    const refusal = new ImportApiError(400, 'server text', body);

    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage('id');
    const indonesian = describeRefusal(refusal);

    expect(english).toMatch(/^Read in WGS 84 \/ UTM zone 49S, which the layer "titik" names, the/);
    expect(english).toMatch(/Set its CRS to EPSG:4326 in the GIS/);
    expect(indonesian).toMatch(/^Bila dibaca dalam WGS 84 \/ UTM zone 49S yang disebut lapisan/);
    expect(indonesian).toMatch(/objek pertama jatuh/);
  });

  it('asks the EPSG code of a .prj whose datum names no shift to WGS 84', () => {
    const body = {
      type: '/problems/crs-datum-unknown',
      crs: 'WKT "Indonesian_1974_UTM_Zone_49S"',
      datum: 'D_Indonesian_1974',
    };
    const refusal = new ImportApiError(400, 'server text', body);

    setLanguage('en');
    const english = describeRefusal(refusal);
    setLanguage('id');
    const indonesian = describeRefusal(refusal);

    expect(english).toMatch(/names the datum "D_Indonesian_1974" without its shift to WGS 84/);
    expect(indonesian).toMatch(/menyebut datum "D_Indonesian_1974" tanpa pergeserannya/);
  });
});
