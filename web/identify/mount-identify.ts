import type { FeatureLike } from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import type MapBrowserEvent from 'ol/MapBrowserEvent.js';
import Overlay from 'ol/Overlay.js';
import type BaseLayer from 'ol/layer/Base.js';
import { fetchFeature } from '../api/client-api.js';
import { bus } from '../events/event-bus.js';
import { getLayerDefinition } from '../map/data-layers.js';
import { IdentifyPopup, type FeatureHit } from './identify-popup.js';
import './identify.css';

/** Pixels around a click that still hit a line or a point. */
const hitTolerancePx = 4;

/**
 * Identify: a click on the map opens `element` as a popup on the topmost visible feature,
 * titled from its layer declaration, and fills it with all attributes read from the feature
 * API. A click on empty map closes it.
 */
export function mountIdentify(map: Map, element: HTMLElement) {
  const overlay = new Overlay({
    element,
    positioning: 'bottom-center',
    offset: [0, -12],
    autoPan: { animation: { duration: 200 }, margin: 16 },
  });
  map.addOverlay(overlay);

  const popup = new IdentifyPopup(overlay, element, fetchFeature);
  map.on('singleclick', (event) => popup.open(findTopFeature(map, event), event.coordinate));
  map.on('pointermove', (event) => showPointerOverFeature(map, event));
  document.addEventListener('keydown', (event) => event.key === 'Escape' && popup.close());
  bus.on('language-change', () => popup.render());
}

// A mouse gets the hand cursor over a feature it can identify; touch has no hover.
function showPointerOverFeature(map: Map, event: MapBrowserEvent) {
  const pointer = event.originalEvent;
  if (event.dragging || !(pointer instanceof PointerEvent) || pointer.pointerType !== 'mouse') {
    return;
  }

  const layerFilter = (layer: BaseLayer) => !!getLayerDefinition(layer);
  const overFeature = map.hasFeatureAtPixel(event.pixel, { layerFilter });
  const viewport = map.getViewport();
  if (viewport) viewport.style.cursor = overFeature ? 'pointer' : '';
}

function findTopFeature(map: Map, event: MapBrowserEvent): FeatureHit | undefined {
  const hit = map.forEachFeatureAtPixel(
    event.pixel,
    (feature: FeatureLike, layer) => {
      const definition = layer && getLayerDefinition(layer);
      return definition ? { feature, definition } : undefined;
    },
    { hitTolerance: hitTolerancePx, layerFilter: (layer) => !!getLayerDefinition(layer) },
  );
  return hit;
}
