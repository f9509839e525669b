import { afterEach, describe, expect, it } from 'vitest';
import { editText } from '../../../web/edit/edit-messages.js';
import { setLanguage } from '../../../web/i18n/i18n.js';

afterEach(() => setLanguage('id'));

describe('editing text', () => {
  it('counts the features loaded for editing in words that fit one and many', () => {
    const indonesian = [1, 3].map((count) => editText('edit.loaded', { count }));
    setLanguage('en');
    const english = [1, 3].map((count) => editText('edit.loaded', { count }));

    expect(indonesian).toEqual([
      '1 objek dimuat untuk disunting.',
      '3 objek dimuat untuk disunting.',
    ]);
    const loaded = 'Features loaded for editing:';
    expect(english).toEqual([`${loaded} 1.`, `${loaded} 3.`]);
  });
});
