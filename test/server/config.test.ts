import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** The config a fresh process reads from this environment (config is read once, at import). */
async function configUnder(env: Record<string, string>) {
  const script = "import('./server/config.ts').then((m) => console.log(JSON.stringify(m.config)))";
  const options = { env: { ...process.env, ...env } };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], options);
  return JSON.parse(stdout) as {
    dataDir: string;
    importDir: string;
    autoSeed: boolean;
    basemapUrl: string | null;
    trustedProxies: string[];
    geoserver: { publishNonPublic: boolean; datastoreUrl?: string };
  };
}

describe('configuration', { timeout: 30000 }, () => {
  it('keeps uploads under SIMPUL_DATA_DIR unless SIMPUL_IMPORT_DIR says otherwise', async () => {
    const dataDir = path.resolve('simpul-elsewhere');
    const importDir = path.resolve('uploads-apart');

    const defaulted = await configUnder({ SIMPUL_DATA_DIR: dataDir, SIMPUL_IMPORT_DIR: '' });
    const chosen = await configUnder({ SIMPUL_DATA_DIR: dataDir, SIMPUL_IMPORT_DIR: importDir });

    expect(defaulted.importDir).toBe(path.join(dataDir, 'imports'));
    expect(chosen.importDir).toBe(importDir);
  });

  it('reads a switch as 0/1, false/true, no/yes or off/on, and refuses the rest', async () => {
    const seeds = [];
    for (const value of ['', '0', 'false', 'No', 'off', '1', 'TRUE', 'yes', 'on']) {
      seeds.push((await configUnder({ SIMPUL_AUTO_SEED: value })).autoSeed);
    }
    const refused = await configUnder({ SIMPUL_AUTO_SEED: 'nanti' }).catch((e) => e);

    expect(seeds).toEqual([true, false, false, false, false, true, true, true, true]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'Simpul cannot start: SIMPUL_AUTO_SEED must be 1 or 0 (true/false, yes/no, on/off); ' +
        'got "nanti"',
    );
  });

  it('refuses a CHROMIUM_PATH that names no program, which made every PDF a 500', async () => {
    const missing = '/nonexistent/chromium';
    const refused = await configUnder({ CHROMIUM_PATH: missing }).catch((e) => e);
    const folder = await configUnder({ CHROMIUM_PATH: path.resolve('server') }).catch((e) => e);

    expect([refused.code, folder.code]).toEqual([1, 1]);
    expect(refused.stderr.trim()).toBe(
      'Simpul cannot start: CHROMIUM_PATH names /nonexistent/chromium, which is not a program ' +
        "this process can run; install Debian's chromium, or unset it for HTML answers only",
    );
    expect(folder.stderr).toContain('CHROMIUM_PATH names');
  });

  it('refuses a SIMPUL_WEB_DIR without a built web client, which served no map', async () => {
    const missing = path.resolve('nonexistent-web');
    const refused = await configUnder({ SIMPUL_WEB_DIR: missing }).catch((e) => e);

    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `Simpul cannot start: SIMPUL_WEB_DIR names ${missing}, which holds no built web client ` +
        '(index.html); run npm run build, or unset it for web/dist',
    );
  });

  it('refuses a QUERY_TIMEOUT_MS under a second, which loading PostGIS can take', async () => {
    // a new connection loads PostGIS on its first spatial query: 25-40 ms, over 100 when busy,
    // which stopped start-up (a stack, no line saying why) and failed requests at random
    const refused = await configUnder({ QUERY_TIMEOUT_MS: '500' }).catch((e) => e);

    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'Simpul cannot start: QUERY_TIMEOUT_MS must be an integer from 1000 to 600000; got "500"',
    );
  });

  it('takes a BASEMAP_URL only as an XYZ template with {z}, {x} and {y}', async () => {
    const taken = [];
    const templates = ['https://tile.example.org/{z}/{x}/{y}.png', '/basemap/{z}/{x}/{-y}.png'];
    for (const url of templates) {
      taken.push((await configUnder({ BASEMAP_URL: url })).basemapUrl);
    }
    const refusals = [];
    for (const url of [
      'osm',
      'https://tile.example.org/tiles.png',
      'ftp://t.example/{z}/{x}/{y}',
    ]) {
      const refused = await configUnder({ BASEMAP_URL: url }).catch((e) => e);
      refusals.push([refused.code, refused.stderr.trim()]);
    }

    expect(taken).toEqual(templates);
    for (const [code, stderr] of refusals) {
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^Simpul cannot start: BASEMAP_URL must be an http\(s\) XYZ tile address with \{z\}, /,
      );
    }
  });

  it('reads TRUSTED_PROXIES as addresses, subnets or kinds, and refuses the rest', async () => {
    const defaulted = (await configUnder({ TRUSTED_PROXIES: '' })).trustedProxies;
    const listed = (await configUnder({ TRUSTED_PROXIES: ' 10.0.0.0/8, loopback,::1 ' }))
      .trustedProxies;
    const refusals = [];
    for (const value of ['true', '10.0.0.0/33', 'proxy.internal', '1']) {
      const refused = await configUnder({ TRUSTED_PROXIES: value }).catch((e) => e);
      refusals.push([refused.code, refused.stderr.trim()]);
    }

    expect(defaulted).toEqual(['loopback']);
    expect(listed).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    for (const [code, stderr] of refusals) {
      expect(code).toBe(1);
      expect(stderr).toMatch(/^Simpul cannot start: TRUSTED_PROXIES must list IP addresses, /);
    }
  });

  it('reads GEOSERVER_PUBLISH_NON_PUBLIC as the same switch', async () => {
    const published = [];
    for (const value of ['', '0', 'no', '1', 'yes', 'On']) {
      const config = await configUnder({ GEOSERVER_PUBLISH_NON_PUBLIC: value });
      published.push(config.geoserver.publishNonPublic);
    }
    const refused = await configUnder({ GEOSERVER_PUBLISH_NON_PUBLIC: 'ya' }).catch((e) => e);

    expect(published).toEqual([false, false, false, true, true, true]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GEOSERVER_PUBLISH_NON_PUBLIC must be 1 or 0');
  });

  it('refuses at start a GEOSERVER_DATASTORE_URL that only publishing refused', async () => {
    const fine = 'postgres://reader:db-secret@db.internal/simpul?schema=simpul_2';
    const taken = await configUnder({ GEOSERVER_DATASTORE_URL: fine });
    const refusals = [];
    for (const url of [
      'postgres://reader:db-secret@db.internal/simpul?schema=x;drop',
      'postgres://reader:db-secret@db.internal/',
      'mysql://reader:db-secret@db.internal/simpul',
    ]) {
      refusals.push(await configUnder({ GEOSERVER_DATASTORE_URL: url }).catch((e) => e));
    }
    // DATABASE_URL, the default, is Simpul's own: a socket path serves it, if not GeoServer
    const socket = 'postgres:///simpul?host=/var/run/postgresql';
    const fallback = await configUnder({ GEOSERVER_DATASTORE_URL: '', DATABASE_URL: socket });

    expect(taken.geoserver.datastoreUrl).toBe(fine);
    expect(fallback.geoserver.datastoreUrl).toBe(socket);
    expect(refusals.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(refusals[0].stderr.trim()).toBe(
      'Simpul cannot start: GEOSERVER_DATASTORE_URL names the schema "x;drop", which is not ' +
        'a plain PostgreSQL identifier (letters, digits, _ or $, not first a digit, at most ' +
        '63): ?schema=simpul',
    );
    expect(refusals[1].stderr).toContain('GEOSERVER_DATASTORE_URL names no database');
    expect(refusals[2].stderr).toContain('GEOSERVER_DATASTORE_URL must be postgres://');
    expect(refusals.map((r) => r.stderr).join('')).not.toContain('db-secret');
  });

  it('refuses a switch word that is a name of every object, such as constructor', async () => {
    const refused = await configUnder({ SIMPUL_AUTO_SEED: 'constructor' }).catch((e) => e);

    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'Simpul cannot start: SIMPUL_AUTO_SEED must be 1 or 0 (true/false, yes/no, on/off); ' +
        'got "constructor"',
    );
  });
});
