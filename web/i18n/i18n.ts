import { bus } from '../events/event-bus.js';
import { locales, messages, type Language, type MessageKey } from './messages.js';

export type { Language, MessageKey } from './messages.js';

const storageKey = 'simpul.language';

let currentLanguage: Language = readStoredLanguage();

function readStoredLanguage(): Language {
  try {
    return localStorage.getItem(storageKey) === 'en' ? 'en' : 'id';
  } catch {
    // Storage can be refused (private windows, strict settings): Indonesian then.
    return 'id';
  }
}

/** The interface language now in use; Indonesian unless the user chose English before. */
export function getLanguage(): Language {
  return currentLanguage;
}

/** Switches the interface language, remembers it on this device and tells every feature. */
export function setLanguage(language: Language) {
  currentLanguage = language;

  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // Not remembered where storage is refused; the switch still applies to this page.
  }

  bus.emit('language-change', language);
}

/** The locale that formats numbers and dates in the current language. */
export function getLocale(): string {
  return locales[currentLanguage];
}

/** Interface text for `key`, with `{name}` placeholders filled from `values`. */
export function translate(key: MessageKey, values: Record<string, string | number> = {}) {
  const text = messages[currentLanguage][key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** A message counting something, by the key its forms share (`identify.count`). */
export type CountedKey<Key> = Key extends `${infer Shared}.other` ? Shared : never;
export type CountedMessageKey = CountedKey<MessageKey>;

/**
 * The form of the counted text `key` in `texts` that counts `count`: `<key>.one`,
 * `<key>.other`… as the plural rules of the interface language choose (1 feature, 3 features;
 * an Indonesian noun keeps one form), `<key>.other` where `texts` lacks the chosen form.
 */
export function selectCountForm<Key extends string>(
  texts: Record<Key, string>,
  key: string,
  count: number,
): Key {
  const form = `${key}.${new Intl.PluralRules(getLocale()).select(count)}`;
  return (form in texts ? form : `${key}.other`) as Key;
}

/** `count` written in the local style of the interface language (1.200, 1,200). */
export function formatCount(count: number): string {
  return count.toLocaleString(getLocale());
}

/**
 * Interface text counting `count` things, in the form the language's plural rules choose
 * (see `selectCountForm`), with `{count}` written in the local style.
 */
export function translateCount(
  key: CountedMessageKey,
  count: number,
  values: Record<string, string | number> = {},
) {
  const chosen = selectCountForm(messages[currentLanguage], key, count);
  return translate(chosen, { ...values, count: formatCount(count) });
}

/** The title of a declaration item (layer, theme, attribute) in the current language. */
export function pickTitle(item: { titleId: string; titleEn: string }): string {
  return currentLanguage === 'en' ? item.titleEn : item.titleId;
}

/** The label of a coded value in the current language. */
export function pickLabel(value: { labelId: string; labelEn: string }): string {
  return currentLanguage === 'en' ? value.labelEn : value.labelId;
}
