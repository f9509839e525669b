import { createLibraryClient, type LibraryClient } from './library-client.js';
import { asList } from './observed-catalog.js';
import { absent, createGeoServerRest, GeoServerResponseError, type GeoServerRest } from './rest.js';
import type { GeoServerConnection } from './settings.js';
import { judgeVersion, type VersionVerdict } from './version-policy.js';

type Json = Record<string, unknown>;

/** Publication was refused: the GeoServer version is vulnerable or unknown, and not forced. */
export class GeoServerRefusedError extends Error {
  constructor(readonly verdict: VersionVerdict) {
    super(`${verdict.refusal}. Upgrade GeoServer, or force the publication (--force).`);
  }
}

/** A GeoServer whose REST root answered and whose version was judged. */
export interface GeoServerSession {
  connection: GeoServerConnection;
  rest: GeoServerRest;
  library: LibraryClient;
  verdict: VersionVerdict;
  forced: boolean;
}

/**
 * The version GeoServer reports at `/about/version.json`. This is also the proof that
 * GEOSERVER_URL is a GeoServer REST root, which a later 404 relies on to mean "absent".
 */
export async function readGeoServerVersion(rest: GeoServerRest): Promise<string | undefined> {
  const body = await rest.getJson('/about/version.json');
  const resources = body === absent ? [] : asList((body as { about?: Json }).about?.resource);
  const geoserver = resources.find((r) => (r as Json)['@name'] === 'GeoServer') as Json | undefined;
  if (!geoserver) {
    throw new GeoServerResponseError(
      `${rest.restUrl}/about/version.json did not describe a GeoServer: GEOSERVER_URL must be ` +
        'the REST root, e.g. http://host:8080/geoserver/rest',
      body === absent ? 404 : 200,
    );
  }
  const version = geoserver.Version;
  return version === undefined || version === null ? undefined : String(version);
}

/**
 * Asks GeoServer its version and judges it before anything else is read or written: a
 * vulnerable or unknown version is refused unless `force` is set.
 */
export async function openGeoServerSession(
  connection: GeoServerConnection,
  { force = false } = {},
): Promise<GeoServerSession> {
  const rest = createGeoServerRest(connection);
  const verdict = judgeVersion(await readGeoServerVersion(rest));
  if (verdict.refusal && !force) throw new GeoServerRefusedError(verdict);

  const library = createLibraryClient(connection);
  return { connection, rest, library, verdict, forced: force && Boolean(verdict.refusal) };
}
