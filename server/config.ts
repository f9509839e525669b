import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { configFailure, ConfigError } from './config-error.js';
import { parseDatastoreUrl } from './geoserver/datastore-url.js';
import { parseSwitch, switchWordsHint } from './switch-value.js';

export { ConfigError };

// The config is read while modules load, before any entry point could catch an error: the
// readers note what is wrong here, and the module stops the process once, in one line.
const configProblems: string[] = [];

function readInteger(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;

  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    configProblems.push(`${name} must be an integer from ${min} to ${max}; got "${raw}"`);
    return fallback;
  }
  return value;
}

/** Debian's and Ubuntu's Chromium, the first that is installed, or null. */
function findChromium(): string | null {
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((candidate) => fs.existsSync(candidate)) ?? null;
}

/**
 * CHROMIUM_PATH, else the Chromium found; a path given that names no program this process can
 * run stops start-up: every PDF and PNG would otherwise fail as a 500.
 */
function readChromiumPath(): string | null {
  const given = readText('CHROMIUM_PATH');
  if (given === undefined) return findChromium();
  const runnable = (() => {
    try {
      fs.accessSync(given, fs.constants.X_OK);
      return fs.statSync(given).isFile();
    } catch {
      return false;
    }
  })();
  if (!runnable) {
    configProblems.push(
      `CHROMIUM_PATH names ${given}, which is not a program this process can run; install ` +
        "Debian's chromium, or unset it for HTML answers only",
    );
  }
  return given;
}

/**
 * SIMPUL_WEB_DIR, else `web/dist`; a folder given that holds no built web client stops
 * start-up: `/` would serve the API's landing page where the operator expects the map.
 */
function readWebDir(): string {
  const given = readText('SIMPUL_WEB_DIR');
  if (given === undefined) return path.resolve('web/dist');
  const folder = path.resolve(given);
  if (!fs.existsSync(path.join(folder, 'index.html'))) {
    configProblems.push(
      `SIMPUL_WEB_DIR names ${folder}, which holds no built web client (index.html); run ` +
        'npm run build, or unset it for web/dist',
    );
  }
  return folder;
}

/**
 * GEOSERVER_DATASTORE_URL, else DATABASE_URL. A value given that GeoServer cannot be given (no
 * postgres:// URL, no database, a schema that is no plain identifier) stops start-up, where
 * only a publication refused it, long after; DATABASE_URL is Simpul's own, which may well be
 * one GeoServer cannot use (a socket path), and is checked only when published.
 */
function readDatastoreUrl(): string | undefined {
  const given = readText('GEOSERVER_DATASTORE_URL');
  if (given === undefined) return readText('DATABASE_URL');
  try {
    parseDatastoreUrl(given);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    configProblems.push(error.message);
  }
  return given;
}

/**
 * BASEMAP_URL: an XYZ template the web map's tile source can fill, http(s) or a path on this
 * server (a proxy); anything else would leave the map with a basemap that never loads.
 */
function readBasemapUrl(): string | null {
  const given = readText('BASEMAP_URL');
  if (given === undefined) return null;
  const filled = given.replace(/\{-?[xyz]\}/g, '0');
  const absolute = URL.canParse(filled) && /^https?:$/.test(new URL(filled).protocol);
  const placeholders = ['{z}', '{x}'].every((p) => given.includes(p)) && /\{-?y\}/.test(given);
  if ((absolute || /^\/[^/]/.test(given)) && placeholders) return given;
  configProblems.push(
    'BASEMAP_URL must be an http(s) XYZ tile address with {z}, {x} and {y} (or {-y}), such ' +
      `as https://tile.example.org/{z}/{x}/{y}.png; got "${given}"`,
  );
  return null;
}

/** The address kinds Express's `trust proxy` names: 127.0.0.1/8 and ::1, fe80::/10, private. */
const proxyAddressKinds = ['loopback', 'linklocal', 'uniquelocal'];

/** An IPv4 or IPv6 address, with an optional prefix length fitting it (`10.0.0.0/8`). */
function isAddressOrSubnet(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const version = net.isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-Host, -Proto and -For are believed,
 * as addresses, subnets or address kinds; `loopback` (a proxy on this machine) by default.
 * Anything else (`true`, a hop count, a host name) stops start-up: trusting every client
 * would let any of them write the links the API hands out, and its address for login pauses.
 */
function readTrustedProxies(): string[] {
  const given = readText('TRUSTED_PROXIES');
  if (given === undefined) return ['loopback'];
  const entries = given.split(',').map((entry) => entry.trim());
  const isKind = (entry: string) => proxyAddressKinds.includes(entry);
  if (entries.every((entry) => isKind(entry) || isAddressOrSubnet(entry))) return entries;
  configProblems.push(
    'TRUSTED_PROXIES must list IP addresses, subnets (10.0.0.0/8) or loopback, linklocal, ' +
      `uniquelocal, separated by commas; got "${given}"`,
  );
  return ['loopback'];
}

function readText(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function readChoice(name: string, choices: string[], fallback: string): string {
  const raw = readText(name) ?? fallback;
  if (choices.includes(raw)) return raw;

  configProblems.push(`${name} must be one of ${choices.join(', ')}; got "${raw}"`);
  return fallback;
}

/** A switch: 1/0, true/false, yes/no or on/off; anything else stops start-up, never a guess. */
function readSwitch(name: string, fallback: boolean): boolean {
  const raw = readText(name);
  if (raw === undefined) return fallback;
  const value = parseSwitch(raw);
  if (value !== undefined) return value;
  configProblems.push(`${name} must be ${switchWordsHint}; got "${raw}"`);
  return fallback;
}

/** A PostgreSQL connection URL; anything else would fail later with a puzzling driver error. */
function readDatabaseUrl(name: string): string | undefined {
  const raw = readText(name);
  if (raw === undefined) return undefined;

  const protocol = URL.canParse(raw) ? new URL(raw).protocol : null;
  if (protocol === 'postgres:' || protocol === 'postgresql:' || protocol === 'socket:') return raw;
  // The value is not echoed: it may hold a password.
  configProblems.push(
    `${name} must be a URL such as postgres://user:password@host:5432/simpul` +
      (protocol ? `; got a ${protocol}// URL` : '; got text that is not a URL'),
  );
  return undefined;
}

/** The seed folder; one without an index would break seeding and the web map's config. */
function readSeedDir(): string {
  const given = readText('SIMPUL_SEED_DIR');
  const seedDir = path.resolve(
    given ?? path.join('seeds', readText('SIMPUL_REGENCY') ?? 'cilacap'),
  );
  const hasIndex = ['index.ts', 'index.js'].some((f) => fs.existsSync(path.join(seedDir, f)));
  if (!hasIndex) {
    const variable = given ? 'SIMPUL_SEED_DIR' : 'SIMPUL_REGENCY';
    configProblems.push(`${variable} names ${seedDir}, which holds no seed index (index.ts)`);
  }
  return seedDir;
}

const pinoLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const dataDir = path.resolve(readText('SIMPUL_DATA_DIR') ?? 'data');

const serverProcesses = readInteger('SIMPUL_PROCESSES', 1, 1, 64);

/**
 * Tile connections per server process when not configured: this machine's share of cores per
 * process, plus one. A tile query keeps a core of PostgreSQL busy, so more at once than there
 * are cores only adds switching between them (measured on 2 cores with the database on the
 * same machine: 6 connections rendered 8% fewer cold tiles per second than 3). A database on
 * a larger machine of its own can take more: set TILE_POOL_SIZE.
 */
const defaultTilePoolSize = Math.max(
  2,
  Math.floor(os.availableParallelism() / serverProcesses) + 1,
);

/** Every setting of the server, read once from the environment with safe defaults. */
export const config = Object.freeze({
  /** HTTP port, bound to HOST. */
  port: readInteger('PORT', 3000, 0, 65535),
  /** Listen address; loopback by default so nothing is exposed by accident. */
  host: readText('HOST') ?? '127.0.0.1',
  /** A PostgreSQL/PostGIS server; without it the embedded PostGIS is used. */
  databaseUrl: readDatabaseUrl('DATABASE_URL'),
  /** Folder of the embedded database and its lock file. */
  dataDir,
  /** Seed folder loaded into an empty database (default `seeds/cilacap`). */
  seedDir: readSeedDir(),
  /** Connections in the pool to a real server (the embedded database takes one). */
  poolSize: readInteger('DB_POOL_SIZE', 10, 1, 200),
  /**
   * Connections reserved for exports, apart from the feature API's pool: a download holds one
   * until its client has read the whole file (GeoPackage and Shapefile: until the file is
   * written), so slow clients fill this pool and no other.
   */
  exportPoolSize: readInteger('EXPORT_POOL_SIZE', 3, 1, 200),
  /** Longest an export waits for an export connection before answering 503 (`exports-busy`). */
  exportWaitMs: readInteger('EXPORT_WAIT_MS', 5000, 100, 600000),
  /**
   * Longest a download may go without a write completing before it is cut, which gives its
   * export connection back: a client that stalls for good would hold one forever. The kernel
   * takes more bytes only once it has sent a good part of its send buffer (up to a few MB), so
   * a slow client that keeps reading sees writes complete minutes apart: keep this well above
   * that (4 MB at 10 kB/s is 7 minutes).
   */
  exportStallMs: readInteger('EXPORT_STALL_MS', 600000, 1000, 3600000),
  /**
   * Statement timeout per request query; at least a second, as a connection's first spatial
   * query loads PostGIS (25-40 ms, over 100 on a busy machine).
   */
  queryTimeoutMs: readInteger('QUERY_TIMEOUT_MS', 15000, 1000, 600000),
  /** Queries slower than this are logged as warnings. */
  slowQueryMs: readInteger('SLOW_QUERY_MS', 1000, 1, 600000),
  /** Largest `limit` of a feature API items page; a larger one is a 400 naming it. */
  itemsMaxLimit: readInteger('ITEMS_MAX_LIMIT', 10000, 1, 1000000),
  /** Operators, properties and values a CQL2 filter may hold; more is a 400 naming it. */
  filterMaxNodes: readInteger('FILTER_MAX_NODES', 500, 10, 100000),
  /** Size limit of the in-memory tile cache. 0 turns the cache off. */
  tileCacheMb: readInteger('TILE_CACHE_MB', 64, 0, 16384),
  /**
   * Folder of the tile cache's disk tier, which keeps the tiles memory drops for room (saved
   * at a graceful stop for the next start; see `server/tiles/tile-disk-cache.ts`). Unset: no
   * disk tier.
   */
  tileCacheDir: readText('TILE_CACHE_DIR'),
  /** Size limit of the disk tier. */
  tileCacheDiskMb: readInteger('TILE_CACHE_DISK_MB', 1024, 1, 1048576),
  /** Largest tile served, in kilobytes; a larger one answers a `tile-too-large` problem. */
  tileMaxKb: readInteger('TILE_MAX_KB', 4096, 1, 1048576),
  /** Longest a tile query may run on PostgreSQL before it is abandoned with a 503. */
  tileTimeoutMs: readInteger('TILE_TIMEOUT_MS', 5000, 100, 600000),
  /** Connections reserved for tile queries, apart from the feature API's pool. */
  tilePoolSize: readInteger('TILE_POOL_SIZE', defaultTilePoolSize, 1, 200),
  /** Browser and proxy caching of tiles in seconds; 0 (default) makes them revalidate (304). */
  tileMaxAgeS: readInteger('TILE_MAX_AGE_S', 0, 0, 31536000),
  /** Server processes sharing the port (Node cluster); needs DATABASE_URL when above 1. */
  serverProcesses,
  /**
   * With several processes, how long none may be listening (each replacement dying young, the
   * database gone for good) before the main process gives up and exits 1, for the service
   * manager to restart it or alert someone; seconds.
   */
  serverDownExitS: readInteger('SIMPUL_DOWN_EXIT_S', 300, 1, 86400),
  /** Folder where uploaded import files wait for their job; kept a day, then swept. */
  importDir: path.resolve(readText('SIMPUL_IMPORT_DIR') ?? path.join(dataDir, 'imports')),
  /** Largest accepted import upload, in megabytes. */
  importMaxMb: readInteger('IMPORT_MAX_MB', 4096, 1, 1048576),
  /** Longest any request body may take to arrive (an import upload); minutes. */
  uploadTimeoutMin: readInteger('UPLOAD_TIMEOUT_MIN', 120, 1, 1440),
  /** Optional XYZ basemap template for the web map; none by default (offline machines). */
  basemapUrl: readBasemapUrl(),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel: readChoice('LOG_LEVEL', pinoLevels, 'info'),
  /** Folder of the built web client served at `/`. */
  webDistDir: readWebDir(),
  /** Chromium that renders printable pages to PDF and PNG; none found means HTML only. */
  chromiumPath: readChromiumPath(),
  /** Longest a PDF or PNG rendering may take, browser start included. */
  printTimeoutMs: readInteger('PRINT_TIMEOUT_MS', 20000, 1000, 600000),
  /** Lifetime of a login session; the user logs in again after it. */
  sessionTtlHours: readInteger('SESSION_TTL_HOURS', 12, 1, 24 * 30),
  /** Session cookie `Secure` always (`1`); by default only on requests that arrived over https. */
  sessionCookieSecure: readSwitch('SESSION_COOKIE_SECURE', false),
  /** Failed logins of one user name, or 4× as many from one address, before logins pause. */
  loginMaxFailures: readInteger('LOGIN_MAX_FAILURES', 5, 1, 1000),
  /** The window in which failed logins are counted, and the pause once the limit is hit. */
  loginWindowMinutes: readInteger('LOGIN_WINDOW_MINUTES', 15, 1, 1440),
  /** Largest accepted body of a feature write or batch. */
  writeBodyLimitMb: readInteger('WRITE_BODY_LIMIT_MB', 20, 1, 1024),
  /** How far outside the regency outline an edited feature may reach, in metres. */
  regencyToleranceM: readInteger('REGENCY_TOLERANCE_M', 500, 0, 100000),
  /**
   * Reverse proxies (addresses, subnets, or loopback, linklocal, uniquelocal) whose
   * X-Forwarded-Host and -Proto build the API's links and whose X-Forwarded-For names the
   * client; default loopback.
   */
  trustedProxies: readTrustedProxies(),
  /** Seed an empty database at start. Default on; `SIMPUL_AUTO_SEED=0` turns it off. */
  autoSeed: readSwitch('SIMPUL_AUTO_SEED', true),
  /** Publication to GeoServer (`npm run geoserver`); no secret has a default. */
  geoserver: Object.freeze({
    /** GeoServer's REST root, e.g. `https://gis.example.go.id/geoserver/rest`. */
    url: readText('GEOSERVER_URL'),
    user: readText('GEOSERVER_USER'),
    password: readText('GEOSERVER_PASSWORD'),
    /** Workspace of the regency; default from the seeds' regency name (`cilacap`). */
    workspace: readText('GEOSERVER_WORKSPACE'),
    /** Namespace URI of the workspace; default `urn:simpul:regency:<Kemendagri code>`. */
    namespaceUri: readText('GEOSERVER_NAMESPACE_URI'),
    /** Name of the PostGIS data store in the workspace. */
    datastore: readText('GEOSERVER_DATASTORE') ?? 'simpul',
    /** The database as GeoServer reaches it (postgres://…?schema=); default DATABASE_URL. */
    datastoreUrl: readDatastoreUrl(),
    /** Deadline of each request to GeoServer. */
    timeoutMs: readInteger('GEOSERVER_TIMEOUT_MS', 15000, 100, 600000),
    /** On (`1`, `yes`…) publishes layers that are not public too (when `publish: true`). */
    publishNonPublic: readSwitch('GEOSERVER_PUBLISH_NON_PUBLIC', false),
  }),
});

if (configProblems.length > 0) {
  // One line for the operator, no stack trace; every command (server or CLI) reads config.
  const message = `Simpul cannot start: ${configProblems.join('; ')}`;
  if (configFailure.throwInstead) throw new ConfigError(message);
  console.error(message);
  process.exit(1);
}

export type Config = typeof config;

/** The configuration with secrets removed, for the start-up log line. */
export function describeConfig(): Record<string, unknown> {
  const { geoserver } = config;
  return {
    ...config,
    databaseUrl: config.databaseUrl && redactUrl(config.databaseUrl),
    geoserver: {
      ...geoserver,
      url: geoserver.url && redactUrl(geoserver.url),
      password: geoserver.password && '***',
      datastoreUrl: geoserver.datastoreUrl && redactUrl(geoserver.datastoreUrl),
    },
  };
}

/** A connection string with its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
