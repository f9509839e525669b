/**
 * The editing half of the server API: login and session, features with their ETags, batch
 * saves, history and restore. Writes carry the session's CSRF token; nothing here retries.
 */
import type { RecordTableDefinition, Role } from '../../layers/types.js';

/** The logged-in user as the server reports it, or null for a visitor. */
export interface Session {
  user: { name: string; roles: Role[] } | null;
  csrfToken: string | null;
  editableLayers: string[];
}

/** A GeoJSON feature of a layer in CRS84. */
export interface EditableFeature {
  type: 'Feature';
  id: number;
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown>;
}

/** One field problem from the server (422) or the local checks. */
export interface FieldProblem {
  field: string;
  message: string;
  code?: string;
  index?: number;
  /** The other attribute of a rule across two attributes. */
  otherField?: string;
  /** A geometry outside the regency: how far it reaches out, and how far it may, in metres. */
  outsideM?: number;
  toleranceM?: number;
}

/** A problem+json answer: status, type slug, detail, and what else the server sent. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    detail: string,
    readonly body: Record<string, unknown>,
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  /** The field problems of a validation answer (empty otherwise). */
  get errors(): FieldProblem[] {
    return (this.body.errors as FieldProblem[] | undefined) ?? [];
  }
}

/** One edit of a batch save, as `/batch` takes it. */
export type BatchEdit =
  | { op: 'create'; collection: string; feature: Omit<EditableFeature, 'id'> }
  | { op: 'replace'; collection: string; featureId: number; etag: string; feature: unknown }
  | { op: 'delete'; collection: string; featureId: number; etag: string };

/** What `/batch` reports of each applied edit. */
export interface BatchReport {
  index: number;
  op: BatchEdit['op'];
  featureId: number;
  etag?: string;
  outcome: 'applied' | 'failed' | 'not-applied';
  status: number;
  problem?: { type: string; detail: string; errors?: FieldProblem[] };
}

/** One recorded edit of a feature. */
export interface HistoryEntry {
  historyId: number;
  featureId: number;
  operation: 'insert' | 'update' | 'delete';
  versionBefore: number | null;
  versionAfter: number | null;
  changedAt: string;
  changedBy: string;
  client: string;
  note: string | null;
  propertiesAfter: Record<string, unknown> | null;
  propertiesBefore: Record<string, unknown> | null;
}

let csrfToken: string | null = null;

/**
 * The header a POST made with the session cookie must carry (the CSRF token of the session
 * last read), for the other API modules; none for a visitor.
 */
export function sessionPostHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

async function request(method: string, url: string, body?: unknown, headers = {}) {
  const sent: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  if (csrfToken && method !== 'GET') sent['X-CSRF-Token'] = csrfToken;
  sent['X-Simpul-Client'] = 'simpul-web';

  const response = await fetch(url, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!response.ok) throw await toProblem(response);
  return response;
}

async function toProblem(response: Response): Promise<ApiProblem> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const type = String(body.type ?? '').replace('/problems/', '');
  const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${response.status}`;
  return new ApiProblem(response.status, type, detail, body);
}

/** Who is logged in (the session cookie travels by itself), remembering the CSRF token. */
export async function fetchSession(): Promise<Session> {
  const body = (await (await request('GET', '/auth/session')).json()) as Partial<Session>;
  csrfToken = body.csrfToken ?? null;
  return { user: body.user ?? null, csrfToken, editableLayers: body.editableLayers ?? [] };
}

/** Logs in; the server sets the session cookie. A wrong password is an ApiProblem 401. */
export async function logIn(name: string, password: string): Promise<Session> {
  await request('POST', '/auth/login', { name, password });
  return fetchSession();
}

/** Ends the session. */
export async function logOut() {
  await request('POST', '/auth/logout', {});
  csrfToken = null;
}

const itemsPath = (layerId: string) => `/collections/${encodeURIComponent(layerId)}/items`;

/** The features of a layer inside a CRS84 bbox, at most `limit`. */
export async function fetchFeaturesInBbox(
  layerId: string,
  bbox: number[],
  limit: number,
  signal?: AbortSignal,
): Promise<EditableFeature[]> {
  const box = bbox.map((n) => n.toFixed(6)).join(',');
  const url = `${itemsPath(layerId)}?bbox=${box}&limit=${limit}`;
  const response = await fetch(url, { headers: { Accept: 'application/geo+json' }, signal });
  if (!response.ok) throw await toProblem(response);
  return ((await response.json()) as { features: EditableFeature[] }).features;
}

/** One feature with the ETag its next write must send. */
export async function fetchFeatureWithETag(layerId: string, featureId: number) {
  const response = await request('GET', `${itemsPath(layerId)}/${featureId}`);
  const feature = (await response.json()) as EditableFeature;
  return { feature, etag: response.headers.get('ETag') ?? '' };
}

/** Saves many edits in one transaction: all or nothing (an ApiProblem reports each edit). */
export async function saveBatch(edits: BatchEdit[]): Promise<BatchReport[]> {
  const response = await request('POST', '/batch', { edits });
  return ((await response.json()) as { edits: BatchReport[] }).edits;
}

/** Every recorded edit of a feature, oldest first. */
export async function fetchHistory(layerId: string, featureId: number): Promise<HistoryEntry[]> {
  const response = await request('GET', `${itemsPath(layerId)}/${featureId}/history`);
  return ((await response.json()) as { versions: HistoryEntry[] }).versions;
}

/** Restores a version as a new edit; `etag` is the current one (none for a deleted feature). */
export async function restoreVersion(
  layerId: string,
  featureId: number,
  version: number,
  etag?: string,
) {
  const url = `${itemsPath(layerId)}/${featureId}/history/${version}/restore`;
  const response = await request('POST', url, undefined, etag ? { 'If-Match': etag } : {});
  return (await response.json()) as { version: number };
}

/** A stored record (condition survey, inspection). */
export interface StoredRecord {
  id: number;
  properties: Record<string, unknown>;
  createdAt: string;
  updatedBy: string | null;
}

/** The declarations of the record tables the caller may read. */
export async function fetchRecordTables(): Promise<RecordTableDefinition[]> {
  const response = await request('GET', '/records');
  return ((await response.json()) as { tables: RecordTableDefinition[] }).tables;
}

/** The records of one feature, newest first. */
export async function fetchRecords(tableId: string, parentKey: string, limit = 5) {
  const query = `parent=${encodeURIComponent(parentKey)}&limit=${limit}`;
  const response = await request('GET', `/records/${encodeURIComponent(tableId)}?${query}`);
  return ((await response.json()) as { records: StoredRecord[] }).records;
}

/** Adds a record; a 422 ApiProblem lists the fields to fix. */
export async function addRecord(tableId: string, properties: Record<string, unknown>) {
  const response = await request('POST', `/records/${encodeURIComponent(tableId)}`, { properties });
  return (await response.json()) as StoredRecord;
}

/** The recent edits of a layer, newest first (no geometries). */
export async function fetchLayerChanges(layerId: string, limit = 200): Promise<HistoryEntry[]> {
  const url = `/collections/${encodeURIComponent(layerId)}/history?limit=${limit}`;
  const response = await request('GET', url);
  return ((await response.json()) as { changes: HistoryEntry[] }).changes;
}
