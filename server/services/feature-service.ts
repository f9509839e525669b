import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import { config } from '../config.js';
import { compileFilter, type FilterContext } from '../cql2/compile-sql.js';
import { invalidLiteralMarker, maxRepairedLiteralPositions } from '../cql2/geometry-literal.js';
import {
  countFeatures,
  noConditions,
  selectFeatureById,
  selectFeaturePageJson,
  selectLayerExtent,
  selectTimeExtent,
  type FeatureConditions,
  type FeaturePageQuery,
} from '../db/queries/features.js';
import { crs84 } from '../http/crs.js';
import type { ItemQuery, ItemsQuery } from '../http/items-query.js';
import { badRequest, notFound } from '../http/problem.js';
import { canReadLayer, type Principal } from './access.js';
import { findLayer, listLayers, unknownLayer } from './layer-registry.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** A GeoJSON feature as the API returns it, with its version for ETags. */
export interface ApiFeature {
  type: 'Feature';
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
  version: number;
}

/** A page of features: the GeoJSON array as text, and what the response says about it. */
export interface FeaturePage {
  layer: LayerDefinition;
  featuresJson: string;
  numberReturned: number;
  /** Exact count of the whole query, when it was known without a second scan. */
  numberMatched?: number;
  hasNext: boolean;
  /** Id of the page's last feature: where the next page of the default order starts. */
  lastId?: number;
}

const sqlStateMessages: Record<string, string> = {
  '22012': 'a division by zero',
  '22003': 'a number out of range',
  '2201E': 'a logarithm or power of an invalid number',
  '2201F': 'a power of an invalid number',
};

/**
 * Database errors the caller caused become 400s: the statement timeout (a request too costly)
 * and data exceptions (class 22: a value the filter computes but PostgreSQL cannot). The
 * driver's own message never reaches the client.
 *
 * TODO: the embedded database runs without a statement timeout (db/pool.ts sets it only for a
 * real server, since the one embedded session is shared), so there a costly filter runs to its
 * end and holds up every other request meanwhile.
 */
export function translateDatabaseError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '57014') {
    return badRequest(
      'query-timeout',
      `The query ran past the ${config.queryTimeoutMs} ms limit of one request; narrow it ` +
        'with bbox, filter or a smaller limit.',
      { limit: 'queryTimeoutMs', maximum: config.queryTimeoutMs },
    );
  }
  if (code === '22P02' && String((error as Error).message).includes(invalidLiteralMarker)) {
    return badRequest(
      'invalid-filter',
      `A geometry of the filter is not valid (a ring crossing itself), and one of more than ` +
        `${maxRepairedLiteralPositions} positions is not repaired: send a valid one.`,
    );
  }
  if (typeof code === 'string' && code.startsWith('22')) {
    const what = sqlStateMessages[code] ?? 'a value the database cannot use';
    return badRequest('invalid-filter-value', `The filter computes ${what}.`);
  }
  return error;
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** The layers this caller may read, in declaration order. */
export function listReadableLayers(principal: Principal | undefined): LayerDefinition[] {
  return listLayers().filter((layer) => canReadLayer(principal, layer));
}

/** A layer the caller may read; an unknown or hidden one is the same 404, so ids do not leak. */
export function requireReadableLayer(layerId: string, principal: Principal | undefined) {
  const layer = findLayer(layerId);
  if (!layer || !canReadLayer(principal, layer)) throw unknownLayer(layerId);
  return layer;
}

/** The WHERE clauses of an items query: bbox, then the CQL2 conditions, all over `$n`. */
function itemsConditions(layer: LayerDefinition, query: ItemsQuery): FeatureConditions {
  const conditions = noConditions();
  const limits = { maxNodes: config.filterMaxNodes, maxDepth: 32 };
  const context: FilterContext = {
    layer,
    params: conditions.params,
    filterCrs: query.filterCrs,
    limits,
  };

  if (query.bbox) {
    const bbox = { op: 's_intersects', args: [{ property: 'geometry' }, { bbox: query.bbox }] };
    conditions.clauses.push(compileFilter(bbox, { ...context, filterCrs: query.bboxCrs }));
  }
  if (query.after !== undefined) {
    const after = { op: '>', args: [{ property: 'id' }, query.after] };
    conditions.clauses.push(compileFilter(after, context));
  }
  if (query.conditions.length > 0) {
    const all =
      query.conditions.length === 1 ? query.conditions[0] : { op: 'and', args: query.conditions };
    conditions.clauses.push(compileFilter(all, context));
  }
  return conditions;
}

/**
 * The database query of an items request: conditions, page, CRS, attributes and order. The
 * features benchmark sends exactly this to PostgreSQL as its limit.
 */
export function itemsPageQuery(layer: LayerDefinition, query: ItemsQuery): FeaturePageQuery {
  return {
    ...itemsConditions(layer, query),
    limit: query.limit,
    // After a known id the page starts there; the offset only says where the page lies.
    offset: query.after === undefined ? query.offset : 0,
    crs: query.crs,
    attributeNames: query.properties,
    orderBy: query.sortby,
  };
}

/**
 * A page of a layer's features in the requested CRS. `numberMatched` is given when it costs no
 * second scan (the last page) or the query has no condition (a plain count); a filtered query
 * with more pages omits it, as Part 1 allows, since counting every match of a wide bbox costs
 * several times the page itself.
 */
export async function listFeatures(
  db: Queryable,
  layer: LayerDefinition,
  query: ItemsQuery,
): Promise<FeaturePage> {
  const pageQuery = itemsPageQuery(layer, query);
  const page = await guarded(() => selectFeaturePageJson(db, layer, pageQuery));

  const hasNext = page.fetched > query.limit;
  const numberReturned = Math.min(page.fetched, query.limit);
  let numberMatched: number | undefined;
  if (!hasNext && (numberReturned > 0 || query.offset === 0))
    numberMatched = query.offset + numberReturned;
  else if (pageQuery.clauses.length === 0 && query.after === undefined)
    numberMatched = await guarded(() => countFeatures(db, layer, noConditions()));

  const { featuresJson, lastId } = page;
  return { layer, featuresJson, numberReturned, numberMatched, hasNext, lastId };
}

/** One feature in the requested CRS (CRS84 by default); an unknown id is a 404. */
export async function getFeature(
  db: Queryable,
  layer: LayerDefinition,
  featureId: number | undefined,
  query: ItemQuery = { crs: crs84 },
): Promise<ApiFeature> {
  const row =
    featureId === undefined
      ? undefined
      : await guarded(() => selectFeatureById(db, layer, featureId, query.crs, query.properties));
  if (!row) {
    const detail =
      featureId === undefined
        ? `Feature ids of ${layer.id} are positive integers; the id asked for is not one.`
        : `Layer ${layer.id} has no feature with id ${featureId}.`;
    throw notFound('unknown-feature', detail);
  }
  return { type: 'Feature', ...row };
}

/**
 * The layer's extent in CRS84, or null when it holds no feature.
 *
 * TODO: ST_Extent reads every geometry, on every /collections request (tens of ms for a layer of
 * 200,000 road segments); ST_EstimatedExtent from the planner's statistics would answer in a
 * millisecond, at the cost of trailing edits until the next ANALYZE.
 */
export async function getLayerExtent(pool: Queryable, layer: LayerDefinition) {
  return selectLayerExtent(pool, layer);
}

/** The first and last value of the layer's time attribute, or null (no attribute, no rows). */
export async function getTimeExtent(pool: Queryable, layer: LayerDefinition) {
  return selectTimeExtent(pool, layer);
}

/** The total number of features of a layer. */
export async function countLayerFeatures(pool: Queryable, layer: LayerDefinition) {
  return countFeatures(pool, layer, noConditions());
}
