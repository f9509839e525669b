import type { AttributeDefinition, LayerDefinition } from '../../layers/types.js';
import type { ApiFeature } from '../api/client-api.js';
import { pickTitle, translate, translateCount, type MessageKey } from '../i18n/i18n.js';
import { formatAttributeValue, formatFeatureName } from './format-value.js';

/** What the popup knows of the clicked feature so far. */
export interface IdentifyState {
  definition: LayerDefinition;
  /** The few attributes the vector tile carries, known at the click. */
  tileProperties: Record<string, unknown>;
  /** All attributes, once the feature API has answered. */
  feature?: ApiFeature;
  failed?: boolean;
  /** Which of the features under the click this is (from 0), and how many there are. */
  index: number;
  count: number;
  /** What the logged-in user may do with the layer; undefined for a visitor. */
  access?: 'edit' | 'view';
}

/**
 * What the popup's buttons do: close it, show the previous (-1) or next (+1) feature, or open
 * the feature in the editor.
 */
export interface IdentifyActions {
  close: () => void;
  page: (step: -1 | 1) => void;
  edit: () => void;
}

/** The popup's content: layer and feature name, then every attribute once it has loaded. */
export function renderIdentify(state: IdentifyState, actions: IdentifyActions): HTMLElement[] {
  const body = document.createElement('div');
  body.className = 'identify__body';

  if (state.definition.metadata.sample) body.append(renderSampleNote());
  body.append(...renderBody(state));
  if (state.feature && state.access) body.append(renderAccess(state, actions.edit));
  return [renderHeader(state, actions), body];
}

/** For a logged-in user: the way into the editor, or why this layer is not theirs to edit. */
function renderAccess({ access, definition }: IdentifyState, edit: () => void): HTMLElement {
  if (access === 'edit') {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'identify__edit';
    button.textContent = translate('identify.edit');
    button.addEventListener('click', edit);
    return button;
  }
  const note = document.createElement('p');
  note.className = 'identify__read-only';
  note.textContent = translate('identify.readOnly', { roles: definition.access.edit.join(', ') });
  return note;
}

// When the feature API fails, the attributes the tile carried are still worth showing.
function renderBody({ definition, feature, failed, tileProperties }: IdentifyState) {
  const { attributes } = definition;
  if (feature) return [renderAttributeTable(attributes, feature.properties)];
  if (!failed) return [renderStatus('identify.loading')];

  // Some attributes travel only in closer tiles: those this tile did not carry are left out.
  const inTiles = attributes.filter((a) => a.inTiles && a.name in tileProperties);
  return [renderStatus('identify.failed'), renderAttributeTable(inTiles, tileProperties)];
}

function renderHeader(state: IdentifyState, actions: IdentifyActions): HTMLElement {
  const header = document.createElement('header');
  header.className = 'identify__header';

  const layerTitle = document.createElement('p');
  layerTitle.className = 'identify__layer';
  layerTitle.textContent = pickTitle(state.definition);

  const name = document.createElement('h2');
  name.className = 'identify__title';
  name.textContent = readFeatureName(state);

  const heading = document.createElement('div');
  if (state.count > 1) heading.append(renderCount(state.count));
  heading.append(layerTitle, name);
  const buttons = document.createElement('div');
  buttons.className = 'identify__buttons';
  if (state.count > 1) buttons.append(...renderPager(state, actions.page));
  buttons.append(renderButton('×', 'identify.close', actions.close));

  header.append(heading, buttons);
  return header;
}

/** How many features lie under the click, above the one shown. */
function renderCount(count: number): HTMLElement {
  const line = document.createElement('p');
  line.className = 'identify__count';
  line.textContent = translateCount('identify.count', count);
  return line;
}

function readFeatureName({ definition, feature, tileProperties }: IdentifyState): string {
  const properties = { ...tileProperties, ...feature?.properties };
  return formatFeatureName(definition, properties, feature?.id);
}

function renderPager(state: IdentifyState, page: IdentifyActions['page']): HTMLElement[] {
  const position = document.createElement('span');
  position.className = 'identify__position';
  position.textContent = `${state.index + 1}/${state.count}`;

  const previous = renderButton('‹', 'identify.previous', () => page(-1));
  const next = renderButton('›', 'identify.next', () => page(1));
  return [previous, position, next];
}

function renderButton(symbol: string, labelKey: MessageKey, onClick: () => void) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'identify__button';
  button.textContent = symbol;
  button.title = translate(labelKey);
  button.setAttribute('aria-label', translate(labelKey));
  button.addEventListener('click', onClick);
  return button;
}

function renderAttributeTable(
  attributes: readonly AttributeDefinition[],
  properties: Record<string, unknown>,
): HTMLElement {
  const table = document.createElement('table');
  table.className = 'identify__attributes';

  for (const attribute of attributes) {
    const row = table.insertRow();
    const title = document.createElement('th');
    title.scope = 'row';
    title.textContent = pickTitle(attribute);
    row.append(title);
    row.insertCell().textContent = formatAttributeValue(attribute, properties[attribute.name]);
  }
  return table;
}

function renderSampleNote(): HTMLElement {
  const note = document.createElement('p');
  note.className = 'identify__sample';
  note.textContent = translate('sample.note');
  return note;
}

function renderStatus(key: 'identify.loading' | 'identify.failed'): HTMLElement {
  const status = document.createElement('p');
  status.className = `identify__status identify__status--${key.split('.')[1]}`;
  status.textContent = translate(key);
  return status;
}
