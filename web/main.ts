import 'ol/ol.css';
import './main.css';
import type Map from 'ol/Map.js';
import { fetchClientConfig, type ClientConfig } from './api/client-api.js';
import { mountAppBar } from './app-bar/mount-app-bar.js';
import { mountLogin } from './auth/mount-login.js';
import { mountEditor } from './edit/mount-editor.js';
import { mountGeoServerAdmin } from './geoserver/mount-geoserver-admin.js';
import { translate } from './i18n/i18n.js';
import { mountLanguageToggle } from './i18n/mount-language-toggle.js';
import { mountIdentify } from './identify/mount-identify.js';
import { mountImport } from './import/mount-import.js';
import { mountLayerTree } from './layer-tree/mount-layer-tree.js';
import { mountLegend } from './legend/mount-legend.js';
import { tapCentreOnEnter } from './map/keyboard-tap.js';
import { createMap } from './map/create-map.js';
import { mountMeasure } from './measure/mount-measure.js';
import { mountDashboard } from './dashboard/mount-dashboard.js';
import { mountPlanLookup } from './plan-lookup/mount-plan-lookup.js';
import { trackRenderedLayers } from './map/rendered-layers.js';
import { mountPanel } from './panel/mount-panel.js';
import { mountSearch } from './search/mount-search.js';
import { mountViewExport } from './view-export/mount-view-export.js';

declare global {
  interface Window {
    /** The OpenLayers map, for browser tests and the console. */
    __simpulMap?: Map;
  }
}

function requireElement<Element extends HTMLElement>(selector: string): Element {
  const element = document.querySelector<Element>(selector);
  if (!element) throw new Error(`index.html has no ${selector}`);
  return element;
}

/** Loads the client configuration, then builds the map and mounts every feature on it. */
async function startSimpul() {
  mountLanguageToggle(requireElement<HTMLButtonElement>('#lang-toggle'));
  // over the map, below the app bar whatever its height (two rows on a phone)
  mountGeoServerAdmin(requireElement('.app-main'));
  const status = requireElement('#app-status');

  const config = await fetchClientConfig().catch((error: unknown) => {
    console.error('client configuration not loaded', error);
    status.dataset.i18n = 'app.failed';
    status.textContent = translate('app.failed');
    status.classList.add('app-status--failed');
  });
  if (!config) return;

  status.remove();
  showRegency(config);
  mountFeatures(config);
}

function showRegency(config: ClientConfig) {
  document.title = `Simpul · ${config.regency.name}`;
  requireElement('#regency-name').textContent = config.regency.name;
}

function mountFeatures(config: ClientConfig) {
  const map = createMap(requireElement('#map'), config);
  window.__simpulMap = map;
  trackRenderedLayers(map);

  mountPanel(map, requireElement('#panel'), requireElement<HTMLButtonElement>('#panel-toggle'));
  mountLayerTree(map, requireElement('#layer-tree'), config.themes);
  mountLegend(map, requireElement('#legend'));
  const tools = mountAppBar(requireElement('.app-bar'));
  mountLogin(requireElement('.app-bar__account'));
  // before the editor and identify: while measuring, a tap on the map measures only
  mountMeasure(map);
  mountViewExport(map, config.regency.name);
  // before the editor and identify: while its sheet is open, a click on the map asks the plan
  mountPlanLookup(map, tools);
  // before identify: while a layer is being edited, a click on the map edits
  mountEditor(map, requireElement('#panel'), requireElement('#map'), config);
  // after the editor: both go to the top of the panel, the search above the editing
  mountSearch(map, requireElement('#panel'), config.themes);
  mountDashboard(map, tools);
  mountImport(map, tools, config);
  mountIdentify(map, requireElement('#identify-popup'));
  tapCentreOnEnter(map);
}

void startSimpul();
