/**
 * Rules across two attributes (`attributeRules`, e.g. chainage from ≤ chainage to) kept by the
 * table itself, for every writer (API, import, restore, a survey's trigger, plain SQL).
 */
import type { AttributeRule, LayerDefinition } from '../../../layers/index.js';
import { objectName, quoteIdentifier } from '../sql.js';

/**
 * Part of each layer's schema checksum: raising it re-runs the (idempotent) layer statements
 * once on existing databases. Revision 1 replaced the rules' NOT VALID CHECKs by triggers;
 * revision 2 lets an undo put a row back as it was (`restoringSetting`); revision 3 calls the
 * rule's function only for a row that breaks the rule.
 */
export const attributeRuleRevision = 3;

/**
 * A transaction setting (`set_config(…, 'on', true)`) under which the rules are not checked:
 * set only by the undo of an import, which puts rows back exactly as they were stored, a row
 * stored before a rule existed included. Any SQL session could set it too, as it could disable
 * the triggers: the rules guard against mistakes, not against the database's own users.
 */
export const restoringSetting = 'simpul.restoring';

/** The name a rule is refused under, as a constraint: `<layer>_<attribute>_<other>_check`. */
export function attributeRuleName(layerId: string, rule: AttributeRule): string {
  return objectName(`${layerId}_${rule.attribute}_${rule.other}_check`);
}

function ruleFunctionStatement(name: string, rule: AttributeRule): string {
  const [low, high] = [quoteIdentifier(rule.attribute), quoteIdentifier(rule.other)];
  // Raised as a check violation naming the rule, so callers map it as they map a CHECK. A row
  // with either value empty passes, as it would a CHECK.
  return `CREATE OR REPLACE FUNCTION ${quoteIdentifier(name)}() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    BEGIN
      IF current_setting('${restoringSetting}', true) = 'on' THEN
        RETURN NEW;
      END IF;
      IF NOT (NEW.${low} ${rule.comparison} NEW.${high}) THEN
        RAISE EXCEPTION 'new row for relation "%" violates check constraint "${name}"',
            TG_TABLE_NAME
          USING ERRCODE = 'check_violation', CONSTRAINT = '${name}', TABLE = TG_TABLE_NAME,
            COLUMN = '${rule.attribute}',
            DETAIL = format('${rule.attribute} is %s and ${rule.other} is %s.',
              NEW.${low}, NEW.${high});
      END IF;
      RETURN NEW;
    END $fn$`;
}

/**
 * A rule across two attributes, kept by a trigger that raises a check violation named like a
 * constraint (`attributeRuleName`), so a refusal maps to both attributes. A CHECK would also
 * refuse every later update of a row stored before the rule existed, even one that leaves
 * both values alone (a survey copying its condition onto an old road): the trigger checks an
 * insert, and an update only when it changes one of the two values, which must then leave the
 * row in order. Removing a rule from a declaration leaves its trigger in place (drop it by hand).
 */
export function attributeRuleStatements(layer: LayerDefinition, rule: AttributeRule): string[] {
  const table = quoteIdentifier(layer.id);
  const name = attributeRuleName(layer.id, rule);
  const [low, high] = [quoteIdentifier(rule.attribute), quoteIdentifier(rule.other)];
  const onInsert = quoteIdentifier(objectName(`${name}_insert`));
  const onUpdate = quoteIdentifier(objectName(`${name}_update`));
  const changed = [low, high].map((c) => `NEW.${c} IS DISTINCT FROM OLD.${c}`).join(' OR ');
  // The function runs only for a row that breaks the rule: a PL/pgSQL call per row cost an
  // import of 100,000 road segments 0.1 s of its insert, for rows that nearly all pass.
  const breaks = `NOT (NEW.${low} ${rule.comparison} NEW.${high})`;
  const run = `EXECUTE FUNCTION ${quoteIdentifier(name)}()`;
  return [
    // the NOT VALID CHECK of earlier schemas, which the triggers replace
    `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdentifier(name)}`,
    ruleFunctionStatement(name, rule),
    `DROP TRIGGER IF EXISTS ${onInsert} ON ${table}`,
    `CREATE TRIGGER ${onInsert} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${breaks}) ${run}`,
    `DROP TRIGGER IF EXISTS ${onUpdate} ON ${table}`,
    `CREATE TRIGGER ${onUpdate} BEFORE UPDATE ON ${table} FOR EACH ROW
      WHEN ((${changed}) AND ${breaks}) ${run}`,
  ];
}
