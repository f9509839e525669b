/**
 * Records kept per feature (condition surveys, inspections): listed newest first and added
 * by the theme's editors, checked with the same attribute rules as features. Adding a record
 * updates the parent feature's latest values in the same transaction (the record table's
 * trigger), and that update enters the feature's history under the same author.
 */
import type pg from 'pg';
import { recordTables, type RecordTableDefinition } from '../../layers/index.js';
import { checkAttributes, checkRecordTime } from '../../layers/validate-attributes.js';
import { hasParentFeature, insertRecordRow, selectRecords } from '../db/queries/record-edits.js';
import { badRequest, HttpProblem, notFound, type FieldError } from '../http/problem.js';
import { canReadLayer, type Principal } from './access.js';
import { requireEditable, requireReadable } from './edit-access.js';
import { inEditTransaction, type EditContext } from './edit-service.js';

/** A record table by id; an unknown one is a 404 naming the known ones. */
export function requireRecordTable(tableId: string): RecordTableDefinition {
  const table = recordTables.find((t) => t.id === tableId);
  if (!table) {
    const known = recordTables.map((t) => t.id).join(', ');
    throw notFound('unknown-record-table', `No record table "${tableId}". Known: ${known}.`);
  }
  return table;
}

/** The declarations of the record tables the caller may read. */
export function listRecordTables(principal: Principal | undefined) {
  return recordTables.filter((table) => canReadLayer(principal, table));
}

/**
 * Refuses a `parent` that names no feature of the table's parent layer (and any `parent` of a
 * table not kept per feature): its empty list read as "no surveys yet" of a feature that is not
 * there. A deleted feature takes its records with it, so none are lost to this check.
 */
async function requireParent(pool: pg.Pool, table: RecordTableDefinition, value: string) {
  const parent = table.parent;
  if (!parent) {
    const detail = `${table.id} is not kept per feature; it takes no parent.`;
    throw badRequest('invalid-parent', detail);
  }
  if (await hasParentFeature(pool, parent, value)) return;
  const detail =
    `parent names no feature of ${parent.layerId}: none has ${parent.attribute} ` +
    `"${value.slice(0, 60)}". Give the ${parent.attribute} of one of its features.`;
  throw badRequest('invalid-parent', detail);
}

/**
 * The records of a table (of one parent feature when `parentValue` is given), newest first;
 * a `parentValue` naming no feature is a 400.
 */
export async function listRecords(
  pool: pg.Pool,
  principal: Principal | undefined,
  tableId: string,
  page: { parentValue?: string; limit: number; offset: number },
) {
  const table = requireRecordTable(tableId);
  requireReadable(principal, table);
  if (page.parentValue !== undefined) await requireParent(pool, table, page.parentValue);
  const parentAttribute = page.parentValue === undefined ? undefined : table.parent?.attribute;
  // One more than the page, so that the caller knows whether a next page follows
  const rows = await selectRecords(pool, table, {
    ...page,
    parentAttribute,
    limit: page.limit + 1,
  });
  return { records: rows.slice(0, page.limit), hasNext: rows.length > page.limit };
}

function invalidRecord(table: RecordTableDefinition, errors: FieldError[]) {
  const first = errors
    .slice(0, 3)
    .map((e) => `${e.field}: ${e.message}`)
    .join(' ');
  const detail = `The record breaks ${table.id}'s rules: ${first}`;
  return new HttpProblem(422, 'invalid-record', 'Invalid record', detail, { errors });
}

function recordProblem(table: RecordTableDefinition, error: unknown): HttpProblem | undefined {
  const code = (error as { code?: string }).code;
  const parent = table.parent;
  if (code === '23503' && parent) {
    const message = `no feature of ${parent.layerId} has this ${parent.attribute}.`;
    return invalidRecord(table, [{ field: parent.attribute, code: 'unknown-parent', message }]);
  }
  if (code === '23505') {
    const key = (table.naturalKey ?? []).join(' and ');
    const detail = `A record with the same ${key || 'key'} exists already.`;
    return new HttpProblem(409, 'duplicate-record', 'Conflict', detail);
  }
  return undefined;
}

/**
 * The values of a posted record, `{"properties": {…}}`. A body of the values alone, or with
 * other members beside `properties`, is a 400 naming them: read as no values, it was answered
 * that the values it holds were required.
 */
function recordValues(table: RecordTableDefinition, body: unknown): Record<string, unknown> {
  const isObject = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const others = isObject(body)
    ? Object.keys(body as object).filter((k) => k !== 'properties')
    : [];
  const properties = (body as { properties?: unknown } | undefined)?.properties;
  if (isObject(properties) && others.length === 0) return properties as Record<string, unknown>;
  const got =
    others.length > 0
      ? `got the members ${others.slice(0, 10).join(', ')}`
      : 'got no properties object';
  throw badRequest(
    'bad-record',
    `Send a record of ${table.id} as {"properties": {"attribute": value, …}}; ${got}.`,
  );
}

/** Adds a record after checking the caller may edit the table and the values meet its rules. */
export async function addRecord(
  pool: pg.Pool,
  tableId: string,
  body: unknown,
  context: EditContext,
) {
  const table = requireRecordTable(tableId);
  requireEditable(context.principal, table);
  const sent = recordValues(table, body);
  const { problems, values } = checkAttributes(table, sent, 'create');
  if (problems.length === 0) problems.push(...checkRecordTime(table, values));
  if (problems.length > 0) throw invalidRecord(table, problems);

  const principal = context.principal!;
  const actor = principal.kind === 'token' ? `token:${principal.name}` : principal.name;
  const author = { actor, client: context.client, requestId: context.requestId };
  return inEditTransaction(pool, author, async (client) => {
    try {
      return await insertRecordRow(client, table, values, actor);
    } catch (error) {
      throw recordProblem(table, error) ?? error;
    }
  });
}
