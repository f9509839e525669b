import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { CodedValue, LayerDefinition } from '../../layers/types.js';
import {
  resolveSymbolizer,
  type ClassOverrides,
  type Symbolizer,
} from '../../web/map/symbolizer.js';

/** An SLD 1.0 document generated from a layer's declared style, and its fingerprint. */
export interface GeneratedStyle {
  name: string;
  sld: string;
  /** 16 hex digits of SHA-256 over the SLD; written into the style's abstract. */
  fingerprint: string;
}

type XmlNode = Record<string, unknown>;

/** One rule: a class of features, its filter and how the web map draws it. */
interface StyleClass {
  title: string;
  filter?: XmlNode;
  isElse?: boolean;
  overrides: ClassOverrides;
}

/** Scale denominator of XYZ zoom `z` (256-pixel tiles, 0.28 mm pixels, at the equator). */
export function scaleDenominatorOfZoom(z: number): number {
  return 559082264.0287178 / 2 ** z;
}

const fingerprintPattern = /Simpul fingerprint ([0-9a-f]{16})/;

/** The fingerprint written into an SLD by `generateSld`, or undefined for a foreign style. */
export function readFingerprint(sld: string): string | undefined {
  return fingerprintPattern.exec(sld)?.[1];
}

function bilingual(id: string, en: string): string {
  return id === en ? id : `${id} / ${en}`;
}

/** `#rgb`, `#rrggbb` or `rgba(r, g, b, a)` as SLD's `#rrggbb` and an opacity. */
function toSldColor(color: string, layerId: string): { hex: string; opacity: number } {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color);
  if (short)
    return {
      hex: `#${short
        .slice(1)
        .map((d) => d + d)
        .join('')}`,
      opacity: 1,
    };
  if (/^#[0-9a-f]{6}$/i.test(color)) return { hex: color.toLowerCase(), opacity: 1 };

  const rgba = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/.exec(color);
  if (!rgba) throw new Error(`layer ${layerId}: colour "${color}" is not #rrggbb`);
  const hex = rgba.slice(1, 4).map((c) => Number(c).toString(16).padStart(2, '0'));
  return { hex: `#${hex.join('')}`, opacity: Number(rgba[4] ?? 1) };
}

function cssParameter(name: string, value: string | number): XmlNode {
  return { '@_name': name, '#text': String(value) };
}

function strokeOf(symbolizer: Symbolizer, layerId: string): XmlNode {
  const { hex, opacity } = toSldColor(symbolizer.stroke, layerId);
  const parameters = [
    cssParameter('stroke', hex),
    cssParameter('stroke-width', symbolizer.strokeWidth),
  ];
  if (opacity < 1) parameters.push(cssParameter('stroke-opacity', opacity));
  // OpenLayers joins and caps lines round by default; so does the SLD.
  parameters.push(
    cssParameter('stroke-linejoin', 'round'),
    cssParameter('stroke-linecap', 'round'),
  );
  if (symbolizer.strokeDash?.length) {
    parameters.push(cssParameter('stroke-dasharray', symbolizer.strokeDash.join(' ')));
  }
  return { CssParameter: parameters };
}

function fillOf(color: string, layerId: string): XmlNode {
  const { hex, opacity } = toSldColor(color, layerId);
  return { CssParameter: [cssParameter('fill', hex), cssParameter('fill-opacity', opacity)] };
}

function symbolizerElement(symbolizer: Symbolizer, layerId: string): XmlNode {
  const stroke = strokeOf(symbolizer, layerId);
  if (symbolizer.shape === 'line') return { LineSymbolizer: { Stroke: stroke } };
  if (symbolizer.shape === 'polygon') {
    const fill = symbolizer.fill ? { Fill: fillOf(symbolizer.fill, layerId) } : {};
    return { PolygonSymbolizer: { ...fill, Stroke: stroke } };
  }
  const mark = {
    WellKnownName: 'circle',
    ...(symbolizer.fill ? { Fill: fillOf(symbolizer.fill, layerId) } : {}),
    Stroke: stroke,
  };
  return { PointSymbolizer: { Graphic: { Mark: mark, Size: symbolizer.pointRadius * 2 } } };
}

function equalTo(attribute: string, code: string): XmlNode {
  return { 'ogc:PropertyIsEqualTo': { 'ogc:PropertyName': attribute, 'ogc:Literal': code } };
}

/** Features whose value is none of `codes` (null included: a null equals nothing). */
function noneOf(attribute: string, codes: string[]): XmlNode {
  const comparisons = codes.map((code) => equalTo(attribute, code));
  if (comparisons.length === 1) return { 'ogc:Not': comparisons[0] };
  const any = { 'ogc:Or': mergeSiblings(comparisons) };
  return { 'ogc:Not': any };
}

/** Several `{ element: … }` nodes as one node with repeated elements, order kept per name. */
function mergeSiblings(nodes: XmlNode[]): XmlNode {
  const merged: Record<string, unknown[]> = {};
  for (const node of nodes) {
    for (const [name, value] of Object.entries(node)) (merged[name] ??= []).push(value);
  }
  return merged;
}

function domainOf(layer: LayerDefinition, attribute: string | undefined): readonly CodedValue[] {
  return layer.attributes.find((a) => a.name === attribute)?.domain ?? [];
}

/** The classes of one attribute: its coded values that carry what `pick` reads. */
interface ValueClass {
  code?: string;
  title: string;
  value?: CodedValue;
}

function valueClasses(
  layer: LayerDefinition,
  attribute: string | undefined,
  has: (value: CodedValue) => boolean,
): ValueClass[] {
  const listed = domainOf(layer, attribute).filter(has);
  if (listed.length === 0) return [];
  const classes: ValueClass[] = listed.map((value) => ({
    code: value.code,
    title: bilingual(value.labelId, value.labelEn),
    value,
  }));
  return [...classes, { title: bilingual('Lainnya', 'Other') }];
}

function conditionOf(attribute: string, value: ValueClass, all: ValueClass[]): XmlNode {
  if (value.code !== undefined) return equalTo(attribute, value.code);
  const codes = all.flatMap((c) => (c.code === undefined ? [] : [c.code]));
  return noneOf(attribute, codes);
}

/**
 * The rules the web map draws with (web/map/layer-style.ts): a colour per coded value of
 * `classifyBy`, a width per coded value of `widthBy`, each pair of them one rule, values
 * without a colour or width drawn with the layer's own. When both attributes differ the
 * GeoServer legend lists every pair, where the web legend lists colours and widths apart.
 */
function listStyleClasses(layer: LayerDefinition): StyleClass[] {
  const { classifyBy, widthBy } = layer.style;
  if (classifyBy && classifyBy === widthBy) {
    const classes = valueClasses(layer, classifyBy, (v) => Boolean(v.color || v.strokeWidth));
    return classes.map((c) => ({
      title: c.title,
      ...(c.code !== undefined ? { filter: equalTo(classifyBy, c.code) } : { isElse: true }),
      overrides: { color: c.value?.color, strokeWidth: c.value?.strokeWidth },
    }));
  }
  const colors = valueClasses(layer, classifyBy, (v) => Boolean(v.color));
  const widths = valueClasses(layer, widthBy, (v) => v.strokeWidth !== undefined);
  if (colors.length === 0 && widths.length === 0) {
    return [{ title: bilingual(layer.titleId, layer.titleEn), overrides: {} }];
  }
  const colorAxis = colors.length ? colors : [undefined];
  const widthAxis = widths.length ? widths : [undefined];
  return colorAxis.flatMap((color) =>
    widthAxis.map((width) => pairClass(color, width, colors, widths, classifyBy, widthBy)),
  );
}

function pairClass(
  color: ValueClass | undefined,
  width: ValueClass | undefined,
  colors: ValueClass[],
  widths: ValueClass[],
  classifyBy: string | undefined,
  widthBy: string | undefined,
): StyleClass {
  const overrides = { color: color?.value?.color, strokeWidth: width?.value?.strokeWidth };
  const title = [color?.title, width?.title].filter(Boolean).join(' · ');
  if (color?.code === undefined && width?.code === undefined) {
    return { title, isElse: true, overrides };
  }
  const conditions = [
    ...(color ? [conditionOf(classifyBy!, color, colors)] : []),
    ...(width ? [conditionOf(widthBy!, width, widths)] : []),
  ];
  const filter =
    conditions.length === 1 ? conditions[0]! : { 'ogc:And': mergeSiblings(conditions) };
  return { title, filter, overrides };
}

function scaleRange(minZoom: number | undefined, maxZoom: number | undefined): XmlNode {
  const range: XmlNode = {};
  if (maxZoom !== undefined) range.MinScaleDenominator = scaleDenominatorOfZoom(maxZoom).toFixed(2);
  if (minZoom !== undefined) range.MaxScaleDenominator = scaleDenominatorOfZoom(minZoom).toFixed(2);
  return range;
}

function classRule(layer: LayerDefinition, styleClass: StyleClass, range: XmlNode): XmlNode {
  const symbolizer = resolveSymbolizer(layer.geometry.type, layer.style, styleClass.overrides);
  const selection = styleClass.isElse
    ? { ElseFilter: '' }
    : styleClass.filter && { 'ogc:Filter': styleClass.filter };
  return {
    Title: styleClass.title,
    ...selection,
    ...range,
    ...symbolizerElement(symbolizer, layer.id),
  };
}

/** A text label like the web map's: bold 12 px, dark with a white halo, from `labelMinZoom`. */
function labelRule(layer: LayerDefinition): XmlNode | undefined {
  const attribute = layer.attributes.find((a) => a.name === layer.style.labelAttribute);
  if (!attribute) return undefined;

  const placement =
    layer.geometry.type === 'MultiLineString'
      ? { LinePlacement: '' }
      : { PointPlacement: pointPlacement(layer) };
  const labelMinZoom = layer.style.labelMinZoom ?? layer.zoom.min;
  return {
    Title: bilingual(attribute.titleId, attribute.titleEn),
    ...scaleRange(labelMinZoom, layer.zoom.max),
    TextSymbolizer: {
      Label: { 'ogc:PropertyName': attribute.name },
      Font: {
        CssParameter: [
          cssParameter('font-family', 'SansSerif'),
          cssParameter('font-size', 12),
          cssParameter('font-weight', 'bold'),
        ],
      },
      LabelPlacement: placement,
      Halo: { Radius: 1.5, Fill: fillOf('rgba(255, 255, 255, 0.9)', layer.id) },
      Fill: fillOf('#1f2328', layer.id),
    },
  };
}

function pointPlacement(layer: LayerDefinition): XmlNode {
  const anchor = { AnchorPointX: 0.5, AnchorPointY: 0.5 };
  if (!layer.geometry.type.endsWith('Point')) return { AnchorPoint: anchor };
  // Point labels sit 12 px above the marker, as in the web map.
  return { AnchorPoint: anchor, Displacement: { DisplacementX: 0, DisplacementY: 12 } };
}

function documentOf(layer: LayerDefinition, name: string, abstract: string): XmlNode {
  const layerRange = scaleRange(
    layer.zoom.min > 0 ? layer.zoom.min - 1 : undefined,
    layer.zoom.max,
  );
  const rules = listStyleClasses(layer).map((c) => classRule(layer, c, layerRange));
  const label = labelRule(layer);
  const featureTypeStyles = [{ Rule: rules }, ...(label ? [{ Rule: [label] }] : [])];
  return {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    StyledLayerDescriptor: {
      '@_version': '1.0.0',
      '@_xmlns': 'http://www.opengis.net/sld',
      '@_xmlns:ogc': 'http://www.opengis.net/ogc',
      '@_xmlns:xlink': 'http://www.w3.org/1999/xlink',
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@_xsi:schemaLocation':
        'http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd',
      NamedLayer: {
        Name: layer.id,
        UserStyle: {
          Name: name,
          Title: bilingual(layer.titleId, layer.titleEn),
          Abstract: abstract,
          FeatureTypeStyle: featureTypeStyles,
        },
      },
    },
  };
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
});

/**
 * The SLD 1.0 style of a layer from its declaration: the same classes and colours as the web
 * legend (via the web map's own symbolizer), its zoom range as scale denominators, and its
 * labels. The abstract carries a fingerprint of the document, so a plan can tell whether
 * GeoServer holds this very style however GeoServer re-encodes the XML.
 */
export function generateSld(layer: LayerDefinition, name = layer.id): GeneratedStyle {
  const origin = `Generated by Simpul from the declaration of layer ${layer.id}.`;
  const draft = builder.build(documentOf(layer, name, origin)) as string;
  const fingerprint = createHash('sha256').update(draft).digest('hex').slice(0, 16);

  const abstract = `${origin} Simpul fingerprint ${fingerprint}`;
  return { name, sld: builder.build(documentOf(layer, name, abstract)) as string, fingerprint };
}
