import type pg from 'pg';
import type { LayerDefinition, ThemeDefinition } from '../../layers/types.js';
import type { RegencyProfile } from '../../seeds/types/seed-source.js';
import {
  insertGeoServerRun,
  selectLastGeoServerRun,
  type FailedStage,
} from '../db/queries/geoserver-runs.js';
import { getLayerExtent } from '../services/feature-service.js';
import { listLayers, listThemes } from '../services/layer-registry.js';
import { applyPlan, type ApplyReport } from './apply.js';
import { buildDesiredCatalog, selectPublishedLayers, type Extent } from './desired-catalog.js';
import { readObservedCatalog } from './observed-catalog.js';
import { countChanges, planChanges, type ChangeAction, type Plan } from './plan.js';
import type { GeoServerSession } from './session.js';
import type { PublicationSettings } from './settings.js';

export {
  GeoServerRefusedError,
  openGeoServerSession,
  readGeoServerVersion,
  type GeoServerSession,
} from './session.js';

/** Another apply is running in this process. */
export class PublicationBusyError extends Error {}

/** What a plan shows: the GeoServer, the workspace, every change and what is left alone. */
export interface PublicationPlan extends Plan {
  geoserver: {
    url: string;
    version: string;
    /** Why the version would have been refused, when forced. */
    warning?: string;
    /** Set when the password travels unencrypted to another machine. */
    transportWarning?: string;
    forced: boolean;
  };
  workspace: string;
  datastore: string;
  counts: Record<ChangeAction, number>;
}

/** What a publication works from: the database, the regency, settings and declarations. */
export interface PublicationScope {
  pool: pg.Pool;
  regency: RegencyProfile;
  settings: PublicationSettings;
  /** The declarations to publish; the registry's by default. */
  declarations?: { layers: readonly LayerDefinition[]; themes: readonly ThemeDefinition[] };
}

async function readExtents(scope: PublicationScope, layers: readonly LayerDefinition[]) {
  const published = selectPublishedLayers(layers, scope.settings.publishNonPublic);
  const extents = await Promise.all(published.map((layer) => getLayerExtent(scope.pool, layer)));
  return new Map(published.map((layer, i) => [layer.id, (extents[i] as Extent | null) ?? null]));
}

async function prepare(session: GeoServerSession, scope: PublicationScope) {
  const { layers, themes } = scope.declarations ?? { layers: listLayers(), themes: listThemes() };
  const { settings, regency } = scope;
  const extents = await readExtents(scope, layers);
  const desired = buildDesiredCatalog({ layers, themes, regency, settings, extents });
  const observed = await readObservedCatalog(
    session.rest,
    settings.workspace,
    settings.datastoreName,
  );
  return { desired, plan: planChanges(desired, observed) };
}

/** A warning when the GeoServer password would travel unencrypted beyond this machine. */
export function transportWarningOf(restUrl: string): { transportWarning?: string } {
  const { protocol, hostname } = new URL(restUrl);
  const loopback = hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
  if (protocol === 'https:' || loopback) return {};
  return {
    transportWarning: 'GEOSERVER_URL is plain http: the GeoServer password travels unencrypted',
  };
}

function describePlan(
  session: GeoServerSession,
  settings: PublicationSettings,
  plan: Plan,
): PublicationPlan {
  const { verdict } = session;
  return {
    geoserver: {
      url: session.connection.restUrl,
      version: verdict.version,
      ...(verdict.refusal ? { warning: verdict.refusal } : {}),
      ...transportWarningOf(session.connection.restUrl),
      forced: session.forced,
    },
    workspace: settings.workspace,
    datastore: settings.datastoreName,
    ...plan,
    counts: countChanges(plan.changes),
  };
}

/** Compares GeoServer with the declarations; reads only. */
export async function planPublication(
  session: GeoServerSession,
  scope: PublicationScope,
): Promise<PublicationPlan> {
  const { plan } = await prepare(session, scope);
  return describePlan(session, scope.settings, plan);
}

/** What an apply planned and what became of each step. */
export interface PublicationResult {
  plan: PublicationPlan;
  report: ApplyReport;
}

let applying = false;

/**
 * Plans, then carries the plan out step by step with verification. One apply at a time per
 * process; a second one meanwhile is refused.
 */
// TODO: two processes (the server and `npm run geoserver -- apply`) can still apply at once;
// each step is idempotent, so the cost is a failed step that the next apply repeats.
export async function applyPublication(
  session: GeoServerSession,
  scope: PublicationScope,
): Promise<PublicationResult> {
  if (applying) {
    throw new PublicationBusyError('another publication to GeoServer is running; try again later');
  }
  applying = true;
  try {
    const { desired, plan } = await prepare(session, scope);
    const report = await applyPlan({ rest: session.rest, library: session.library, desired }, plan);
    return { plan: describePlan(session, scope.settings, plan), report };
  } finally {
    applying = false;
  }
}

/** Who asked for a run against which GeoServer, and when; its session once it opened. */
export interface RunAttempt {
  url: string;
  requestedBy: string;
  startedAt: Date;
  session?: GeoServerSession;
}

/** Records a plan or an apply for the admin page; the report holds names, never secrets. */
async function recordGeoServerRun(
  pool: pg.Pool,
  attempt: RunAttempt,
  run: {
    kind: 'plan' | 'apply';
    outcome: string;
    report: unknown;
    failedStage?: FailedStage;
    error?: string;
  },
): Promise<void> {
  await insertGeoServerRun(pool, {
    kind: run.kind,
    outcome: run.outcome,
    forced: attempt.session?.forced ?? false,
    requestedBy: attempt.requestedBy,
    geoserverUrl: attempt.url,
    geoserverVersion: attempt.session?.verdict.version ?? null,
    report: run.report,
    failedStage: run.failedStage ?? null,
    error: run.error ?? null,
    startedAt: attempt.startedAt.toISOString(),
  });
}

/** Records a plan that was shown. */
export async function recordPlan(pool: pg.Pool, attempt: RunAttempt, plan: PublicationPlan) {
  await recordGeoServerRun(pool, attempt, { kind: 'plan', outcome: 'planned', report: plan });
}

/** Records an apply and its report; a failed step is recorded as where the apply stopped. */
export async function recordApply(pool: pg.Pool, attempt: RunAttempt, done: PublicationResult) {
  const { outcome, steps } = done.report;
  const failed = steps.find((step) => step.status === 'failed');
  const failure = failed && {
    failedStage: 'apply' as const,
    error: `${failed.kind} ${failed.name}: ${failed.error ?? 'failed'}`,
  };
  const run = { kind: 'apply' as const, outcome, report: done, ...failure };
  await recordGeoServerRun(pool, attempt, run);
}

/**
 * Records a plan or an apply that ended before it had a report: the configuration missing or
 * invalid (`configure`), GeoServer unreachable, credentials or version refused (`connect`), or
 * its catalog unreadable (`plan`). An apply's report has the shape of one, with no plan and no
 * step, so every reader of the last apply can read it; a plan's is null (none was made).
 */
export async function recordFailedRun(
  pool: pg.Pool,
  attempt: RunAttempt,
  kind: 'plan' | 'apply',
  failedStage: Exclude<FailedStage, 'apply'>,
  error: unknown,
) {
  const noStep = { outcome: 'failed', steps: [] };
  const report = kind === 'apply' ? { plan: null, report: noStep } : null;
  const message = error instanceof Error ? error.message : String(error);
  await recordGeoServerRun(pool, attempt, {
    kind,
    outcome: 'failed',
    report,
    failedStage,
    error: message,
  });
}

/** The last apply, for the admin page. */
export async function getLastApply(pool: pg.Pool) {
  return selectLastGeoServerRun(pool, 'apply');
}

/** The last apply that did not fail (it applied, or found nothing to change). */
export async function getLastSuccessfulApply(pool: pg.Pool) {
  return selectLastGeoServerRun(pool, 'apply', ['applied', 'unchanged']);
}
