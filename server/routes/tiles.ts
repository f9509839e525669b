import { Router } from 'express';
import type { LayerDefinition } from '../../layers/index.js';
import type { AppContext } from '../app-context.js';
import { baseUrl } from '../http/negotiate.js';
import { getLayerExtent } from '../services/feature-service.js';
import { parseTileCoord, renderTile, resolveTileLayers } from '../services/tile-service.js';

const fieldTypes = {
  text: 'String',
  integer: 'Number',
  number: 'Number',
  boolean: 'Boolean',
  date: 'String',
  timestamp: 'String',
} as const;

function vectorLayer(layer: LayerDefinition) {
  const fields = Object.fromEntries(
    layer.attributes.filter((a) => a.inTiles).map((a) => [a.name, fieldTypes[a.type]]),
  );
  return {
    id: layer.id,
    description: layer.titleEn,
    minzoom: layer.zoom.min,
    maxzoom: layer.zoom.max,
    fields,
  };
}

function unionBounds(extents: (number[] | null)[]): number[] {
  const present = extents.filter((e): e is number[] => e !== null);
  if (present.length === 0) return [-180, -85.0511, 180, 85.0511];
  return [0, 1, 2, 3].map((i) => (i < 2 ? Math.min : Math.max)(...present.map((e) => e[i]!)));
}

/** Vector tiles (MVT 2.1) per layer or for a comma-separated list, and their TileJSON. */
export function createTilesRouter(context: AppContext): Router {
  const router = Router();
  const { pool, capabilities } = context.database;

  router.get('/tiles/:layerList/:z/:x/:y.mvt', async (req, res) => {
    const layers = resolveTileLayers(req.params.layerList);
    const tile = parseTileCoord(req.params.z, req.params.x, req.params.y);

    const bytes = await renderTile(pool, capabilities, layers, tile);
    if (bytes.length === 0) {
      res.status(204).end();
      return;
    }
    res.type('application/vnd.mapbox-vector-tile').send(bytes);
  });

  router.get('/tiles/:layerList.json', async (req, res) => {
    const layers = resolveTileLayers(req.params.layerList);
    const extents = await Promise.all(layers.map((layer) => getLayerExtent(pool, layer)));
    const url = `${baseUrl(req)}/tiles/${layers.map((l) => l.id).join(',')}/{z}/{x}/{y}.mvt`;
    res.json({
      tilejson: '3.0.0',
      name: layers.map((l) => l.titleEn).join(' + '),
      description: layers.map((l) => l.metadata.abstractEn).join(' '),
      attribution: [...new Set(layers.map((l) => l.metadata.source))].join('; '),
      scheme: 'xyz',
      tiles: [url],
      minzoom: Math.min(...layers.map((l) => l.zoom.min)),
      maxzoom: Math.max(...layers.map((l) => l.zoom.max)),
      bounds: unionBounds(extents),
      vector_layers: layers.map(vectorLayer),
    });
  });

  return router;
}
