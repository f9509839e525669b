import { config, ConfigError, redactUrl } from '../config.js';
import type { RegencyProfile } from '../../seeds/types/seed-source.js';

/** Where GeoServer is and how to log in; enough to ask it its version. */
export interface GeoServerConnection {
  /** REST root without a trailing slash, e.g. `http://host:8080/geoserver/rest`. */
  restUrl: string;
  user: string;
  password: string;
  timeoutMs: number;
}

/** The PostGIS connection GeoServer is given for its data store (the password never logged). */
export interface DatastoreConnection {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  schema: string;
}

/** What a publication needs besides the declarations: names, the data store, the policy. */
export interface PublicationSettings {
  workspace: string;
  namespaceUri: string;
  datastoreName: string;
  datastore: DatastoreConnection;
  /** Publish non-public layers marked `publish: true` too. */
  publishNonPublic: boolean;
}

// GeoServer names become XML element names in WFS and path segments in REST URLs.
const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function requireVariable(name: string, value: string | undefined): string {
  if (!value) throw new ConfigError(`${name} is not set: GeoServer publication needs it`);
  return value;
}

/** A URL fetch can ask, without credentials: they would be refused, and echoed in messages. */
function checkRestUrl(restUrl: string) {
  let parsed: URL;
  try {
    parsed = new URL(restUrl);
  } catch {
    throw new ConfigError('GEOSERVER_URL is not a URL; look for a space or a stray character');
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError(
      `GEOSERVER_URL must not hold a user or password (${redactUrl(restUrl)}); ` +
        'set GEOSERVER_USER and GEOSERVER_PASSWORD instead',
    );
  }
}

/** GEOSERVER_URL as it may be shown or recorded, its password masked; undefined when unset. */
export function readMaskedGeoServerUrl(settings = config.geoserver): string | undefined {
  return settings.url ? redactUrl(settings.url) : undefined;
}

/** The GeoServer connection from the environment; a missing variable stops here, named. */
export function readGeoServerConnection(settings = config.geoserver): GeoServerConnection {
  const restUrl = requireVariable('GEOSERVER_URL', settings.url).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(restUrl)) {
    throw new ConfigError(`GEOSERVER_URL must be an http(s) URL of the REST root; got ${restUrl}`);
  }
  checkRestUrl(restUrl);
  return {
    restUrl,
    user: requireVariable('GEOSERVER_USER', settings.user),
    password: requireVariable('GEOSERVER_PASSWORD', settings.password),
    timeoutMs: settings.timeoutMs,
  };
}

/** The regency's workspace name: `Kabupaten Cilacap` is `cilacap`, `Kota Bandung` `bandung`. */
export function workspaceFromRegency(regency: RegencyProfile): string {
  const place = regency.name.replace(/^(kabupaten|kab\.|kota)\s+/i, '');
  return place
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

function parseDatastoreUrl(url: string): DatastoreConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('GEOSERVER_DATASTORE_URL is not a postgres:// URL');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw new ConfigError('GEOSERVER_DATASTORE_URL must be postgres://user:password@host/db');
  }
  return {
    host: parsed.hostname,
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.slice(1)),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    schema: parsed.searchParams.get('schema') ?? 'public',
  };
}

/**
 * Names and data store of the publication. Without GEOSERVER_DATASTORE_URL and DATABASE_URL
 * Simpul runs on its embedded database, which GeoServer cannot reach: that stops here.
 */
export function readPublicationSettings(
  regency: RegencyProfile,
  settings = config.geoserver,
): PublicationSettings {
  const datastoreUrl = settings.datastoreUrl;
  if (!datastoreUrl) {
    throw new ConfigError(
      'GEOSERVER_DATASTORE_URL is not set (nor DATABASE_URL): GeoServer needs a PostgreSQL ' +
        'server it can reach, not the embedded database',
    );
  }
  const workspace = settings.workspace ?? workspaceFromRegency(regency);
  for (const [variable, name] of [
    ['GEOSERVER_WORKSPACE', workspace],
    ['GEOSERVER_DATASTORE', settings.datastore],
  ] as const) {
    if (!namePattern.test(name)) {
      throw new ConfigError(`${variable} must be letters, digits, _ or -; got "${name}"`);
    }
  }
  return {
    workspace,
    namespaceUri: settings.namespaceUri ?? `urn:simpul:regency:${regency.code}`,
    datastoreName: settings.datastore,
    datastore: parseDatastoreUrl(datastoreUrl),
    publishNonPublic: settings.publishNonPublic,
  };
}
