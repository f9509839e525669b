import type { FeatureLike } from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import type MapBrowserEvent from 'ol/MapBrowserEvent.js';
import Overlay from 'ol/Overlay.js';
import type BaseLayer from 'ol/layer/Base.js';
import type { Pixel } from 'ol/pixel.js';
import { fetchFeature } from '../api/client-api.js';
import type { Session } from '../api/edit-api.js';
import { onSessionChange } from '../auth/mount-login.js';
import { bus } from '../events/event-bus.js';
import { getLayerDefinition } from '../map/data-layers.js';
import { IdentifyPopup, type FeatureHit } from './identify-popup.js';
import './identify.css';

/** Pixels around a click that still hit a line or a point. */
const hitTolerancePx = 4;

/** Features under a click the popup pages through, the topmost first, at most this many. */
const maxHits = 10;

const isDataLayer = (layer: BaseLayer) => !!getLayerDefinition(layer);

/**
 * Identify: a click on the map opens `element` as a popup on the topmost visible feature,
 * titled from its layer declaration, and fills it with all attributes read from the feature
 * API; the other features under the click are a page away. A click on empty map closes it.
 * A logged-in user also reads whether the layer is theirs to edit, with a button that opens
 * the feature in the editor, or the roles that may edit it.
 */
export function mountIdentify(map: Map, element: HTMLElement) {
  const overlay = new Overlay({
    element,
    positioning: 'bottom-center',
    offset: [0, -12],
  });
  map.addOverlay(overlay);

  let session: Session | undefined;
  const popup = new IdentifyPopup(overlay, element, fetchFeature, {
    accessTo: (layerId) => {
      if (!session?.user) return undefined;
      return session.editableLayers.includes(layerId) ? 'edit' : 'view';
    },
    edit: (layerId, featureId, coordinate) =>
      bus.emit('edit-request', { layerId, featureId, coordinate }),
  });
  onSessionChange((current) => {
    session = current;
    popup.render();
  });
  map.on('singleclick', (event) => {
    const hits = findFeatures(map, event);
    popup.open(hits, event.coordinate);
    if (hits.length > 0) bus.emit('identify-open', {});
  });
  map.on('pointermove', (event) => showPointerOverFeature(map, event));
  document.addEventListener('keydown', (event) => event.key === 'Escape' && popup.close());
  bus.on('language-change', () => popup.render());
  // its attributes were read with the rights of whoever was logged in
  bus.on('session-change', () => popup.close());
}

// A mouse gets the hand cursor over a feature it can identify; touch has no hover.
function showPointerOverFeature(map: Map, event: MapBrowserEvent) {
  const pointer = event.originalEvent;
  if (event.dragging || !(pointer instanceof PointerEvent) || pointer.pointerType !== 'mouse') {
    return;
  }

  const overFeature = map.hasFeatureAtPixel(event.pixel, { layerFilter: isDataLayer });
  const viewport = map.getViewport();
  if (viewport) viewport.style.cursor = overFeature ? 'pointer' : '';
}

// Points and lines are hard to hit exactly, so they count within a few pixels; polygons only
// under the pointer itself, or a click inside one desa would also list its neighbour.
function findFeatures(map: Map, event: MapBrowserEvent): FeatureHit[] {
  const near = collectHits(map, event.pixel, hitTolerancePx, (layer) => !isPolygonLayer(layer));
  const under = collectHits(map, event.pixel, 0, isPolygonLayer);

  const byOrder = (a: FeatureHit, b: FeatureHit) =>
    (b.definition.order ?? 0) - (a.definition.order ?? 0);
  return [...near, ...under].sort(byOrder).slice(0, maxHits);
}

function collectHits(
  map: Map,
  pixel: Pixel,
  hitTolerance: number,
  accepts: (layer: BaseLayer) => boolean,
): FeatureHit[] {
  const hits: FeatureHit[] = [];
  const seen = new Set<string>();
  const layerFilter = (layer: BaseLayer) => isDataLayer(layer) && accepts(layer);

  // A feature drawn in two tiles' buffers can be hit twice: its id keeps one.
  map.forEachFeatureAtPixel(
    pixel,
    (feature: FeatureLike, layer) => {
      const definition = getLayerDefinition(layer);
      const key = `${definition?.id}/${feature.getId() ?? hits.length}`;
      if (definition && !seen.has(key)) hits.push({ feature, definition });
      seen.add(key);
      return hits.length >= maxHits;
    },
    { hitTolerance, layerFilter },
  );
  return hits;
}

function isPolygonLayer(layer: BaseLayer): boolean {
  return getLayerDefinition(layer)?.geometry.type === 'MultiPolygon';
}
