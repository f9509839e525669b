import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Attribution from 'ol/control/Attribution.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import Zoom from 'ol/control/Zoom.js';
import TileLayer from 'ol/layer/Tile.js';
import { transformExtent } from 'ol/proj.js';
import XYZ from 'ol/source/XYZ.js';
import type { ClientConfig } from '../api/client-api.js';
import { bus } from '../events/event-bus.js';
import { translate } from '../i18n/i18n.js';
import { createDataLayer } from './data-layers.js';

/** Deepest view zoom; the finest declared tile zoom is 20, and nothing gains past it. */
const maxViewZoom = 20;

/**
 * The OpenLayers map in `element` (Web Mercator): one vector tile layer per declared layer,
 * drawn in `order`, an optional XYZ background map below them, framed on the regency.
 */
export function createMap(element: HTMLElement, config: ClientConfig): Map {
  const map = new Map({
    target: element,
    controls: [new Zoom(), new Attribution({ collapsible: false }), new ScaleLine()],
    view: new View({ maxZoom: maxViewZoom, constrainResolution: false }),
  });
  bus.on('language-change', () => relabelZoomButtons(map));
  relabelZoomButtons(map);

  if (config.basemapUrl) map.addLayer(createBasemapLayer(config.basemapUrl));
  for (const definition of config.layers) {
    map.addLayer(createDataLayer(definition, config.attribution));
  }

  frameRegency(map, config.regency.bbox);
  return map;
}

/** Fits the view to the regency extent, given as [minLon, minLat, maxLon, maxLat]. */
export function frameRegency(map: Map, bbox: ClientConfig['regency']['bbox']) {
  const extent = transformExtent(bbox, 'EPSG:4326', map.getView().getProjection());
  map.getView().fit(extent, { size: map.getSize(), padding: [24, 24, 24, 24] });
}

function relabelZoomButtons(map: Map) {
  const viewport = map.getViewport();
  viewport?.querySelector('.ol-zoom-in')?.setAttribute('title', translate('map.zoomIn'));
  viewport?.querySelector('.ol-zoom-out')?.setAttribute('title', translate('map.zoomOut'));
}

// No attribution of its own: the configured attribution line is expected to name the
// background map's provider alongside the data sources.
function createBasemapLayer(url: string) {
  const source = new XYZ({ url, crossOrigin: 'anonymous', maxZoom: 19 });
  return new TileLayer({ source, zIndex: -1, properties: { basemap: true } });
}
