import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Attribution from 'ol/control/Attribution.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import Zoom from 'ol/control/Zoom.js';
import ZoomToExtent from 'ol/control/ZoomToExtent.js';
import { equals, type Coordinate } from 'ol/coordinate.js';
import type { Extent } from 'ol/extent.js';
import TileLayer from 'ol/layer/Tile.js';
import { transformExtent } from 'ol/proj.js';
import XYZ from 'ol/source/XYZ.js';
import type { ClientConfig } from '../api/client-api.js';
import { bus } from '../events/event-bus.js';
import { translate, type MessageKey } from '../i18n/i18n.js';
import { createDataLayer } from './data-layers.js';
import { followSession } from './follow-session.js';
import { compactScreen, phoneScreen } from './screen.js';

/** The share of the map's height the panel covers there (its max-height in panel.css). */
const sheetShare = 0.55;

/**
 * The OpenLayers map in `element` (Web Mercator): one vector tile layer per declared layer,
 * drawn in `order`, an optional XYZ background map below them, framed on the regency. Only
 * the layers of the first theme show at start; the layer tree turns on the others.
 */
export function createMap(element: HTMLElement, config: ClientConfig): Map {
  const regencyExtent = transformExtent(config.regency.bbox, 'EPSG:4326', 'EPSG:3857');
  const map = new Map({
    target: element,
    controls: createControls(regencyExtent),
    // No deeper than the finest tiles of any layer: past it nothing gains detail.
    view: new View({ maxZoom: Math.max(...config.layers.map(({ zoom }) => zoom.max), 12) }),
  });
  // focusable, so the arrow keys move the map and + and - zoom it without a mouse; an
  // application to a screen reader, which then leaves those keys to the map, under its name
  element.tabIndex = 0;
  element.setAttribute('role', 'application');
  bus.on('language-change', () => relabelControls(map));
  relabelControls(map);

  if (config.basemapUrl) map.addLayer(createBasemapLayer(config.basemapUrl));
  // TODO: the first theme's layers (the boundaries) show at start because a dozen filled
  // layers drawn at once hide one another. A `visible` option in the declaration would let
  // each layer's owner choose; until then this one rule stands for all.
  for (const definition of config.layers) {
    const layer = createDataLayer(definition, config.attribution);
    layer.setVisible(definition.theme === config.themes[0]?.id);
    map.addLayer(layer);
  }

  followSession(map);

  frameRegencyUntilMoved(map, regencyExtent);
  return map;
}

/**
 * Frames the regency, and again each time the map's size changes (a phone turned on its side,
 * the panel opened beside the map) while the view is still as framed: kept in the new size,
 * the first framing's centre left most of the regency above a phone turned on its side.
 */
function frameRegencyUntilMoved(map: Map, regencyExtent: Extent) {
  const view = map.getView();
  let framed: { center: Coordinate; resolution: number } | undefined;
  const frame = () => {
    view.fit(regencyExtent, { size: map.getSize(), padding: regencyPadding(map) });
    const [center, resolution] = [view.getCenter(), view.getResolution()];
    framed = center && resolution ? { center, resolution } : undefined;
  };
  frame();
  map.on('change:size', () => {
    if (!framed || !map.getSize()) return;
    const center = view.getCenter();
    const unmoved =
      view.getResolution() === framed.resolution && !!center && equals(center, framed.center);
    if (unmoved) frame();
    else framed = undefined;
  });
}

/**
 * Padding in CSS pixels that frames the regency where it stays in sight: right of the buttons
 * along the map's left edge, and on a phone above the panel and the tool sheets, which lie
 * over the lower part of the map when opened. A portrait phone frames the regency by its
 * width, so this moves it up without zooming out.
 */
function regencyPadding(map: Map): number[] {
  const marginPx = 24;
  const mapHeightPx = map.getSize()?.[1] ?? 0;
  const sheetPx = window.matchMedia(phoneScreen).matches ? mapHeightPx * sheetShare : 0;
  return [marginPx, marginPx, marginPx + sheetPx, leftControlsWidth(map) + marginPx];
}

/** How far the buttons along the map's left edge (zoom, home) reach into it, in CSS pixels. */
function leftControlsWidth(map: Map) {
  const viewport = map.getViewport();
  if (!viewport) return 0;

  const mapLeft = viewport.getBoundingClientRect().left;
  const controls = viewport.querySelectorAll('.ol-zoom, .ol-zoom-extent');
  const rights = [...controls].map((control) => control.getBoundingClientRect().right - mapLeft);
  return Math.max(0, ...rights);
}

/** The home button: frames the regency as the first view did, in the map's size of now. */
class HomeControl extends ZoomToExtent {
  protected override handleZoomToExtent() {
    const map = this.getMap();
    if (map && this.extent) map.getView().fit(this.extent, { padding: regencyPadding(map) });
  }
}

function createControls(regencyExtent: Extent) {
  const home = new HomeControl({ extent: regencyExtent, label: homeIcon() });
  // On a phone the attribution spans several lines: shown at first, it can be folded away.
  const collapsible = window.matchMedia(compactScreen).matches;
  const attribution = new Attribution({ collapsible, collapsed: false });
  return [new Zoom(), home, attribution, new ScaleLine()];
}

function homeIcon(): HTMLElement {
  const icon = document.createElement('span');
  icon.className = 'map__home-icon';
  icon.setAttribute('aria-hidden', 'true');
  return icon;
}

function relabelControls(map: Map) {
  map.getTargetElement()?.setAttribute('aria-label', translate('map.label'));
  const titles: [string, MessageKey][] = [
    ['.ol-zoom-in', 'map.zoomIn'],
    ['.ol-zoom-out', 'map.zoomOut'],
    ['.ol-zoom-extent button', 'map.showRegency'],
    ['.ol-attribution button', 'map.attribution'],
  ];
  for (const [selector, key] of titles) {
    map.getViewport()?.querySelector(selector)?.setAttribute('title', translate(key));
  }
}

// No attribution of its own: the configured attribution line is expected to name the
// background map's provider alongside the data sources.
function createBasemapLayer(url: string) {
  const source = new XYZ({ url, crossOrigin: 'anonymous', maxZoom: 19 });
  return new TileLayer({ source, zIndex: -1, properties: { basemap: true } });
}
