import { layerDefinitions, themes, type LayerDefinition } from '../../layers/index.js';
import { notFound } from '../http/problem.js';

const layersById = new Map(layerDefinitions.map((layer) => [layer.id, layer]));

/** Every declared layer, in declaration order. */
export function listLayers(): readonly LayerDefinition[] {
  return layerDefinitions;
}

/** The declared themes in layer-tree order. */
export function listThemes() {
  return themes;
}

/** A layer by id, or undefined. */
export function findLayer(layerId: string): LayerDefinition | undefined {
  return layersById.get(layerId);
}

/** A layer by id; an unknown id is a 404 naming the known ones. */
export function requireLayer(layerId: string): LayerDefinition {
  const layer = layersById.get(layerId);
  if (!layer) {
    const known = layerDefinitions.map((l) => l.id).join(', ');
    throw notFound('unknown-collection', `No layer "${layerId}". Known layers: ${known}.`);
  }
  return layer;
}

/** The attributes stored as ordinary columns (computed ones are read, never written). */
export function writableAttributes(layer: LayerDefinition) {
  return layer.attributes.filter((attribute) => !attribute.computed);
}
