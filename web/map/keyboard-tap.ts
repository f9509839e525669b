import type Map from 'ol/Map.js';
import MapBrowserEvent from 'ol/MapBrowserEvent.js';
import { visibleCentrePixel } from './visible-centre.js';

/**
 * Enter on the focused map taps it at the middle of the part an open sheet leaves in view
 * (visibleCentrePixel), under a cross shown there while the map has the keyboard's focus:
 * identify opens the popup of the feature there, the editor selects it (or splits there), as
 * for a tap. A tool that answers Enter itself calls `preventDefault` on the key event first
 * (the plan sheet asks about that point itself).
 */
export function tapCentreOnEnter(map: Map) {
  const target = map.getTargetElement();
  if (!target) return;

  const cross = document.createElement('div');
  cross.className = 'map-crosshair keyboard-crosshair';
  cross.setAttribute('aria-hidden', 'true');
  target.append(cross);
  const placeCross = () => {
    const pixel = visibleCentrePixel(map);
    if (!pixel) return undefined;
    cross.style.left = `${pixel[0]}px`;
    cross.style.top = `${pixel[1]}px`;
    return pixel;
  };
  target.addEventListener('focus', placeCross);
  map.on('change:size', placeCross);

  target.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.target !== target || event.defaultPrevented) return;
    // a sheet opened or closed since the map took the focus moves the middle
    const pixel = placeCross();
    if (!pixel) return;

    const tap = new MapBrowserEvent('singleclick', map, event);
    tap.pixel = pixel;
    map.handleMapBrowserEvent(tap);
  });
}
