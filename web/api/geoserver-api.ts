import { ApiRequestError } from './client-api.js';

/** One GeoServer object of a plan and what happens to it. */
export interface PlannedChange {
  kind: 'workspace' | 'datastore' | 'style' | 'featureType' | 'layer' | 'layerGroup';
  name: string;
  action: 'create' | 'update' | 'delete' | 'unchanged';
  /** The fields that differ, for an update. */
  fields: string[];
}

/** What `/admin/geoserver/plan` answers. */
export interface PublicationPlan {
  geoserver: {
    url: string;
    version: string;
    warning?: string;
    transportWarning?: string;
    forced: boolean;
  };
  workspace: string;
  datastore: string;
  changes: PlannedChange[];
  foreign: { kind: PlannedChange['kind']; name: string }[];
  counts: Record<PlannedChange['action'], number>;
}

/** What became of one change in an apply. */
export interface StepReport extends PlannedChange {
  status: 'done' | 'failed' | 'not-done' | 'unchanged';
  error?: string;
}

/** What `/admin/geoserver/apply` answers. */
export interface PublicationResult {
  plan: PublicationPlan;
  report: { outcome: 'applied' | 'unchanged' | 'failed'; steps: StepReport[] };
}

/** A recorded apply, as `/admin/geoserver` lists the last one. */
export interface GeoServerRun {
  outcome: string;
  forced: boolean;
  requestedBy: string;
  geoserverVersion: string | null;
  /**
   * Where a failed apply stopped: reading the configuration, asking GeoServer its version,
   * reading its catalog to plan (these with no plan and no step in the report), or a step of
   * the plan. Null otherwise.
   */
  failedStage?: 'configure' | 'connect' | 'plan' | 'apply' | null;
  /** Why it failed; null when it did not. */
  error?: string | null;
  finishedAt: string;
  report: { plan: PublicationPlan | null; report: PublicationResult['report'] };
}

/** What `/admin/geoserver` answers without asking GeoServer. */
export interface GeoServerStatus {
  configured: boolean;
  problem?: string;
  url: string | null;
  lastApply: GeoServerRun | null;
  /** The last apply that did not fail: the last apply itself, unless that one failed. */
  lastSuccess: GeoServerRun | null;
}

/** The logged-in user, if any, and the CSRF token writes must send. */
export interface SessionInfo {
  user: { name: string; roles: string[] } | null;
  csrfToken: string | null;
}

/** A problem-details answer: its status, `type` slug and the extra fields some carry. */
export class ProblemError extends ApiRequestError {
  constructor(
    status: number,
    url: string,
    readonly problem: { type?: string; detail?: string; [field: string]: unknown },
  ) {
    super(status, url, problem.detail);
    this.name = 'ProblemError';
  }
}

async function requestJson<Body>(url: string, init: RequestInit = {}): Promise<Body> {
  const headers = { Accept: 'application/json', ...init.headers };
  const response = await fetch(url, { credentials: 'same-origin', ...init, headers });
  if (response.ok) return (await response.json()) as Body;

  const problem = (await response.json().catch(() => ({}))) as ProblemError['problem'];
  throw new ProblemError(response.status, url, problem);
}

function postJson<Body>(url: string, body: unknown, csrfToken?: string | null) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  return requestJson<Body>(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Who is logged in on this browser, with the session's CSRF token. */
export function fetchSession(): Promise<SessionInfo> {
  return requestJson<SessionInfo>('/auth/session');
}

/** Logs in with a user name and password; the session cookie is set by the server. */
export function logIn(name: string, password: string): Promise<SessionInfo> {
  return postJson<SessionInfo>('/auth/login', { name, password });
}

/** Whether publication is configured, and the last apply. */
export function fetchGeoServerStatus(): Promise<GeoServerStatus> {
  return requestJson<GeoServerStatus>('/admin/geoserver');
}

/** The plan: GeoServer compared with the declarations; changes nothing. */
export function fetchGeoServerPlan(force: boolean): Promise<PublicationPlan> {
  return requestJson<PublicationPlan>(`/admin/geoserver/plan${force ? '?force=1' : ''}`);
}

/**
 * Carries the plan out; the server records the result. An apply stopped by a failed step is a
 * ProblemError (502) whose problem carries the plan and the report as well.
 */
export function applyGeoServerPlan(force: boolean, csrfToken: string | null) {
  return postJson<PublicationResult>('/admin/geoserver/apply', { force }, csrfToken);
}
