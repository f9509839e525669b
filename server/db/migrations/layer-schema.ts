import { createHash } from 'node:crypto';
import type { AttributeDefinition, LayerDefinition } from '../../../layers/index.js';
import { defaultTextMaxLength } from '../../../layers/validate-attributes.js';
import { objectName, quoteIdentifier } from '../sql.js';
import { attributeRuleRevision, attributeRuleStatements } from './attribute-rules.js';
import { historyTriggerStatement } from './editing.js';
import { tileChangeRevision, tileChangeStatements } from './tile-change.js';

const columnTypes: Record<AttributeDefinition['type'], string> = {
  text: 'text',
  integer: 'integer',
  number: 'double precision',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamptz',
};

/**
 * Geodesic measures on the WGS 84 ellipsoid, never in degrees. A length is measured on the
 * geometry itself: the same metres as `ST_Length(geom::geography)` (they differed by less than
 * 3e-9 m over 100,000 road segments), without building a geography first, which took a third
 * of the time (0.7 s against 0.49 s per 100,000 segments, on every import). Areas have no such
 * function for geometries and go through geography.
 */
const computedExpressions: Record<'length_m' | 'area_ha', string> = {
  length_m: `ST_LengthSpheroid(geom, 'SPHEROID["WGS 84",6378137,298.257223563]'::spheroid)`,
  area_ha: 'ST_Area(geom::geography) / 10000',
};

/**
 * Raised when a computed expression changes, so that existing tables are migrated: a column
 * computed by an older expression is replaced (`replaceComputedColumn`). 2: lengths measured
 * with ST_LengthSpheroid.
 */
const computedRevision = 2;

/** The part of a declaration that shapes the table; a change of it is a schema migration. */
export function schemaChecksum(layer: LayerDefinition): string {
  const shape = {
    geometry: layer.geometry,
    attributes: layer.attributes.map((a) => ({
      name: a.name,
      type: a.type,
      required: a.required,
      unique: a.unique,
      computed: a.computed,
      domain: a.domain?.map((v) => v.code),
      min: a.min,
      max: a.max,
      maxLength: a.maxLength,
    })),
    timeAttribute: layer.timeAttribute,
    attributeRules: layer.attributeRules,
    attributeRuleRevision,
    tileChangeRevision,
    computedRevision,
    mercatorColumn,
    defaultTextMaxLength,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

function columnDefinition(attribute: AttributeDefinition): string {
  const name = quoteIdentifier(attribute.name);
  const type = columnTypes[attribute.type];
  // A latest-record value is an ordinary column that the record table's trigger keeps current.
  if (attribute.computed && attribute.computed !== 'latest_record') {
    const expression = computedExpressions[attribute.computed];
    return `${name} ${type} GENERATED ALWAYS AS (${expression}) STORED`;
  }
  return `${name} ${type}`;
}

/**
 * Replaces a generated column whose stored expression is not the declared one (PostgreSQL 15
 * cannot alter a generation expression): dropped and added again, which recomputes it on every
 * row and rewrites the table once. The expressions are compared as PostgreSQL prints them,
 * against a scratch table holding the declared one. A view built on the column makes the drop
 * fail, and with it the migration, rather than dropping the view.
 */
function replaceComputedColumn(layer: LayerDefinition, attribute: AttributeDefinition): string {
  const table = quoteIdentifier(layer.id);
  const column = quoteIdentifier(attribute.name);
  const scratch = 'simpul_declared_expression';
  const printed = (relation: string) => `(SELECT pg_get_expr(d.adbin, d.adrelid)
      FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = '${relation}'::regclass AND a.attname = ${literal(attribute.name)})`;
  return `DO $replace$ BEGIN
    CREATE TEMPORARY TABLE ${scratch} (geom geometry, ${columnDefinition(attribute)});
    IF ${printed(table)} IS DISTINCT FROM ${printed(scratch)} THEN
      ALTER TABLE ${table} DROP COLUMN ${column};
      ALTER TABLE ${table} ADD COLUMN ${columnDefinition(attribute)};
    END IF;
    DROP TABLE ${scratch};
  END $replace$`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The CHECK expression for an attribute's domain, range and length, or none. */
export function checkExpression(attribute: AttributeDefinition): string | undefined {
  const name = quoteIdentifier(attribute.name);
  const parts: string[] = [];
  if (attribute.domain)
    parts.push(`${name} IN (${attribute.domain.map((v) => literal(v.code)).join(', ')})`);
  if (attribute.min !== undefined) parts.push(`${name} >= ${Number(attribute.min)}`);
  if (attribute.max !== undefined) parts.push(`${name} <= ${Number(attribute.max)}`);
  if (attribute.maxLength !== undefined)
    parts.push(`length(${name}) <= ${Number(attribute.maxLength)}`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/**
 * The CHECK of the default text limit (`defaultTextMaxLength`) on a text attribute of a layer
 * or record table declaring no `maxLength`, so that a writer past Simpul (SQL, QGIS through
 * PostGIS) is held to what edits and imports are. A constraint of its own, added NOT VALID on
 * a table that holds a longer value already (written by SQL, or before this limit), where
 * checking it would fail the migration: every row written from then on is checked (an update
 * of such a row fails until its text is shortened) and the longer values are kept; the next
 * migration of the table validates it once none is left (`SELECT … WHERE length(name) > 4000`
 * finds them).
 */
export function textLimitStatements(tableId: string, attribute: AttributeDefinition): string[] {
  const table = quoteIdentifier(tableId);
  const constraint = quoteIdentifier(objectName(`${tableId}_${attribute.name}_text_limit`));
  const statements = [`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint}`];
  if (attribute.type !== 'text' || attribute.maxLength !== undefined || attribute.computed)
    return statements;

  const check = `length(${quoteIdentifier(attribute.name)}) <= ${defaultTextMaxLength}`;
  const add = `ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${check})`;
  statements.push(`DO $limit$ BEGIN
    IF EXISTS (SELECT 1 FROM ${table} WHERE NOT (${check})) THEN
      ${add} NOT VALID;
    ELSE
      ${add};
    END IF;
  END $limit$`);
  return statements;
}

function createTableStatement(layer: LayerDefinition): string {
  const table = quoteIdentifier(layer.id);
  const geometry = `geometry(${layer.geometry.type}, ${layer.geometry.srid})`;
  return `CREATE TABLE IF NOT EXISTS ${table} (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    geom ${geometry} NOT NULL,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text
  )`;
}

function attributeStatements(layer: LayerDefinition, attribute: AttributeDefinition): string[] {
  const table = quoteIdentifier(layer.id);
  const column = quoteIdentifier(attribute.name);
  const constraint = quoteIdentifier(objectName(`${layer.id}_${attribute.name}_check`));
  const statements = [
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${columnDefinition(attribute)}`,
  ];
  if (attribute.computed && attribute.computed !== 'latest_record')
    statements.push(replaceComputedColumn(layer, attribute));

  statements.push(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint}`);
  const check = checkExpression(attribute);
  if (check) statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${check})`);
  statements.push(...textLimitStatements(layer.id, attribute));

  if (!attribute.computed) {
    const nullability = attribute.required ? 'SET NOT NULL' : 'DROP NOT NULL';
    statements.push(`ALTER TABLE ${table} ALTER COLUMN ${column} ${nullability}`);
  }
  if (attribute.unique) {
    const index = quoteIdentifier(objectName(`${layer.id}_${attribute.name}_key`));
    statements.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${index} ON ${table} (${column})`);
  }
  return statements;
}

/**
 * Each layer's geometry kept a second time in Web Mercator (EPSG:3857), the tile grid's own
 * system, computed by PostgreSQL on every write: tiles are cut from it without reprojecting
 * every row on every request (about a quarter more tiles per second on the benchmark). It
 * costs the geometry's size again per row, a second GiST index, and a reprojection per row
 * written. It is never a property: history, exports and the feature API leave it out.
 */
export const mercatorColumn = 'geom_3857';

function mercatorColumnStatement(layer: LayerDefinition): string {
  const table = quoteIdentifier(layer.id);
  const type = `geometry(${layer.geometry.type}, 3857)`;
  return `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${mercatorColumn} ${type}
    GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED`;
}

/** The GiST indexes of a layer's geometries: as stored, and in Web Mercator. */
function spatialIndexes(layer: LayerDefinition) {
  return [
    { name: quoteIdentifier(`${layer.id}_geom_idx`), column: 'geom' },
    { name: quoteIdentifier(`${layer.id}_${mercatorColumn}_idx`), column: mercatorColumn },
  ];
}

/** The statement creating the GiST indexes of a layer's geometries (idempotent). */
export function spatialIndexStatement(layer: LayerDefinition): string {
  const table = quoteIdentifier(layer.id);
  return spatialIndexes(layer)
    .map(
      ({ name, column }) => `CREATE INDEX IF NOT EXISTS ${name} ON ${table} USING gist (${column})`,
    )
    .join(';\n');
}

/** The statement dropping those indexes (an import into an empty layer builds them afresh). */
export function dropSpatialIndexStatement(layer: LayerDefinition): string {
  return spatialIndexes(layer)
    .map(({ name }) => `DROP INDEX IF EXISTS ${name}`)
    .join(';\n');
}

/**
 * The statements that bring a layer's table to its declaration: create the table, add missing
 * columns, replace domain and range checks, set nullability, add indexes. Each statement is
 * idempotent; columns no longer declared are kept (data is never dropped by a migration).
 */
export function layerSchemaStatements(layer: LayerDefinition): string[] {
  const table = quoteIdentifier(layer.id);
  const statements = [createTableStatement(layer)];
  for (const attribute of layer.attributes)
    statements.push(...attributeStatements(layer, attribute));
  for (const rule of layer.attributeRules ?? [])
    statements.push(...attributeRuleStatements(layer, rule));

  statements.push(mercatorColumnStatement(layer));
  statements.push(spatialIndexStatement(layer));
  if (layer.timeAttribute) {
    const timeIndex = quoteIdentifier(objectName(`${layer.id}_${layer.timeAttribute}_idx`));
    const column = quoteIdentifier(layer.timeAttribute);
    statements.push(`CREATE INDEX IF NOT EXISTS ${timeIndex} ON ${table} (${column})`);
  }
  statements.push(historyTriggerStatement(layer));
  statements.push(...tileChangeStatements(layer));
  return statements;
}
