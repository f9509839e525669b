import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { attributeChecksum, type Row } from '../../support/attribute-checksum.js';

const run = promisify(execFile);

/** What test/support/qgis-read.py reports of one layer. */
interface QgisLayer {
  valid: boolean;
  error?: string;
  crs: string;
  geometryType: string;
  fields: string[];
  featureCount: number;
  rows: Row[];
  withGeometry: number;
  inBox: number;
}

/** A box over Cilacap's town, where most layers have a few features. */
const box = [109.0, -7.74, 109.03, -7.71];

/**
 * Every layer as QGIS reads it through its OGC API Features provider: Debian's QGIS (3.22,
 * python3-qgis), driven headless by a script. The server runs in this process, so the call
 * must not block the event loop.
 */
async function readWithQgis(baseUrl: string): Promise<Record<string, QgisLayer>> {
  const script = path.resolve('test/support/qgis-read.py');
  const ids = layerDefinitions.map((layer) => layer.id);
  try {
    const { stdout } = await run('/usr/bin/python3', [script, baseUrl, box.join(','), ...ids], {
      maxBuffer: 256 * 1024 * 1024,
      timeout: 240000,
      // QGIS writes its settings and caches under the home folder: a fresh one per run
      env: { ...process.env, HOME: os.tmpdir(), XDG_RUNTIME_DIR: os.tmpdir() },
    });
    return JSON.parse(stdout) as Record<string, QgisLayer>;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (/No module named 'qgis'/.test(e.stderr ?? '')) {
      throw new Error("QGIS's Python bindings are missing: install Debian's python3-qgis");
    }
    throw new Error(`reading with QGIS failed: ${e.stderr ?? e.message}`);
  }
}

describe("QGIS's OGC API Features provider reading Simpul", { timeout: 300000 }, () => {
  let server: TestServer;
  let read: Record<string, QgisLayer>;
  beforeAll(async () => {
    server = await startTestServer();
    read = await readWithQgis(server.baseUrl);
  }, 300000);
  afterAll(async () => {
    await server?.close();
  });

  const rowsWhere = async (layerId: string, where = 'TRUE') => {
    const layer = layerDefinitions.find((l) => l.id === layerId)!;
    const columns = layer.attributes.map((a) => quoteIdentifier(a.name)).join(', ');
    const sql = `SELECT ${columns} FROM ${quoteIdentifier(layer.id)} WHERE ${where}`;
    const result = await server.testDatabase.database.pool.query<Row>(sql);
    return result.rows;
  };

  it('finds every layer valid, in longitude/latitude, with its geometry type', () => {
    for (const layer of layerDefinitions) {
      const seen = read[layer.id]!;
      expect(seen.error, layer.id).toBeUndefined();
      expect(seen.valid, layer.id).toBe(true);
      expect(seen.crs, layer.id).toBe('EPSG:4326');
      expect(seen.geometryType, layer.id).toMatch(new RegExp(`^(Multi)?${layer.geometry.type}`));
    }
  });

  it('reads every feature of every layer with the declared fields and every value', async () => {
    for (const layer of layerDefinitions) {
      const seen = read[layer.id]!;
      const expected = await rowsWhere(layer.id);

      expect(seen.featureCount, layer.id).toBe(expected.length);
      expect(seen.rows, layer.id).toHaveLength(expected.length);
      expect(seen.withGeometry, layer.id).toBe(expected.length);
      expect(seen.fields, layer.id).toEqual(layer.attributes.map((a) => a.name));
      expect(attributeChecksum(layer, seen.rows), layer.id).toBe(
        attributeChecksum(layer, expected),
      );
    }
  });

  it('selects the features a box meets, as the database does', async () => {
    const envelope = `ST_MakeEnvelope(${box.join(', ')}, 4326)`;
    let met = 0;
    for (const layer of layerDefinitions) {
      const expected = await rowsWhere(layer.id, `ST_Intersects(geom, ${envelope})`);
      met += expected.length;

      expect(read[layer.id]!.inBox, layer.id).toBe(expected.length);
    }
    expect(met).toBeGreaterThan(0);
  });
});
