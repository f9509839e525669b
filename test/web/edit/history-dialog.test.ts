import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../web/api/edit-api.js';
import { deletedFeatureName } from '../../../web/edit/history-dialog.js';
import { setLanguage } from '../../../web/i18n/i18n.js';
import { roadsByCondition } from '../fixtures.js';

/** The fixture named by its coded condition, as a hazard zone is named by its hazard type. */
const namedByCode = { ...roadsByCondition, nameAttribute: 'condition' };

function deletion(propertiesBefore: Record<string, unknown> | null): HistoryEntry {
  return {
    historyId: 1,
    featureId: 42,
    operation: 'delete',
    versionBefore: 3,
    versionAfter: null,
    changedAt: '2026-01-01T00:00:00Z',
    changedBy: 'editor',
    client: 'web',
    note: null,
    propertiesAfter: null,
    propertiesBefore,
  };
}

afterEach(() => setLanguage('id'));

describe('deletedFeatureName', () => {
  it('names a deleted feature by the label of its coded name in the current language', () => {
    const entry = deletion({ condition: 'rusak_berat' });

    expect(deletedFeatureName(namedByCode, entry)).toBe('42 · Rusak berat');
    setLanguage('en');
    expect(deletedFeatureName(namedByCode, entry)).toBe('42 · Poor');
  });

  it('falls back to the id when the feature had no name', () => {
    expect(deletedFeatureName(namedByCode, deletion({ condition: null }))).toBe('42');
    expect(deletedFeatureName(namedByCode, deletion(null))).toBe('42');
  });
});
