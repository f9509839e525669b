import type { FeatureLike } from 'ol/Feature.js';
import CircleStyle from 'ol/style/Circle.js';
import Fill from 'ol/style/Fill.js';
import Stroke from 'ol/style/Stroke.js';
import Style, { type StyleFunction } from 'ol/style/Style.js';
import Text from 'ol/style/Text.js';
import type { CodedValue, LayerDefinition } from '../../layers/types.js';
import { resolveSymbolizer, type Symbolizer } from './symbolizer.js';

/** Resolution of XYZ zoom 0 in EPSG:3857 metres per pixel, for 256-pixel tiles. */
const zoomZeroResolution = 156543.03392804097;

/** The XYZ zoom level (fractional) at which the map shows `resolution`. */
export function zoomForResolution(resolution: number): number {
  return Math.log2(zoomZeroResolution / resolution);
}

/**
 * The OpenLayers style function of a layer, from its declaration: stroke, fill, marker,
 * colour by the coded value of `classifyBy`, line width by that of `widthBy`, and a text
 * label from `labelMinZoom` on. Those attributes must travel in the tiles (`inTiles`).
 * `carriesLabel`, when given, says which tile pieces of a feature draw its label; with
 * `showOneOf`, only features holding `shownValue()` in that attribute are drawn.
 */
export function createLayerStyle(
  definition: LayerDefinition,
  carriesLabel: (feature: FeatureLike) => boolean = () => true,
  shownValue: () => string | undefined = () => undefined,
): StyleFunction {
  const styleForClass = createClassStyles(definition);
  const labelStyle = createLabelStyle(definition);
  const labelMinZoom = definition.style.labelMinZoom ?? definition.zoom.min;
  const { showOneOf } = definition.style;

  return (feature, resolution) => {
    if (showOneOf && String(feature.get(showOneOf)) !== shownValue()) return undefined;

    const base = styleForClass(feature);
    if (!labelStyle || zoomForResolution(resolution) < labelMinZoom) return base;
    if (!carriesLabel(feature)) return base;

    const label = feature.get(definition.style.labelAttribute ?? '');
    if (label === undefined || label === null || label === '') return base;

    labelStyle.getText()?.setText(String(label));
    return [base, labelStyle];
  };
}

/** Styles cached per pair of coded values (`classifyBy` colour, `widthBy` width) met so far. */
function createClassStyles(definition: LayerDefinition) {
  const { geometry, style } = definition;
  const colorClassOf = createCodedValueReader(definition, style.classifyBy);
  const widthClassOf = createCodedValueReader(definition, style.widthBy);
  const cache = new Map<string, Style>();

  return (feature: FeatureLike) => {
    const colorClass = colorClassOf(feature);
    const widthClass = widthClassOf(feature);
    const key = `${colorClass?.code}|${widthClass?.code}`;

    const cached = cache.get(key);
    if (cached) return cached;

    const overrides = { color: colorClass?.color, strokeWidth: widthClass?.strokeWidth };
    const created = toOlStyle(resolveSymbolizer(geometry.type, style, overrides));
    cache.set(key, created);
    return created;
  };
}

/** Reads the coded value a feature holds in `attributeName`; none without such a domain. */
function createCodedValueReader(definition: LayerDefinition, attributeName?: string) {
  const attribute = definition.attributes.find(({ name }) => name === attributeName);
  const byCode = new Map(attribute?.domain?.map((value) => [value.code, value]));

  return (feature: FeatureLike): CodedValue | undefined =>
    attribute && byCode.get(String(feature.get(attribute.name)));
}

function toOlStyle(symbolizer: Symbolizer): Style {
  const stroke = new Stroke({
    color: symbolizer.stroke,
    width: symbolizer.strokeWidth,
    lineDash: symbolizer.strokeDash,
  });
  const fill = symbolizer.fill ? new Fill({ color: symbolizer.fill }) : undefined;

  if (symbolizer.shape !== 'point') return new Style({ stroke, fill });
  return new Style({ image: new CircleStyle({ radius: symbolizer.pointRadius, stroke, fill }) });
}

// One label style per layer, its text set per feature just before drawing, as OpenLayers
// draws each feature with the style it was handed at once.
function createLabelStyle(definition: LayerDefinition): Style | undefined {
  if (!definition.style.labelAttribute) return undefined;

  const isPoint = definition.geometry.type.endsWith('Point');
  const text = new Text({
    font: '600 12px system-ui, sans-serif',
    fill: new Fill({ color: '#1f2328' }),
    stroke: new Stroke({ color: 'rgba(255, 255, 255, 0.9)', width: 3 }),
    placement: definition.geometry.type === 'MultiLineString' ? 'line' : 'point',
    offsetY: isPoint ? -12 : 0,
  });
  return new Style({ text });
}
