/**
 * Tables of imports: one row per import job (its options, progress and outcome), and one row
 * per rejected source row, so the report of a million-row file is paged from the database and
 * a job can be followed and cancelled from any server instance. Appended in `core.ts`.
 */
export const importJobsSql = `
  CREATE TABLE IF NOT EXISTS simpul_import_job (
    id uuid PRIMARY KEY,
    layer_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'committing', 'succeeded', 'checked',
      'rejected', 'failed', 'cancelled', 'undone')),
    action text NOT NULL CHECK (action IN ('append', 'replace')),
    mode text NOT NULL CHECK (mode IN ('all-or-nothing', 'valid-only')),
    source jsonb NOT NULL,
    rows_read bigint NOT NULL DEFAULT 0,
    rows_written bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    fraction_read double precision,
    rows_replaced bigint,
    notes jsonb NOT NULL DEFAULT '[]',
    message text,
    cancel_requested boolean NOT NULL DEFAULT false,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
  );
  CREATE INDEX IF NOT EXISTS simpul_import_job_layer_idx
    ON simpul_import_job (layer_id, created_at);
  CREATE TABLE IF NOT EXISTS simpul_import_rejection (
    job_id uuid NOT NULL REFERENCES simpul_import_job (id) ON DELETE CASCADE,
    row_number bigint NOT NULL,
    field text NOT NULL,
    reason text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS simpul_import_rejection_job_idx
    ON simpul_import_rejection (job_id, row_number);
`;

/**
 * The step of an import job (reading, checking geometries, checking unique values, writing),
 * so that a job busy for minutes in one statement says which. Null for jobs recorded before.
 */
export const importJobStepSql = `
  ALTER TABLE simpul_import_job ADD COLUMN IF NOT EXISTS step text
    CONSTRAINT simpul_import_job_step_check
    CHECK (step IN ('reading', 'checking-geometries', 'checking-unique-values', 'writing'));
`;

/**
 * Stable codes beside the English texts of imports, so a client words them in its own
 * language: each rejected row's rule code and the params its text quotes, each note's code
 * and params (index-aligned with `notes`), and the message's. Null or empty on older jobs.
 */
export const importCodesSql = `
  ALTER TABLE simpul_import_rejection
    ADD COLUMN IF NOT EXISTS code text,
    ADD COLUMN IF NOT EXISTS params jsonb;
  ALTER TABLE simpul_import_job
    ADD COLUMN IF NOT EXISTS note_codes jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS message_code text,
    ADD COLUMN IF NOT EXISTS message_params jsonb;
`;

/**
 * The database session that keeps a running job's process alive (its backend's pid and start
 * time, as pg_stat_activity shows them). A process that dies (killed, or its machine down)
 * loses its sessions at once, so its job is known dead at the next look instead of after the
 * ten minutes without a heartbeat. Null for jobs of the embedded database and older jobs.
 */
export const importJobSessionSql = `
  ALTER TABLE simpul_import_job
    ADD COLUMN IF NOT EXISTS session_pid integer,
    ADD COLUMN IF NOT EXISTS session_started timestamptz;
`;
