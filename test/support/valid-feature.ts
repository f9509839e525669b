import type { AttributeDefinition, GeometryType, LayerDefinition } from '../../layers/types.js';

/** Small geometries in Cilacap city (EPSG:4326), one per stored type, inside the regency. */
export const geometryInCilacapCity: Record<GeometryType, { type: string; coordinates: unknown }> = {
  Point: { type: 'Point', coordinates: [109.0, -7.7] },
  MultiPoint: { type: 'MultiPoint', coordinates: [[109.0, -7.7]] },
  MultiLineString: {
    type: 'MultiLineString',
    coordinates: [
      [
        [109.0, -7.7],
        [109.005, -7.705],
      ],
    ],
  },
  MultiPolygon: {
    type: 'MultiPolygon',
    coordinates: [
      [
        [
          [109.0, -7.7],
          [109.01, -7.7],
          [109.01, -7.71],
          [109.0, -7.71],
          [109.0, -7.7],
        ],
      ],
    ],
  },
};

let serial = 0;

/** A value meeting the attribute's declaration; text is made unique per call (natural keys). */
export function validValue(attribute: AttributeDefinition): unknown {
  if (attribute.domain) return attribute.domain[0]!.code;
  serial += 1;
  switch (attribute.type) {
    case 'integer':
      return Math.max(attribute.min ?? 1, Math.min(attribute.max ?? 1, 1));
    case 'number':
      return Math.max(attribute.min ?? 1.5, Math.min(attribute.max ?? 1.5, 1.5));
    case 'boolean':
      return true;
    case 'date':
      return '2024-01-15';
    case 'timestamp':
      return '2024-01-15T08:00:00+07:00';
    default:
      return `T${Date.now() % 100000}-${serial}`.slice(0, attribute.maxLength ?? 40);
  }
}

/** A GeoJSON feature that every rule of the layer accepts: required attributes filled. */
export function validFeature(layer: LayerDefinition, overrides: Record<string, unknown> = {}) {
  const properties: Record<string, unknown> = {};
  for (const attribute of layer.attributes) {
    if (attribute.required && !attribute.computed)
      properties[attribute.name] = validValue(attribute);
  }
  return {
    type: 'Feature',
    geometry: geometryInCilacapCity[layer.geometry.type],
    properties: { ...properties, ...overrides },
  };
}

/** A layer to edit in tests: the first declared one with this geometry type, if any. */
export function firstLayerOfType(layers: readonly LayerDefinition[], type: GeometryType) {
  return layers.find((layer) => layer.geometry.type === type);
}
