import type { Symbolizer } from '../map/symbolizer.js';

const svgNamespace = 'http://www.w3.org/2000/svg';

/** A 20×14 pixel SVG picture of a symbolizer: a square, a line or a dot, as the map draws it. */
export function renderLegendSymbol(symbolizer: Symbolizer): SVGSVGElement {
  const svg = document.createElementNS(svgNamespace, 'svg');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '14');
  svg.setAttribute('viewBox', '0 0 20 14');
  svg.setAttribute('aria-hidden', 'true');

  svg.append(drawShape(symbolizer));
  return svg;
}

function drawShape(symbolizer: Symbolizer): SVGElement {
  if (symbolizer.shape === 'line') {
    return createSvgElement('line', { x1: 1, y1: 7, x2: 19, y2: 7 }, symbolizer);
  }
  if (symbolizer.shape === 'point') {
    const radius = Math.min(symbolizer.pointRadius, 6);
    return createSvgElement('circle', { cx: 10, cy: 7, r: radius }, symbolizer);
  }
  return createSvgElement('rect', { x: 1, y: 1, width: 18, height: 12 }, symbolizer);
}

function createSvgElement(
  name: string,
  geometry: Record<string, number>,
  symbolizer: Symbolizer,
): SVGElement {
  const element = document.createElementNS(svgNamespace, name);
  for (const [key, value] of Object.entries(geometry)) element.setAttribute(key, String(value));

  element.setAttribute('stroke', symbolizer.stroke);
  element.setAttribute('stroke-width', String(Math.min(symbolizer.strokeWidth, 3)));
  element.setAttribute('fill', symbolizer.fill ?? 'none');
  const dash = symbolizer.strokeDash?.join(' ');
  if (dash) element.setAttribute('stroke-dasharray', dash);
  return element;
}
