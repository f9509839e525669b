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
  /** Longest accepted text, in characters. */
  maxLength?: number;
  /** The value must be unique across the layer (a natural key such as a Kemendagri code). */
  unique?: boolean;
  /** Carried in vector tiles. Default false: tiles stay small, the identify popup reads the API. */
  inTiles?: boolean;
  /** Computed by the database from other values (for example a length from the geometry). */
  computed?: 'length_m' | 'area_ha';
  description?: string;
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
}

/** A theme as shown in the layer tree. */
export interface ThemeDefinition {
  id: ThemeId;
  titleId: string;
  titleEn: string;
  owner: Department;
}
