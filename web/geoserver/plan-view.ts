import type {
  GeoServerRun,
  PlannedChange,
  PublicationPlan,
  StepReport,
} from '../api/geoserver-api.js';
import { getLocale } from '../i18n/i18n.js';
import { geoserverText, type GeoServerMessageKey } from './geoserver-messages.js';

/** One table row: the cells as text and a modifier class for the row. */
export interface ViewRow {
  cells: string[];
  tone: string;
}

function actionCell(action: PlannedChange['action']): string {
  return geoserverText(`action.${action}` as GeoServerMessageKey);
}

/** The plan's changes, those that do something first, as rows of action, kind, name, fields. */
export function listPlanRows(plan: PublicationPlan): ViewRow[] {
  const changing = plan.changes.filter((change) => change.action !== 'unchanged');
  return changing.map((change) => ({
    cells: [actionCell(change.action), change.kind, change.name, change.fields.join(', ')],
    tone: change.action,
  }));
}

/** The counts line of a plan, or the note that there is nothing to do. */
export function describeCounts(plan: PublicationPlan): string {
  const { create, update, unchanged } = plan.counts;
  if (create + update + plan.counts.delete === 0) return geoserverText('nothingToDo');
  return geoserverText('counts', { create, update, delete: plan.counts.delete, unchanged });
}

/** An apply's steps other than the unchanged ones, with their status and error. */
export function listStepRows(steps: StepReport[]): ViewRow[] {
  return steps
    .filter((step) => step.status !== 'unchanged')
    .map((step) => ({
      cells: [
        geoserverText(`status.${step.status}` as GeoServerMessageKey),
        `${actionCell(step.action)} ${step.kind}`,
        step.name,
        step.error ?? step.fields.join(', '),
      ],
      tone: step.status,
    }));
}

/** One line on the last apply: outcome, when, by whom, against which GeoServer version. */
export function describeRun(run: GeoServerRun): string {
  const when = new Date(run.finishedAt).toLocaleString(getLocale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const outcome = geoserverText(`outcome.${run.outcome}` as GeoServerMessageKey);
  const who = run.requestedBy.replace(/^(user|token|cli):?/, '') || 'CLI';
  return geoserverText('runSummary', { outcome, when, who, version: run.geoserverVersion ?? '?' });
}

/**
 * Where a failed apply stopped and why, in the interface language; undefined for a run that
 * did not fail. A run recorded before stages were (no `failedStage`) is read from its steps.
 */
export function describeFailure(run: GeoServerRun): string | undefined {
  if (run.outcome !== 'failed') return undefined;
  const failed = run.report.report.steps.find((step) => step.status === 'failed');
  if (failed || run.failedStage === 'apply') {
    const step = failed ? `${actionCell(failed.action)} ${failed.kind} ${failed.name}` : '?';
    return geoserverText('failure.apply', { step, error: failed?.error ?? run.error ?? '' });
  }
  const stage = run.failedStage ?? 'connect';
  return geoserverText(`failure.${stage}`, { error: run.error ?? '' });
}
