/**
 * The shape of a layer declaration. Everything else (tables, migrations, the feature and tile
 * APIs, the web legend and forms, GeoServer publication) is derived from these declarations.
 */

/** Themes group layers in the web map and in GeoServer layer groups. */
export type ThemeId = 'administrative' | 'roads' | 'irrigation' | 'spatial-plan' | 'disaster-risk';

/** Departments that own layers; each has editors and viewers (roles `<department>-editor`). */
export type Department = 'boundary-unit' | 'bina-marga' | 'psda' | 'planning-office' | 'bpbd';

/** A role name: `admin`, or `<theme>:editor` / `<theme>:viewer`. */
export type Role = 'admin' | `${ThemeId}:editor` | `${ThemeId}:viewer`;

/** Geometry types a layer may store; single polygons and lines are promoted to multi. */
export type GeometryType = 'Point' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';

/**
 * Attribute value types. `date` is a calendar day (ISO 8601 `YYYY-MM-DD`); `timestamp` is an
 * instant with time zone. `number` is a double; use `unit` to say what it measures.
 */
export type AttributeType = 'text' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';

/** One coded value: the stored code, its labels in both languages, and its legend colour. */
export interface CodedValue {
  code: string;
  labelId: string;
  labelEn: string;
  /** CSS colour (`#rrggbb`) used by the web legend and the generated SLD. */
  color?: string;
  /** Line width in CSS pixels for features of this value, when the style's `widthBy` names it. */
  strokeWidth?: number;
}

/** One attribute of a layer: becomes a column, a queryable, a form field and a tile property. */
export interface AttributeDefinition {
  /** Column and property name: lower snake_case, unique within the layer. */
  name: string;
  type: AttributeType;
  titleId: string;
  titleEn: string;
  /** Unit symbol shown beside the value (`m`, `ha`, `km`, `l/s`, `jiwa`); none by default. */
  unit?: string;
  /** A value must be present on create and replace. Default false. */
  required?: boolean;
  /** The value must be one of these codes (stored as text). */
  domain?: readonly CodedValue[];
  /** Inclusive numeric range for `integer` and `number` attributes. */
  min?: number;
  max?: number;
  /** Longest accepted text, in characters. Default for `text`: 4000 (`defaultTextMaxLength`). */
  maxLength?: number;
  /** The value must be unique across the layer (a natural key such as a Kemendagri code). */
  unique?: boolean;
  /**
   * Carried in vector tiles: at every zoom of the layer, or from `fromZoom` on (a label drawn
   * only close up, a code read only when single features can be told apart: below that zoom a
   * value different for every feature makes a wide tile a third larger and slower to build).
   * Default false: tiles stay small, the identify popup reads the API.
   */
  inTiles?: boolean | { fromZoom: number };
  /**
   * Computed by the database, never written by clients: `length_m` and `area_ha` from the
   * geometry (geodesic), `latest_record` copied from the newest record named by `latestRecord`.
   */
  computed?: 'length_m' | 'area_ha' | 'latest_record';
  /**
   * With `computed: 'latest_record'`: the record table and its attribute whose value in the
   * feature's newest record (by the table's `timeAttribute`) this attribute holds; null while the
   * feature has no record. Kept current by a database trigger on the record table.
   */
  latestRecord?: { tableId: string; attribute: string };
  description?: string;
}

/**
 * A rule between two attributes of one feature: `attribute` must be at most (`<=`) or below
 * (`<`) `other`, e.g. a chainage or a period that must not end before it starts. Both must be
 * numbers, integers, dates or timestamps; the rule holds while either value is empty. Checked
 * by the shared validation (API, batch, import, web form) and by a trigger on the table, on
 * insert and on an update that changes either value: a feature stored before the rule keeps
 * its two values through edits of its other attributes.
 */
export interface AttributeRule {
  attribute: string;
  comparison: '<' | '<=';
  other: string;
}

/** How the web map and the SLD draw the layer. Colours are CSS `#rrggbb`. */
export interface LayerStyle {
  /** Fill colour for polygons, marker colour for points. */
  fill?: string;
  /** Fill opacity 0–1. Default 0.3. */
  fillOpacity?: number;
  stroke: string;
  /** Stroke width in CSS pixels. Default 1. */
  strokeWidth?: number;
  /** Dash pattern in pixels, e.g. [4, 4]. */
  strokeDash?: number[];
  /** Marker radius in pixels for points. Default 5. */
  pointRadius?: number;
  /** Colour each feature by the `color` of its coded value in this attribute. */
  classifyBy?: string;
  /**
   * Draw each line as wide as the `strokeWidth` of its coded value in this attribute (roads by
   * status, canals by order); values without one use `strokeWidth`. May differ from `classifyBy`.
   */
  widthBy?: string;
  /**
   * Draw the features of one coded value of this attribute at a time, chosen in the web map's
   * layer tree (the domain's first value until then): for a layer whose kinds cover the same
   * ground, such as hazard zones of every hazard type. Must travel in tiles. The GeoServer
   * style has no such choice and draws every value.
   */
  showOneOf?: string;
  /** Attribute drawn as a text label. */
  labelAttribute?: string;
  /** Smallest zoom at which labels are drawn. Default: the layer's minimum zoom. */
  labelMinZoom?: number;
}

/** Who may read and who may edit. `public` read means visible without login. */
export interface LayerAccess {
  read: 'public' | Role[];
  edit: Role[];
}

/** Descriptive metadata, used by the API, the web client and catalogue records. */
export interface LayerMetadata {
  abstractId: string;
  abstractEn: string;
  keywords: string[];
  source: string;
  licence: string;
  updateFrequency: 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'annually' | 'irregular';
  contact: string;
  /** True when the seeded features are invented sample data, not the real layer. */
  sample: boolean;
}

/** A complete layer declaration. */
export interface LayerDefinition {
  /** Identity: the table name, the collection id and the tile layer name (lower snake_case). */
  id: string;
  theme: ThemeId;
  titleId: string;
  titleEn: string;
  owner: Department;
  geometry: { type: GeometryType; srid: 4326 };
  attributes: readonly AttributeDefinition[];
  /** Rules across two attributes (`chainage_from_m <= chainage_to_m`); none by default. */
  attributeRules?: readonly AttributeRule[];
  /**
   * The attributes giving a line's position along its route, in metres from the route's start
   * (a road's chainage, STA): where the line begins and ends, as digitised. A split in the
   * editor divides them at the cut, in proportion to the parts' lengths.
   */
  routeMeasures?: { from: string; to: string };
  /** Attribute that names a feature in popups and search results. */
  nameAttribute?: string;
  /** Attribute that the items `datetime` parameter filters on. */
  timeAttribute?: string;
  /** Zoom range in which tiles are served and the layer is drawn (XYZ zooms). */
  zoom: { min: number; max: number };
  style: LayerStyle;
  access: LayerAccess;
  metadata: LayerMetadata;
  /** Publish to GeoServer. Default true for public layers. */
  publish?: boolean;
  /** Drawing order in the web map: higher draws above. Default 0. */
  order?: number;
  /**
   * This layer's features are the regency outline: edits of every other layer must lie inside
   * them, within `REGENCY_TOLERANCE_M`. Set on one layer (the regency boundary). Default false.
   */
  regencyOutline?: boolean;
}

/**
 * A table of records without geometry, declared like a layer: a history kept per feature
 * (condition surveys, inspections) or a rule table (activity rules per zone code). It gets the
 * same domain, range and required checks as a layer table, but is neither a map layer nor a
 * feature collection.
 */
export interface RecordTableDefinition {
  /** Table name, lower snake_case, distinct from every layer id. */
  id: string;
  theme: ThemeId;
  titleId: string;
  titleEn: string;
  owner: Department;
  /**
   * The layer whose features these records describe, joined on `attribute`: a required, unique
   * attribute of that layer which the record table also declares (same name and type). The
   * database enforces the reference; renaming the key follows it, and deleting the feature
   * deletes its records. None for a stand-alone table such as a rule matrix.
   */
  parent?: { layerId: string; attribute: string };
  attributes: readonly AttributeDefinition[];
  /**
   * Attribute (a `date` or `timestamp`) that orders records in time: a feature's newest record
   * is its current state, the older ones its history. Ties are broken by insertion order.
   */
  timeAttribute?: string;
  /** Attributes whose values together identify one record (a unique index). */
  naturalKey?: readonly string[];
  access: LayerAccess;
  metadata: LayerMetadata;
}

/** A theme as shown in the layer tree. */
export interface ThemeDefinition {
  id: ThemeId;
  titleId: string;
  titleEn: string;
  owner: Department;
}
