/**
 * Splitting a road or canal line at a point, for the editor's split tool. Pure geometry on
 * CRS84 coordinates: over the few hundred metres of a segment, planar lon/lat distances pick
 * the same nearest point as geodesic ones would.
 */
import type { Geometry } from './edit-session.js';

type Position = [number, number];

interface Nearest {
  part: number;
  segment: number;
  point: Position;
  distance: number;
}

function nearestOnSegment(a: Position, b: Position, p: Position): { point: Position; t: number } {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSquared = dx * dx + dy * dy;
  const raw = lengthSquared === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSquared;
  const t = Math.min(1, Math.max(0, raw));
  return { point: [a[0] + t * dx, a[1] + t * dy], t };
}

function findNearest(parts: Position[][], p: Position): Nearest | undefined {
  let best: Nearest | undefined;
  parts.forEach((line, part) => {
    for (let segment = 0; segment < line.length - 1; segment++) {
      const { point } = nearestOnSegment(line[segment]!, line[segment + 1]!, p);
      const distance = Math.hypot(point[0] - p[0], point[1] - p[1]);
      if (!best || distance < best.distance) best = { part, segment, point, distance };
    }
  });
  return best;
}

function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * The two lines a MultiLineString becomes when cut at the point of it nearest `at`: the part
 * holding that point is cut there, parts before it go with the first line and parts after it
 * with the second. Undefined when the cut would fall on an end (nothing to split).
 */
export function splitLineAt(geometry: Geometry, at: Position): [Geometry, Geometry] | undefined {
  const parts = geometry.coordinates as Position[][];
  const nearest = findNearest(parts, at);
  if (!nearest) return undefined;

  const line = parts[nearest.part]!;
  const head = [...line.slice(0, nearest.segment + 1), nearest.point];
  const tail = [nearest.point, ...line.slice(nearest.segment + 1)];
  const dedupe = (positions: Position[]) =>
    positions.filter((p, i) => i === 0 || !samePosition(p, positions[i - 1]!));
  const first = dedupe(head);
  const second = dedupe(tail);
  if (first.length < 2 || second.length < 2) return undefined;

  return [
    { type: 'MultiLineString', coordinates: [...parts.slice(0, nearest.part), first] },
    { type: 'MultiLineString', coordinates: [second, ...parts.slice(nearest.part + 1)] },
  ];
}
