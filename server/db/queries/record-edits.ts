import type pg from 'pg';
import type { RecordTableDefinition } from '../../../layers/index.js';
import { quoteIdentifier, SqlParameters } from '../sql.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** A stored record: its id and its attribute values. */
export interface RecordRow {
  id: number;
  properties: Record<string, unknown>;
  createdAt: string;
  updatedBy: string | null;
}

function propertiesJson(table: RecordTableDefinition): string {
  const pairs = table.attributes.map((a) => `'${a.name}', ${quoteIdentifier(a.name)}`);
  return `json_build_object(${pairs.join(', ')})`;
}

/** Inserts a record from validated values; returns it as stored. */
export async function insertRecordRow(
  db: Queryable,
  table: RecordTableDefinition,
  values: Record<string, unknown>,
  actor: string,
) {
  const params = new SqlParameters();
  const names = Object.keys(values);
  const columns = [...names.map(quoteIdentifier), 'updated_by'];
  const placeholders = [...names.map((name) => params.add(values[name])), params.add(actor)];
  const sql = `INSERT INTO ${quoteIdentifier(table.id)} (${columns.join(', ')})
    VALUES (${placeholders.join(', ')})
    RETURNING id, ${propertiesJson(table)} AS properties, created_at AS "createdAt",
      updated_by AS "updatedBy"`;
  return (await db.query<RecordRow>(sql, params.values)).rows[0]!;
}

/** Whether the parent layer of `table` has a feature whose parent attribute is `value`. */
export async function hasParentFeature(
  db: Queryable,
  parent: NonNullable<RecordTableDefinition['parent']>,
  value: string,
): Promise<boolean> {
  const sql = `SELECT EXISTS (SELECT 1 FROM ${quoteIdentifier(parent.layerId)}
    WHERE ${quoteIdentifier(parent.attribute)}::text = $1) AS found`;
  return (await db.query<{ found: boolean }>(sql, [value])).rows[0]!.found;
}

/**
 * Records of a table, newest first by its time attribute (then by insertion), optionally only
 * those whose `parentAttribute` equals `parentValue`.
 */
export async function selectRecords(
  db: Queryable,
  table: RecordTableDefinition,
  filter: { parentAttribute?: string; parentValue?: string; limit: number; offset: number },
) {
  const params = new SqlParameters();
  const where = filter.parentAttribute
    ? `WHERE ${quoteIdentifier(filter.parentAttribute)}::text = ${params.add(filter.parentValue)}`
    : '';
  const time = table.timeAttribute
    ? `${quoteIdentifier(table.timeAttribute)} DESC NULLS LAST, `
    : '';
  const sql = `SELECT id, ${propertiesJson(table)} AS properties, created_at AS "createdAt",
      updated_by AS "updatedBy"
    FROM ${quoteIdentifier(table.id)} ${where}
    ORDER BY ${time}id DESC
    LIMIT ${params.add(filter.limit)} OFFSET ${params.add(filter.offset)}`;
  return (await db.query<RecordRow>(sql, params.values)).rows;
}
