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

/**
 * The 404 of a layer that does not exist or that the caller may not read: the same words for
 * both, naming only the public layers, so that no answer tells a restricted layer's id apart.
 */
export function unknownLayer(layerId: string) {
  const known = layerDefinitions.filter((l) => l.access.read === 'public').map((l) => l.id);
  const detail = `No layer "${layerId}". Known layers: ${known.join(', ')}.`;
  return notFound('unknown-collection', detail);
}

/** A layer by id; an unknown id is the 404 of `unknownLayer`. */
export function requireLayer(layerId: string): LayerDefinition {
  const layer = layersById.get(layerId);
  if (!layer) throw unknownLayer(layerId);
  return layer;
}

/** The attributes stored as ordinary columns (computed ones are read, never written). */
export function writableAttributes(layer: LayerDefinition) {
  return layer.attributes.filter((attribute) => !attribute.computed);
}
