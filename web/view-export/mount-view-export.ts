/**
 * Export of the map view: a button among the map's controls downloads what the map shows as a
 * PNG of the map's size, with a caption (title, date, scale, sources, the sample data warning)
 * and a legend of the layers drawn. Finished measurements on the map are part of the picture;
 * what a tool draws while in use (a sketch being drawn, vertex handles, the features being
 * edited, the place the plan sheet answers for, a search hit's outline, an import's preview)
 * is not.
 */
import type Map from 'ol/Map.js';
import Control from 'ol/control/Control.js';
import Draw from 'ol/interaction/Draw.js';
import Modify from 'ol/interaction/Modify.js';
import { bus } from '../events/event-bus.js';
import { element } from '../plan-lookup/render-plan-information.js';
import { composeMapCanvas, encodePng, TaintedCanvasError } from './compose-view.js';
import { drawCaption } from './draw-caption.js';
import { describeView } from './view-caption.js';
import { exportText, type ExportMessageKey } from './view-export-messages.js';
import './view-export.css';
import { lineIcon } from '../icons/line-icon.js';

/** How long the "downloaded" message stays; a failure stays until the next export. */
const doneMessageMs = 4000;

/**
 * How long an export waits for the tiles in view. A tile the server never answers would keep
 * `rendercomplete` from coming; past this the image holds what is drawn, holes and all.
 */
const renderWaitMs = 15000;

/** The map view as a PNG with its caption, once every tile in view has been drawn. */
export function renderViewPng(map: Map, title: string): Promise<Blob> {
  const pixelRatio = window.devicePixelRatio || 1;
  const showSketches = hideSketches(map);
  const rendered = new Promise<void>((resolve) => {
    map.once('rendercomplete', () => resolve());
    setTimeout(resolve, renderWaitMs);
  });
  map.render();

  return rendered
    .then(() => {
      const canvas = composeMapCanvas(map, pixelRatio);
      drawCaption(canvas.getContext('2d')!, describeView(map, title), pixelRatio);
      return encodePng(canvas);
    })
    .finally(showSketches);
}

/**
 * Hides, for the export's rendering, what the drawing and vertex editing tools draw while in
 * use (a measurement or parcel being drawn, the circle under the pointer, an edited feature's
 * handles): they draw on layers of their own that no class name sets apart. Returns what shows
 * them again.
 */
function hideSketches(map: Map): () => void {
  const sketches = map
    .getInteractions()
    .getArray()
    .flatMap((interaction) =>
      interaction instanceof Draw || interaction instanceof Modify
        ? [interaction.getOverlay()]
        : [],
    )
    .filter((layer) => layer.getVisible());
  for (const layer of sketches) layer.setVisible(false);
  return () => {
    for (const layer of sketches) layer.setVisible(true);
    if (sketches.length > 0) map.render();
  };
}

/** The file name of an export: `peta-<regency>-<yyyy-mm-dd>.png`. */
function fileNameOf(regencyName: string): string {
  const slug = regencyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `peta-${slug}-${new Date().toISOString().slice(0, 10)}.png`;
}

function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = element('a', '');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Adds the export button to the map's controls, with a status line beside it. */
export function mountViewExport(map: Map, regencyName: string) {
  const button = element('button', 'view-export__button');
  button.type = 'button';
  button.append(downloadIcon());
  const status = element('p', 'view-export__status');
  status.setAttribute('role', 'status');
  status.hidden = true;
  const control = element('div', 'ol-unselectable ol-control view-export', button, status);
  map.addControl(new Control({ element: control }));

  let shown: { key: ExportMessageKey; failure?: boolean } | undefined;
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  const show = (key?: ExportMessageKey, failure = false) => {
    shown = key && { key, failure };
    clearTimeout(hideTimer);
    status.hidden = !shown;
    status.classList.toggle('view-export__status--failed', failure);
    status.textContent = shown ? exportText(shown.key) : '';
  };

  // a failure's reason comes from the browser: shown as it is, whatever the language
  const showFailure = (reason: string) => {
    show('export.failed', true);
    status.textContent = exportText('export.failed', { reason });
  };

  // aria-disabled rather than disabled while the picture is made: a disabled button loses the
  // keyboard's focus to the page
  button.setAttribute('aria-disabled', 'false');
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    show('export.preparing');
    try {
      const png = await renderViewPng(map, `Simpul · ${regencyName}`);
      download(png, fileNameOf(regencyName));
      show('export.done');
      hideTimer = setTimeout(() => show(), doneMessageMs);
    } catch (error) {
      console.error('map view not exported', error);
      if (error instanceof TaintedCanvasError) show('export.tainted', true);
      else showFailure((error as Error).message);
    } finally {
      button.setAttribute('aria-disabled', 'false');
    }
  });

  const relabel = () => {
    button.title = exportText('export.open');
    button.setAttribute('aria-label', exportText('export.open'));
    if (shown && shown.key !== 'export.failed') status.textContent = exportText(shown.key);
  };
  bus.on('language-change', relabel);
  relabel();
}

/** An arrow into a tray drawn in SVG, so the control needs no icon file. */
function downloadIcon(): SVGSVGElement {
  return lineIcon('M10 2v11M5.5 8.5 10 13l4.5-4.5M3 14v3h14v-3', 1.8);
}
