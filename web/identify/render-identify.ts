import type { AttributeDefinition, LayerDefinition } from '../../layers/types.js';
import type { ApiFeature } from '../api/client-api.js';
import { pickTitle, translate } from '../i18n/i18n.js';
import { formatAttributeValue } from './format-value.js';

/** What the popup knows of the clicked feature so far. */
export interface IdentifyState {
  definition: LayerDefinition;
  /** The few attributes the vector tile carries, known at the click. */
  tileProperties: Record<string, unknown>;
  /** All attributes, once the feature API has answered. */
  feature?: ApiFeature;
  failed?: boolean;
}

/** The popup's content: layer and feature name, then every attribute once it has loaded. */
export function renderIdentify(state: IdentifyState, onClose: () => void): HTMLElement[] {
  const body = document.createElement('div');
  body.className = 'identify__body';

  body.append(...renderBody(state));
  return [renderHeader(state, onClose), body];
}

// When the feature API fails, the attributes the tile carried are still worth showing.
function renderBody({ definition, feature, failed, tileProperties }: IdentifyState) {
  const { attributes } = definition;
  if (feature) return [renderAttributeTable(attributes, feature.properties)];
  if (!failed) return [renderStatus('identify.loading')];

  const inTiles = attributes.filter((attribute) => attribute.inTiles);
  return [renderStatus('identify.failed'), renderAttributeTable(inTiles, tileProperties)];
}

function renderHeader(state: IdentifyState, onClose: () => void): HTMLElement {
  const header = document.createElement('header');
  header.className = 'identify__header';

  const layerTitle = document.createElement('p');
  layerTitle.className = 'identify__layer';
  layerTitle.textContent = pickTitle(state.definition);

  const name = document.createElement('h2');
  name.className = 'identify__title';
  name.textContent = readFeatureName(state);

  const heading = document.createElement('div');
  heading.append(layerTitle, name);
  header.append(heading, renderCloseButton(onClose));
  return header;
}

function readFeatureName({ definition, feature, tileProperties }: IdentifyState): string {
  const nameAttribute = definition.nameAttribute;
  if (!nameAttribute) return String(feature?.id ?? '');

  const name = feature?.properties[nameAttribute] ?? tileProperties[nameAttribute];
  return name === undefined || name === null ? String(feature?.id ?? '') : String(name);
}

function renderCloseButton(onClose: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'identify__close';
  button.textContent = '×';
  button.title = translate('identify.close');
  button.setAttribute('aria-label', translate('identify.close'));
  button.addEventListener('click', onClose);
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

function renderStatus(key: 'identify.loading' | 'identify.failed'): HTMLElement {
  const status = document.createElement('p');
  status.className = `identify__status identify__status--${key.split('.')[1]}`;
  status.textContent = translate(key);
  return status;
}
