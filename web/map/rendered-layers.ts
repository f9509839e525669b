import type Map from 'ol/Map.js';
import type { TileSourceEvent } from 'ol/source/Tile.js';
import VectorTile from 'ol/VectorTile.js';
import { listDataLayers, type DataLayer } from './data-layers.js';

/**
 * Keeps `element.dataset.layersRendered` a comma list of the layers that have drawn at least
 * one tile with features, so a browser test can wait for a layer instead of for time.
 */
export function trackRenderedLayers(map: Map, element: HTMLElement = document.body) {
  const rendered = new Set<string>();
  element.dataset.layersRendered = '';

  for (const dataLayer of listDataLayers(map)) {
    watchLayer(dataLayer, () => {
      rendered.add(dataLayer.definition.id);
      element.dataset.layersRendered = [...rendered].join(',');
    });
  }
}

// A tile with features counts once the layer has drawn a frame after it arrived.
function watchLayer({ layer }: DataLayer, onFirstDraw: () => void) {
  let hasFeatures = false;

  layer.getSource()?.on('tileloadend', (event: TileSourceEvent) => {
    const tile = event.tile;
    if (tile instanceof VectorTile && tile.getFeatures()?.length) hasFeatures = true;
  });

  const onPostrender = () => {
    if (!hasFeatures) return;
    onFirstDraw();
    layer.un('postrender', onPostrender);
  };
  layer.on('postrender', onPostrender);
}
