import type Map from 'ol/Map.js';

/** The class of a sheet or panel that may lie over the map (import, dashboard, plan, panel). */
export const mapSheetClass = 'map-sheet';

/** Nearer than this to the map's width, a sheet lies along its top or bottom edge. */
const fullWidthSlackPx = 32;

/**
 * The middle of the part of the map the open sheets leave in view, in map pixels: a sheet as
 * wide as the map takes its bottom (or top), a narrower one the side it is nearer. The map's
 * own middle when no sheet lies over it, or when the sheets leave nothing in view.
 */
export function visibleCentrePixel(map: Map): [number, number] | undefined {
  const [width, height] = map.getSize() ?? [];
  const mapBox = map.getTargetElement()?.getBoundingClientRect();
  if (!width || !height || !mapBox) return undefined;

  const free = { left: mapBox.left, top: mapBox.top, right: mapBox.right, bottom: mapBox.bottom };
  for (const sheet of document.querySelectorAll<HTMLElement>(`.${mapSheetClass}`)) {
    const box = sheet.getBoundingClientRect();
    const over = box.right > free.left && box.left < free.right && box.bottom > free.top;
    if (box.width === 0 || !over || box.top >= free.bottom) continue;
    if (box.width >= free.right - free.left - fullWidthSlackPx) {
      if (box.top - mapBox.top > mapBox.bottom - box.bottom) free.bottom = box.top;
      else free.top = box.bottom;
    } else if (box.left - mapBox.left > mapBox.right - box.right) free.right = box.left;
    else free.left = box.right;
  }

  if (free.right <= free.left || free.bottom <= free.top) return [width / 2, height / 2];
  const x = (free.left + free.right) / 2 - mapBox.left;
  const y = (free.top + free.bottom) / 2 - mapBox.top;
  return [x, y];
}
