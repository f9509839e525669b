import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { codedText } from '../../../web/import/import-messages.js';

afterEach(() => setLanguage('id'));

describe("a job's message in the import sheet", () => {
  it('words a job cut off from its database in both languages, not in the server text', () => {
    const lost = { code: 'database-connection-lost' };

    setLanguage('en');
    const english = codedText(lost, 'server text');
    setLanguage('id');
    const indonesian = codedText(lost, 'server text');

    expect(english).toMatch(/^The connection to the database was lost, so the import stopped/);
    expect(indonesian).toMatch(/^Sambungan ke basis data terputus, jadi impor berhenti/);
  });
});
