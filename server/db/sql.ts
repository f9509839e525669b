/**
 * The one way identifiers and values reach SQL text. Identifiers come only from layer
 * declarations and are checked again here; values always travel as `$n` parameters.
 */

const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** A lower snake_case identifier, double-quoted; anything else is a programming error. */
export function quoteIdentifier(name: string): string {
  if (!identifierPattern.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return `"${name}"`;
}

/** Collects parameter values and hands out their `$n` placeholders in order. */
export class SqlParameters {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder, e.g. `$3`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
