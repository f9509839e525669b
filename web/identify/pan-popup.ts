import type Overlay from 'ol/Overlay.js';

/** Pixels kept between the popup and the map's edges, or the controls along its left edge. */
const popupMarginPx = 16;

/** The narrowest the popup becomes to fit beside an open sheet; narrower it would not read. */
const minPopupWidthPx = 220;

/** The shift, in pixels, that brings the span [start, end] between `min` and `max`. */
function shiftInto(start: number, end: number, min: number, max: number) {
  if (start < min) return min - start;
  // a popup longer than the room keeps its start in view
  if (end > max) return Math.max(max - end, min - start);
  return 0;
}

/**
 * The right edge of the map controls along the map's left edge (zoom, home, measure, export)
 * that lie beside the rows from `top` to `bottom`, in page pixels; the map's left edge when
 * none does. Controls spanning the map (the attribution on a phone) do not count.
 */
function controlsRight(mapElement: HTMLElement, top: number, bottom: number) {
  const map = mapElement.getBoundingClientRect();
  const beside = [...mapElement.querySelectorAll('.ol-control')]
    .map((control) => control.getBoundingClientRect())
    .filter((box) => box.width > 0 && box.left - map.left < popupMarginPx)
    .filter((box) => box.width < map.width / 3 && box.bottom > top && box.top < bottom);
  return Math.max(map.left, ...beside.map((box) => box.right));
}

/**
 * The part of the map, in page pixels, that no open sheet (plan information, dashboard,
 * import and export) lies over: a sheet on the right ends it at the sheet's left edge, a
 * sheet across the map's width (on a phone) at the sheet's top.
 */
function roomBesideSheets(mapElement: HTMLElement) {
  const map = mapElement.getBoundingClientRect();
  const room = { top: map.top, right: map.right, bottom: map.bottom, left: map.left };
  const sheets = [...mapElement.querySelectorAll<HTMLElement>(':scope > aside')]
    .filter((sheet) => !sheet.hidden)
    .map((sheet) => sheet.getBoundingClientRect())
    .filter((box) => box.width > 0 && box.height > 0);
  for (const box of sheets) {
    const acrossMap = box.left - map.left < popupMarginPx;
    if (acrossMap) room.bottom = Math.min(room.bottom, box.top);
    else room.right = Math.min(room.right, box.left);
  }
  return room;
}

/**
 * Pans the map so the popup of `overlay` shows whole and clear of the map controls along the
 * map's left edge and of an open sheet. OpenLayers' own autoPan keeps it inside the map only,
 * so on a phone the zoom buttons lay over the popup's left part.
 */
export function panPopupIntoView(overlay: Overlay) {
  const map = overlay.getMap();
  const element = overlay.getElement();
  const mapElement = map?.getTargetElement();
  const size = map?.getSize();
  if (!map || !element || !mapElement || !size || element.hidden) return;

  const room = roomBesideSheets(mapElement);
  // beside a sheet the room may be narrower than the popup: it narrows, down to a readable width
  const controlsEnd = controlsRight(mapElement, room.top, room.bottom) + popupMarginPx;
  const roomWidth = room.right - popupMarginPx - controlsEnd;
  element.style.maxWidth = `${Math.max(roomWidth, minPopupWidthPx)}px`;
  const popup = element.getBoundingClientRect();
  const dy = shiftInto(
    popup.top,
    popup.bottom,
    room.top + popupMarginPx,
    room.bottom - popupMarginPx,
  );
  const left = controlsRight(mapElement, popup.top + dy, popup.bottom + dy) + popupMarginPx;
  const dx = shiftInto(popup.left, popup.right, left, room.right - popupMarginPx);
  if (dx === 0 && dy === 0) return;

  // The popup stands where the last frame drew it, so the shift starts from that frame's
  // centre; a pan still under way (to the popup before its attributes came) gives way.
  const [width, height] = size;
  const shifted = map.getCoordinateFromPixel([width! / 2 - dx, height! / 2 - dy]);
  map.getView().cancelAnimations();
  map.getView().animate({ center: shifted, duration: 200 });
}
