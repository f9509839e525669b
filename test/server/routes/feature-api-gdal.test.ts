import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, type LayerDefinition } from '../../../layers/index.js';
import { quoteIdentifier } from '../../../server/db/sql.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { attributeChecksum, type Row } from '../../support/attribute-checksum.js';

const run = promisify(execFile);

/** Runs a GDAL tool; the server is in this process, so the call must not block the event loop. */
async function gdal(tool: 'ogrinfo' | 'ogr2ogr', args: string[]): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120000 });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${tool} is missing: install Debian's gdal-bin`);
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

describe("GDAL's OGC API Features driver reading Simpul", () => {
  let server: TestServer;
  let workDir: string;
  beforeAll(async () => {
    server = await startTestServer();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-gdal-'));
  });
  afterAll(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await server.close();
  });

  const source = () => `OAPIF:${server.baseUrl}`;
  const rowsWhere = async (layer: LayerDefinition, where = 'TRUE') => {
    const columns = layer.attributes.map((a) => quoteIdentifier(a.name)).join(', ');
    const sql = `SELECT ${columns} FROM ${quoteIdentifier(layer.id)} WHERE ${where}`;
    const result = await server.testDatabase.database.pool.query<Row>(sql);
    return result.rows;
  };
  const copyToGeoPackage = async (layer: LayerDefinition, extra: string[] = []) => {
    const target = path.join(workDir, `${layer.id}-${extra.length}.gpkg`);
    await gdal('ogr2ogr', ['-f', 'GPKG', target, source(), layer.id, ...extra]);
    const json = await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', target]);
    return (JSON.parse(json) as { features: { properties: Row; geometry: unknown }[] }).features;
  };

  it('lists every layer', async () => {
    const listing = await gdal('ogrinfo', ['-ro', '-q', source()]);

    for (const layer of layerDefinitions) expect(listing).toContain(`: ${layer.id} (`);
  });

  it('reads every layer with the right feature count and the declared fields', async () => {
    for (const layer of layerDefinitions) {
      const summary = await gdal('ogrinfo', ['-ro', '-so', source(), layer.id]);
      const count = (await rowsWhere(layer)).length;

      expect(summary, layer.id).toContain(`Feature Count: ${count}\n`);
      if (count === 0) continue;
      // GDAL 3.6 builds the fields from the first page; every declared attribute is there.
      const fields = [...summary.matchAll(/^(\w+): (\w+) \(/gm)].map((m) => m[1]);
      expect(fields, layer.id).toEqual(layer.attributes.map((a) => a.name));
    }
  });

  it('types kecamatan fields after the declaration, reals as Real even when whole', async () => {
    const summary = await gdal('ogrinfo', ['-ro', '-so', source(), 'kecamatan']);

    expect(summary).toContain('name: String');
    expect(summary).toContain('population_2016: Integer');
    expect(summary).toContain('elevation_m: Real');
  });

  it('copies every layer to GeoPackage with every feature and attribute intact', async () => {
    for (const layer of layerDefinitions) {
      const expected = await rowsWhere(layer);
      if (expected.length === 0) continue;

      const copied = await copyToGeoPackage(layer);

      expect(copied, layer.id).toHaveLength(expected.length);
      expect(
        copied.every((f) => f.geometry !== null),
        layer.id,
      ).toBe(true);
      const copiedRows = copied.map((f) => f.properties);
      expect(attributeChecksum(layer, copiedRows), layer.id).toBe(
        attributeChecksum(layer, expected),
      );
    }
  });

  it('copies a filtered layer: an attribute filter and a spatial filter', async () => {
    const kecamatan = layerDefinitions.find((l) => l.id === 'kecamatan')!;
    const desa = layerDefinitions.find((l) => l.id === 'desa')!;

    const populous = await copyToGeoPackage(kecamatan, ['-where', 'population_2016 > 100000']);
    const inCity = await copyToGeoPackage(desa, ['-spat', '109.0', '-7.74', '109.03', '-7.71']);

    const expectedPopulous = await rowsWhere(kecamatan, 'population_2016 > 100000');
    const expectedInCity = await rowsWhere(
      desa,
      'ST_Intersects(geom, ST_MakeEnvelope(109.0, -7.74, 109.03, -7.71, 4326))',
    );
    expect(populous.length).toBeGreaterThan(0);
    expect(
      attributeChecksum(
        kecamatan,
        populous.map((f) => f.properties),
      ),
    ).toBe(attributeChecksum(kecamatan, expectedPopulous));
    expect(inCity.length).toBe(expectedInCity.length);
    expect(
      attributeChecksum(
        desa,
        inCity.map((f) => f.properties),
      ),
    ).toBe(attributeChecksum(desa, expectedInCity));
  });

  it('copies a layer filtered on its date, sent by GDAL 3.6 as "YYYY-MM-DDT"', async () => {
    const dated = layerDefinitions.find(
      (l) => l.attributes.find((a) => a.name === l.timeAttribute)?.type === 'date',
    )!;
    const time = dated.timeAttribute!;
    const { rows } = await server.testDatabase.database.pool.query<{ day: string }>(
      `SELECT to_char(percentile_disc(0.5) WITHIN GROUP (ORDER BY ${quoteIdentifier(time)}),
        'YYYY-MM-DD') AS day FROM ${quoteIdentifier(dated.id)}`,
    );
    const day = rows[0]!.day;

    // GDAL turns these into datetime=../<day>T and <day>T/.. and filters no further itself
    // (so its < and > take the day too: the server cannot tell them from <= and >=)
    const upTo = await copyToGeoPackage(dated, ['-where', `${time} <= '${day}'`]);
    const from = await copyToGeoPackage(dated, ['-where', `${time} >= '${day}'`, '-nln', 'a']);

    const expectedUpTo = await rowsWhere(dated, `${quoteIdentifier(time)} <= '${day}'`);
    const expectedFrom = await rowsWhere(dated, `${quoteIdentifier(time)} >= '${day}'`);
    expect(expectedUpTo.length).toBeGreaterThan(0);
    expect(upTo.length).toBe(expectedUpTo.length);
    expect(from.length).toBe(expectedFrom.length);
  });
});
