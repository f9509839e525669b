import type Map from 'ol/Map.js';
import { fetchClientConfig } from '../api/client-api.js';
import { bus } from '../events/event-bus.js';
import { createDataLayer, listDataLayers } from './data-layers.js';

/**
 * After a logout or a change of user, brings the map's data layers to what the new caller may
 * read: the layer list is asked again, layers no longer readable leave the map (their tiles
 * with them), newly readable ones join it hidden, and every other layer reads its tiles
 * afresh. The layer tree and the legend follow through the map's layer collection.
 */
export function followSession(map: Map) {
  let generation = 0;
  bus.on('session-change', () => {
    generation += 1;
    const asked = generation;
    // Until the list comes, no tile read with the old rights stays drawn.
    for (const { layer } of listDataLayers(map)) layer.getSource()?.clear();
    void fetchClientConfig().then(
      (config) => {
        if (asked !== generation) return;
        const readable = new Set(config.layers.map((definition) => definition.id));
        for (const { layer, definition } of listDataLayers(map)) {
          if (!readable.has(definition.id)) map.removeLayer(layer);
          else layer.getSource()?.refresh();
        }
        const shown = new Set(listDataLayers(map).map(({ definition }) => definition.id));
        for (const definition of config.layers.filter(({ id }) => !shown.has(id))) {
          const layer = createDataLayer(definition, config.attribution);
          layer.setVisible(false);
          map.addLayer(layer);
        }
      },
      () => {
        // Without the list the layers stay, but read their tiles again with the new rights:
        // a layer no longer readable then draws nothing.
        for (const { layer } of listDataLayers(map)) layer.getSource()?.refresh();
      },
    );
  });
}
