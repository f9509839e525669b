import { describe, expect, it } from 'vitest';
import { objectName, quoteIdentifier } from '../../../server/db/sql.js';

describe('names of derived database objects', () => {
  it('leaves a name that fits in 63 characters as it is', () => {
    const name = `${'a'.repeat(55)}_check`;

    expect(objectName(name)).toBe(name);
  });

  it('keeps two long names sharing their start apart, each within 63 characters', () => {
    const start = `irrigation_structure_${'x'.repeat(40)}`;
    const insert = objectName(`${start}_chainage_check_insert`);
    const update = objectName(`${start}_chainage_check_update`);

    expect(insert).not.toBe(update);
    for (const name of [insert, update]) {
      expect(name).toHaveLength(63);
      expect(quoteIdentifier(name)).toBe(`"${name}"`);
    }
    expect(objectName(`${start}_chainage_check_insert`)).toBe(insert);
  });
});
