import { describe, expect, it, vi } from 'vitest';
import { config, ConfigError } from '../../../server/config.js';
import {
  readGeoServerConnection,
  readPublicationSettings,
  workspaceFromRegency,
} from '../../../server/geoserver/settings.js';

const cilacap = { name: 'Kabupaten Cilacap', code: '33.01', province: 'Jawa Tengah' };
const base = { ...config.geoserver, datastoreUrl: 'postgres://u:secret@db:5433/gis?schema=simpul' };

describe('GeoServer settings', () => {
  it('stop at a missing variable, naming it', () => {
    const settings = { ...base, url: 'http://gs:8080/geoserver/rest', user: 'admin' };

    expect(() => readGeoServerConnection({ ...settings, password: undefined })).toThrow(
      new ConfigError('GEOSERVER_PASSWORD is not set: GeoServer publication needs it'),
    );
    expect(() => readGeoServerConnection({ ...settings, url: undefined })).toThrow(/GEOSERVER_URL/);
  });

  it('take the REST root without a trailing slash', () => {
    const connection = readGeoServerConnection({
      ...base,
      url: 'https://gis.example/geoserver/rest/',
      user: 'admin',
      password: 'p',
    });

    expect(connection.restUrl).toBe('https://gis.example/geoserver/rest');
  });

  it('refuse a URL holding a password, or not a URL, without repeating the password', () => {
    const read = (url: string) => () =>
      readGeoServerConnection({ ...base, url, user: 'admin', password: 'p' });
    const withPassword = read('http://admin:gs-secret@gs:8080/geoserver/rest');

    expect(withPassword).toThrow(ConfigError);
    expect(withPassword).toThrow(/set GEOSERVER_USER and GEOSERVER_PASSWORD instead/);
    expect(withPassword).not.toThrow(/gs-secret/);
    expect(read('http://gis example/geoserver/rest')).toThrow(/GEOSERVER_URL is not a URL/);
  });

  it('refuse a scheme other than http(s) without repeating the password', () => {
    const read = (url: string) => () =>
      readGeoServerConnection({ ...base, url, user: 'admin', password: 'p' });
    const ftp = read('ftp://admin:gs-secret@gs/geoserver/rest');

    expect(ftp).toThrow(ConfigError);
    expect(ftp).not.toThrow(/gs-secret/);
    expect(read('ftp://gs/geoserver/rest')).toThrow(/GEOSERVER_URL must be an http\(s\) URL/);
    expect(read('ftp://admin:gs-secret@gis example/rest')).not.toThrow(/gs-secret/);
    expect(read('gs.example/geoserver/rest')).toThrow(/rest; it has no scheme$/);
    expect(read('HTTPS://gs/geoserver/rest')()).toMatchObject({
      restUrl: 'https://gs/geoserver/rest',
    });
  });

  it('refuse a query or a fragment, which every request path would follow', () => {
    const read = (url: string) => () =>
      readGeoServerConnection({ ...base, url, user: 'admin', password: 'p' });

    for (const url of ['http://gs/geoserver/rest?token=x', 'http://gs/geoserver/rest#top']) {
      expect(read(url), url).toThrow(
        new ConfigError(`GEOSERVER_URL must end at the REST root, without ? or #; got ${url}`),
      );
    }
  });

  it('name the workspace after the regency and the namespace after its code', () => {
    const settings = readPublicationSettings(cilacap, base);

    expect(workspaceFromRegency({ ...cilacap, name: 'Kota Bandung' })).toBe('bandung');
    expect(settings.workspace).toBe('cilacap');
    expect(settings.namespaceUri).toBe('urn:simpul:regency:33.01');
    expect(settings.datastore).toMatchObject({ host: 'db', port: '5433', schema: 'simpul' });
  });

  it('refuse the embedded database, which GeoServer cannot reach', () => {
    expect(() => readPublicationSettings(cilacap, { ...base, datastoreUrl: undefined })).toThrow(
      /GEOSERVER_DATASTORE_URL is not set/,
    );
  });

  it('refuse a data store URL with a broken escape or no database, as a configuration', () => {
    const read = (datastoreUrl: string) => () =>
      readPublicationSettings(cilacap, { ...base, datastoreUrl });

    expect(read('postgres://reader:%zz@db/gis')).toThrow(
      new ConfigError(
        'GEOSERVER_DATASTORE_URL holds a % not followed by two hex digits; write % as %25',
      ),
    );
    expect(read('postgres://reader:p@db/')).toThrow(
      new ConfigError(
        'GEOSERVER_DATASTORE_URL names no database: postgres://user:password@host/db',
      ),
    );
  });

  it('refuse a schema that is no plain PostgreSQL identifier, and take those that are', () => {
    const schemaOf = (query: string) => {
      const datastoreUrl = `postgres://u:p@db/gis${query}`;
      return readPublicationSettings(cilacap, { ...base, datastoreUrl }).datastore.schema;
    };

    for (const schema of [
      'x;drop',
      'x%3Bdrop%20schema%20public',
      '',
      'a.b',
      '1st',
      'y'.repeat(64),
    ]) {
      expect(() => schemaOf(`?schema=${schema}`)).toThrow(
        new ConfigError(
          'GEOSERVER_DATASTORE_URL names the schema ' +
            `"${decodeURIComponent(schema)}", which is not a plain PostgreSQL identifier ` +
            '(letters, digits, _ or $, not first a digit, at most 63): ?schema=simpul',
        ),
      );
    }
    expect(schemaOf('')).toBe('public');
    expect(schemaOf('?schema=simpul_2')).toBe('simpul_2');
    expect(schemaOf('?schema=Data$1')).toBe('Data$1');
  });

  it('refuse a workspace name GeoServer would not take', () => {
    expect(() => readPublicationSettings(cilacap, { ...base, workspace: 'cilacap/x' })).toThrow(
      /GEOSERVER_WORKSPACE must be letters/,
    );
  });

  it('refuse a namespace URI that is not an absolute URI, and take those that are', () => {
    const read = (namespaceUri: string) => () =>
      readPublicationSettings(cilacap, { ...base, namespaceUri });

    for (const wrong of ['cilacap', 'www.cilacapkab.go.id/gis', 'http://gis cilacap', 'a#b']) {
      expect(read(wrong)).toThrow(ConfigError);
      expect(read(wrong)).toThrow(
        `GEOSERVER_NAMESPACE_URI must be an absolute URI, such as urn:simpul:regency:33.01 ` +
          `or https://gis.example.go.id/cilacap; got "${wrong}"`,
      );
    }
    expect(read('http://')).toThrow(/GEOSERVER_NAMESPACE_URI must be an absolute URI/);
    for (const right of ['urn:x-cilacap:gis', 'https://gis.cilacapkab.go.id/ns?v=1']) {
      expect(read(right)().namespaceUri).toBe(right);
    }
  });

  it('keep the passwords out of the logged configuration', async () => {
    vi.stubEnv('GEOSERVER_PASSWORD', 'gs-secret-1');
    vi.stubEnv('GEOSERVER_URL', 'http://admin:gs-secret-3@gs:8080/geoserver/rest');
    vi.stubEnv('GEOSERVER_DATASTORE_URL', 'postgres://reader:db-secret-2@db/gis');
    vi.resetModules();

    const fresh = await import('../../../server/config.js');
    const described = JSON.stringify(fresh.describeConfig());
    vi.unstubAllEnvs();

    expect(fresh.config.geoserver.password).toBe('gs-secret-1');
    expect(described).not.toContain('gs-secret-1');
    expect(described).not.toContain('db-secret-2');
    expect(described).not.toContain('gs-secret-3');
    expect(described).toContain('reader:***@db');
  });
});
