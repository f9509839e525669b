/**
 * Stored overlays of analyses (zones cut by units and by features), kept up to date row by row:
 * `simpul_overlay_source` records which version of each source row (its `xmin`) an overlay was
 * last computed from, so a refresh recomputes only the pairs whose rows changed since.
 * `simpul_overlay_area` holds zone × polygon unit areas, `simpul_overlay_measure` zone × unit ×
 * feature lengths or presences. `overlay` names the layers overlaid, e.g. `hazard_zone/desa`.
 * Appended in `core.ts`.
 */
export const overlayStoreSql = `
  CREATE TABLE IF NOT EXISTS simpul_overlay_source (
    overlay text NOT NULL,
    layer_id text NOT NULL,
    feature_id bigint NOT NULL,
    row_stamp bigint NOT NULL,
    area_m2 double precision,
    PRIMARY KEY (overlay, layer_id, feature_id)
  );
  CREATE TABLE IF NOT EXISTS simpul_overlay_area (
    overlay text NOT NULL,
    zone_id bigint NOT NULL,
    unit_id bigint NOT NULL,
    area_m2 double precision NOT NULL,
    PRIMARY KEY (overlay, zone_id, unit_id)
  );
  CREATE INDEX IF NOT EXISTS simpul_overlay_area_unit_idx ON simpul_overlay_area (overlay, unit_id);
  CREATE TABLE IF NOT EXISTS simpul_overlay_measure (
    overlay text NOT NULL,
    zone_id bigint NOT NULL,
    unit_id bigint NOT NULL,
    feature_id bigint NOT NULL,
    amount double precision NOT NULL,
    PRIMARY KEY (overlay, zone_id, unit_id, feature_id)
  );
  CREATE INDEX IF NOT EXISTS simpul_overlay_measure_unit_idx
    ON simpul_overlay_measure (overlay, unit_id);
  CREATE INDEX IF NOT EXISTS simpul_overlay_measure_feature_idx
    ON simpul_overlay_measure (overlay, feature_id);
`;
