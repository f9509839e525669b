import type { AttributeDefinition, LayerDefinition } from './types.js';

/** The attributes a layer carries in its vector tiles at zoom `z`, or at any zoom without one. */
export function tileAttributesAt(layer: LayerDefinition, z?: number): AttributeDefinition[] {
  return layer.attributes.filter((a) => {
    if (!a.inTiles) return false;
    return a.inTiles === true || z === undefined || z >= a.inTiles.fromZoom;
  });
}
