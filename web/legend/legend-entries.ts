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
 * without a colour are drawn like unclassified features), then one per coded value of a
 * different `widthBy`; a layer with neither has one entry titled by the layer.
 */
export function listLegendEntries(definition: LayerDefinition): LegendEntry[] {
  const { classifyBy, widthBy } = definition.style;
  const colorEntries = listClassEntries(definition, classifyBy, classifyBy === widthBy);
  const widthEntries = widthBy === classifyBy ? [] : listClassEntries(definition, widthBy, true);

  const entries = [...colorEntries, ...widthEntries];
  if (entries.length > 0) return entries;

  const symbolizer = resolveSymbolizer(definition.geometry.type, definition.style);
  return [{ labelId: definition.titleId, labelEn: definition.titleEn, symbolizer }];
}

function listClassEntries(
  definition: LayerDefinition,
  attributeName: string | undefined,
  withWidth: boolean,
): LegendEntry[] {
  const { geometry, style } = definition;
  const domain = definition.attributes.find(({ name }) => name === attributeName)?.domain ?? [];

  return domain.map((value) => {
    const colored = attributeName === style.classifyBy;
    const overrides = {
      color: colored ? value.color : undefined,
      strokeWidth: withWidth ? value.strokeWidth : undefined,
    };
    const symbolizer = resolveSymbolizer(geometry.type, style, overrides);
    return { labelId: value.labelId, labelEn: value.labelEn, symbolizer };
  });
}
