import type pg from 'pg';

/** How many evacuation points `addPointsFailingFilterLate` adds, and which one breaks it. */
const lateFailure = { points: 20000, failingPoint: 15000 };

/**
 * A CQL2 filter that divides by zero on one evacuation point only, the 15,000th of 20,000 this
 * adds after the seeded ones, so an export with it fails after its first 14,999 features.
 */
export const filterFailingLate = 'capacity / (capacity - 12345) < 1';

/**
 * Adds the points, and has the database read the layer along its id index, as its planner may
 * for a large layer: sorting these few rows instead would evaluate the filter on every one and
 * fail before the first was sent. The setting holds for connections opened after this.
 */
export async function addPointsFailingFilterLate(pool: pg.Pool) {
  await pool.query(
    `INSERT INTO evacuation_point (name, type, capacity, geom)
     SELECT 'Titik uji ' || i, 'titik_kumpul', CASE WHEN i = $2 THEN 12345 ELSE 10 END,
            ST_SetSRID(ST_MakePoint(109.0 + i * 1e-6, -7.7), 4326)
     FROM generate_series(1, $1::int) AS i`,
    [lateFailure.points, lateFailure.failingPoint],
  );
  await setSortForNewConnections(pool, 'off');
}

/** Sets `enable_sort` for the connections the pool's database opens from now on. */
export async function setSortForNewConnections(pool: pg.Pool, value: 'on' | 'off') {
  await pool.query(`DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET enable_sort = ${value}', current_database());
    END $$`);
}
