/**
 * An import's rows written into the layer while the file is still being read, in the one
 * transaction that commits the import: the database's share of the commit (the rows, their
 * computed columns, the history, the indexes) then runs on a second core beside Node's
 * reading instead of after it. What is written early is kept only when the checks made after
 * reading refuse none of those rows; otherwise it is rolled back and the import writes its
 * rows from the load table as it would have without it. Until the commit, nothing is visible.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import { wholeLayerChangeSetting } from '../db/migrations/tile-change.js';
import { cancelBackendStatement } from '../db/queries/import-jobs.js';
import {
  createSpatialIndex,
  dropSpatialIndex,
  indexStagedRowNumbers,
  insertStagedRows,
  isLayerEmpty,
  setWriterContext,
  type WriterContext,
} from '../db/queries/import-staging.js';
import { log } from '../log.js';
import { backendPidOf } from './import-cancel-watch.js';

/** How often a statement being abandoned is cancelled again, until it ends. */
const cancelRetryMs = 100;
/** How long an early write waits to lock an empty layer before leaving the rows for the end. */
const lockTimeoutMs = 1000;

/**
 * Opens the transaction an import writes and commits in: no statement timeout (a million rows
 * take minutes), no JIT, and room in memory for sorting the rows and for the history trigger's
 * transition table, which spill to disk past a few thousand rows with the default 4 MB.
 */
export async function beginImportTransaction(client: pg.PoolClient, writer: WriterContext) {
  await client.query('BEGIN');
  await client.query('SET LOCAL statement_timeout = 0');
  await client.query('SET LOCAL jit = off');
  await client.query("SET LOCAL work_mem = '64MB'");
  await setWriterContext(client, writer);
}

/** Rolls back and releases `client`; one whose rollback fails is closed, not pooled. */
async function rollBack(client: pg.PoolClient) {
  const rolledBack = await client.query('ROLLBACK').then(
    () => true,
    () => false,
  );
  client.release(!rolledBack);
}

/** Makes the layer's tile triggers send one layer-wide notice for this transaction. */
export async function notifyWholeLayer(client: pg.PoolClient) {
  await client.query(`SELECT set_config('${wholeLayerChangeSetting}', 'on', true)`);
}

/** What an early write needs to know of its import. */
export interface EarlyWriteTarget {
  pool: pg.Pool;
  layer: LayerDefinition;
  /** The import's load table (`stagingTableName`). */
  table: string;
  writer: WriterContext;
  jobId: string;
}

/** Loaded rows written into the layer, range by range, in an open transaction of their own. */
export class EarlyWrite {
  /** Rows written into the layer so far (refused rows are never written). */
  rowsWritten = 0;
  private writtenThrough = 0;
  private loadedThrough = 0;
  private writing: Promise<void> | undefined;
  private failure: unknown;
  private ended = false;
  private allLoaded = false;
  private indexBuilt = false;

  private constructor(
    readonly target: EarlyWriteTarget,
    readonly client: pg.PoolClient,
    /** True when the layer was empty: its spatial index is dropped and built again at the end. */
    readonly fillsEmptyLayer: boolean,
  ) {}

  /**
   * Starts writing early, once no batch is being loaded (indexing the load table waits for
   * them). An empty layer has its spatial index dropped, as a bulk load does, which locks the
   * layer until the commit: readers of the (still empty) layer then wait for it, and the
   * batches validated after this must not ask the layer for unique values (`layerKnownEmpty`).
   */
  static async begin(target: EarlyWriteTarget): Promise<EarlyWrite> {
    await indexStagedRowNumbers(target.pool, target.table);
    const client = await target.pool.connect();
    try {
      await beginImportTransaction(client, target.writer);
      const fillsEmptyLayer = await isLayerEmpty(client, target.layer);
      // Reading waits for this lock: a reader holding the layer longer gives the early write up.
      await client.query(`SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`);
      if (fillsEmptyLayer) await dropSpatialIndex(client, target.layer);
      await client.query('SET LOCAL lock_timeout TO DEFAULT');
      // a feature stored between the question and the lock: the layer is not empty after all
      if (fillsEmptyLayer && !(await isLayerEmpty(client, target.layer))) {
        throw new Error(`${target.layer.id} received a feature while its index was dropped`);
      }
      // a load into an empty layer reaches every tile the layer shows in
      if (fillsEmptyLayer) await notifyWholeLayer(client);
      return new EarlyWrite(target, client, fillsEmptyLayer);
    } catch (error) {
      await rollBack(client);
      throw error;
    }
  }

  /** Every row numbered up to `rowNumber` is in the load table: writes those not yet written. */
  loaded(rowNumber: number) {
    this.loadedThrough = Math.max(this.loadedThrough, rowNumber);
    this.writeNext();
  }

  /**
   * Every row is in the load table: once written, the spatial index of an empty layer is
   * built at once, while the import checks the load table on other connections (and thrown
   * away with the rest if the checks refuse a row written).
   */
  loadedAll() {
    this.allLoaded = true;
    this.writeNext();
  }

  private writeNext() {
    const idle = this.writing === undefined && this.failure === undefined && !this.ended;
    if (!idle) return;
    if (this.loadedThrough > this.writtenThrough) {
      this.run(this.writeRows([this.writtenThrough, this.loadedThrough]));
    } else if (this.allLoaded && this.fillsEmptyLayer && !this.indexBuilt) {
      this.run(this.buildSpatialIndex());
    }
  }

  private run(statement: Promise<void>) {
    this.writing = statement
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.writing = undefined;
        this.writeNext();
      });
  }

  private async writeRows(rowNumbers: [number, number]) {
    const { layer, table, writer } = this.target;
    const options = { rowNumbers };
    this.rowsWritten += await insertStagedRows(this.client, layer, table, writer.actor, options);
    this.writtenThrough = rowNumbers[1];
  }

  private async buildSpatialIndex() {
    await createSpatialIndex(this.client, this.target.layer);
    this.indexBuilt = true;
  }

  /** Waits until every loaded row is written; false when a write failed (then nothing holds). */
  async settle(): Promise<boolean> {
    while (this.writing) await this.writing;
    if (this.failure !== undefined) {
      const { jobId, layer } = this.target;
      log.info({ err: this.failure, jobId, layerId: layer.id }, 'import early write abandoned');
    }
    return this.failure === undefined;
  }

  /** Builds the spatial index of an empty layer again if not yet built; returns rows written. */
  async complete(): Promise<number> {
    if (this.fillsEmptyLayer && !this.indexBuilt) await this.buildSpatialIndex();
    return this.rowsWritten;
  }

  /**
   * Stops writing and rolls everything back: a statement still running (it may wait for a
   * lock for minutes) is cancelled, again until it ends, since a cancel landing between two
   * statements is ignored. Safe to call more than once; a no-op after `end`.
   */
  async abandon() {
    if (this.ended) return;
    this.ended = true;
    const running = this.writing;
    if (running) {
      let cancelling = true;
      const cancelled = this.cancelUntil(() => !cancelling);
      await running;
      cancelling = false;
      await cancelled;
    }
    await rollBack(this.client);
  }

  private async cancelUntil(done: () => boolean) {
    const pid = backendPidOf(this.client);
    while (pid !== undefined && !done()) {
      await cancelBackendStatement(this.target.pool, pid).catch(() => false);
      await sleep(cancelRetryMs);
    }
  }

  /** Hands the transaction back to the caller, who commits or rolls it back and releases it. */
  end() {
    this.ended = true;
  }
}
