/**
 * The import and export half of the server API: uploads with progress, previews, import jobs
 * and their reports, and export download URLs. Writes carry the session's CSRF token.
 */

/** What the server says an uploaded file holds. */
export interface UploadedFile {
  uploadId: string;
  fileName: string;
  bytes: number;
  format: string;
  sourceLayers: string[];
}

/** How to read the file and load it; everything optional is detected or defaulted. */
export interface ImportOptions {
  uploadId: string;
  layerId: string;
  sourceLayers?: string[];
  mapping?: Record<string, string | null>;
  mode?: 'all-or-nothing' | 'valid-only';
  action?: 'append' | 'replace';
  dryRun?: boolean;
  encoding?: string;
  crs?: string;
  csv?: { delimiter?: string; decimalComma?: boolean };
}

/** Values a coded text quotes: a value, a distance in metres, a count, a name. */
export type MessageParams = Record<string, string | number>;

/** A text's stable code and params, from which the interface words it in its language. */
export interface CodedText {
  code: string;
  params?: MessageParams | null;
}

/**
 * One rejected row: its number in the file, the field and why, in English (`reason`) and as
 * the code of the rule broken with what its text quotes (null for jobs before codes were kept).
 */
export interface Rejection {
  row: number;
  field: string;
  reason: string;
  code?: string | null;
  params?: MessageParams | null;
}

/** The first rows of a file as the import would read them. */
export interface ImportPreview {
  format: string;
  sourceLayers: string[];
  fields: string[];
  mapping: Record<string, string | null>;
  encoding?: string;
  /** English notes, and their codes index-aligned. */
  notes: string[];
  noteCodes: CodedText[];
  sample: { row: number; properties: Record<string, unknown>; geometry: unknown }[];
  problems: Rejection[];
}

/** An import job: status, progress counts and outcome. */
export interface ImportJob {
  id: string;
  layerId: string;
  status:
    | 'running'
    | 'committing'
    | 'succeeded'
    | 'checked'
    | 'rejected'
    | 'failed'
    | 'cancelled'
    | 'undone';
  /** The step running, or the last one a finished job reached; null for older jobs. */
  step: 'reading' | 'checking-geometries' | 'checking-unique-values' | 'writing' | null;
  action: 'append' | 'replace';
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  fractionRead: number | null;
  rowsReplaced: number | null;
  notes: string[];
  noteCodes?: CodedText[];
  message: string | null;
  messageCode?: string | null;
  messageParams?: MessageParams | null;
}

/** A problem+json answer turned into an error carrying its detail. */
export class ImportApiError extends Error {
  /** The problem's stable type without `/problems/` (`missing-crs`), when the server named one. */
  readonly type: string | undefined;

  constructor(
    readonly status: number,
    detail: string,
    /** The problem+json body: its members beside `detail` are what a translation quotes. */
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ImportApiError';
    this.type = typeof body.type === 'string' ? body.type.replace(/^\/problems\//, '') : undefined;
  }
}

function writeHeaders(csrfToken: string | null): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  return headers;
}

async function readAnswer<Body>(response: Response): Promise<Body> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${response.status}`;
    throw new ImportApiError(response.status, detail, body);
  }
  return body as Body;
}

async function postJson<Body>(url: string, body: unknown, csrfToken: string | null) {
  const headers = { ...writeHeaders(csrfToken), 'Content-Type': 'application/json' };
  const init = { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' };
  return readAnswer<Body>(await fetch(url, init as RequestInit));
}

/**
 * Sends a file as the raw request body; `onProgress` hears the share sent (0–1). XHR, because
 * fetch reports no upload progress.
 */
export function uploadFile(
  file: File,
  csrfToken: string | null,
  onProgress: (fraction: number) => void,
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/imports/uploads?fileName=${encodeURIComponent(file.name)}`);
    for (const [name, value] of Object.entries(writeHeaders(csrfToken))) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      // a proxy's own page (a 502, a 413) is no JSON: parsing it threw in this listener and
      // the upload waited forever, its progress bar shown
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      if (xhr.status === 201) resolve(body as unknown as UploadedFile);
      else {
        const detail = String(body.detail ?? `HTTP ${xhr.status}`);
        reject(new ImportApiError(xhr.status, detail, body));
      }
    });
    xhr.addEventListener('error', () => reject(new ImportApiError(0, 'network error')));
    xhr.send(file);
  });
}

/** Reads, maps and validates the first rows without writing. */
export function previewImport(options: ImportOptions, csrfToken: string | null) {
  return postJson<ImportPreview>('/imports/preview', options, csrfToken);
}

/** Starts an import job in the background. */
export function startImport(options: ImportOptions, csrfToken: string | null) {
  return postJson<ImportJob>('/imports', options, csrfToken);
}

/** The job as it is now. */
export async function fetchImportJob(jobId: string): Promise<ImportJob> {
  const url = `/imports/${encodeURIComponent(jobId)}`;
  return readAnswer(await fetch(url, { headers: { Accept: 'application/json' } }));
}

/** The first rejected rows of a job and how many there are in all. */
export async function fetchRejections(jobId: string, limit = 100) {
  const url = `/imports/${encodeURIComponent(jobId)}/rejections?limit=${limit}`;
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  return readAnswer<{ rejections: Rejection[]; total: number }>(response);
}

/** The CSV of every rejected row. */
export function rejectionsCsvUrl(jobId: string): string {
  return `/imports/${encodeURIComponent(jobId)}/rejections?f=csv`;
}

/** Asks a running job to stop; the layer stays as it was. */
export function cancelImport(jobId: string, csrfToken: string | null) {
  return postJson<ImportJob>(`/imports/${encodeURIComponent(jobId)}/cancel`, {}, csrfToken);
}

/** Undoes a succeeded import. */
export function undoImport(jobId: string, csrfToken: string | null) {
  const url = `/imports/${encodeURIComponent(jobId)}/undo`;
  return postJson<{ deleted: number; restored: number }>(url, {}, csrfToken);
}

/** What an export asks for. */
export interface ExportChoice {
  layerId: string;
  format: string;
  crs: string;
  /** Only features in this box (CRS84), e.g. the map view. */
  bbox?: number[];
}

/** The download URL of an export. */
export function exportUrl(choice: ExportChoice): string {
  const query = new URLSearchParams({ format: choice.format, crs: choice.crs });
  if (choice.bbox) query.set('bbox', choice.bbox.map((n) => n.toFixed(6)).join(','));
  return `/exports/${encodeURIComponent(choice.layerId)}?${query}`;
}
