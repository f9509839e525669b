import type Map from 'ol/Map.js';
import MVT from 'ol/format/MVT.js';
import type BaseLayer from 'ol/layer/Base.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import type { CodedValue, LayerDefinition } from '../../layers/types.js';
import { tileUrlTemplate } from '../api/client-api.js';
import { createLayerStyle } from './layer-style.js';
import { createPolygonLabelChooser, watchPolygonLabels } from './polygon-labels.js';

/** A map layer drawn from a layer declaration, with the declaration beside it. */
export interface DataLayer {
  layer: VectorTileLayer;
  definition: LayerDefinition;
}

const definitionKey = 'layerDefinition';
const shownValueKey = 'shownValue';

/**
 * The vector tile layer of a declaration. Tiles are requested only for the declared XYZ zoom
 * range; the layer shows from just above `zoom.min - 1`, where OpenLayers already draws the
 * `zoom.min` tiles (it picks the finer tile zoom), up to `zoom.max`.
 */
export function createDataLayer(definition: LayerDefinition, attribution: string) {
  const source = new VectorTileSource({
    format: new MVT(),
    url: tileUrlTemplate(definition.id),
    // 256-pixel tiles, so a tile's z is the XYZ zoom the declaration speaks of.
    tileSize: 256,
    minZoom: definition.zoom.min,
    maxZoom: definition.zoom.max,
    attributions: escapeHtml(attribution),
  });

  const labelChooser = hasPolygonLabels(definition) ? createPolygonLabelChooser() : undefined;
  const layer = new VectorTileLayer({
    source,
    declutter: true,
    zIndex: definition.order ?? 0,
    minZoom: definition.zoom.min - 1,
    maxZoom: definition.zoom.max,
    properties: {
      [definitionKey]: definition,
      [shownValueKey]: listShownValues(definition)[0]?.code,
    },
  });
  const shownValue = () => getShownValue(layer);
  layer.setStyle(createLayerStyle(definition, labelChooser?.carriesLabel, shownValue));

  if (labelChooser) watchPolygonLabels(layer, labelChooser);
  return layer;
}

// TODO: polygon labels are chosen in the browser (the largest tile piece in view), which
// redraws a layer's labels whenever the tiles in view change. Tiles carrying one label point
// per feature (ST_PointOnSurface) would make the choice free and steady while panning.
function hasPolygonLabels(definition: LayerDefinition): boolean {
  return definition.geometry.type === 'MultiPolygon' && !!definition.style.labelAttribute;
}

/** The coded values a layer with `showOneOf` shows one at a time; none for other layers. */
export function listShownValues(definition: LayerDefinition): readonly CodedValue[] {
  const { showOneOf } = definition.style;
  return definition.attributes.find(({ name }) => name === showOneOf)?.domain ?? [];
}

/** The coded value a `showOneOf` layer draws now, by its code. */
export function getShownValue(layer: BaseLayer): string | undefined {
  return layer.get(shownValueKey) as string | undefined;
}

/** Draws the features of another coded value of a `showOneOf` layer. */
export function setShownValue(layer: BaseLayer, code: string): void {
  layer.set(shownValueKey, code);
  // The style function reads the value, but only a change makes OpenLayers draw anew.
  layer.changed();
}

/** Calls `listener` when another coded value of a `showOneOf` layer is chosen. */
export function onShownValueChange(layer: BaseLayer, listener: () => void): void {
  layer.on('propertychange', (event) => {
    if (event.key === shownValueKey) listener();
  });
}

/** The declaration a map layer was made from, if it is a data layer. */
export function getLayerDefinition(layer: BaseLayer): LayerDefinition | undefined {
  return layer.get(definitionKey) as LayerDefinition | undefined;
}

/** The map's data layers, the one drawn on top first. */
export function listDataLayers(map: Map): DataLayer[] {
  const dataLayers: DataLayer[] = [];
  for (const layer of map.getLayers().getArray()) {
    const definition = getLayerDefinition(layer);
    if (definition && layer instanceof VectorTileLayer) dataLayers.push({ layer, definition });
  }
  return dataLayers.sort((a, b) => (b.definition.order ?? 0) - (a.definition.order ?? 0));
}

// OpenLayers shows attributions as HTML; the configured line is plain text.
function escapeHtml(text: string): string {
  const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  return text.replace(/[&<>"]/g, (character) => escapes[character] ?? character);
}
