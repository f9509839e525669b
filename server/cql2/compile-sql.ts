import type { AttributeDefinition, LayerDefinition } from '../../layers/index.js';
import { quoteIdentifier, type SqlParameters } from '../db/sql.js';
import type { CrsDefinition } from '../http/crs.js';
import { badRequest } from '../http/problem.js';
import { checkGeometry, envelopeSql, geometrySql, PositionBudget } from './geometry-literal.js';
import { isDate, isStorableText, isTimestamp } from './literals.js';
import {
  compareEnds,
  type Comparison,
  type TemporalBound,
  type TemporalEnd,
} from './temporal-ends.js';

/**
 * Compiles a CQL2 filter, in its JSON encoding (the text parser produces the same), to a SQL
 * boolean expression over the layer's table. Property names resolve only through the layer
 * declaration (plus `id` and `geometry`); every literal travels as a `$n` parameter, so no
 * part of the input ever reaches the SQL text. Anything unknown or ill-typed is a 400.
 */

type ValueType = 'text' | 'number' | 'boolean' | 'date' | 'timestamp' | 'geometry';

interface Scalar {
  sql: string;
  type: ValueType;
}

/**
 * An instant or interval. Its ends become SQL only when a relation reads them, so a bound the
 * relation does not compare (T_AFTER reads only the end of its second operand) binds no value:
 * PostgreSQL refuses a parameter that the statement never uses.
 */
interface TemporalOperand {
  start: TemporalEnd;
  end: TemporalEnd;
}

/** `make`, run at most once, on the first call. */
function once(make: () => string): () => string {
  let made: string | undefined;
  return () => (made ??= make());
}

/** What a filter may cost before it is refused. */
export interface FilterLimits {
  /** Nodes (operators, properties and literals) in the whole filter. */
  maxNodes: number;
  /** Nesting depth of operators. */
  maxDepth: number;
}

/** What a compilation needs: the layer, the parameter list and the CRS of geometry literals. */
export interface FilterContext {
  layer: LayerDefinition;
  params: SqlParameters;
  filterCrs: CrsDefinition;
  limits: FilterLimits;
}

const comparisonOperators = new Set(['=', '<>', '<', '>', '<=', '>=']);
const arithmeticOperators = new Set(['+', '-', '*', '/', '%', 'div', '^']);

const spatialFunctions: Record<string, string> = {
  s_intersects: 'ST_Intersects',
  s_equals: 'ST_Equals',
  s_disjoint: 'ST_Disjoint',
  s_touches: 'ST_Touches',
  s_within: 'ST_Within',
  s_overlaps: 'ST_Overlaps',
  s_crosses: 'ST_Crosses',
  s_contains: 'ST_Contains',
};

/** Compares an end of one operand with an end of the other. */
type Compare = (x: TemporalEnd, op: Comparison, y: TemporalEnd) => string;

type AllenRelation = (a: TemporalOperand, b: TemporalOperand, c: Compare) => string;

/** The temporal operators of CQL2 as relations between [start, end] of both operands. */
const temporalRelations: Record<string, AllenRelation> = {
  t_after: (a, b, c) => c(a.start, '>', b.end),
  t_before: (a, b, c) => c(a.end, '<', b.start),
  t_contains: (a, b, c) => `(${c(a.start, '<', b.start)} AND ${c(a.end, '>', b.end)})`,
  t_disjoint: (a, b, c) => `(${c(a.end, '<', b.start)} OR ${c(a.start, '>', b.end)})`,
  t_during: (a, b, c) => `(${c(a.start, '>', b.start)} AND ${c(a.end, '<', b.end)})`,
  t_equals: (a, b, c) => `(${c(a.start, '=', b.start)} AND ${c(a.end, '=', b.end)})`,
  t_finishedby: (a, b, c) => `(${c(a.start, '<', b.start)} AND ${c(a.end, '=', b.end)})`,
  t_finishes: (a, b, c) => `(${c(a.start, '>', b.start)} AND ${c(a.end, '=', b.end)})`,
  t_intersects: (a, b, c) => `(${c(a.start, '<=', b.end)} AND ${c(a.end, '>=', b.start)})`,
  t_meets: (a, b, c) => c(a.end, '=', b.start),
  t_metby: (a, b, c) => c(a.start, '=', b.end),
  t_overlappedby: (a, b, c) =>
    `(${c(a.start, '>', b.start)} AND ${c(a.start, '<', b.end)} AND ${c(a.end, '>', b.end)})`,
  t_overlaps: (a, b, c) =>
    `(${c(a.start, '<', b.start)} AND ${c(a.end, '>', b.start)} AND ${c(a.end, '<', b.end)})`,
  t_startedby: (a, b, c) => `(${c(a.start, '=', b.start)} AND ${c(a.end, '>', b.end)})`,
  t_starts: (a, b, c) => `(${c(a.start, '=', b.start)} AND ${c(a.end, '<', b.end)})`,
};

const attributeTypes: Record<AttributeDefinition['type'], [ValueType, string]> = {
  text: ['text', 'text'],
  integer: ['number', 'integer'],
  number: ['number', 'double precision'],
  boolean: ['boolean', 'boolean'],
  date: ['date', 'date'],
  timestamp: ['timestamp', 'timestamptz'],
};

function invalid(detail: string): never {
  throw badRequest('invalid-filter', detail);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain property node: its SQL is the column itself. */
function isProperty(node: unknown): boolean {
  return isObject(node) && typeof node.property === 'string';
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The names a filter may use on this layer: `id`, the attributes and `geometry`. */
export function queryableNames(layer: LayerDefinition): string[] {
  return ['id', ...layer.attributes.map((a) => a.name), 'geometry'];
}

class FilterCompiler {
  private nodes = 0;
  private readonly budget = new PositionBudget();

  constructor(private readonly context: FilterContext) {}

  boolean(node: unknown, depth: number): string {
    this.count(depth);
    if (typeof node === 'boolean') return node ? 'TRUE' : 'FALSE';
    if (isObject(node) && 'property' in node) {
      const property = this.property(node);
      if (property.type !== 'boolean')
        invalid(`Property ${describe(node.property)} is not boolean; compare it with a value.`);
      return property.sql;
    }
    if (!isObject(node) || typeof node.op !== 'string')
      invalid(`Expected a predicate, found ${describe(node)}.`);
    return this.operation(node.op, this.args(node), depth);
  }

  private count(depth: number) {
    const { maxNodes, maxDepth } = this.context.limits;
    this.nodes += 1;
    if (this.nodes > maxNodes) {
      throw badRequest(
        'filter-too-complex',
        `A filter may hold at most ${maxNodes} operators, properties and values.`,
        { limit: 'maxNodes', maximum: maxNodes },
      );
    }
    if (depth > maxDepth) {
      throw badRequest('filter-too-complex', `A filter may nest at most ${maxDepth} levels deep.`, {
        limit: 'maxDepth',
        maximum: maxDepth,
      });
    }
  }

  private args(node: Record<string, unknown>): unknown[] {
    if (!Array.isArray(node.args)) invalid(`Operator ${describe(node.op)} needs an args list.`);
    return node.args;
  }

  private arity(op: string, args: unknown[], count: number) {
    if (args.length !== count) invalid(`${op} takes ${count} argument(s); got ${args.length}.`);
  }

  private operation(rawOp: string, args: unknown[], depth: number): string {
    const op = rawOp.toLowerCase();
    if (op === 'and' || op === 'or') {
      if (args.length < 2) invalid(`${op} needs at least two arguments.`);
      const parts = args.map((a) => this.boolean(a, depth + 1));
      return `(${parts.join(op === 'and' ? ' AND ' : ' OR ')})`;
    }
    if (op === 'not') {
      this.arity(op, args, 1);
      return `(NOT ${this.boolean(args[0], depth + 1)})`;
    }
    if (comparisonOperators.has(op)) return this.comparison(op, args, depth);
    if (op === 'like') return this.like(args, depth);
    if (op === 'between') return this.between(args, depth);
    if (op === 'in') return this.inList(args, depth);
    if (op === 'isnull') {
      this.arity('isNull', args, 1);
      return `(${this.scalar(args[0], depth + 1).sql} IS NULL)`;
    }
    // Own keys only: `constructor` or `__proto__` would otherwise find Object's prototype.
    if (Object.hasOwn(spatialFunctions, op)) return this.spatial(op, args, depth);
    if (Object.hasOwn(temporalRelations, op)) return this.temporal(op, args, depth);
    return this.unsupported(rawOp);
  }

  private unsupported(op: string): never {
    const lower = op.toLowerCase();
    if (lower.startsWith('a_'))
      invalid(`Array operators such as ${op} are not offered: no layer has array properties.`);
    if (lower === 'accenti') invalid('ACCENTI is not offered; compare with CASEI or LIKE instead.');
    return invalid(
      `Unknown operator or function ${describe(op)}. This server offers no custom functions; ` +
        'see /conformance for the CQL2 classes it implements.',
    );
  }

  private comparison(op: string, args: unknown[], depth: number): string {
    this.arity(op, args, 2);
    const [left, right] = this.comparable(args[0], args[1], depth);
    if (left.type === 'geometry') invalid('Compare geometries with S_EQUALS, not with =.');
    return `(${left.sql} ${op} ${right.sql})`;
  }

  /** Both sides compiled, a literal typed after the property it meets, and the types checked. */
  private comparable(a: unknown, b: unknown, depth: number): [Scalar, Scalar] {
    const left = this.scalar(a, depth + 1, this.columnTypeOf(b));
    const right = this.scalar(b, depth + 1, this.columnTypeOf(a));
    this.requireSameType(left, right, a, b);
    return [left, right];
  }

  /** The SQL type of a plain property node, so the literal it meets can take that type. */
  private columnTypeOf(node: unknown): string | undefined {
    if (!isObject(node) || typeof node.property !== 'string') return undefined;
    if (node.property === 'id') return 'bigint';
    const attribute = this.context.layer.attributes.find((a) => a.name === node.property);
    return attribute && attributeTypes[attribute.type][1];
  }

  private requireSameType(left: Scalar, right: Scalar, a: unknown, b: unknown) {
    const instant = (t: ValueType) => t === 'date' || t === 'timestamp';
    if (left.type === right.type || (instant(left.type) && instant(right.type))) return;
    invalid(`Cannot compare ${describe(a)} (${left.type}) with ${describe(b)} (${right.type}).`);
  }

  private like(args: unknown[], depth: number): string {
    this.arity('like', args, 2);
    const value = this.scalar(args[0], depth + 1);
    const pattern = this.scalar(args[1], depth + 1);
    if (value.type !== 'text' || pattern.type !== 'text')
      invalid('LIKE compares text with a text pattern (% any characters, _ one character).');
    return `(${value.sql} LIKE ${pattern.sql})`;
  }

  private between(args: unknown[], depth: number): string {
    this.arity('between', args, 3);
    const [value, low] = this.comparable(args[0], args[1], depth);
    const high = this.scalar(args[2], depth + 1, this.columnTypeOf(args[0]));
    this.requireSameType(value, high, args[0], args[2]);
    if (!['number', 'date', 'timestamp'].includes(value.type))
      invalid('BETWEEN needs numbers or instants.');
    return `(${value.sql} BETWEEN ${low.sql} AND ${high.sql})`;
  }

  private inList(args: unknown[], depth: number): string {
    this.arity('in', args, 2);
    const list = args[1];
    if (!Array.isArray(list) || list.length === 0) invalid('IN needs a non-empty list of values.');
    const value = this.scalar(args[0], depth + 1);
    const items = list.map((item) => {
      const compiled = this.scalar(item, depth + 1, this.columnTypeOf(args[0]));
      this.requireSameType(value, compiled, args[0], item);
      return compiled.sql;
    });
    return `(${value.sql} IN (${items.join(', ')}))`;
  }

  private spatial(op: string, args: unknown[], depth: number): string {
    this.arity(op, args, 2);
    const [a, b] = args.map((arg) => this.scalar(arg, depth + 1));
    if (a!.type !== 'geometry' || b!.type !== 'geometry')
      invalid(`${op.toUpperCase()} compares two geometries, such as geometry and POINT(x y).`);
    return `${spatialFunctions[op]}(${a!.sql}, ${b!.sql})`;
  }

  /**
   * A temporal operator. Met by a timestamp anywhere in either operand, a date is its whole
   * day in UTC (see temporal-ends.ts): `T_INTERSECTS(survey_date, TIMESTAMP(...))` holds on
   * every instant of the survey's day, not only at its midnight.
   */
  private temporal(op: string, args: unknown[], depth: number): string {
    this.arity(op, args, 2);
    const [a, b] = args.map((arg) => this.temporalOperand(arg, depth + 1));
    const ends = [a!.start, a!.end, b!.start, b!.end];
    const daysWide = ends.some((end) => end.type === 'timestamp');
    const compare: Compare = (x, comparison, y) => compareEnds(x, comparison, y, daysWide);
    return temporalRelations[op]!(a!, b!, compare);
  }

  private temporalOperand(node: unknown, depth: number): TemporalOperand {
    this.count(depth);
    if (isObject(node) && 'interval' in node) {
      const bounds = node.interval;
      if (!Array.isArray(bounds) || bounds.length !== 2)
        invalid('An interval has exactly two bounds: a start and an end ("..": open).');
      const [start, end] = [0, 1].map((i) => this.intervalBound(bounds[i], i === 0, depth + 1));
      return { start: { ...start!, edge: 'start' }, end: { ...end!, edge: 'end' } };
    }
    // Both ends of an instant are one SQL text, and every relation reads an end of each side.
    const instant = typeof node === 'string' ? this.instantText(node) : this.scalar(node, depth);
    if (instant.type !== 'date' && instant.type !== 'timestamp')
      invalid(`${describe(node)} is not a date, a timestamp or an interval.`);
    const bound = { sql: () => instant.sql, type: instant.type, column: isProperty(node) };
    return { start: { ...bound, edge: 'start' }, end: { ...bound, edge: 'end' } };
  }

  private intervalBound(node: unknown, isStart: boolean, depth: number): TemporalBound {
    if (node === '..') {
      // Typed as a date so a date column keeps its index; a timestamp meets it as a day's.
      const infinity = isStart ? "'-infinity'" : "'infinity'";
      return { sql: () => `${infinity}::date`, type: 'date', column: false };
    }
    const literal = this.instantLiteral(node);
    if (literal) {
      this.count(depth);
      return { sql: once(literal.bind), type: literal.type, column: false };
    }
    const bound = this.scalar(node, depth);
    if (bound.type !== 'date' && bound.type !== 'timestamp')
      invalid(`Interval bound ${describe(node)} is not a date, a timestamp or "..".`);
    return { sql: () => bound.sql, type: bound.type, column: isProperty(node) };
  }

  /**
   * A date or timestamp given as text or as `{date}` / `{timestamp}`: checked at once, its value
   * bound as a parameter when `bind` runs. Undefined for any other node.
   */
  private instantLiteral(node: unknown) {
    const { params } = this.context;
    const literal = (type: 'date' | 'timestamp', value: unknown) => ({
      type,
      bind: () => `${params.add(value)}::${type === 'date' ? 'date' : 'timestamptz'}`,
    });
    if (typeof node === 'string') {
      if (isDate(node)) return literal('date', node);
      if (isTimestamp(node)) return literal('timestamp', node);
      return invalid(`${describe(node)} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp.`);
    }
    if (!isObject(node)) return undefined;
    if ('date' in node) {
      if (typeof node.date !== 'string' || !isDate(node.date))
        invalid(`DATE needs YYYY-MM-DD naming a real day; got ${describe(node.date)}.`);
      return literal('date', node.date);
    }
    if ('timestamp' in node) {
      if (typeof node.timestamp !== 'string' || !isTimestamp(node.timestamp))
        invalid(`TIMESTAMP needs an RFC 3339 instant; got ${describe(node.timestamp)}.`);
      return literal('timestamp', node.timestamp);
    }
    return undefined;
  }

  private instantText(text: string): Scalar {
    const literal = this.instantLiteral(text)!;
    return { sql: literal.bind(), type: literal.type };
  }

  /**
   * A value expression. `columnType` types a literal after the property it meets, so an
   * integer column is compared with an integer and its index serves.
   */
  scalar(node: unknown, depth: number, columnType?: string): Scalar {
    this.count(depth);
    if (typeof node === 'string') return this.textLiteral(node, columnType);
    if (typeof node === 'number') return this.numberLiteral(node, columnType);
    if (typeof node === 'boolean') return { sql: node ? 'TRUE' : 'FALSE', type: 'boolean' };
    if (!isObject(node)) return invalid(`Unexpected value ${describe(node)}.`);

    if ('property' in node) return this.property(node);
    const instant = this.instantLiteral(node);
    if (instant) return { sql: instant.bind(), type: instant.type };
    if ('interval' in node) invalid('An interval can only be used in a T_ operator.');
    if ('bbox' in node) return this.bbox(node.bbox);
    if ('type' in node) return this.geometry(node);
    if (typeof node.op === 'string') return this.expression(node.op, this.args(node), depth);
    return invalid(`Unexpected value ${describe(node)}.`);
  }

  private textLiteral(text: string, columnType?: string): Scalar {
    const { params } = this.context;
    if (!isStorableText(text)) invalid('Text values may not contain the NUL character.');
    // A date column met by '2024-01-31' reads it as a date, as most CQL users expect.
    if (columnType === 'date' || columnType === 'timestamptz') return this.instantText(text);
    return { sql: `${params.add(text)}::text`, type: 'text' };
  }

  private numberLiteral(value: number, columnType?: string): Scalar {
    if (!Number.isFinite(value)) invalid('Numbers must be finite.');
    const { params } = this.context;
    const fitsInteger = Number.isInteger(value) && Math.abs(value) <= 2147483647;
    if (columnType === 'integer' && fitsInteger)
      return { sql: `${params.add(value)}::integer`, type: 'number' };
    if (columnType === 'bigint' && Number.isSafeInteger(value))
      return { sql: `${params.add(value)}::bigint`, type: 'number' };
    return { sql: `${params.add(value)}::float8`, type: 'number' };
  }

  private property(node: Record<string, unknown>): Scalar {
    const name = node.property;
    if (typeof name !== 'string') return invalid(`A property name must be text.`);
    if (name === 'id') return { sql: 'id', type: 'number' };
    if (name === 'geometry') return { sql: 'geom', type: 'geometry' };

    const attribute = this.context.layer.attributes.find((a) => a.name === name);
    if (!attribute) {
      const known = queryableNames(this.context.layer).join(', ');
      return invalid(`Unknown property ${describe(name)}. Queryables: ${known}.`);
    }
    return { sql: quoteIdentifier(attribute.name), type: attributeTypes[attribute.type][0] };
  }

  private bbox(value: unknown): Scalar {
    const ok =
      Array.isArray(value) &&
      (value.length === 4 || value.length === 6) &&
      value.every((n) => typeof n === 'number' && Number.isFinite(n));
    if (!ok) invalid('BBOX needs 4 (or 6, with heights) finite numbers.');
    const box = value as number[];
    const corners = box.length === 4 ? box : [box[0]!, box[1]!, box[3]!, box[4]!];
    this.budget.take(2);
    return {
      sql: envelopeSql(corners, this.context.filterCrs, this.context.params),
      type: 'geometry',
    };
  }

  private geometry(node: Record<string, unknown>): Scalar {
    const { filterCrs, params } = this.context;
    const checked = checkGeometry(node, filterCrs, this.budget);
    return { sql: geometrySql(checked, filterCrs, params), type: 'geometry' };
  }

  /** Operators that yield a value: CASEI, arithmetic, or a predicate used as a boolean. */
  private expression(rawOp: string, args: unknown[], depth: number): Scalar {
    const op = rawOp.toLowerCase();
    if (op === 'casei') {
      this.arity('casei', args, 1);
      const value = this.scalar(args[0], depth + 1);
      if (value.type !== 'text') invalid('CASEI applies to text.');
      return { sql: `lower(${value.sql})`, type: 'text' };
    }
    if (arithmeticOperators.has(op)) return this.arithmetic(op, args, depth);
    return { sql: this.operation(rawOp, args, depth), type: 'boolean' };
  }

  private arithmetic(op: string, args: unknown[], depth: number): Scalar {
    this.arity(op, args, 2);
    const [a, b] = args.map((arg) => this.scalar(arg, depth + 1));
    if (a!.type !== 'number' || b!.type !== 'number')
      invalid(`Arithmetic (${op}) applies to numbers.`);
    const [x, y] = [`(${a!.sql})::float8`, `(${b!.sql})::float8`];
    if (op === '^') return { sql: `power(${x}, ${y})`, type: 'number' };
    if (op === '%') return { sql: `mod(${x}::numeric, ${y}::numeric)::float8`, type: 'number' };
    if (op === 'div') return { sql: `div(${x}::numeric, ${y}::numeric)::float8`, type: 'number' };
    return { sql: `(${x} ${op} ${y})`, type: 'number' };
  }
}

/** The SQL boolean expression of a CQL2 filter (JSON encoding) over the context's layer. */
export function compileFilter(filter: unknown, context: FilterContext): string {
  return new FilterCompiler(context).boolean(filter, 0);
}
