import { afterEach, describe, expect, it } from 'vitest';
import { checkAttributes, defaultTextMaxLength } from '../../../layers/validate-attributes.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { describeProblem } from '../../../web/edit/attribute-form.js';
import { setLanguage } from '../../../web/i18n/i18n.js';

const roadSegment = findLayer('road_segment')!;

afterEach(() => setLanguage('id'));

describe('attribute form problems', () => {
  it('shows a backwards chainage beside its field, naming the other field by its title', () => {
    const properties = { chainage_from_m: 1200, chainage_to_m: 800 };

    const { problems } = checkAttributes(roadSegment, properties, 'replace');
    const problem = problems.find((p) => p.field === 'chainage_from_m')!;

    expect(describeProblem(problem, roadSegment)).toBe(
      'Tidak boleh lebih besar dari Patok akhir (STA).',
    );
  });

  it('words a whole number past what its column stores with the largest it takes', () => {
    const evacuationPoint = findLayer('evacuation_point')!;
    const properties = { name: 'Balai Desa', type: 'titik_kumpul', capacity: 2147483648 };

    const { problems } = checkAttributes(evacuationPoint, properties, 'replace');

    expect(problems.map((p) => describeProblem(p, evacuationPoint))).toEqual([
      'Paling besar 2147483647.',
    ]);
  });

  it('words text past the default maximum with that maximum, in both languages', () => {
    const evacuationPoint = findLayer('evacuation_point')!;
    const source = 'x'.repeat(defaultTextMaxLength + 1);
    const properties = { name: 'Balai Desa', type: 'titik_kumpul', source };

    const { problems } = checkAttributes(evacuationPoint, properties, 'replace');
    const indonesian = problems.map((p) => describeProblem(p, evacuationPoint));
    setLanguage('en');
    const english = problems.map((p) => describeProblem(p, evacuationPoint));

    expect(indonesian).toEqual([`Paling banyak ${defaultTextMaxLength} karakter.`]);
    expect(english).toEqual([`At most ${defaultTextMaxLength} characters.`]);
  });

  it('lets a road saved with backwards chainage be edited while both stay as saved', () => {
    const stored = { chainage_from_m: 9000, chainage_to_m: 10, name: 'Jalan lama' };
    const renamed = { ...stored, name: 'Jalan lama baru' };
    const moved = { ...stored, chainage_to_m: 20 };

    const kept = checkAttributes(roadSegment, renamed, 'replace', 'reject', stored);
    const changed = checkAttributes(roadSegment, moved, 'replace', 'reject', stored);

    expect(kept.problems.filter((p) => p.field === 'chainage_from_m')).toEqual([]);
    expect(changed.problems).toContainEqual(
      expect.objectContaining({ field: 'chainage_from_m', code: 'above-other' }),
    );
  });
});
