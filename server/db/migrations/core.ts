import {
  accountsSql,
  apiTokenWithoutIfMatchSql,
  featureHistoryAsOfIndexSql,
  featureHistoryPerStatementSql,
  featureHistoryRowsAsJsonSql,
  featureHistoryLeanInsertsSql,
  featureHistoryWithoutMercatorSql,
  featureHistorySql,
  featureHistoryWriterSql,
  recordHistorySql,
} from './editing.js';
import {
  geoserverPublicationsSql,
  geoserverRunConfigureStageSql,
  geoserverRunFailureSql,
} from './geoserver.js';
import { importCodesSql, importJobSessionSql, importJobStepSql, importJobsSql } from './imports.js';
import { overlayStoreSql } from './overlays.js';
import { tileChangeLogSql } from './tile-change.js';

/** One fixed, numbered migration of the platform's own tables (not derived from layers). */
export interface CoreMigration {
  id: string;
  sql: string;
}

/**
 * The platform's own tables, applied in order, each once. Append new entries; never edit an
 * applied one (its id is recorded in `simpul_migration`).
 */
export const coreMigrations: CoreMigration[] = [
  {
    id: '0001-layer-schema',
    sql: `
      CREATE TABLE IF NOT EXISTS simpul_layer_schema (
        layer_id text PRIMARY KEY,
        version integer NOT NULL,
        checksum text NOT NULL,
        definition jsonb NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    id: '0002-seed-log',
    sql: `
      CREATE TABLE IF NOT EXISTS simpul_seed_log (
        layer_id text NOT NULL,
        seed_dir text NOT NULL,
        inserted integer NOT NULL,
        updated integer NOT NULL,
        rejected jsonb NOT NULL DEFAULT '[]',
        seeded_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  { id: '0003-accounts', sql: accountsSql },
  { id: '0004-feature-history', sql: featureHistorySql },
  {
    id: '0005-record-table-schema',
    sql: `
      CREATE TABLE IF NOT EXISTS simpul_record_table_schema (
        table_id text PRIMARY KEY,
        version integer NOT NULL,
        checksum text NOT NULL,
        definition jsonb NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  { id: '0006-import-jobs', sql: importJobsSql },
  { id: '0007-geoserver-runs', sql: geoserverPublicationsSql },
  { id: '0008-overlay-store', sql: overlayStoreSql },
  { id: '0009-record-history', sql: recordHistorySql },
  { id: '0010-feature-history-per-statement', sql: featureHistoryPerStatementSql },
  { id: '0011-feature-history-rows-as-json', sql: featureHistoryRowsAsJsonSql },
  { id: '0012-feature-history-without-mercator', sql: featureHistoryWithoutMercatorSql },
  { id: '0013-feature-history-lean-inserts', sql: featureHistoryLeanInsertsSql },
  { id: '0014-import-job-step', sql: importJobStepSql },
  { id: '0015-tile-change-log', sql: tileChangeLogSql },
  { id: '0016-feature-history-as-of-index', sql: featureHistoryAsOfIndexSql },
  { id: '0017-import-codes', sql: importCodesSql },
  { id: '0018-import-job-session', sql: importJobSessionSql },
  { id: '0019-feature-history-writer', sql: featureHistoryWriterSql },
  { id: '0020-geoserver-run-failure', sql: geoserverRunFailureSql },
  { id: '0021-api-token-without-if-match', sql: apiTokenWithoutIfMatchSql },
  { id: '0022-geoserver-run-configure-stage', sql: geoserverRunConfigureStageSql },
];
