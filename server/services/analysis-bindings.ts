import type pg from 'pg';
import {
  analysisBindings,
  type AnalysisBindings,
  type ConditionHistoryBinding,
} from '../../layers/analysis-bindings.js';
import {
  recordTables,
  type LayerDefinition,
  type RecordTableDefinition,
} from '../../layers/index.js';
import { selectTableColumns } from '../db/queries/table-columns.js';
import { HttpProblem } from '../http/problem.js';
import { canReadLayer, type Principal } from './access.js';
import { findLayer } from './layer-registry.js';

/** A role of the analyses, e.g. `planZones` or `hazardZones`. */
export type AnalysisRole = keyof AnalysisBindings;

/** A bound layer: its declaration and the binding that names its attributes. */
export interface BoundLayer<Role extends AnalysisRole> {
  layer: LayerDefinition;
  binding: AnalysisBindings[Role];
}

/** 404 for an analysis this deployment cannot answer: a role it needs has no declared layer. */
export function analysisUnavailable(detail: string) {
  return new HttpProblem(404, 'analysis-unavailable', 'Analysis not available', detail);
}

function declaredAttributeNames(binding: object): string[] {
  return Object.entries(binding)
    .filter(([key, value]) => key.endsWith('Attribute') && typeof value === 'string')
    .map(([, value]) => value as string);
}

function populationAttributeNames(binding: object): string[] {
  const byYear = (binding as { populationAttributes?: Record<number, string> })
    .populationAttributes;
  return byYear ? Object.values(byYear) : [];
}

/**
 * The layer bound to `role` when it is declared with every attribute the binding names, else
 * undefined (a regency without that layer: the measures that need it are left out). Who may
 * read them is checked before an analysis runs (`unreadableBoundTables`).
 */
export function findBoundLayer<Role extends AnalysisRole>(
  role: Role,
  bindings: AnalysisBindings = analysisBindings,
): BoundLayer<Role> | undefined {
  const binding = bindings[role];
  const layer = 'layerId' in binding ? findLayer(binding.layerId) : undefined;
  if (!layer) return undefined;

  const declared = new Set(layer.attributes.map((a) => a.name));
  const needed = [...declaredAttributeNames(binding), ...populationAttributeNames(binding)];
  return needed.every((name) => declared.has(name)) ? { layer, binding } : undefined;
}

/** The layer bound to `role`; a 404 `analysis-unavailable` names the role when it is missing. */
export function requireBoundLayer<Role extends AnalysisRole>(
  role: Role,
  bindings: AnalysisBindings = analysisBindings,
): BoundLayer<Role> {
  const bound = findBoundLayer(role, bindings);
  if (bound) return bound;

  const binding = bindings[role] as { layerId?: string };
  throw analysisUnavailable(
    `This analysis needs the layer bound as ${role} (${binding.layerId}) with the attributes ` +
      'named in layers/analysis-bindings.ts; it is not declared here.',
  );
}

/** A layer or record table of invented sample data, named as declarations name it. */
export interface SampleSource {
  id: string;
  titleId: string;
  titleEn: string;
}

function boundDeclaration(role: AnalysisRole) {
  const binding = analysisBindings[role];
  if ('tableId' in binding) return recordTables.find((t) => t.id === binding.tableId);
  return findBoundLayer(role)?.layer;
}

/**
 * The layers and record tables bound to `roles` whose data are invented samples
 * (`metadata.sample`), so that an answer computed from them says so; none once the departments
 * have loaded their real data.
 */
export function listSampleSources(roles: readonly AnalysisRole[]): SampleSource[] {
  const sources = new Map<string, SampleSource>();
  for (const declaration of roles.map(boundDeclaration)) {
    if (!declaration?.metadata.sample) continue;
    const { id, titleId, titleEn } = declaration;
    sources.set(id, { id, titleId, titleEn });
  }
  return [...sources.values()];
}

const checkedTables = new WeakMap<pg.Pool, Map<string, boolean>>();

/**
 * True when the table exists with every named column. Checked once per pool and table: record
 * tables are created by migrations, which run before the server serves.
 */
async function hasTableColumns(pool: pg.Pool, table: string, columns: string[]) {
  const cache = checkedTables.get(pool) ?? new Map<string, boolean>();
  checkedTables.set(pool, cache);
  const key = `${table}(${columns.join(',')})`;

  if (!cache.has(key)) {
    const existing = new Set(await selectTableColumns(pool, table));
    cache.set(
      key,
      columns.every((column) => existing.has(column)),
    );
  }
  return cache.get(key)!;
}

/** A declared record table that exists in the database with all the named attributes. */
async function findRecordTable(pool: pg.Pool, tableId: string, attributes: string[]) {
  const table = recordTables.find((t) => t.id === tableId);
  if (!table) return undefined;

  const declared = new Set(table.attributes.map((a) => a.name));
  if (!attributes.every((name) => declared.has(name))) return undefined;
  return (await hasTableColumns(pool, tableId, attributes)) ? table : undefined;
}

/** A condition history as SQL needs it: table, key shared with the layer, date and class. */
export interface BoundHistory {
  table: RecordTableDefinition;
  /** Attribute of both the layer and the record table that joins them. */
  keyAttribute: string;
  timeAttribute: string;
  conditionAttribute: string;
}

/**
 * The condition history of a bound layer when its record table is declared with that layer as
 * parent, has a time attribute, and exists in the database; else undefined (current only).
 */
export async function findConditionHistory(
  pool: pg.Pool,
  layer: LayerDefinition,
  history: ConditionHistoryBinding | undefined,
): Promise<BoundHistory | undefined> {
  if (!history) return undefined;
  const declared = recordTables.find((t) => t.id === history.tableId);
  const parent = declared?.parent;
  if (!declared?.timeAttribute || parent?.layerId !== layer.id) return undefined;

  const attributes = [parent.attribute, declared.timeAttribute, history.conditionAttribute];
  const table = await findRecordTable(pool, history.tableId, attributes);
  if (!table) return undefined;
  return {
    table,
    keyAttribute: parent.attribute,
    timeAttribute: declared.timeAttribute,
    conditionAttribute: history.conditionAttribute,
  };
}

/** The activity matrix's record table when declared and migrated as bound, else undefined. */
export async function findActivityTable(pool: pg.Pool, bindings = analysisBindings) {
  const binding = bindings.activityRules;
  const attributes = [
    binding.zoneCodeAttribute,
    binding.activityAttribute,
    binding.ruleAttribute,
    binding.conditionAttribute,
    ...(binding.conditionEnAttribute ? [binding.conditionEnAttribute] : []),
  ];
  const table = await findRecordTable(pool, binding.tableId, attributes);
  return table && { table, binding };
}

/** The coded values of a declared attribute, in declaration order (empty when not coded). */
export function domainOf(layer: Pick<LayerDefinition, 'attributes'>, attributeName: string) {
  return layer.attributes.find((a) => a.name === attributeName)?.domain ?? [];
}

/** The record table a binding names itself (`activityRules.tableId`), if any. */
function ownTableIds(binding: object): string[] {
  const tableId = (binding as { tableId?: unknown }).tableId;
  return typeof tableId === 'string' ? [tableId] : [];
}

/** The record tables of a binding's histories (`roads.surveys.tableId`). */
function historyTableIds(binding: object): string[] {
  return Object.values(binding).flatMap((value: unknown) =>
    typeof value === 'object' && value !== null ? ownTableIds(value) : [],
  );
}

/**
 * The layers and record tables bound to `roles`, and the condition histories of `histories`,
 * that the caller may not read. An analysis answers only when this is empty: its aggregates
 * would otherwise disclose a restricted layer (say, hazard zones before BPBD releases them) to
 * whoever asks. The whole analysis is refused rather than answered without that layer, so an
 * answer never silently leaves data out. A history is named only by the analyses that read
 * it, so restricted inspections do not refuse an analysis of the current condition.
 */
export function unreadableBoundTables(
  principal: Principal | undefined,
  roles: readonly AnalysisRole[],
  histories: readonly AnalysisRole[] = [],
  bindings: AnalysisBindings = analysisBindings,
): string[] {
  const tableIds = [
    ...roles.flatMap((role) => ownTableIds(bindings[role])),
    ...histories.flatMap((role) => historyTableIds(bindings[role])),
  ];
  const tables = recordTables.filter((table) => tableIds.includes(table.id));
  const layers = roles.flatMap((role) => findBoundLayer(role, bindings)?.layer ?? []);

  const guarded = [...layers, ...tables];
  const unreadable = guarded.filter((table) => !canReadLayer(principal, table)).map((t) => t.id);
  return [...new Set(unreadable)];
}
