import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import type { Principal } from '../../../server/services/access.js';
import { getLayerAsOf, restoreVersion } from '../../../server/services/history-service.js';
import {
  prepareImport,
  recordImportJob,
  runImport,
  undoImport,
} from '../../../server/services/import-service.js';
import { useDatabaseAndFolder } from '../../support/database.js';
import { selectLayerAsOfReference } from '../../support/layer-as-of-reference.js';

const layer = layerDefinitions.find((l) => l.id === 'evacuation_point')!;
const admin: Principal = { kind: 'user', name: 'history-admin', roles: ['admin'] };
const pageSize = 7;

/** The instants of the story below, each taken after one step and before the next. */
interface Story {
  beforeAny: string;
  edited: string;
  deleted: string;
  restored: string;
  replaced: string;
  undone: string;
  deletedId: number;
  importedIds: number[];
  idsBefore: number[];
}

function pointFeature(name: string, coordinates: [number, number]) {
  const properties = { name, type: 'titik_kumpul', capacity: 50 };
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
}

describe('a layer as it was at an instant', () => {
  const scratch = useDatabaseAndFolder('simpul-history-service-test-');
  const story = {} as Story;
  const pool = () => scratch.testDatabase.database.pool;
  const query = async (sql: string, values: unknown[] = []) =>
    (await pool().query(sql, values)).rows;
  // Microseconds kept: a JavaScript Date would round an instant to before the step it follows.
  const now = async () =>
    (
      await query(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`)
    )[0].at as string;
  const ids = async () =>
    (await query('SELECT id FROM evacuation_point ORDER BY id')).map((r) => Number(r.id));

  async function replaceByImport() {
    const file = path.join(scratch.folder, 'replacement.geojson');
    const features = [
      pointFeature('Titik impor 1', [109.0153, -7.7266]),
      pointFeature('Titik impor 2', [109.2456, -7.6329]),
    ];
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const request = { layerId: layer.id, file, fileName: 'replacement.geojson', actor: 'test' };
    const prepared = await prepareImport(pool(), { ...request, action: 'replace' });
    await recordImportJob(pool(), prepared);
    return runImport(scratch.testDatabase.database, prepared);
  }

  /**
   * Two features stored before history was recorded (rows written with the triggers off stand
   * for them), between two recorded ones in id order; the id of the second.
   */
  async function storeBetweenRecorded() {
    const insert = `INSERT INTO evacuation_point (name, type, geom)
      SELECT $1 || n, 'titik_kumpul', ST_SetSRID(ST_MakePoint(109 + n * 1e-3, -7.7), 4326)
      FROM generate_series(1, $2::int) n RETURNING id`;
    const [recorded] = await query(insert, ['Baru ', 1]);
    const client = await pool().connect();
    await client.query('SET session_replication_role = replica');
    const unrecorded = await client.query(insert, ['Lama ', 2]);
    await client.query('SET session_replication_role = DEFAULT');
    client.release();
    await query(insert, ['Baru lagi ', 1]);
    expect(unrecorded.rows.map((r) => Number(r.id))).toEqual([1, 2].map((n) => recorded.id + n));
    return recorded.id + 2;
  }

  beforeAll(async () => {
    story.beforeAny = '2000-01-01T00:00:00Z';
    const storedBeforeHistory = await storeBetweenRecorded();
    story.idsBefore = await ids();
    const [first, second, third, fourth] = story.idsBefore as [number, number, number, number];

    const rename = `UPDATE evacuation_point SET name = name || ' (diubah)', version = version + 1
      WHERE id = ANY($1::bigint[])`;
    await query(rename, [[first, second, storedBeforeHistory]]);
    await query(rename, [[first]]);
    story.edited = await now();
    await query('DELETE FROM evacuation_point WHERE id = ANY($1::bigint[])', [[third, fourth]]);
    story.deletedId = third;
    story.deleted = await now();
    const context = { principal: admin, client: 'history-service-test', requestId: 'restore' };
    await restoreVersion(pool(), { layerId: layer.id, featureId: third, version: 1 }, context);
    story.restored = await now();
    const job = await replaceByImport();
    story.importedIds = await ids();
    story.replaced = await now();
    await undoImport(pool(), job.id, 'test');
    await query(rename, [[second]]);
    story.undone = await now();
  });

  /** Every feature of the layer at `at`, read by the query before migration 0016. */
  async function referenceAt(at: string) {
    const page = { at, limit: 100000, offset: 0, precision: 7 };
    const rows = await selectLayerAsOfReference(pool(), layer, page);
    return rows.map((row) => ({
      type: 'Feature',
      id: row.id,
      geometry: row.geometry,
      properties: Object.fromEntries(
        layer.attributes.map((a) => [a.name, row.properties?.[a.name] ?? null]),
      ),
      version: row.version,
    }));
  }

  /** Every feature at `at`, page after page, each starting after the last id of the one before. */
  async function followNextPages(at: string) {
    const features: unknown[] = [];
    const lastOfEach: boolean[] = [];
    let after: number | undefined;
    for (let more = true; more;) {
      const page = { at, limit: pageSize, offset: features.length, after };
      const asOf = await getLayerAsOf(pool(), admin, layer.id, page);
      features.push(...asOf.features);
      lastOfEach.push(!asOf.hasNext);
      ({ hasNext: more, lastId: after } = asOf);
    }
    return { features, lastOfEach };
  }

  /** Every instant of the story, and the time of each recorded edit of the layer itself. */
  async function instants() {
    const { beforeAny, edited, deleted, restored, replaced, undone } = story;
    const recorded = await query(
      `SELECT DISTINCT to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        AS at FROM simpul_feature_history WHERE layer_id = $1`,
      [layer.id],
    );
    return [beforeAny, edited, deleted, restored, replaced, undone, ...recorded.map((r) => r.at)];
  }

  it('lists each instant by next pages exactly as the query reading every state', async () => {
    const checked = await instants();

    for (const at of checked) {
      const expected = await referenceAt(at);
      const { features, lastOfEach } = await followNextPages(at);

      expect(features, `at ${at}`).toEqual(expected);
      expect(lastOfEach.indexOf(true)).toBe(lastOfEach.length - 1);
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('gives each page by offset exactly as the query that read every state', async () => {
    for (const at of await instants()) {
      const expected = await referenceAt(at);

      for (let offset = 0; offset <= expected.length + pageSize; offset += pageSize) {
        const page = { at, limit: pageSize, offset };
        const asOf = await getLayerAsOf(pool(), admin, layer.id, page);

        expect(asOf.features, `at ${at}, offset ${offset}`).toEqual(
          expected.slice(offset, offset + pageSize),
        );
        expect(asOf.hasNext).toBe(offset + pageSize < expected.length);
      }
    }
  });

  it('shows no feature before the first existed, on a page that is the last', async () => {
    const page = { at: story.beforeAny, limit: pageSize, offset: 0 };

    const bridges = await getLayerAsOf(pool(), admin, 'bridge', page);
    const points = await getLayerAsOf(pool(), admin, layer.id, page);

    expect(bridges.features).toEqual([]);
    expect(bridges.hasNext).toBe(false);
    // stored before history was recorded: present as stored, since their creation is unknown
    expect(points.features.map((f) => f.properties.name)).toEqual(['Lama 1', 'Lama 2']);
    expect(points.hasNext).toBe(false);
  });

  it('shows a deleted feature until its deletion, and as restored after the restore', async () => {
    const featureAt = async (at: string) => {
      const page = { at, limit: 1, offset: 0, after: story.deletedId - 1 };
      const [feature] = (await getLayerAsOf(pool(), admin, layer.id, page)).features;
      return feature?.id === story.deletedId ? feature : undefined;
    };

    const edited = await featureAt(story.edited);
    const deleted = await featureAt(story.deleted);
    const restored = await featureAt(story.restored);

    expect(edited?.version).toBe(1);
    expect(deleted).toBeUndefined();
    expect(restored?.version).toBe(2);
    expect(restored?.properties).toEqual(edited?.properties);
    expect(restored?.geometry).toEqual(edited?.geometry);
  });

  it('shows what a replacing import removed, its features after, and the undo', async () => {
    const idsAt = async (at: string) =>
      (await followNextPages(at)).features.map((f) => (f as { id: number }).id);

    const beforeImport = await idsAt(story.restored);
    const afterImport = await idsAt(story.replaced);
    const afterUndo = await idsAt(story.undone);

    const kept = story.idsBefore.filter((id) => id !== story.idsBefore[3]);
    expect(beforeImport).toEqual(kept);
    expect(afterImport).toEqual(story.importedIds);
    expect(afterUndo).toEqual(kept);
  });
});
