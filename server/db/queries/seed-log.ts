import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'>;

/** The seed log rows that bracket the seeding of a new database at start, by `layer_id`. */
export const startSeedingMarkers = Object.freeze({
  begun: '(start-up seeding begun)',
  done: '(start-up seeding done)',
});

/** Writes a start-up seeding marker into the seed log, committed at once. */
export async function insertStartSeedingMarker(
  db: Queryable,
  marker: keyof typeof startSeedingMarkers,
  seedDir: string,
) {
  await db.query(
    `INSERT INTO simpul_seed_log (layer_id, seed_dir, inserted, updated) VALUES ($1, $2, 0, 0)`,
    [startSeedingMarkers[marker], seedDir],
  );
}

/** True when the last start-up seeding began and never finished (its process was stopped). */
export async function selectStartSeedingUnfinished(db: Queryable): Promise<boolean> {
  const result = await db.query<{ unfinished: boolean }>(
    `SELECT coalesce(max(seeded_at) FILTER (WHERE layer_id = $1)
             > coalesce(max(seeded_at) FILTER (WHERE layer_id = $2), '-infinity'), false)
             AS unfinished
     FROM simpul_seed_log WHERE layer_id IN ($1, $2)`,
    [startSeedingMarkers.begun, startSeedingMarkers.done],
  );
  return result.rows[0]?.unfinished ?? false;
}
