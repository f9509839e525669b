import type Map from 'ol/Map.js';
import { bus } from '../events/event-bus.js';
import { compactScreen } from '../map/screen.js';
import './panel.css';

/**
 * The side panel (layer tree and legend) and the `toggle` button that opens and closes it.
 * On a wide screen it sits beside the map; on a phone it lies over the map's lower half (held
 * on its side, over its left edge), starts closed, and folds away when a popup opens on the
 * map or while the Informasi Tata Ruang sheet is open.
 */
export function mountPanel(map: Map, panel: HTMLElement, toggle: HTMLButtonElement) {
  const isPhone = () => window.matchMedia(compactScreen).matches;
  // folded to make way for the plan sheet, so it comes back when that sheet closes
  let foldedForSheet = false;
  const isOpen = () => !panel.classList.contains('panel--closed');

  const setOpen = (open: boolean) => {
    panel.classList.toggle('panel--closed', !open);
    toggle.setAttribute('aria-expanded', String(open));
    // The map takes the width the panel gives up; OpenLayers must measure it again.
    requestAnimationFrame(() => map.updateSize());
    if (!open) return;

    foldedForSheet = false;
    if (isPhone()) bus.emit('panel-open', {});
  };

  toggle.setAttribute('aria-controls', panel.id);
  toggle.addEventListener('click', () => setOpen(!isOpen()));
  // the edit form lives in the panel
  bus.on('edit-request', () => setOpen(true));
  bus.on('edit-select', () => setOpen(true));
  // lying over the map, the sheet would hide the popup; the panel button brings it back
  bus.on('identify-open', () => {
    if (isPhone()) setOpen(false);
  });
  // Dasbor or Impor/Ekspor: the panel folds for it as for the plan sheet, and stays folded
  // when the plan sheet it replaces closes; coming back, it closed the sheet just opened
  bus.on('sheet-open', ({ sheet }) => {
    if (sheet === 'plan-lookup') return;
    foldedForSheet = false;
    if (isPhone() && isOpen()) setOpen(false);
  });
  bus.on('plan-lookup-toggle', ({ open }) => {
    if (open && isPhone() && isOpen()) {
      setOpen(false);
      foldedForSheet = true;
    } else if (!open && foldedForSheet) setOpen(true);
  });
  setOpen(!isPhone());
}
