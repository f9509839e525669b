import { config, ConfigError, redactUrl } from '../config.js';
import type { RegencyProfile } from '../../seeds/types/seed-source.js';
import { parseDatastoreUrl, type DatastoreConnection } from './datastore-url.js';

export type { DatastoreConnection };

/** Where GeoServer is and how to log in; enough to ask it its version. */
export interface GeoServerConnection {
  /** REST root without a trailing slash, e.g. `http://host:8080/geoserver/rest`. */
  restUrl: string;
  user: string;
  password: string;
  timeoutMs: number;
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

/** RFC 3986's absolute-URI: a scheme, then only characters a URI holds, and no fragment. */
const absoluteUri = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+$/;

/**
 * The workspace's namespace URI, which GeoServer writes as the XML namespace of every
 * feature in WFS: anything but an absolute URI (a bare name, a host without scheme) makes
 * documents other systems refuse, so it stops here, named.
 */
function checkNamespaceUri(uri: string): string {
  const hasHost = !/^https?:/i.test(uri) || (URL.canParse(uri) && new URL(uri).hostname !== '');
  if (absoluteUri.test(uri) && hasHost) return uri;
  throw new ConfigError(
    'GEOSERVER_NAMESPACE_URI must be an absolute URI, such as urn:simpul:regency:33.01 or ' +
      `https://gis.example.go.id/cilacap; got "${uri}"`,
  );
}

function requireVariable(name: string, value: string | undefined): string {
  if (!value) throw new ConfigError(`${name} is not set: GeoServer publication needs it`);
  return value;
}

/**
 * An http(s) URL fetch can ask, without credentials (they would be refused, and echoed in
 * messages) and ending at the REST root: request paths are appended to it, so a query or a
 * fragment would swallow them. Returns it without a trailing slash, the scheme lower-cased.
 */
function checkRestUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.username || parsed?.password) {
    throw new ConfigError(
      `GEOSERVER_URL must not hold a user or password (${redactUrl(url)}); ` +
        'set GEOSERVER_USER and GEOSERVER_PASSWORD instead',
    );
  }
  if (!/^https?:\/\//i.test(url)) {
    // Only the scheme is repeated: a URL fetch cannot read may hold a password all the same.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    const found = scheme ? `it begins ${scheme}` : 'it has no scheme';
    throw new ConfigError(
      'GEOSERVER_URL must be an http(s) URL of the REST root, such as ' +
        `http://host:8080/geoserver/rest; ${found}`,
    );
  }
  if (!parsed) {
    throw new ConfigError('GEOSERVER_URL is not a URL; look for a space or a stray character');
  }
  if (parsed.search || parsed.hash || /[?#]/.test(url)) {
    throw new ConfigError(`GEOSERVER_URL must end at the REST root, without ? or #; got ${url}`);
  }
  const scheme = (name: string) => name.toLowerCase();
  return url.replace(/^https?:/i, scheme).replace(/\/+$/, '');
}

/** GEOSERVER_URL as it may be shown or recorded, its password masked; undefined when unset. */
export function readMaskedGeoServerUrl(settings = config.geoserver): string | undefined {
  return settings.url ? redactUrl(settings.url) : undefined;
}

/** The GeoServer connection from the environment; a missing variable stops here, named. */
export function readGeoServerConnection(settings = config.geoserver): GeoServerConnection {
  const restUrl = checkRestUrl(requireVariable('GEOSERVER_URL', settings.url));
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
  const defaultNamespace = `urn:simpul:regency:${regency.code}`;
  return {
    workspace,
    namespaceUri: checkNamespaceUri(settings.namespaceUri ?? defaultNamespace),
    datastoreName: settings.datastore,
    datastore: parseDatastoreUrl(datastoreUrl),
    publishNonPublic: settings.publishNonPublic,
  };
}
