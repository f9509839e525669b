import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import type { DatabaseCapabilities } from '../db/pool.js';
import { selectMvtLayer, selectTileFeatures, type TileCoord } from '../db/queries/tiles.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { encodeMvtLayer } from '../tiles/encode-mvt.js';
import { requireLayer } from './layer-registry.js';

/** The deepest zoom a tile may be asked for. */
export const maxTileZoom = 24;

/** Parses `{z}/{x}/{y}`; an address outside the tile matrix is a 400. */
export function parseTileCoord(zText: string, xText: string, yText: string): TileCoord {
  const [z, x, y] = [zText, xText, yText].map((t) => (/^\d{1,10}$/.test(t) ? Number(t) : NaN));
  if (z === undefined || x === undefined || y === undefined || !(z >= 0 && z <= maxTileZoom)) {
    throw badRequest(
      'invalid-tile-address',
      `z must be an integer from 0 to ${maxTileZoom}; got "${zText}".`,
    );
  }
  const size = 2 ** z;
  if (!(x >= 0 && x < size && y >= 0 && y < size)) {
    throw badRequest(
      'invalid-tile-address',
      `At zoom ${z}, x and y must be integers from 0 to ${size - 1}; got x=${xText}, y=${yText}.`,
    );
  }
  return { z, x, y };
}

/** The layers of a tile request: one id or a comma-separated list, each declared, no repeats. */
export function resolveTileLayers(layerList: string): LayerDefinition[] {
  const ids = layerList.split(',');
  if (new Set(ids).size !== ids.length) {
    throw badRequest('invalid-layer-list', `Name each layer once; got "${layerList}".`);
  }
  return ids.map((id) => requireLayer(id));
}

function requireZoomInRange(layers: LayerDefinition[], tile: TileCoord) {
  const visible = layers.filter((l) => tile.z >= l.zoom.min && tile.z <= l.zoom.max);
  if (visible.length === 0) {
    const ranges = layers.map((l) => `${l.id} ${l.zoom.min}–${l.zoom.max}`).join(', ');
    throw new HttpProblem(
      404,
      'zoom-out-of-range',
      "Zoom level outside the layers' range",
      `Tiles are published for zoom ${ranges}; zoom ${tile.z} was requested.`,
    );
  }
  return visible;
}

async function renderLayer(
  pool: pg.Pool,
  capabilities: DatabaseCapabilities,
  layer: LayerDefinition,
  tile: TileCoord,
): Promise<Buffer> {
  if (capabilities.hasAsMvt) return selectMvtLayer(pool, layer, tile);
  return encodeMvtLayer(layer.id, tile, await selectTileFeatures(pool, layer, tile));
}

/**
 * The MVT bytes of one tile holding each requested layer in its zoom range. MVT layers are
 * independent protobuf fields, so per-layer encodings concatenate into one valid tile. An
 * empty buffer means no feature touches the tile.
 */
export async function renderTile(
  pool: pg.Pool,
  capabilities: DatabaseCapabilities,
  layers: LayerDefinition[],
  tile: TileCoord,
): Promise<Buffer> {
  const visible = requireZoomInRange(layers, tile);
  const parts: Buffer[] = [];
  for (const layer of visible) parts.push(await renderLayer(pool, capabilities, layer, tile));
  return Buffer.concat(parts);
}
