import type pg from 'pg';
import { config, ConfigError } from '../config.js';
import { countNoun } from '../counted-noun.js';
import type { FailedStage, GeoServerRun } from '../db/queries/geoserver-runs.js';
import {
  applyPublication,
  getLastApply,
  getLastSuccessfulApply,
  GeoServerRefusedError,
  openGeoServerSession,
  planPublication,
  PublicationBusyError,
  recordApply,
  recordFailedRun,
  recordPlan,
  type GeoServerSession,
  type PublicationPlan,
  type PublicationScope,
  type PublicationResult,
  type RunAttempt,
} from '../geoserver/publication.js';
import {
  GeoServerAuthError,
  GeoServerResponseError,
  GeoServerUnavailableError,
} from '../geoserver/rest.js';
import { ForeignDatastoreError } from '../geoserver/plan.js';
import {
  readGeoServerConnection,
  readMaskedGeoServerUrl,
  readPublicationSettings,
} from '../geoserver/settings.js';
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
    const url = readMaskedGeoServerUrl() ?? null;
    return { configured: false, problem: error.message, url, ...runs };
  }
}

/** Who asks, from now, against the configured GeoServer (whose URL may not be valid yet). */
function startAttempt(requestedBy: string): RunAttempt {
  return { url: readMaskedGeoServerUrl() ?? '', requestedBy, startedAt: new Date() };
}

/**
 * Reads the configuration, asks GeoServer its version, then does `work` (a plan or an apply).
 * A failure on the way is recorded as a `kind` run, with the stage it stopped at and why, and
 * thrown as a problem; a record lost is for the log, the caller learns what happened either way.
 */
async function runRecorded<Result>(
  pool: pg.Pool,
  attempt: RunAttempt,
  { kind, force }: { kind: 'plan' | 'apply'; force: boolean },
  work: (session: GeoServerSession, scope: PublicationScope) => Promise<Result>,
): Promise<Result> {
  let stage: Exclude<FailedStage, 'apply'> = 'configure';
  try {
    const { connection, scope } = await readScope(pool);
    attempt.url = connection.restUrl;
    stage = 'connect';
    attempt.session = await openGeoServerSession(connection, { force });
    stage = 'plan';
    return await work(attempt.session, scope);
  } catch (error) {
    // Not recorded: this refusal attempted nothing, and the apply running records its own
    // result when it ends. Recorded as the last apply, it would show a publication that may
    // well succeed as failed until then.
    if (error instanceof PublicationBusyError) {
      throw new HttpProblem(409, 'geoserver-busy', 'Publication running', error.message);
    }
    await recordFailedRun(pool, attempt, kind, stage, error).catch((recordError: unknown) =>
      log.error({ err: recordError, kind }, 'failed geoserver run not recorded'),
    );
    throw toProblem(error);
  }
}

/** The plan against the configured GeoServer, recorded (a failed one too); reads GeoServer. */
export async function planGeoServerPublication(
  pool: pg.Pool,
  { force = false, requestedBy }: { force?: boolean; requestedBy: string },
): Promise<PublicationPlan> {
  const attempt = startAttempt(requestedBy);
  const plan = await runRecorded(pool, attempt, { kind: 'plan', force }, planPublication);
  await recordPlan(pool, attempt, plan);
  return plan;
}

/**
 * Applies the plan and records the run for the admin page, a failed one too: where it stopped
 * (the configuration, GeoServer's version, its catalog or a step) and why. An apply refused
 * because another one is running is a 409, not recorded.
 */
export async function applyGeoServerPublication(
  pool: pg.Pool,
  { force = false, requestedBy }: { force?: boolean; requestedBy: string },
): Promise<PublicationResult> {
  const attempt = startAttempt(requestedBy);
  const result = await runRecorded(pool, attempt, { kind: 'apply', force }, applyPublication);
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
