import { bus } from '../events/event-bus.js';
import { getLanguage, setLanguage, translate, type MessageKey } from './i18n.js';

/**
 * Turns `button` into the language switch: each press swaps Indonesian and English, remembers
 * the choice and tells every feature through the `language-change` event. Static page text
 * marked `data-i18n="key"` is translated here too.
 */
export function mountLanguageToggle(button: HTMLButtonElement) {
  button.addEventListener('click', () => {
    setLanguage(getLanguage() === 'id' ? 'en' : 'id');
  });

  const render = () => {
    renderToggle(button);
    translateMarkedText(document.body);
  };
  bus.on('language-change', render);
  render();
}

function renderToggle(button: HTMLButtonElement) {
  button.textContent = translate('language.toggleShort');
  button.title = translate('language.toggle');
  button.setAttribute('aria-label', translate('language.toggle'));
  document.documentElement.lang = getLanguage();
}

function translateMarkedText(root: HTMLElement) {
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = translate(element.dataset.i18n as MessageKey);
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    const label = translate(element.dataset.i18nLabel as MessageKey);
    element.title = label;
    element.setAttribute('aria-label', label);
  }
}
