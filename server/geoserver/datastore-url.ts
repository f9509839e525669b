/**
 * The data store URL GeoServer is given, read on its own: the configuration checks it at start
 * and the publication reads it, without either importing the other.
 */
import { ConfigError } from '../config-error.js';

/** The PostGIS connection GeoServer is given for its data store (the password never logged). */
export interface DatastoreConnection {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  schema: string;
}

/**
 * GEOSERVER_DATASTORE_URL (or DATABASE_URL in its place) as GeoServer is given it; a URL that
 * is not postgres://, names no database, holds a broken escape or a schema that is no plain
 * identifier is a ConfigError naming the variable, never quoting the URL (it holds a password).
 */
export function parseDatastoreUrl(url: string): DatastoreConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('GEOSERVER_DATASTORE_URL is not a postgres:// URL');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw new ConfigError('GEOSERVER_DATASTORE_URL must be postgres://user:password@host/db');
  }
  const database = decodeUrlPart(parsed.pathname.slice(1));
  if (!database) {
    throw new ConfigError(
      'GEOSERVER_DATASTORE_URL names no database: postgres://user:password@host/db',
    );
  }
  return {
    host: parsed.hostname,
    port: parsed.port || '5432',
    database,
    user: decodeUrlPart(parsed.username),
    password: decodeUrlPart(parsed.password),
    schema: checkSchema(parsed.searchParams.get('schema') ?? 'public'),
  };
}

/**
 * A schema GeoServer is given as the data store's: it goes into the SQL GeoServer writes, so
 * `?schema=x;drop` stops here. Only an identifier PostgreSQL takes unquoted is accepted.
 */
function checkSchema(schema: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema)) return schema;
  throw new ConfigError(
    `GEOSERVER_DATASTORE_URL names the schema "${schema.slice(0, 100)}", which is not a ` +
      'plain PostgreSQL identifier (letters, digits, _ or $, not first a digit, at most 63): ' +
      '?schema=simpul',
  );
}

/** A percent-encoded part of GEOSERVER_DATASTORE_URL, decoded; a broken escape is named. */
function decodeUrlPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigError(
      'GEOSERVER_DATASTORE_URL holds a % not followed by two hex digits; write % as %25',
    );
  }
}
