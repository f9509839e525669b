import type { GeometryType, LayerStyle } from '../../layers/types.js';

/** Resolved drawing instructions for one class of a layer, shared by the map and the legend. */
export interface Symbolizer {
  shape: 'polygon' | 'line' | 'point';
  stroke: string;
  strokeWidth: number;
  strokeDash?: number[];
  /** CSS colour with its opacity applied, or undefined for no fill. */
  fill?: string;
  pointRadius: number;
}

const defaultFillOpacity = 0.3;
const defaultStrokeWidth = 1;
const defaultPointRadius = 5;

/** What a feature's coded values add to the layer style: `classifyBy` colour, `widthBy` width. */
export interface ClassOverrides {
  color?: string;
  strokeWidth?: number;
}

/**
 * How to draw a layer's features, optionally of one class: the class colour replaces the
 * stroke of lines and the fill of polygons and points, the class width the stroke width.
 * Polygons get no fill when neither a fill nor a class colour is declared, or when the
 * opacity is 0, so they are not clickable inside (the regency outline must not hide the
 * kecamatan under it).
 */
export function resolveSymbolizer(
  geometry: GeometryType,
  style: LayerStyle,
  overrides: ClassOverrides = {},
): Symbolizer {
  const shape = shapeOf(geometry);
  const classColor = overrides.color;
  const base = {
    shape,
    strokeWidth: overrides.strokeWidth ?? style.strokeWidth ?? defaultStrokeWidth,
    strokeDash: style.strokeDash,
    pointRadius: style.pointRadius ?? defaultPointRadius,
  };

  if (shape === 'line') return { ...base, stroke: classColor ?? style.stroke };

  const fill = shape === 'point' ? pointFill(style, classColor) : polygonFill(style, classColor);
  return { ...base, stroke: style.stroke, fill };
}

function shapeOf(geometry: GeometryType): Symbolizer['shape'] {
  if (geometry === 'MultiPolygon') return 'polygon';
  if (geometry === 'MultiLineString') return 'line';
  return 'point';
}

function polygonFill(style: LayerStyle, classColor?: string) {
  const color = classColor ?? style.fill;
  const opacity = style.fillOpacity ?? defaultFillOpacity;

  return color && opacity > 0 ? withOpacity(color, opacity) : undefined;
}

// A marker is solid unless the declaration asks for transparency: a 30% dot is hard to see.
function pointFill(style: LayerStyle, classColor?: string) {
  const color = classColor ?? style.fill ?? style.stroke;
  return withOpacity(color, style.fillOpacity ?? 1);
}

/** `#rrggbb` (or `#rgb`) with an alpha, as `rgba()`; other CSS colours are returned as given. */
export function withOpacity(color: string, opacity: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;

  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex;
  const [red, green, blue] = [0, 2, 4].map((start) => parseInt(full.slice(start, start + 2), 16));
  return `rgba(${red}, ${green}, ${blue}, ${opacity})`;
}
