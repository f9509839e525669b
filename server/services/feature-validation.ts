/**
 * The one validation of features against their layer's declaration, used by API writes, the
 * batch endpoint and imports. The attribute and geometry-shape rules live in
 * `layers/validate-attributes.ts` and `layers/validate-geometry.ts` (shared with the web
 * form); this module adds what needs the database: validity, the regency extent, uniqueness.
 */
import type pg from 'pg';
import type { LayerDefinition } from '../../layers/index.js';
import {
  checkAttributeRules,
  checkAttributes,
  isBlank,
  readOnlyProblem,
  type FeatureProblem,
  type UnknownAttributePolicy,
  type WriteMode,
} from '../../layers/validate-attributes.js';
import { checkGeometry, type StoredGeometry } from '../../layers/validate-geometry.js';
import { config } from '../config.js';
import {
  selectGeometryChecks,
  selectStagedGeometryProblems,
  type StagedRowRange,
  selectStoredValues,
  selectTakenValues,
  type GeometryCheckRow,
} from '../db/queries/feature-checks.js';
import { HttpProblem, type FieldError } from '../http/problem.js';
import { listLayers } from './layer-registry.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** A feature that passed validation, ready to store. */
export interface ValidFeature {
  /** The geometry as stored (promoted to multi), EPSG:4326; absent in a patch without one. */
  geometry?: StoredGeometry;
  /** Writable attribute values keyed by name (for a patch, only those sent). */
  values: Record<string, unknown>;
}

/** Every problem of every feature (`index`: position in the input) and the clean features. */
export interface FeatureValidation {
  errors: FieldError[];
  /** Index-aligned with the input; meaningful only for indexes without errors. */
  features: ValidFeature[];
}

/** How to validate a list of features. */
export interface ValidationOptions {
  mode: WriteMode;
  /** Unknown properties are refused by default; imports may choose to ignore them. */
  unknownAttributes?: UnknownAttributePolicy;
  /** For `replace` and `patch`: the id each feature will keep, so its own unique values pass. */
  featureIds?: readonly (number | undefined)[];
  /** Metres a feature may reach outside the regency outline. Default `REGENCY_TOLERANCE_M`. */
  toleranceM?: number;
  /**
   * `later` leaves validity and the regency extent to the caller, who checks them set-wise on
   * its load table with `stagedGeometryProblems` (imports). Default `now`.
   */
  geometryChecks?: 'now' | 'later';
  /**
   * True when the layer is known to hold no feature (an import filling an empty layer that its
   * transaction holds locked): unique values are then compared within the input only, without
   * asking the layer, whose lock would hold the question up until that transaction ends.
   */
  layerKnownEmpty?: boolean;
}

interface FeatureInput {
  geometry?: unknown;
  properties?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeProblems(input: unknown): FeatureProblem[] {
  if (!isPlainObject(input)) {
    const message = 'each feature must be a GeoJSON Feature object.';
    return [{ field: 'feature', code: 'geometry-malformed', message }];
  }
  const properties = input.properties;
  if (properties !== undefined && properties !== null && !isPlainObject(properties)) {
    const message = 'properties must be an object of attribute values.';
    return [{ field: 'properties', code: 'wrong-type', message }];
  }
  return [];
}

/**
 * The attribute and shape checks that need no database, for one feature; `stored` holds the
 * stored values of the rules' attributes of a feature a replace writes over.
 */
function checkLocally(
  layer: LayerDefinition,
  input: unknown,
  options: ValidationOptions,
  stored?: Record<string, unknown>,
): { problems: FeatureProblem[]; feature: ValidFeature } {
  const shape = shapeProblems(input);
  if (shape.length > 0) return { problems: shape, feature: { values: {} } };

  const { geometry, properties } = input as FeatureInput;
  const attributes = checkAttributes(
    layer,
    (properties ?? {}) as Record<string, unknown>,
    options.mode,
    options.unknownAttributes,
    stored,
  );
  const skipGeometry = options.mode === 'patch' && geometry === undefined;
  const geometryCheck = skipGeometry ? undefined : checkGeometry(layer.geometry.type, geometry);

  const problems = [...(geometryCheck?.problems ?? []), ...attributes.problems];
  return { problems, feature: { geometry: geometryCheck?.geometry, values: attributes.values } };
}

/** The layers whose features are the regency outline (none makes the extent check a no-op). */
function outlineLayersFor(layer: LayerDefinition): LayerDefinition[] {
  if (layer.regencyOutline) return [];
  return listLayers().filter((l) => l.regencyOutline);
}

function formatMetres(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres)} m`;
}

/** What PostGIS said of a geometry, as a problem; undefined when it passes. */
function geometryProblemOf(row: GeometryCheckRow, toleranceM: number): FeatureProblem | undefined {
  if (row.invalidReason) {
    const invalidReason = row.invalidReason;
    const message = `the geometry is not valid: ${invalidReason}.`;
    return { field: 'geometry', code: 'geometry-invalid', message, invalidReason };
  }
  if (row.outsideM !== null && row.outsideM > toleranceM) {
    const message =
      `the geometry reaches ${formatMetres(row.outsideM)} outside the regency; ` +
      `at most ${formatMetres(toleranceM)} is accepted.`;
    const outsideM = Math.round(row.outsideM);
    return { field: 'geometry', code: 'geometry-outside-regency', message, outsideM, toleranceM };
  }
  return undefined;
}

function tooComplexProblem(): FeatureProblem {
  const message =
    `the geometry has too many vertices to check against the regency within the ` +
    `${config.queryTimeoutMs} ms limit of one request; simplify it or split it.`;
  return { field: 'geometry', code: 'geometry-too-complex', message };
}

async function databaseGeometryProblems(
  db: Queryable,
  layer: LayerDefinition,
  features: Map<number, StoredGeometry>,
  toleranceM: number,
): Promise<Map<number, FeatureProblem>> {
  const indexes = [...features.keys()];
  const geometries = indexes.map((i) => JSON.stringify(features.get(i)));
  const problems = new Map<number, FeatureProblem>();
  if (indexes.length === 0) return problems;

  let rows: GeometryCheckRow[];
  try {
    rows = await selectGeometryChecks(db, geometries, outlineLayersFor(layer));
  } catch (error) {
    if ((error as { code?: unknown }).code !== '57014') throw error;
    // The statement timeout: a geometry of hundreds of thousands of vertices outside the
    // regency, each measured geodesically against the outline. Refused as too complex to
    // check, on the largest of the request's geometries, rather than answered with a 500.
    const largest = geometries.reduce(
      (best, geometry, i) => (geometry.length > geometries[best]!.length ? i : best),
      0,
    );
    return new Map([[indexes[largest]!, tooComplexProblem()]]);
  }
  for (const row of rows) {
    const problem = geometryProblemOf(row, toleranceM);
    if (problem) problems.set(indexes[row.index]!, problem);
  }
  return problems;
}

/**
 * The validity and regency-extent problems of the geometries in `range` of an import's load
 * table (`geometry` column, EPSG:4326), by row number: the rules `validateFeatures` applies,
 * run set-wise over the table for an import that chose `geometryChecks: 'later'`.
 */
export async function stagedGeometryProblems(
  db: Queryable,
  layer: LayerDefinition,
  table: string,
  range: StagedRowRange,
  toleranceM = config.regencyToleranceM,
): Promise<{ row: number; problem: FeatureProblem }[]> {
  const rows = await selectStagedGeometryProblems(db, table, outlineLayersFor(layer), range);
  return rows.flatMap((row) => {
    const problem = geometryProblemOf(row, toleranceM);
    return problem ? [{ row: row.index, problem }] : [];
  });
}

/** Values of unique attributes already held by another feature, or twice in the input. */
async function uniquenessProblems(
  db: Queryable,
  layer: LayerDefinition,
  features: Map<number, ValidFeature>,
  options: ValidationOptions,
): Promise<{ index: number; problem: FeatureProblem }[]> {
  const featureIds = options.featureIds ?? [];
  const found: { index: number; problem: FeatureProblem }[] = [];
  for (const attribute of layer.attributes.filter((a) => a.unique && !a.computed)) {
    const name = attribute.name;
    const sent = [...features].filter(([, f]) => f.values[name] !== null && name in f.values);
    if (sent.length === 0) continue;

    const texts = sent.map(([, f]) => String(f.values[name]));
    const taken = options.layerKnownEmpty ? [] : await selectTakenValues(db, layer, name, texts);
    const holders = new Map<string, number[]>();
    for (const row of taken) holders.set(row.value, [...(holders.get(row.value) ?? []), row.id]);

    const firstIndexOf = new Map<string, number>();
    for (const [index, feature] of sent) {
      const value = String(feature.values[name]);
      const others = (holders.get(value) ?? []).filter((id) => id !== featureIds[index]);
      const repeated = firstIndexOf.has(value);
      if (!repeated) firstIndexOf.set(value, index);
      if (others.length === 0 && !repeated) continue;

      const holder =
        others.length > 0
          ? `feature ${others[0]}`
          : `feature #${firstIndexOf.get(value)} of this request`;
      const message = `${name} must be unique; ${value} is already used by ${holder}.`;
      found.push({ index, problem: { field: name, code: 'not-unique', message } });
    }
  }
  return found;
}

/**
 * The stored values of the `attributeRules` attributes of the features a replace or patch
 * writes over, by feature id: an edit that leaves a rule's two values as stored is not held
 * to the rule (a feature saved before the rule existed stays editable in other attributes).
 */
async function storedRuleValues(
  db: Queryable,
  layer: LayerDefinition,
  options: ValidationOptions,
): Promise<Map<number, Record<string, unknown>>> {
  const rules = layer.attributeRules ?? [];
  const ids = (options.featureIds ?? []).filter((id): id is number => id !== undefined);
  if (options.mode === 'create' || rules.length === 0 || ids.length === 0) return new Map();

  const names = [...new Set(rules.flatMap((rule) => [rule.attribute, rule.other]))];
  return selectStoredValues(db, layer, ids, names);
}

/**
 * The `attributeRules` a patch breaks once merged with the stored feature: a patch of
 * `chainage_to_m` alone must still not fall below the stored `chainage_from_m`. `features`
 * holds the patched values not already refused; a feature not found is left to the write.
 */
function patchRuleProblems(
  layer: LayerDefinition,
  features: Map<number, ValidFeature>,
  stored: Map<number, Record<string, unknown>>,
  featureIds: readonly (number | undefined)[] = [],
): { index: number; problem: FeatureProblem }[] {
  const found: { index: number; problem: FeatureProblem }[] = [];
  for (const [index, feature] of features) {
    const id = featureIds[index];
    const before = id === undefined ? undefined : stored.get(id);
    if (!before) continue;
    const merged = { ...before, ...feature.values };
    const problems = checkAttributeRules(layer, merged, before);
    for (const problem of problems) found.push({ index, problem });
  }
  return found;
}

function sentProperties(input: unknown): Record<string, unknown> {
  return isPlainObject(input) && isPlainObject(input.properties) ? input.properties : {};
}

/** True when a value sent back for a computed attribute is the one stored (JSON may round). */
function isStoredValue(sent: unknown, stored: unknown): boolean {
  if (typeof sent === 'number' && typeof stored === 'number') {
    return Math.abs(sent - stored) <= 1e-9 * Math.max(1, Math.abs(stored));
  }
  if (typeof sent === 'string' && typeof stored === 'string') {
    return sent === stored || Date.parse(sent) === Date.parse(stored);
  }
  return false;
}

/**
 * Whether an edit sends a value for a computed attribute that the stored one must match. A
 * replace leaves one out by sending it empty; a patch sends only what it changes, so there
 * `null` asks to unset the value, which is a change like any other.
 */
function sendsComputedValue(properties: Record<string, unknown>, name: string, mode: WriteMode) {
  return mode === 'patch' ? Object.hasOwn(properties, name) : !isBlank(properties[name]);
}

/**
 * Computed attributes a replace or a patch sends with a value other than the stored one: a
 * feature read and sent back (whole, or as a patch naming what it read, as the web editor and
 * QGIS do) passes and the value is ignored; an attempt to set `length_m` is refused. A feature
 * id not stored is left to the write, which answers 404.
 */
async function changedComputedProblems(
  db: Queryable,
  layer: LayerDefinition,
  inputs: readonly unknown[],
  options: ValidationOptions,
): Promise<{ index: number; problem: FeatureProblem }[]> {
  const computed = layer.attributes.filter((a) => a.computed);
  const featureIds = options.featureIds ?? [];
  const sending = inputs
    .map((input, index) => ({ index, properties: sentProperties(input), id: featureIds[index] }))
    .filter(({ properties }) =>
      computed.some((a) => sendsComputedValue(properties, a.name, options.mode)),
    );
  const ids = sending.map(({ id }) => id).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return [];

  const names = computed.map((a) => a.name);
  const stored = await selectStoredValues(db, layer, ids, names);
  const found: { index: number; problem: FeatureProblem }[] = [];
  for (const { index, properties, id } of sending) {
    const before = id === undefined ? undefined : stored.get(id);
    if (!before) continue;
    for (const attribute of computed) {
      if (!sendsComputedValue(properties, attribute.name, options.mode)) continue;
      const sent = properties[attribute.name];
      const value = before[attribute.name];
      if (isBlank(sent) ? isBlank(value) : isStoredValue(sent, value)) continue;
      found.push({ index, problem: readOnlyProblem(attribute, { value }) });
    }
  }
  return found;
}

/**
 * Validates GeoJSON features against the layer's declaration and returns every problem of
 * every feature (with `field`, `code` and `index`) plus the features as they would be stored.
 * Shape, type, Z/M, attribute types, required, domains, ranges and lengths are checked in
 * JavaScript, with the rules across two attributes (for a patch, on the merged stored feature);
 * validity (`ST_IsValidReason`), the regency extent and uniqueness in PostGIS, in a few queries
 * per call however many features. Geometries are CRS84 lon/lat.
 */
export async function validateFeatures(
  db: Queryable,
  layer: LayerDefinition,
  inputs: readonly unknown[],
  options: ValidationOptions,
): Promise<FeatureValidation> {
  const errors: FieldError[] = [];
  const features: ValidFeature[] = [];
  const geometries = new Map<number, StoredGeometry>();
  const uniqueCandidates = new Map<number, ValidFeature>();
  const storedRules = await storedRuleValues(db, layer, options);

  inputs.forEach((input, index) => {
    const id = options.featureIds?.[index];
    const stored = id === undefined ? undefined : storedRules.get(id);
    const { problems, feature } = checkLocally(layer, input, options, stored);
    features.push(feature);
    errors.push(...problems.map((p) => ({ ...p, index })));
    if (feature.geometry) geometries.set(index, feature.geometry);
    if (problems.length === 0) {
      uniqueCandidates.set(index, feature);
      return;
    }
    // a value already refused (wrong type, too long) is not checked for uniqueness too
    const refused = new Set(problems.map((p) => p.field));
    const values = Object.entries(feature.values).filter(([name]) => !refused.has(name));
    uniqueCandidates.set(index, { values: Object.fromEntries(values) });
  });

  if (options.geometryChecks !== 'later') {
    const toleranceM = options.toleranceM ?? config.regencyToleranceM;
    const geometryProblems = await databaseGeometryProblems(db, layer, geometries, toleranceM);
    for (const [index, problem] of geometryProblems) errors.push({ ...problem, index });
  }

  const unique = await uniquenessProblems(db, layer, uniqueCandidates, options);
  for (const { index, problem } of unique) errors.push({ ...problem, index });

  if (options.mode === 'patch') {
    const broken = patchRuleProblems(layer, uniqueCandidates, storedRules, options.featureIds);
    for (const { index, problem } of broken) errors.push({ ...problem, index });
  }
  if (options.mode !== 'create') {
    const changed = await changedComputedProblems(db, layer, inputs, options);
    for (const { index, problem } of changed) errors.push({ ...problem, index });
  }

  errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { errors, features };
}

/** 422 listing every problem; `detail` summarises the first few for a human reader. */
export function invalidFeaturesProblem(layer: LayerDefinition, errors: readonly FieldError[]) {
  const first = errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  const detail = `The feature breaks ${layer.id}'s rules: ${first.join(' ')}${more}`;
  return new HttpProblem(422, 'invalid-feature', 'Invalid feature', detail, { errors });
}

/** Validates and throws the 422 problem when anything is wrong; returns the clean features. */
export async function requireValidFeatures(
  db: Queryable,
  layer: LayerDefinition,
  inputs: readonly unknown[],
  options: ValidationOptions,
): Promise<ValidFeature[]> {
  const { errors, features } = await validateFeatures(db, layer, inputs, options);
  if (errors.length > 0) throw invalidFeaturesProblem(layer, errors);
  return features;
}
