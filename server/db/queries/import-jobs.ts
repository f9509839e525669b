import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'>;

/** Where an import job is: reading the file, committing, or one of its outcomes. */
export type ImportStatus =
  | 'running'
  | 'committing'
  | 'succeeded'
  | 'checked'
  | 'rejected'
  | 'failed'
  | 'cancelled'
  | 'undone';

/**
 * The step a job is at, or for a finished job the last it reached: reading the file into the
 * load table, checking every loaded geometry, checking unique values across the file, writing
 * into the layer. The last three are single long statements (up to minutes on a large file).
 */
export type ImportStep = 'reading' | 'checking-geometries' | 'checking-unique-values' | 'writing';

/** Values a translated text quotes: a value, a distance in metres, a count, a name. */
export type MessageParams = Record<string, string | number>;

/** A stable code and its params, from which a client words a text in its own language. */
export interface CodedText {
  code: string;
  params?: MessageParams;
}

/** A note or message of a job: its code and params, and the English text (API, CLI, logs). */
export interface ImportNote extends CodedText {
  text: string;
}

/** An import job as stored: options, progress and outcome. */
export interface ImportJobRow {
  id: string;
  layerId: string;
  status: ImportStatus;
  step: ImportStep | null;
  action: 'append' | 'replace';
  mode: 'all-or-nothing' | 'valid-only';
  source: Record<string, unknown>;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Share of the file read, 0–1, when the reader can tell. */
  fractionRead: number | null;
  rowsReplaced: number | null;
  /** English notes on how the file was read; `noteCodes` holds their codes, index-aligned. */
  notes: string[];
  /** Codes of `notes`, one per note (empty for jobs recorded before codes were kept). */
  noteCodes: CodedText[];
  message: string | null;
  /** Code and params of `message`; null before codes were kept, or without a message. */
  messageCode: string | null;
  messageParams: MessageParams | null;
  cancelRequested: boolean;
  createdBy: string;
  createdAt: string;
  heartbeatAt: string;
  finishedAt: string | null;
}

/**
 * One rejected source row: its number in the file, the field, the English reason, and the
 * stable code of the rule broken (`FeatureProblem['code']`) with the params its translation
 * quotes (`value`, `outsideM`, `toleranceM`, `otherField`, `invalidReason`, `firstRow`). Code and
 * params are null on rows stored before they were kept.
 */
export interface RejectionRow {
  row: number;
  field: string;
  reason: string;
  code?: string | null;
  params?: MessageParams | null;
}

/** An escaped U+0000, not itself behind an escaped backslash. */
const escapedNul = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * JSON text for a jsonb column. jsonb cannot hold U+0000, which a file may put in a field name
 * or a value quoted by a rejection: it becomes U+FFFD, so the job is recorded, not failed.
 */
function jsonbText(value: unknown): string {
  return JSON.stringify(value).replace(escapedNul, '$1\\ufffd');
}

const jobColumns = `id, layer_id AS "layerId", status, step, action, mode, source,
  rows_read AS "rowsRead", rows_written AS "rowsWritten", rows_rejected AS "rowsRejected",
  fraction_read AS "fractionRead", rows_replaced AS "rowsReplaced", notes,
  note_codes AS "noteCodes", message, message_code AS "messageCode",
  message_params AS "messageParams", cancel_requested AS "cancelRequested",
  created_by AS "createdBy", created_at AS "createdAt", heartbeat_at AS "heartbeatAt",
  finished_at AS "finishedAt"`;

/** Records a new running job, at its first step (reading the file). */
export async function insertImportJob(
  db: Queryable,
  job: Pick<ImportJobRow, 'id' | 'layerId' | 'action' | 'mode' | 'source' | 'createdBy'>,
) {
  await db.query(
    `INSERT INTO simpul_import_job
       (id, layer_id, status, step, action, mode, source, created_by)
     VALUES ($1, $2, 'running', 'reading', $3, $4, $5, $6)`,
    [job.id, job.layerId, job.action, job.mode, jsonbText(job.source), job.createdBy],
  );
}

/** One job, or undefined. */
export async function selectImportJob(db: Queryable, jobId: string) {
  const result = await db.query<ImportJobRow>(
    `SELECT ${jobColumns} FROM simpul_import_job WHERE id = $1`,
    [jobId],
  );
  return result.rows[0];
}

/** The latest jobs of a layer, newest first. */
export async function selectImportJobs(db: Queryable, layerId: string, limit: number) {
  const result = await db.query<ImportJobRow>(
    `SELECT ${jobColumns} FROM simpul_import_job WHERE layer_id = $1
     ORDER BY created_at DESC LIMIT $2`,
    [layerId, limit],
  );
  return result.rows;
}

/**
 * Writes the progress counters and the heartbeat, and returns whether a cancel was asked
 * (by any server instance) since the last call.
 */
export async function updateImportProgress(
  db: Queryable,
  jobId: string,
  progress: Pick<ImportJobRow, 'rowsRead' | 'rowsWritten' | 'rowsRejected' | 'fractionRead'>,
) {
  const result = await db.query<{ cancelRequested: boolean }>(
    `UPDATE simpul_import_job SET rows_read = $2, rows_written = $3, rows_rejected = $4,
       fraction_read = $5, heartbeat_at = now()
     WHERE id = $1 RETURNING cancel_requested AS "cancelRequested"`,
    [jobId, progress.rowsRead, progress.rowsWritten, progress.rowsRejected, progress.fractionRead],
  );
  return result.rows[0]?.cancelRequested ?? false;
}

/** What a status change may set besides the status. */
type ImportOutcome = Partial<Pick<ImportJobRow, 'rowsWritten' | 'rowsReplaced' | 'step'>> & {
  message?: ImportNote;
  notes?: readonly ImportNote[];
};

/** The notes as stored: English texts, and their codes index-aligned (JSON, or null). */
function storedNotes(notes: readonly ImportNote[] | undefined) {
  if (!notes) return { texts: null, codes: null };
  const codes = notes.map(({ code, params }) => ({ code, params }));
  return { texts: jsonbText(notes.map((n) => n.text)), codes: jsonbText(codes) };
}

/**
 * Sets the status (and optionally the outcome fields and the step) of a job, and returns
 * whether a cancel was asked. Inside a transaction the row stays locked until it ends, so a
 * cancel asked meanwhile waits for it and then finds the job's final status.
 */
export async function updateImportStatus(
  db: Queryable,
  jobId: string,
  status: ImportStatus,
  outcome: ImportOutcome = {},
) {
  const finished = status !== 'running' && status !== 'committing';
  const notes = storedNotes(outcome.notes);
  const { message } = outcome;
  const result = await db.query<{ cancelRequested: boolean }>(
    `UPDATE simpul_import_job SET status = $2, message = coalesce($3, message),
       notes = coalesce($4::jsonb, notes), rows_written = coalesce($5, rows_written),
       rows_replaced = coalesce($6, rows_replaced), heartbeat_at = now(),
       finished_at = CASE WHEN $7 THEN now() ELSE finished_at END, step = coalesce($8, step),
       note_codes = coalesce($9::jsonb, note_codes),
       message_code = CASE WHEN $3 IS NULL THEN message_code ELSE $10 END,
       message_params = CASE WHEN $3 IS NULL THEN message_params ELSE $11::jsonb END
     WHERE id = $1 RETURNING cancel_requested AS "cancelRequested"`,
    [
      jobId,
      status,
      message?.text ?? null,
      notes.texts,
      outcome.rowsWritten ?? null,
      outcome.rowsReplaced ?? null,
      finished,
      outcome.step ?? null,
      notes.codes,
      message?.code ?? null,
      message?.params ? jsonbText(message.params) : null,
    ],
  );
  return result.rows[0]?.cancelRequested ?? false;
}

/**
 * Ends a job cut off from its database as failed with `message`, unless it ended meanwhile: a
 * commit cut off may have been made, and then the job reads `succeeded`. A job another process
 * took for stopped (`server-stopped`) gets this, truer, message instead.
 */
export async function failCutOffImportJob(db: Queryable, jobId: string, message: ImportNote) {
  await db.query(
    `UPDATE simpul_import_job SET status = 'failed', finished_at = now(), rows_written = 0,
       message = $2, message_code = $3, message_params = NULL, heartbeat_at = now()
     WHERE id = $1
       AND (status IN ('running', 'committing') OR message_code = 'server-stopped')`,
    [jobId, message.text, message.code],
  );
}

/**
 * Ends a job that wrote nothing (a dry run checked, an import rejected) with `status`, unless a
 * cancel was asked before this statement: the job then ends `cancelled` with
 * `cancelledMessage`, as the 202 that answered the cancel said it would. Returns the status
 * written. (A cancel asked after it finds the job finished, and is answered 409.)
 */
export async function endImportUnlessCancelled(
  db: Queryable,
  jobId: string,
  status: 'checked' | 'rejected',
  outcome: { message: ImportNote; notes?: readonly ImportNote[] },
  cancelledMessage: ImportNote,
): Promise<'checked' | 'rejected' | 'cancelled'> {
  const notes = storedNotes(outcome.notes);
  const { message } = outcome;
  const params = (text: ImportNote) => (text.params ? jsonbText(text.params) : null);
  const result = await db.query<{ status: 'checked' | 'rejected' | 'cancelled' }>(
    `UPDATE simpul_import_job
     SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE $2 END,
       message = CASE WHEN cancel_requested THEN $3 ELSE $4 END,
       message_code = CASE WHEN cancel_requested THEN $6 ELSE $7 END,
       message_params = CASE WHEN cancel_requested THEN $8::jsonb ELSE $9::jsonb END,
       notes = coalesce($5::jsonb, notes), note_codes = coalesce($10::jsonb, note_codes),
       heartbeat_at = now(),
       -- a dry run's count of valid rows stays; a rejected or cancelled job wrote none
       rows_written = CASE WHEN cancel_requested OR $2 = 'rejected' THEN 0 ELSE rows_written END,
       finished_at = now()
     WHERE id = $1 RETURNING status`,
    [
      jobId,
      status,
      cancelledMessage.text,
      message.text,
      notes.texts,
      cancelledMessage.code,
      message.code,
      params(cancelledMessage),
      params(message),
      notes.codes,
    ],
  );
  return result.rows[0]?.status ?? status;
}

/** Moves a running job to its next step. */
export async function updateImportStep(db: Queryable, jobId: string, step: ImportStep) {
  await db.query('UPDATE simpul_import_job SET step = $2, heartbeat_at = now() WHERE id = $1', [
    jobId,
    step,
  ]);
}

/**
 * Writes the heartbeat of a job busy in a long statement and returns whether a cancel was
 * asked (the heartbeat also keeps a check of many minutes from being taken for a dead job).
 */
export async function updateImportHeartbeat(db: Queryable, jobId: string) {
  const result = await db.query<{ cancelRequested: boolean }>(
    `UPDATE simpul_import_job SET heartbeat_at = now()
     WHERE id = $1 RETURNING cancel_requested AS "cancelRequested"`,
    [jobId],
  );
  return result.rows[0]?.cancelRequested ?? false;
}

/**
 * Cancels the statement a database session is running (`pg_cancel_backend`), asked from
 * another session; true when the session was found. A session waiting for its next statement
 * ignores the cancel.
 */
export async function cancelBackendStatement(db: Queryable, backendPid: number) {
  const result = await db.query<{ cancelled: boolean }>(
    'SELECT pg_cancel_backend($1) AS cancelled',
    [backendPid],
  );
  return result.rows[0]?.cancelled ?? false;
}

/** Asks a running job to stop; true when the job was still running (or committing). */
export async function requestImportCancel(db: Queryable, jobId: string) {
  const result = await db.query(
    `UPDATE simpul_import_job SET cancel_requested = true
     WHERE id = $1 AND status IN ('running', 'committing')`,
    [jobId],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Stores rejected rows of one batch. */
export async function insertRejections(
  db: Queryable,
  jobId: string,
  rejections: readonly RejectionRow[],
) {
  if (rejections.length === 0) return;
  await db.query(
    `INSERT INTO simpul_import_rejection (job_id, row_number, field, reason, code, params)
     SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
    [
      jobId,
      rejections.map((r) => r.row),
      rejections.map((r) => r.field),
      rejections.map((r) => r.reason),
      rejections.map((r) => r.code ?? null),
      rejections.map((r) => (r.params ? jsonbText(r.params) : null)),
    ],
  );
}

/** A page of a job's rejected rows in file order, and how many there are in all. */
export async function selectRejections(
  db: Queryable,
  jobId: string,
  offset: number,
  limit: number,
) {
  const rows = await db.query<RejectionRow>(
    `SELECT row_number AS row, field, reason, code, params FROM simpul_import_rejection
     WHERE job_id = $1 ORDER BY row_number, field OFFSET $2 LIMIT $3`,
    [jobId, offset, limit],
  );
  const count = await db.query<{ n: number }>(
    'SELECT count(*)::bigint AS n FROM simpul_import_rejection WHERE job_id = $1',
    [jobId],
  );
  return { rejections: rows.rows, total: count.rows[0]?.n ?? 0 };
}

/**
 * The jobs taken for dead: running or committing while the session their process keeps open
 * is gone (its pid, and its start time where the reader may see it: PostgreSQL hides it from
 * another role without pg_read_all_stats, and a pid is seldom reused that soon); else, for jobs
 * without one, running without a heartbeat for ten minutes, or
 * committing for a day (the final load sends no heartbeat and may take long).
 */
export const staleJobCondition = `(
  status IN ('running', 'committing') AND session_pid IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.pid = session_pid
      AND (a.backend_start = session_started OR a.backend_start IS NULL))
  OR status = 'running' AND heartbeat_at < now() - interval '10 minutes'
  OR status = 'committing' AND heartbeat_at < now() - interval '1 day')`;

/**
 * Records the calling session as the one that keeps the job alive (see `staleJobCondition`);
 * run on a connection the job's process holds open until the job ends.
 */
export async function recordJobSession(db: Queryable, jobId: string) {
  await db.query(
    `UPDATE simpul_import_job SET session_pid = a.pid, session_started = a.backend_start
     FROM pg_stat_activity a WHERE a.pid = pg_backend_pid() AND id = $1`,
    [jobId],
  );
}

/** The messages of jobs found dead: whose process went, or cut off by a database restart. */
export interface StaleJobEndings {
  processGone: ImportNote;
  databaseRestarted: ImportNote;
}

/**
 * Marks as failed the jobs whose server stopped mid-import (only `jobId` when given), with
 * `ends.processGone`; their layer was never touched, since the load commits in one
 * transaction. A job whose session began before the database last started was cut off by that
 * restart rather than by its process: it ends with `ends.databaseRestarted`.
 */
export async function failStaleImportJobs(db: Queryable, ends: StaleJobEndings, jobId?: string) {
  const { processGone: gone, databaseRestarted: restarted } = ends;
  await db.query(
    `UPDATE simpul_import_job SET status = 'failed', finished_at = now(), rows_written = 0,
       message = CASE WHEN session_started < pg_postmaster_start_time() THEN $2 ELSE $4 END,
       message_code = CASE WHEN session_started < pg_postmaster_start_time() THEN $3 ELSE $5 END,
       message_params = NULL
     WHERE ${staleJobCondition} AND ($1::uuid IS NULL OR id = $1)`,
    [jobId ?? null, restarted.text, restarted.code, gone.text, gone.code],
  );
}
