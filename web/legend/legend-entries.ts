import type { LayerDefinition } from '../../layers/types.js';
import { resolveSymbolizer, type Symbolizer } from '../map/symbolizer.js';

/** One line of a layer's legend: a symbol and its label in both languages. */
export interface LegendEntry {
  labelId: string;
  labelEn: string;
  symbolizer: Symbolizer;
}

/**
 * A layer's legend, from its declaration: one entry per coded value of `classifyBy` (values
 * without a colour are drawn like unclassified features), else one entry titled by the layer.
 */
export function listLegendEntries(definition: LayerDefinition): LegendEntry[] {
  const { geometry, style } = definition;
  const classified = definition.attributes.find((a) => a.name === style.classifyBy);

  if (!classified?.domain?.length) {
    const symbolizer = resolveSymbolizer(geometry.type, style);
    return [{ labelId: definition.titleId, labelEn: definition.titleEn, symbolizer }];
  }
  return classified.domain.map((value) => ({
    labelId: value.labelId,
    labelEn: value.labelEn,
    symbolizer: resolveSymbolizer(geometry.type, style, value.color),
  }));
}
