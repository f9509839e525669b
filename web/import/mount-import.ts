import type Map from 'ol/Map.js';
import type { ClientConfig } from '../api/client-api.js';
import { onSessionChange } from '../auth/mount-login.js';
import { focusWithSheet } from '../app-bar/mount-app-bar.js';
import { bus } from '../events/event-bus.js';
import { importText } from './import-messages.js';
import { ImportSheet } from './import-sheet.js';
import './import.css';

/**
 * Adds the import and export button to the app bar's `tools` and its sheet beside the map.
 * Exports are open to whoever may read a layer; imports appear once an editor of a layer is
 * logged in.
 */
export function mountImport(map: Map, tools: HTMLElement, config: ClientConfig) {
  const sheet = new ImportSheet(map, config.layers);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'app-bar__button app-bar__button--text import-sheet__open';
  button.addEventListener('click', () => {
    sheet.toggle();
    if (!sheet.sheet.hidden) bus.emit('sheet-open', { sheet: 'import' });
  });
  const close = () => !sheet.sheet.hidden && sheet.toggle(false);
  bus.on('sheet-open', (opened) => opened.sheet !== 'import' && close());
  bus.on('panel-open', close);
  tools.append(button);
  map.getTargetElement()?.append(sheet.sheet);
  focusWithSheet(button, sheet.sheet, close);

  onSessionChange((session) => {
    sheet.session = { csrfToken: session.csrfToken, editableLayers: session.editableLayers };
    if (!sheet.sheet.hidden) sheet.render();
  });
  const relabel = () => {
    button.textContent = importText('import.openShort');
    button.title = importText('import.open');
    if (!sheet.sheet.hidden) sheet.render();
  };
  bus.on('language-change', relabel);
  bus.on('session-change', () => sheet.forget());
  relabel();
  return sheet;
}
