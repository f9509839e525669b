/**
 * Comparisons between the ends of CQL2 temporal operands. A date met by a timestamp is its
 * whole day in UTC, as OGC API Features and CQL2 read a date: it starts at 00:00:00 and ends
 * at 23:59:59.999999, the last instant PostgreSQL's microsecond timestamps hold, so every
 * relation between closed intervals keeps its meaning. A date met only by dates stays a day
 * compared as such (`surveyed_on <= $1::date`).
 */

/** One bound of an instant or interval; its SQL is made (and its value bound) when read. */
export interface TemporalBound {
  sql: () => string;
  type: 'date' | 'timestamp';
  /** A property's own column, whose index a comparison keeps by leaving it bare. */
  column: boolean;
}

/** A bound read as the start or the end of its operand: a date's first or last instant. */
export interface TemporalEnd extends TemporalBound {
  edge: 'start' | 'end';
}

export type Comparison = '<' | '<=' | '=' | '>=' | '>';

const flipped: Record<Comparison, Comparison> = {
  '<': '>',
  '<=': '>=',
  '=': '=',
  '>=': '<=',
  '>': '<',
};

const microsecond = "interval '1 microsecond'";

/** The UTC day of a timestamp's SQL, moved by `shift` microseconds first. */
function utcDay(timestamp: string, shift: -1 | 0 | 1 = 0): string {
  const moved = shift === 0 ? timestamp : `${timestamp} ${shift < 0 ? '-' : '+'} ${microsecond}`;
  return `((${moved}) AT TIME ZONE 'UTC')::date`;
}

/** The first or last instant (UTC) of a date's day, as a timestamptz. */
function dayInstant(day: string, edge: 'start' | 'end'): string {
  if (edge === 'start') return `((${day})::timestamp AT TIME ZONE 'UTC')`;
  return `(((${day}) + 1)::timestamp AT TIME ZONE 'UTC' - ${microsecond})`;
}

/**
 * `day`'s first or last instant `op` the timestamp `instant`, as a comparison of dates: for
 * microsecond timestamps, the first instant of day D <= T exactly when D <= the day of T, and
 * < T exactly when D <= the day of T - 1 µs; the last instant likewise with T + 1 µs.
 */
function dayAgainstDayOf(
  day: string,
  edge: 'start' | 'end',
  op: Comparison,
  instant: string,
): string {
  if (op === '=') {
    const [below, above] = edge === 'start' ? ['<=', '>='] : ['>=', '<='];
    const first = dayAgainstDayOf(day, edge, below as Comparison, instant);
    return `(${first} AND ${dayAgainstDayOf(day, edge, above as Comparison, instant)})`;
  }
  const inclusive = edge === 'start' ? op === '<=' || op === '>' : op === '>=' || op === '<';
  const shift = inclusive ? 0 : edge === 'start' ? -1 : 1;
  const dateOp = { '<': '<=', '<=': '<', '>': '>=', '>=': '>' }[op];
  const comparison = inclusive ? op : dateOp;
  return `${day} ${comparison} ${utcDay(instant, shift)}`;
}

/** Two dates' ends: a start and an end of days never meet, the end lying late in its day. */
function dayAgainstDay(x: TemporalEnd, op: Comparison, y: TemporalEnd): string {
  if (x.edge === y.edge) return `${x.sql()} ${op} ${y.sql()}`;
  if (op === '=') return 'FALSE';
  const below = op === '<' || op === '<=';
  // start of X before end of Y: X <= Y; end of X before start of Y: X < Y
  const dateOp = x.edge === 'start' ? (below ? '<=' : '>') : below ? '<' : '>=';
  return `${x.sql()} ${dateOp} ${y.sql()}`;
}

/**
 * `x op y` in SQL. `daysWide` says that the relation meets a timestamp, so that its dates are
 * whole days; a date column is then compared with the day of the timestamp (its index serves),
 * and a date literal met by a timestamp column becomes the instant its end stands for.
 */
export function compareEnds(
  x: TemporalEnd,
  op: Comparison,
  y: TemporalEnd,
  daysWide: boolean,
): string {
  if (!daysWide || (x.type === 'timestamp' && y.type === 'timestamp'))
    return `${x.sql()} ${op} ${y.sql()}`;
  if (x.type === 'date' && y.type === 'date') return dayAgainstDay(x, op, y);

  const [day, instant, dayOp] = x.type === 'date' ? [x, y, op] : [y, x, flipped[op]];
  if (day.column || !instant.column) {
    return dayAgainstDayOf(day.sql(), day.edge, dayOp, instant.sql());
  }
  const dayAsInstant = dayInstant(day.sql(), day.edge);
  return x === day ? `${dayAsInstant} ${op} ${y.sql()}` : `${x.sql()} ${op} ${dayAsInstant}`;
}
