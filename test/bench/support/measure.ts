import pg from 'pg';
import type { TileCoord } from '../../../server/tiles/tile-grid.js';

/** One measured row of the report. */
export interface Measurement {
  label: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  meanBytes?: number;
  /** Mean milliseconds per tile by zoom (closed loop, so queueing is included). */
  msByZoom?: Record<number, number>;
  note?: string;
}

/** The p-th percentile (0–100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Runs a tile query for one tile on a connection and returns the tile's length in bytes. */
export type TileQuery = (client: pg.Client, tile: TileCoord) => Promise<number>;

/**
 * Replays the tile list through SQL alone, closed loop: each of `connections` clients sends
 * the next tile as soon as its previous one is back, for `durationS` seconds.
 */
export async function replaySql(
  label: string,
  url: string,
  tiles: TileCoord[],
  query: TileQuery,
  options: { connections: number; durationS: number; sessionOptions?: string },
): Promise<Measurement> {
  const clients = await Promise.all(
    Array.from({ length: options.connections }, async () => {
      const client = new pg.Client({ connectionString: url, options: options.sessionOptions });
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  const byZoom = new Map<number, number[]>();
  let next = 0;
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationS * 1000;

  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const tile = tiles[next++ % tiles.length]!;
        const sent = performance.now();
        try {
          bytes += await query(client, tile);
        } catch {
          errors += 1;
        }
        const ms = performance.now() - sent;
        latencies.push(ms);
        if (!byZoom.has(tile.z)) byZoom.set(tile.z, []);
        byZoom.get(tile.z)!.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.end()));

  const msByZoom: Record<number, number> = {};
  for (const [z, values] of [...byZoom].sort((a, b) => a[0] - b[0])) {
    msByZoom[z] = round(values.reduce((sum, v) => sum + v, 0) / values.length);
  }
  return {
    label,
    requests: latencies.length,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors,
    meanBytes: Math.round(bytes / Math.max(1, latencies.length)),
    msByZoom,
    note: `SQL only, N=${options.connections}`,
  };
}

/** Two decimals. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
