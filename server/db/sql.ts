import { createHash } from 'node:crypto';

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

/**
 * The name of a derived object (`<table>_<column>_check`, an index, a trigger), within
 * PostgreSQL's 63 bytes. A longer one is cut and ends in a hash of the whole, so two long names
 * sharing their first 54 characters stay apart; a name that fits is left as it is.
 */
export function objectName(name: string): string {
  if (name.length <= 63) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
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

/**
 * The geometry `expression` with its polygons' rings wound as RFC 7946 (section 3.1.6) has
 * GeoJSON's: outer rings counterclockwise, holes clockwise. A Shapefile's import keeps its
 * clockwise outer rings, which readers following the RFC (d3-geo) fill inside out. Only
 * polygons are touched: PostGIS 3.3's ST_ForcePolygonCCW reverses a LineString too, which
 * would turn every road around.
 */
export function woundAsGeoJson(expression: string): string {
  return `CASE WHEN ST_Dimension(${expression}) = 2 THEN ST_ForcePolygonCCW(${expression})
    ELSE ${expression} END`;
}
