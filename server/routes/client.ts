import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { answersJson } from '../http/negotiate.js';
import { takesParameters } from '../http/query-parameters.js';
import { canReadLayer } from '../services/access.js';
import { getLayerExtent } from '../services/feature-service.js';
import { listLayers, listThemes } from '../services/layer-registry.js';
import { loadRegencyProfile } from '../services/seed-service.js';

function unionExtent(extents: (number[] | null)[]): number[] | null {
  const present = extents.filter((e): e is number[] => e !== null);
  if (present.length === 0) return null;
  return [0, 1, 2, 3].map((i) => (i < 2 ? Math.min : Math.max)(...present.map((e) => e[i]!)));
}

/** `/client/config`: what the web map needs to build itself from the declarations. */
export function createClientRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;

  router.get('/client/config', takesParameters(), answersJson(), async (_req, res) => {
    const regencyProfile = await loadRegencyProfile(config.seedDir);
    // Visitors get the public layers; a logged-in user also those its roles may read.
    const layers = listLayers().filter((layer) => canReadLayer(res.locals.principal, layer));
    const extents = await Promise.all(layers.map((layer) => getLayerExtent(pool, layer)));
    res.json({
      // Without data, frame Indonesia.
      regency: { name: regencyProfile.name, bbox: unionExtent(extents) ?? [95, -11, 141, 6] },
      basemapUrl: config.basemapUrl,
      attribution: [...new Set(layers.map((l) => l.metadata.source))].join('; '),
      themes: listThemes().map(({ id, titleId, titleEn }) => ({ id, titleId, titleEn })),
      layers,
    });
  });

  return router;
}
