import type { Position } from 'geojson';
import type { Random } from './random.js';
import { directionKm, distanceKm, interpolate, offsetKm, roundDegrees } from './plane.js';

/**
 * A gently winding line from `from` to `to`: the straight line bent sideways by a sine wave of
 * a few percent of its length, so generated roads and canals do not look ruled.
 */
export function windingLine(from: Position, to: Position, random: Random): Position[] {
  const lengthKm = distanceKm(from, to);
  const steps = Math.max(3, Math.round(lengthKm * 3));
  const amplitudeKm = lengthKm * random.between(0.02, 0.06);
  const waves = random.integer(1, 3);
  const phase = random.between(0, Math.PI * 2);
  const [east, north] = directionKm(from, to);

  const line: Position[] = [];
  for (let i = 0; i <= steps; i += 1) {
    const t = i / steps;
    const bend = amplitudeKm * Math.sin(Math.PI * t) * Math.sin(waves * Math.PI * t + phase);
    line.push(offsetKm(interpolate(from, to, t), -north * bend, east * bend));
  }
  return line;
}

/** True when every one of `samples` evenly spaced points of the straight line is inside. */
export function staysInside(
  from: Position,
  to: Position,
  contains: (point: Position) => boolean,
  samples = 12,
): boolean {
  for (let i = 0; i <= samples; i += 1) {
    if (!contains(interpolate(from, to, i / samples))) return false;
  }
  return true;
}

/** The point at `km` along the line (the last point past its end). */
export function pointAlong(line: readonly Position[], km: number): Position {
  let remaining = km;
  for (let i = 1; i < line.length; i += 1) {
    const step = distanceKm(line[i - 1]!, line[i]!);
    if (remaining <= step && step > 0) {
      const point = interpolate(line[i - 1]!, line[i]!, remaining / step);
      return [roundDegrees(point[0]!), roundDegrees(point[1]!)];
    }
    remaining -= step;
  }
  return line[line.length - 1]!;
}

/** The line cut into `parts` pieces of equal length; each piece shares its ends with the next. */
export function splitLine(line: readonly Position[], parts: number): Position[][] {
  const cumulative = [0];
  for (let i = 1; i < line.length; i += 1)
    cumulative.push(cumulative[i - 1]! + distanceKm(line[i - 1]!, line[i]!));
  const totalKm = cumulative[cumulative.length - 1]!;

  const pieces: Position[][] = [];
  for (let part = 0; part < parts; part += 1) {
    const startKm = (totalKm * part) / parts;
    const endKm = (totalKm * (part + 1)) / parts;
    const inner = line.filter((_, i) => cumulative[i]! > startKm && cumulative[i]! < endKm);
    pieces.push([pointAlong(line, startKm), ...inner, pointAlong(line, endKm)]);
  }
  return pieces;
}

/**
 * The part of a line from `from` heading (east, north) for up to `lengthKm`, stopping at the
 * last 100 m step that is still inside; undefined when shorter than 200 m.
 */
export function lineUntilOutside(
  from: Position,
  heading: [number, number],
  lengthKm: number,
  contains: (point: Position) => boolean,
): Position[] | undefined {
  const line = [from];
  for (let km = 0.1; km <= lengthKm; km += 0.1) {
    const next = offsetKm(from, heading[0] * km, heading[1] * km);
    if (!contains(next)) break;
    line.push(next);
  }
  return line.length >= 3 ? [line[0]!, line[line.length - 1]!] : undefined;
}
