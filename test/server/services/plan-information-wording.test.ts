import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { renderPlanInformationPage } from '../../../server/http/plan-information-page.js';
import {
  getPlanInformation,
  getPlanInformationMap,
} from '../../../server/services/plan-information-service.js';
import { parsePlace } from '../../../server/services/place-input.js';
import { insertRow } from '../../support/analysis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { rectangle, type LonLatBox } from '../../support/ellipsoid.js';

// Hazard zones at sea south of the regency, 0.01° (about 1.1 km) wide, side by side.
const earthquakeCell: LonLatBox = [108.8, -8.11, 108.81, -8.1];
const floodCell: LonLatBox = [108.81, -8.11, 108.82, -8.1];
/** A parcel with an eighth in the earthquake zone and seven eighths in the flood zone. */
const parcelAcrossBoth: LonLatBox = [108.80875, -8.108, 108.81875, -8.102];

let testDatabase: TestDatabase;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { pool } = testDatabase.database;
  await pool.query('DELETE FROM hazard_zone');
  const zone = (type: string) => ({ hazard_type: type, hazard_class: 'sedang', source: 'uji' });
  await insertRow(pool, 'hazard_zone', zone('gempa_bumi'), rectangle(earthquakeCell));
  await insertRow(pool, 'hazard_zone', zone('banjir'), rectangle(floodCell));
});

afterAll(() => testDatabase?.drop());

function parcel([west, south, east, north]: LonLatBox) {
  const ring = [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
  return parsePlace({ type: 'Polygon', coordinates: [ring] });
}

describe('the words of the plan information', () => {
  it('warns of each hazard in an English sentence with English numbers', async () => {
    const info = await getPlanInformation(testDatabase.database.pool, parcel(parcelAcrossBoth));

    const messages = info.warnings.map((w) => w.message).sort((a, b) => a.en.localeCompare(b.en));

    expect(messages).toEqual([
      {
        id: 'Lokasi berada di zona bahaya Banjir, bahaya sedang (87,5%).',
        en: 'The place lies in a flood hazard zone, medium hazard (87.5%).',
      },
      {
        id: 'Lokasi berada di zona bahaya Gempa bumi, bahaya sedang (12,5%).',
        en: 'The place lies in an earthquake hazard zone, medium hazard (12.5%).',
      },
    ]);
  });

  it('names the invented sample layers it read, on screen and on the printed page', async () => {
    const { pool } = testDatabase.database;
    const place = parcel(parcelAcrossBoth);
    const sampleTitles = layerDefinitions
      .filter((l) => ['plan_zone', 'hazard_zone'].includes(l.id) && l.metadata.sample)
      .map((l) => l.titleId);

    const info = await getPlanInformation(pool, place);
    const map = await getPlanInformationMap(pool, place);
    const page = renderPlanInformationPage(info, map, { regencyName: 'Uji', source: 'uji' });

    expect(sampleTitles.length).toBeGreaterThan(0);
    expect(info.sampleSources.map((s) => s.titleId)).toEqual(expect.arrayContaining(sampleTitles));
    expect(page).toContain('CONTOH: dihitung dari data contoh buatan, bukan data resmi:');
    for (const title of sampleTitles) expect(page).toContain(title);
  });
});
