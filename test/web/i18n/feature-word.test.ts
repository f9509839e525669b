import { describe, expect, it } from 'vitest';
import { translate, translateCount, type MessageKey } from '../../../web/i18n/i18n.js';
import { messages } from '../../../web/i18n/messages.js';
import { editText } from '../../../web/edit/edit-messages.js';
import { importText } from '../../../web/import/import-messages.js';

describe('the Indonesian word for a feature', () => {
  it('is "objek" in the identify popup, as in the editor and the search', () => {
    const popup = [
      translateCount('identify.count', 2),
      translate('identify.previous'),
      translate('identify.edit'),
    ];
    const elsewhere = [editText('edit.selectFirst'), translate('search.label')];

    expect([...popup, ...elsewhere].every((text) => /\bobjek\b/i.test(text))).toBe(true);
  });

  it('is never "fitur" in the map, the popup, or the import sheet', () => {
    const mapTexts = Object.keys(messages.id).map((key) => translate(key as MessageKey));
    const importTexts = [
      importText('import.action'),
      importText('import.status.succeeded', { written: 3 }),
      importText('note.z-dropped', { count: 3 }),
      importText('note.undone', { actor: 'tapem', deleted: 3, restored: 0 }),
    ];

    expect([...mapTexts, ...importTexts].filter((text) => /\bfitur\b/i.test(text))).toEqual([]);
  });
});
