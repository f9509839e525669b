import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import {
  countFeatures,
  noConditions,
  selectFeatureById,
  selectFeaturePage,
  selectLayerExtent,
  type FeatureConditions,
  type FeatureRow,
} from '../db/queries/features.js';
import type { ItemsQuery } from '../http/items-query.js';
import { notFound } from '../http/problem.js';
import { requireLayer } from './layer-registry.js';

/** Decimal places of CRS84 output: 6 decimals of a degree is about 0.1 m. */
const degreePrecision = 6;

/** A GeoJSON feature as the API returns it, with its version for ETags. */
export interface ApiFeature {
  type: 'Feature';
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
  version: number;
}

function toApiFeature(row: FeatureRow): ApiFeature {
  return {
    type: 'Feature',
    id: row.id,
    geometry: row.geometry,
    properties: row.properties,
    version: row.version,
  };
}

function bboxConditions(bbox: ItemsQuery['bbox']): FeatureConditions {
  const conditions = noConditions();
  if (bbox) {
    const [x0, y0, x1, y1] = bbox.map((n) => conditions.params.add(n));
    conditions.clauses.push(`geom && ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, 4326)`);
  }
  return conditions;
}

/** A page of a layer's features in CRS84, with the number matched by the whole query. */
export async function listFeatures(pool: pg.Pool, layerId: string, query: ItemsQuery) {
  const layer = requireLayer(layerId);
  const conditions = bboxConditions(query.bbox);

  const numberMatched = await countFeatures(pool, layer, conditions);
  const rows = await selectFeaturePage(pool, layer, {
    ...conditions,
    limit: query.limit,
    offset: query.offset,
    outputSrid: 4326,
    precision: degreePrecision,
  });
  return { layer, features: rows.map(toApiFeature), numberMatched };
}

/** One feature in CRS84; an unknown id is a 404. */
export async function getFeature(pool: pg.Pool, layerId: string, featureId: number | undefined) {
  const layer = requireLayer(layerId);
  const row =
    featureId === undefined
      ? undefined
      : await selectFeatureById(pool, layer, featureId, 4326, degreePrecision);
  if (!row)
    throw notFound('unknown-feature', `Layer ${layerId} has no feature with id "${featureId}".`);
  return { layer, feature: toApiFeature(row) };
}

/** The layer's extent in CRS84, or null when it holds no feature. */
export async function getLayerExtent(pool: pg.Pool, layer: LayerDefinition) {
  return selectLayerExtent(pool, layer);
}

/** The total number of features of a layer. */
export async function countLayerFeatures(pool: pg.Pool, layer: LayerDefinition) {
  return countFeatures(pool, layer, noConditions());
}
