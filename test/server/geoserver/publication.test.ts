import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { desa } from '../../../layers/administrative/desa.js';
import { kecamatan } from '../../../layers/administrative/kecamatan.js';
import { regency } from '../../../layers/administrative/regency.js';
import type { LayerDefinition } from '../../../layers/types.js';
import { themes } from '../../../layers/index.js';
import { config } from '../../../server/config.js';
import {
  applyPublication,
  GeoServerRefusedError,
  openGeoServerSession,
  planPublication,
  transportWarningOf,
  type PublicationScope,
} from '../../../server/geoserver/publication.js';
import { GeoServerAuthError, GeoServerUnavailableError } from '../../../server/geoserver/rest.js';
import { readPublicationSettings } from '../../../server/geoserver/settings.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startGeoServerStandIn, type GeoServerStandIn } from '../../support/geoserver-stand-in.js';

/**
 * The stand-in on a port of the Fetch standard's "bad ports" (which Node's fetch refuses to
 * connect to), the first of a few that is free on this machine.
 */
async function startStandInOnBadPort(): Promise<GeoServerStandIn> {
  for (const port of [10080, 6000, 6665, 6666, 6667, 6668, 6669, 6679, 6697]) {
    try {
      return await startGeoServerStandIn({ tables: administrative.map((l) => l.id), port });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('every bad port tried is in use on this machine');
}

const cilacap = { name: 'Kabupaten Cilacap', code: '33.01', province: 'Jawa Tengah' };
const administrative = [regency, kecamatan, desa];

const settings = readPublicationSettings(cilacap, {
  ...config.geoserver,
  workspace: undefined,
  namespaceUri: undefined,
  datastore: 'simpul',
  datastoreUrl: 'postgres://geoserver_reader:db-secret@db.internal:5432/simpul?schema=public',
  publishNonPublic: false,
});

describe('publication to GeoServer, against the stand-in', () => {
  let database: TestDatabase;
  let geoserver: GeoServerStandIn;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  beforeAll(async () => {
    geoserver = await startGeoServerStandIn({ tables: administrative.map((l) => l.id) });
  });
  afterAll(() => geoserver.close());
  afterEach(() => geoserver.clearFaults());

  function connect(overrides: { password?: string; timeoutMs?: number; force?: boolean } = {}) {
    const connection = {
      restUrl: geoserver.restUrl,
      user: geoserver.user,
      password: overrides.password ?? geoserver.password,
      timeoutMs: overrides.timeoutMs ?? 2000,
    };
    return openGeoServerSession(connection, { force: overrides.force });
  }

  function scope(layers: LayerDefinition[] = administrative): PublicationScope {
    return {
      pool: database.database.pool,
      regency: cilacap,
      settings,
      declarations: { layers, themes },
    };
  }

  async function publish(layers: LayerDefinition[] = administrative) {
    return applyPublication(await connect(), scope(layers));
  }

  describe('a first publish', () => {
    it('plans to create the workspace, store, styles, feature types, layers and group', async () => {
      const plan = await planPublication(await connect(), scope());

      const creates = plan.changes.filter((c) => c.action === 'create');
      expect(plan.changes.every((c) => c.action === 'create')).toBe(true);
      expect(creates.map((c) => `${c.kind} ${c.name}`)).toEqual([
        'workspace cilacap',
        'datastore simpul',
        'style regency',
        'style kecamatan',
        'style desa',
        'featureType regency',
        'featureType kecamatan',
        'featureType desa',
        'layer regency',
        'layer kecamatan',
        'layer desa',
        'layerGroup administrative',
      ]);
      expect(geoserver.writes()).toEqual([]);
    });

    it('creates everything, each step done and verified', async () => {
      const { report } = await publish();

      expect(report.outcome).toBe('applied');
      expect(report.steps.map((s) => s.status)).toEqual(Array(12).fill('done'));
      expect(geoserver.catalog.namespaces.get('cilacap')?.uri).toBe('urn:simpul:regency:33.01');
      expect(geoserver.catalog.layers.get('cilacap/desa')?.defaultStyle.name).toBe('cilacap:desa');
    });

    it('gives each feature type bilingual titles and keywords, CRS and bounding boxes', () => {
      const featureType = geoserver.catalog.featureTypes.get('cilacap/simpul/kecamatan')!;
      const [minx, miny, maxx, maxy] = ['minx', 'miny', 'maxx', 'maxy'].map(
        (key) => featureType.latLonBoundingBox[key] as number,
      );

      expect(featureType.title).toBe('Kecamatan');
      expect(featureType.internationalTitle).toEqual({
        id: 'Kecamatan',
        en: 'Kecamatan (district)',
      });
      expect(featureType.internationalAbstract.en).toContain('Kecamatan boundaries');
      expect(featureType.keywords.string).toEqual(
        expect.arrayContaining([
          'kecamatan',
          'Administrasi\\@language=id\\;',
          'Administrative\\@language=en\\;',
        ]),
      );
      expect([featureType.srs, featureType.nativeCRS]).toEqual(['EPSG:4326', 'EPSG:4326']);
      // Kabupaten Cilacap lies about 108.5–109.5° E, 7.2–7.8° S.
      expect(minx).toBeGreaterThan(108);
      expect(maxx).toBeLessThan(110);
      expect(miny).toBeGreaterThan(-8.5);
      expect(maxy).toBeLessThan(-7);
      expect(featureType.attributes.attribute.map((a: { name: string }) => a.name)).not.toContain(
        'updated_by',
      );
    });

    it('points the data store at the configured database without echoing the password', () => {
      const store = geoserver.catalog.datastores.get('cilacap/simpul')!;
      const entries = new Map(
        store.connectionParameters.entry.map((e: { '@key': string; $: string }) => [
          e['@key'],
          e.$,
        ]),
      );

      expect(entries.get('host')).toBe('db.internal');
      expect(entries.get('database')).toBe('simpul');
      expect(entries.get('user')).toBe('geoserver_reader');
      expect(entries.get('passwd')).toBe('db-secret');
      expect(entries.get('preparedStatements')).toBe('true');
    });

    it('points each layer at its own style and credits the data source and licence', () => {
      const layer = geoserver.catalog.layers.get('cilacap/kecamatan')!;

      expect(layer.defaultStyle).toMatchObject({ name: 'cilacap:kecamatan', workspace: 'cilacap' });
      expect(layer.attribution.title).toContain('cahyadsn/wilayah_boundaries');
      expect(layer.attribution.title).toContain('MIT');
    });

    it('groups the theme layers in drawing order, lowest order at the bottom', () => {
      const group = geoserver.catalog.layerGroups.get('cilacap/administrative')!;

      expect(group.publishables.published.map((p: { name: string }) => p.name)).toEqual([
        'cilacap:desa',
        'cilacap:kecamatan',
        'cilacap:regency',
      ]);
      expect(group.internationalTitle).toEqual({ id: 'Administrasi', en: 'Administrative' });
    });
  });

  describe('a second publish', () => {
    it('plans nothing and writes nothing', async () => {
      const before = geoserver.writes().length;

      const { plan, report } = await publish();

      expect(plan.counts).toMatchObject({ create: 0, update: 0, delete: 0, unchanged: 12 });
      expect(report.outcome).toBe('unchanged');
      expect(geoserver.writes().length).toBe(before);
    });
  });

  describe('a changed style', () => {
    const redDesa = { ...desa, style: { ...desa.style, stroke: '#c0392b' } };

    it('updates only that style, and the next plan is unchanged', async () => {
      const { plan, report } = await publish([regency, kecamatan, redDesa]);
      const next = await planPublication(await connect(), scope([regency, kecamatan, redDesa]));

      const changed = plan.changes.filter((c) => c.action !== 'unchanged');
      expect(changed.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['update style desa']);
      expect(report.outcome).toBe('applied');
      expect(geoserver.catalog.styles.get('cilacap/desa')!.sld).toContain('#c0392b');
      expect(next.counts.unchanged).toBe(next.changes.length);
    });
  });

  describe('a removed layer', () => {
    it('deletes its feature type, layer and style and takes it out of the group', async () => {
      const { plan, report } = await publish([regency, kecamatan]);

      const changed = plan.changes.filter((c) => c.action !== 'unchanged');
      expect(changed.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        'update layerGroup administrative',
        'delete featureType desa',
        'delete style desa',
      ]);
      expect(report.outcome).toBe('applied');
      expect(geoserver.catalog.featureTypes.has('cilacap/simpul/desa')).toBe(false);
      expect(geoserver.catalog.layers.has('cilacap/desa')).toBe(false);
      expect(geoserver.catalog.styles.has('cilacap/desa')).toBe(false);
    });

    it('leaves alone a style and a layer group that Simpul did not make', async () => {
      const foreignSld =
        '<StyledLayerDescriptor version="1.0.0"><NamedLayer><Name>x</Name></NamedLayer></StyledLayerDescriptor>';
      geoserver.catalog.styles.set('cilacap/hand_made', { name: 'hand_made', sld: foreignSld });
      geoserver.catalog.layerGroups.set('cilacap/basemap', { name: 'basemap', publishables: '' });

      const { plan } = await publish([regency, kecamatan]);

      expect(plan.foreign).toEqual([
        { kind: 'style', name: 'hand_made' },
        { kind: 'layerGroup', name: 'basemap' },
      ]);
      expect(geoserver.catalog.styles.has('cilacap/hand_made')).toBe(true);
      expect(geoserver.catalog.layerGroups.has('cilacap/basemap')).toBe(true);
    });
  });

  describe('a failure in the middle', () => {
    it('reports what was done and what was not, and the next apply resumes', async () => {
      // desa comes back: its style is created, then GeoServer fails on its feature type.
      geoserver.addFault({ method: 'POST', path: /\/featuretypes\/?$/, status: 500, times: 1 });

      const failed = await publish();
      const resumed = await publish();
      const settled = await publish();

      const status = (kind: string, name: string) =>
        failed.report.steps.find((s) => s.kind === kind && s.name === name)?.status;
      expect(failed.report.outcome).toBe('failed');
      expect(status('style', 'desa')).toBe('done');
      expect(status('featureType', 'desa')).toBe('failed');
      expect(status('layer', 'desa')).toBe('not-done');
      expect(status('layerGroup', 'administrative')).toBe('not-done');
      expect(failed.report.steps.find((s) => s.status === 'failed')?.error).toContain('500');
      expect(
        resumed.plan.changes.find((c) => c.kind === 'style' && c.name === 'desa')?.action,
      ).toBe('unchanged');
      expect(resumed.report.outcome).toBe('applied');
      expect(settled.report.outcome).toBe('unchanged');
    });

    it('counts a write that landed though GeoServer reported an error as done next time', async () => {
      const redKecamatan = { ...kecamatan, style: { ...kecamatan.style, stroke: '#aa0000' } };
      geoserver.addFault({
        method: 'PUT',
        path: /\/styles\/kecamatan$/,
        afterHandling: true,
        times: 1,
      });

      const failed = await publish([regency, redKecamatan, desa]);
      const next = await planPublication(await connect(), scope([regency, redKecamatan, desa]));

      expect(failed.report.outcome).toBe('failed');
      expect(next.counts.unchanged).toBe(next.changes.length);
    });

    it('fails the step when GeoServer says yes but reading back shows nothing changed', async () => {
      const blueRegency = { ...regency, style: { ...regency.style, stroke: '#0000aa' } };
      geoserver.addFault({
        method: 'PUT',
        path: /\/styles\/regency$/,
        ignoreWrite: true,
        times: 1,
      });

      const { report } = await publish([blueRegency, kecamatan, desa]);
      const failure = report.steps.find((s) => s.status === 'failed');

      expect(failure?.name).toBe('regency');
      expect(failure?.error).toContain('reads back different content');
      await publish(); // back to the declared style for the next tests
    });
  });

  describe('trust', () => {
    it('refuses a GeoServer with a known critical vulnerability unless forced', async () => {
      geoserver.setVersion('2.24.3');

      const refusal = await connect().catch((error: unknown) => error);
      const forced = await connect({ force: true });
      geoserver.setVersion('2.28.2');

      expect(refusal).toBeInstanceOf(GeoServerRefusedError);
      expect((refusal as Error).message).toMatch(/CVE-2024-36401/);
      expect(forced.forced).toBe(true);
    });

    it('refuses a GeoServer that does not say its version', async () => {
      geoserver.setVersion(null);

      const refused = connect();
      await expect(refused).rejects.toThrow(/no release number/);
      geoserver.setVersion('2.28.2');
    });

    it('answers a wrong password with the credentials to check', async () => {
      const session = connect({ password: 'wrong' });

      await expect(session).rejects.toThrow(GeoServerAuthError);
      await expect(session).rejects.toThrow(/401.*GEOSERVER_PASSWORD/);
    });

    it('gives up on a GeoServer that does not answer in time', async () => {
      geoserver.addFault({ path: /about\/version/, delayMs: 1500 });
      const startedAt = Date.now();

      const session = connect({ timeoutMs: 300 });

      await expect(session).rejects.toThrow(GeoServerUnavailableError);
      await expect(session).rejects.toThrow(/no answer within 300 ms/);
      expect(Date.now() - startedAt).toBeLessThan(1400);
    });

    it('stops an apply whose write through geoserver-node-client hangs, naming the step', async () => {
      const session = await connect({ timeoutMs: 300 });
      const greenDesa = { ...desa, style: { ...desa.style, stroke: '#00aa00' } };
      geoserver.catalog.styles.delete('cilacap/desa');
      geoserver.addFault({ method: 'POST', path: /\/styles\/?(\?|$)/, delayMs: 1000, times: 1 });

      const { report } = await applyPublication(session, scope([regency, kecamatan, greenDesa]));

      const failure = report.steps.find((s) => s.status === 'failed');
      expect(failure).toMatchObject({ kind: 'style', name: 'desa' });
      expect(failure?.error).toMatch(/did not finish creating style desa: no answer within 300 ms/);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await publish();
    });

    it('treats a failed read as unknown, never as absent', async () => {
      geoserver.addFault({ method: 'GET', path: /featuretypes\/kecamatan\.json$/, status: 500 });

      const plan = planPublication(await connect(), scope());

      await expect(plan).rejects.toThrow(/answered 500 to GET .*kecamatan\.json/);
    });

    it('says so when GEOSERVER_URL is not a REST root', async () => {
      const connection = {
        restUrl: geoserver.restUrl.replace('/rest', '/web'),
        user: geoserver.user,
        password: geoserver.password,
        timeoutMs: 1000,
      };

      await expect(openGeoServerSession(connection)).rejects.toThrow(/must be the REST root/);
    });

    it('warns when the password would cross the network unencrypted', () => {
      expect(transportWarningOf('http://gis.cilacapkab.go.id/geoserver/rest')).toEqual({
        transportWarning: expect.stringMatching(/plain http/),
      });
      expect(transportWarningOf('https://gis.cilacapkab.go.id/geoserver/rest')).toEqual({});
      expect(transportWarningOf('http://127.0.0.1:8080/geoserver/rest')).toEqual({});
    });

    it('refuses to take over a data store of the same name that Simpul did not make', async () => {
      const other = await startGeoServerStandIn();
      other.catalog.namespaces.set('cilacap', { prefix: 'cilacap', uri: 'http://cilacap' });
      other.catalog.datastores.set('cilacap/simpul', {
        name: 'simpul',
        description: 'Bappeda production data',
        enabled: true,
        connectionParameters: { entry: [{ '@key': 'host', $: 'prod-db' }] },
      });
      const connection = {
        restUrl: other.restUrl,
        user: other.user,
        password: other.password,
        timeoutMs: 2000,
      };

      const plan = openGeoServerSession(connection).then((session) =>
        planPublication(session, scope()),
      );

      await expect(plan).rejects.toThrow(/not made by Simpul.*GEOSERVER_DATASTORE/);
      await other.close();
    });

    it('publishes to a GeoServer on a port that fetch refuses as a bad port', async () => {
      const other = await startStandInOnBadPort();
      const connection = {
        restUrl: other.restUrl,
        user: other.user,
        password: other.password,
        timeoutMs: 2000,
      };

      try {
        const result = await applyPublication(await openGeoServerSession(connection), scope());
        const again = await planPublication(await openGeoServerSession(connection), scope());

        expect(result.report.outcome).toBe('applied');
        expect(other.catalog.layers.has('cilacap/kecamatan')).toBe(true);
        expect(again.counts).toMatchObject({ create: 0, update: 0, delete: 0 });
      } finally {
        await other.close();
      }
    });

    it('publishes only public layers unless configured otherwise', async () => {
      const internal = {
        ...kecamatan,
        id: 'kecamatan_internal',
        access: { read: ['admin'], edit: ['admin'] },
      } as LayerDefinition;

      const plan = await planPublication(await connect(), scope([...administrative, internal]));

      expect(plan.changes.some((c) => c.name === 'kecamatan_internal')).toBe(false);
    });
  });
});
