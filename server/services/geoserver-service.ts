import type pg from 'pg';
import { config, ConfigError, redactUrl } from '../config.js';
import { countNoun } from '../counted-noun.js';
import type { GeoServerRun } from '../db/queries/geoserver-runs.js';
import {
  applyPublication,
  getLastApply,
  getLastSuccessfulApply,
  GeoServerRefusedError,
  openGeoServerSession,
  planPublication,
  PublicationBusyError,
  recordApply,
  recordFailedApply,
  type PublicationPlan,
  type PublicationResult,
  type RunAttempt,
} from '../geoserver/publication.js';
import {
  GeoServerAuthError,
  GeoServerResponseError,
  GeoServerUnavailableError,
} from '../geoserver/rest.js';
import { ForeignDatastoreError } from '../geoserver/plan.js';
import { readGeoServerConnection, readPublicationSettings } from '../geoserver/settings.js';
import { HttpProblem } from '../http/problem.js';
import { log } from '../log.js';
import { loadRegencyProfile } from './seed-service.js';

/** What the admin page shows without asking GeoServer: is it configured, and the last apply. */
export interface GeoServerStatus {
  configured: boolean;
  /** Why publication cannot run, naming the variable to set; absent when configured. */
  problem?: string;
  url: string | null;
  lastApply: GeoServerRun | null;
  /** The last apply that did not fail: the last apply itself unless that one failed. */
  lastSuccess: GeoServerRun | null;
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

/** The connection and what a publication works from; reads no GeoServer yet. */
async function readScope(pool: pg.Pool) {
  const connection = readGeoServerConnection();
  const regencyProfile = await loadRegencyProfile(config.seedDir);
  const settings = readPublicationSettings(regencyProfile);
  return { connection, scope: { pool, regency: regencyProfile, settings } };
}

/** Whether GeoServer publication is configured, the last apply and the last that succeeded. */
export async function getGeoServerStatus(pool: pg.Pool): Promise<GeoServerStatus> {
  const lastApply = (await getLastApply(pool)) ?? null;
  const lastSuccess =
    lastApply?.outcome === 'failed' ? ((await getLastSuccessfulApply(pool)) ?? null) : lastApply;
  const runs = { lastApply, lastSuccess };
  try {
    const connection = readGeoServerConnection();
    readPublicationSettings(await loadRegencyProfile(config.seedDir));
    return { configured: true, url: connection.restUrl, ...runs };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      configured: false,
      problem: error.message,
      url: config.geoserver.url ? redactUrl(config.geoserver.url) : null,
      ...runs,
    };
  }
}

/** The plan against the configured GeoServer; reads only. */
export async function planGeoServerPublication(
  pool: pg.Pool,
  { force = false } = {},
): Promise<PublicationPlan> {
  try {
    const { connection, scope } = await readScope(pool);
    const session = await openGeoServerSession(connection, { force });
    return await planPublication(session, scope);
  } catch (error) {
    throw toProblem(error);
  }
}

/**
 * Applies the plan and records the run for the admin page, a failed one too: where it stopped
 * and why. A configuration that stops it before GeoServer is asked, or an apply already
 * running, is answered without a record (nothing was attempted).
 */
export async function applyGeoServerPublication(
  pool: pg.Pool,
  { force = false, requestedBy }: { force?: boolean; requestedBy: string },
): Promise<PublicationResult> {
  const startedAt = new Date();
  let prepared;
  try {
    prepared = await readScope(pool);
  } catch (error) {
    throw toProblem(error);
  }
  const attempt: RunAttempt = { url: prepared.connection.restUrl, requestedBy, startedAt };

  let stage: 'connect' | 'plan' = 'connect';
  let result: PublicationResult;
  try {
    attempt.session = await openGeoServerSession(prepared.connection, { force });
    stage = 'plan';
    result = await applyPublication(attempt.session, prepared.scope);
  } catch (error) {
    if (error instanceof PublicationBusyError) {
      throw new HttpProblem(409, 'geoserver-busy', 'Publication running', error.message);
    }
    // The caller learns what GeoServer did either way; a record lost is for the log.
    await recordFailedApply(pool, attempt, stage, error).catch((recordError: unknown) =>
      log.error({ err: recordError }, 'failed geoserver apply not recorded'),
    );
    throw toProblem(error);
  }
  await recordApply(pool, attempt, result);
  if (result.report.outcome === 'failed') throw stoppedAtStep(result);
  return result;
}

/**
 * An apply stopped by a failed step: 502, since GeoServer refused or failed it (or did not
 * keep what it accepted). The problem carries the plan and the report, every step done,
 * failed or not done, as a successful apply answers them.
 */
function stoppedAtStep(result: PublicationResult): HttpProblem {
  const { steps } = result.report;
  const failed = steps.find((step) => step.status === 'failed');
  const count = (status: string) => steps.filter((step) => step.status === status).length;
  const step = failed ? `${failed.action} ${failed.kind} ${failed.name}` : '?';
  const detail =
    `Step ${step} failed: ${failed?.error ?? 'no reason given'}; ` +
    `${countNoun(count('done'), 'step')} done, ${count('not-done')} not done; ` +
    'apply again to resume from what GeoServer now holds.';
  const title = 'GeoServer publication stopped';
  return new HttpProblem(502, 'geoserver-apply-failed', title, detail, { ...result });
}
