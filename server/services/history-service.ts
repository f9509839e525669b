/**
 * The history of features: every recorded edit of a feature, the recent edits of a layer, a
 * layer as it was at an instant, and restoring an earlier version (also of a deleted feature)
 * as a new edit, so nothing an edit removed is ever out of reach.
 */
import type pg from 'pg';
import { recordTables, type LayerDefinition } from '../../layers/index.js';
import {
  insertFeatureRow,
  selectFeatureVersion,
  updateFeatureRow,
} from '../db/queries/feature-edits.js';
import {
  insertRecordAsItWas,
  selectFeatureHistory,
  selectHistoricState,
  selectLastVersion,
  selectLayerAsOf,
  selectLayerChanges,
  selectRecordedReachAsOf,
  selectRecordsDeletedWith,
} from '../db/queries/feature-history.js';
import { inTransactionWithoutJit } from '../db/without-jit.js';
import { ifMatchTags, matchesIfNoneMatch } from '../http/entity-tags.js';
import { HttpProblem, notFound } from '../http/problem.js';
import { canReadHistory, type Principal } from './access.js';
import { requireEditable, requirePrincipal, requireReadable } from './edit-access.js';
import { featureETag, inEditTransaction, type EditContext } from './edit-service.js';
import { invalidFeaturesProblem, validateFeatures } from './feature-validation.js';
import { requireLayer } from './layer-registry.js';

/** Only the declared attributes of a recorded state (columns since dropped stay in the table). */
function declaredProperties(layer: LayerDefinition, properties: Record<string, unknown> | null) {
  if (!properties) return null;
  return Object.fromEntries(layer.attributes.map((a) => [a.name, properties[a.name] ?? null]));
}

function readableLayer(principal: Principal | undefined, layerId: string) {
  const layer = requireLayer(layerId);
  requireReadable(principal, layer);
  // Editors' names are personal data: history is for logged-in users and tokens only.
  requirePrincipal(principal);
  if (!canReadHistory(principal, layer)) {
    const detail = `This token's scope does not include ${layer.id}, so not its history either.`;
    throw new HttpProblem(403, 'out-of-scope', 'Forbidden', detail);
  }
  return layer;
}

/** Every recorded edit of a feature, oldest first, with both states; 404 when none. */
export async function listFeatureHistory(
  pool: pg.Pool,
  principal: Principal | undefined,
  layerId: string,
  featureId: number,
) {
  const layer = readableLayer(principal, layerId);
  const rows = await selectFeatureHistory(pool, layer.id, featureId);
  if (rows.length === 0) {
    throw notFound('unknown-feature', `Layer ${layer.id} has no recorded feature ${featureId}.`);
  }
  return rows.map((row) => ({
    ...row,
    propertiesBefore: declaredProperties(layer, row.propertiesBefore),
    propertiesAfter: declaredProperties(layer, row.propertiesAfter),
  }));
}

/** The edits of a layer, newest first, optionally within [since, until). */
export async function listLayerChanges(
  pool: pg.Pool,
  principal: Principal | undefined,
  layerId: string,
  range: { since?: string; until?: string; limit: number; offset: number; before?: number },
) {
  const layer = readableLayer(principal, layerId);
  // One more than the page, so that the caller knows whether a next page follows
  const rows = await selectLayerChanges(pool, layer.id, { ...range, limit: range.limit + 1 });
  return { changes: rows.slice(0, range.limit), hasNext: rows.length > range.limit };
}

/**
 * Runs `read` in one read-only snapshot, so that its statements see the same history, and
 * without JIT: PostgreSQL estimated a page of 400,000 road segments high enough to spend
 * 0.8 s compiling it, for a query that then ran in 0.3 s (see db/without-jit.ts).
 */
function inSnapshot<T>(pool: pg.Pool, read: (client: pg.PoolClient) => Promise<T>) {
  return inTransactionWithoutJit(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', read);
}

/** Which page of a layer as it was: `after` a feature id (keyset), else skipping `offset`. */
export interface AsOfPageQuery {
  /** The instant, RFC 3339. */
  at: string;
  limit: number;
  /** Features skipped; with `after` only counted (the position of the page), not skipped. */
  offset: number;
  after?: number;
}

/**
 * One more row than the page, so that the caller knows whether more follow: first how far
 * the recorded features reach, then the page within that stretch of ids.
 */
async function selectAsOfPage(db: pg.PoolClient, layer: LayerDefinition, page: AsOfPageQuery) {
  const skipped = page.after === undefined ? page.offset : 0;
  const atMost = skipped + page.limit + 1;
  const reach = await selectRecordedReachAsOf(db, layer.id, { ...page, atMost });

  return selectLayerAsOf(db, layer, {
    at: page.at,
    after: page.after,
    recordedUpTo: reach.lastId,
    // Fewer recorded features than asked: the others may lie anywhere after them.
    unrecordedUpTo: reach.found === atMost ? reach.lastId! : undefined,
    limit: page.limit + 1,
    offset: skipped,
    precision: 7,
  });
}

/**
 * A page of the layer's features as they were at `at`, in CRS84, in id order; whether more
 * follow, and the last id (where the next page starts). The features are not counted: that
 * would read the layer's whole history on every page (about 0.3 s at 400,000 road segments),
 * which the page itself no longer does; the route gives the count on the last page.
 */
export async function getLayerAsOf(
  pool: pg.Pool,
  principal: Principal | undefined,
  layerId: string,
  page: AsOfPageQuery,
) {
  const layer = readableLayer(principal, layerId);
  const rows = await inSnapshot(pool, (client) => selectAsOfPage(client, layer, page));

  const features = rows.slice(0, page.limit).map((row) => ({
    type: 'Feature' as const,
    id: row.id,
    geometry: row.geometry,
    properties: declaredProperties(layer, row.properties) ?? {},
    version: row.version,
  }));
  const hasNext = rows.length > page.limit;
  return { layer, features, hasNext, lastId: features.at(-1)?.id };
}

async function restorableState(
  pool: pg.Pool,
  layer: LayerDefinition,
  featureId: number,
  version: number,
) {
  const state = await selectHistoricState(pool, layer.id, featureId, version);
  if (!state) {
    throw notFound(
      'unknown-version',
      `Feature ${featureId} of ${layer.id} has no recorded version ${version}.`,
    );
  }
  // The rules may have changed since: a version that breaks today's declaration is refused.
  const stated = declaredProperties(layer, state.properties) ?? {};
  // computed values are the database's: the restored geometry and records give them anew
  const properties = Object.fromEntries(
    layer.attributes.filter((a) => !a.computed).map((a) => [a.name, stated[a.name]]),
  );
  const input = { type: 'Feature', geometry: state.geometry, properties };
  const options = {
    mode: 'replace' as const,
    featureIds: [featureId],
    unknownAttributes: 'ignore' as const,
  };
  const { errors, features } = await validateFeatures(pool, layer, [input], options);
  if (errors.length > 0) throw invalidFeaturesProblem(layer, errors);
  return { values: features[0]!.values, ewkbHex: state.ewkbHex };
}

/**
 * Brings back the records (surveys, inspections) that the feature's deletion took with it,
 * exactly as they were but for their key, which is the restored version's: the records follow
 * the feature's key as it changes, and a version from before a change of key left them out,
 * lost. Only those naming the key the feature had when deleted, should the same transaction
 * have deleted other features too.
 */
async function restoreCascadedRecords(
  db: pg.PoolClient,
  layer: LayerDefinition,
  featureId: number,
  values: Record<string, unknown>,
) {
  const tables = recordTables.filter((t) => t.parent?.layerId === layer.id);
  if (tables.length === 0) return;
  const ids = tables.map((t) => t.id);
  const rows = await selectRecordsDeletedWith(db, layer.id, featureId, ids);
  for (const { tableId, row, deletedFeature } of rows) {
    const { attribute } = tables.find((t) => t.id === tableId)!.parent!;
    const deletedKey = deletedFeature?.[attribute] ?? values[attribute];
    if (String(row[attribute]) !== String(deletedKey)) continue;
    await insertRecordAsItWas(db, tableId, { ...row, [attribute]: values[attribute] });
  }
}

/**
 * 412 when If-None-Match names the existing feature's current ETag or is `*`, checked before
 * If-Match (RFC 9110 section 13.2.2): `If-None-Match: *` restores a feature only while it is
 * deleted, so a client that found it deleted does not write over another's restore.
 */
function refuseIfNoneMatch(ifNoneMatch: string | undefined, featureId: number, current: number) {
  const etag = featureETag(featureId, current);
  const header = ifNoneMatch?.trim();
  if (!header || !matchesIfNoneMatch(header, [etag])) return;
  const named = header === '*' ? '*, which any existing feature matches' : `its ETag ${etag}`;
  const detail =
    `If-None-Match named ${named}; feature ${featureId} exists at version ${current}, so it ` +
    `was not restored over. Send If-Match: ${etag} to restore over it.`;
  throw new HttpProblem(412, 'if-none-match-failed', 'Precondition failed', detail, {
    currentVersion: current,
    currentETag: etag,
  });
}

function expectedVersion(ifMatch: string | undefined, featureId: number, current: number) {
  if (!ifMatch?.trim()) {
    const detail = `Feature ${featureId} exists: restoring over it needs If-Match with its ETag.`;
    throw new HttpProblem(428, 'if-match-required', 'Precondition required', detail);
  }
  const etags = ifMatchTags(ifMatch.trim());
  if (!etags.includes('*') && !etags.includes(featureETag(featureId, current))) {
    const detail = `Feature ${featureId} is at version ${current}; reload it before restoring.`;
    throw new HttpProblem(412, 'stale-version', 'Precondition failed', detail, {
      currentVersion: current,
      currentETag: featureETag(featureId, current),
    });
  }
  return current;
}

/**
 * The 412 of a restore of a deleted feature that another request brought back after this one
 * found it absent: its id is taken then. It answered 409 "feature must be unique", as if
 * another feature held a value of this one.
 */
function restoredMeanwhile(layer: LayerDefinition, featureId: number, error: unknown) {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== '23505' || constraint !== `${layer.id}_pkey`) return error;
  const detail =
    `Feature ${featureId} of ${layer.id} was restored by another request meanwhile; ` +
    'reload it, and restore over it with its ETag if still needed.';
  return new HttpProblem(412, 'stale-version', 'Precondition failed', detail);
}

/**
 * Restores version `version` of a feature as a new edit with exactly its attributes and
 * geometry (copied as stored, not re-parsed). An existing feature is updated (If-Match
 * required); a deleted one comes back under its old id with the next version number.
 */
export async function restoreVersion(
  pool: pg.Pool,
  target: {
    layerId: string;
    featureId: number;
    version: number;
    ifMatch?: string;
    ifNoneMatch?: string;
  },
  context: EditContext,
) {
  const layer = requireLayer(target.layerId);
  requireEditable(context.principal, layer);
  const { featureId, version } = target;
  const state = await restorableState(pool, layer, featureId, version);

  const principal = context.principal!;
  const actor = principal.kind === 'token' ? `token:${principal.name}` : principal.name;
  const author = {
    actor,
    client: context.client,
    requestId: context.requestId,
    note: `restore of version ${version}`,
  };
  const row = { values: state.values, geometry: { ewkbHex: state.ewkbHex }, actor };

  return inEditTransaction(pool, author, async (client) => {
    const current = await selectFeatureVersion(client, layer, featureId);
    if (current === undefined) {
      const last = (await selectLastVersion(client, layer.id, featureId)) ?? version;
      const written = await insertFeatureRow(client, layer, row, {
        id: featureId,
        version: last + 1,
      }).catch((error: unknown) => {
        throw restoredMeanwhile(layer, featureId, error);
      });
      await restoreCascadedRecords(client, layer, featureId, state.values);
      return written;
    }
    refuseIfNoneMatch(target.ifNoneMatch, featureId, current);
    const expected = expectedVersion(target.ifMatch, featureId, current);
    const written = await updateFeatureRow(
      client,
      layer,
      { id: featureId, expectedVersion: expected },
      row,
    );
    if (!written) {
      const detail = 'The feature changed during the restore; reload it and try again.';
      throw new HttpProblem(412, 'stale-version', 'Precondition failed', detail);
    }
    return written;
  });
}
