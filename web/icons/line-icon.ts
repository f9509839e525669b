/**
 * An 18-pixel icon of one stroked SVG path on a 20×20 grid, in the text colour, so a control
 * needs no icon file. Hidden from screen readers: the control's label names it.
 */
export function lineIcon(pathData: string, strokeWidth: number): SVGSVGElement {
  const namespace = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(namespace, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(namespace, 'path');
  path.setAttribute('d', pathData);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', String(strokeWidth));
  svg.append(path);
  return svg;
}
