import type pg from 'pg';
import { config, ConfigError, redactUrl } from '../config.js';
import type { GeoServerRun } from '../db/queries/geoserver-runs.js';
import {
  applyPublication,
  getLastApply,
  GeoServerRefusedError,
  openGeoServerSession,
  planPublication,
  PublicationBusyError,
  recordGeoServerRun,
  type PublicationPlan,
  type PublicationResult,
} from '../geoserver/publication.js';
import {
  GeoServerAuthError,
  GeoServerResponseError,
  GeoServerUnavailableError,
} from '../geoserver/rest.js';
import { ForeignDatastoreError } from '../geoserver/plan.js';
import { readGeoServerConnection, readPublicationSettings } from '../geoserver/settings.js';
import { HttpProblem } from '../http/problem.js';
import { loadRegencyProfile } from './seed-service.js';

/** What the admin page shows without asking GeoServer: is it configured, and the last apply. */
export interface GeoServerStatus {
  configured: boolean;
  /** Why publication cannot run, naming the variable to set; absent when configured. */
  problem?: string;
  url: string | null;
  lastApply: GeoServerRun | null;
}

/** Turns what went wrong with GeoServer into a problem the admin page can show as is. */
function toProblem(error: unknown): unknown {
  if (error instanceof ConfigError) {
    return new HttpProblem(
      503,
      'geoserver-not-configured',
      'GeoServer not configured',
      error.message,
    );
  }
  if (error instanceof ForeignDatastoreError) {
    return new HttpProblem(
      409,
      'geoserver-foreign-datastore',
      "Data store not Simpul's",
      error.message,
    );
  }
  if (error instanceof GeoServerRefusedError) {
    const vulnerabilities = error.verdict.vulnerabilities.map(({ id, summary }) => ({
      id,
      summary,
    }));
    return new HttpProblem(
      409,
      'geoserver-version-refused',
      'GeoServer version refused',
      error.message,
      {
        version: error.verdict.version,
        vulnerabilities,
      },
    );
  }
  // 502: the fault is GeoServer's (or its configuration's), never the caller's request.
  if (error instanceof GeoServerUnavailableError) {
    return new HttpProblem(502, 'geoserver-unavailable', 'GeoServer unavailable', error.message);
  }
  if (error instanceof GeoServerAuthError) {
    return new HttpProblem(
      502,
      'geoserver-credentials-refused',
      'GeoServer refused Simpul',
      error.message,
    );
  }
  if (error instanceof GeoServerResponseError) {
    return new HttpProblem(
      502,
      'geoserver-error',
      'GeoServer answered unexpectedly',
      error.message,
    );
  }
  return error;
}

async function openScope(pool: pg.Pool, force: boolean) {
  const connection = readGeoServerConnection();
  const session = await openGeoServerSession(connection, { force });
  const regencyProfile = await loadRegencyProfile(config.seedDir);
  const settings = readPublicationSettings(regencyProfile);
  return { connection, session, scope: { pool, regency: regencyProfile, settings } };
}

/** Whether GeoServer publication is configured, and the last apply with its report. */
export async function getGeoServerStatus(pool: pg.Pool): Promise<GeoServerStatus> {
  const lastApply = (await getLastApply(pool)) ?? null;
  try {
    const connection = readGeoServerConnection();
    readPublicationSettings(await loadRegencyProfile(config.seedDir));
    return { configured: true, url: connection.restUrl, lastApply };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      configured: false,
      problem: error.message,
      url: config.geoserver.url ? redactUrl(config.geoserver.url) : null,
      lastApply,
    };
  }
}

/** The plan against the configured GeoServer; reads only. */
export async function planGeoServerPublication(
  pool: pg.Pool,
  { force = false } = {},
): Promise<PublicationPlan> {
  try {
    const { session, scope } = await openScope(pool, force);
    return await planPublication(session, scope);
  } catch (error) {
    throw toProblem(error);
  }
}

/** Applies the plan, records the run for the admin page, and returns what became of it. */
export async function applyGeoServerPublication(
  pool: pg.Pool,
  { force = false, requestedBy }: { force?: boolean; requestedBy: string },
): Promise<PublicationResult> {
  const startedAt = new Date();
  try {
    const { connection, session, scope } = await openScope(pool, force);
    const result = await applyPublication(session, scope);
    await recordGeoServerRun(pool, {
      kind: 'apply',
      outcome: result.report.outcome,
      session,
      url: connection.restUrl,
      requestedBy,
      report: result,
      startedAt,
    });
    return result;
  } catch (error) {
    if (error instanceof PublicationBusyError) {
      throw new HttpProblem(409, 'geoserver-busy', 'Publication running', error.message);
    }
    throw toProblem(error);
  }
}
