/**
 * Writes to layers (OGC API Features Part 4): create, replace, patch and delete, alone or as
 * an all-or-nothing batch across layers. Every write is validated against the declaration,
 * guarded by the feature's version (ETag `"<id>-<version>"`, If-Match required but for
 * tokens made without it) and recorded in the history by the layer table's trigger in the
 * same transaction. A patch or replace that would store what the feature already holds
 * writes nothing and keeps its version.
 */
import type pg from 'pg';
import type { AttributeRule, LayerDefinition } from '../../layers/index.js';
import { defaultTextMaxLength } from '../../layers/validate-attributes.js';
import { attributeRuleName } from '../db/migrations/attribute-rules.js';
import {
  deleteFeatureRow,
  insertFeatureRow,
  isFeatureUnchangedBy,
  isStoredGeometryAsShown,
  selectFeatureVersion,
  selectWrittenFeature,
  setEditAuthor,
  updateFeatureRow,
  type EditAuthor,
} from '../db/queries/feature-edits.js';
import { config } from '../config.js';
import { objectName } from '../db/sql.js';
import { nameOfCrsMember, namesLonLat } from '../crs-name.js';
import { crs84, parseCrs } from '../http/crs.js';
import type { CrsDefinition } from '../http/crs.js';
import { ifMatchTags, matchesIfNoneMatch } from '../http/entity-tags.js';
import { badRequest, HttpProblem, notFound, type FieldError } from '../http/problem.js';
import type { Principal } from './access.js';
import { requireEditable } from './edit-access.js';
import {
  invalidFeaturesProblem,
  validateFeatures,
  type ValidFeature,
} from './feature-validation.js';
import { untilTileCachesHeard } from '../tiles/tile-changes.js';
import { listLayers, requireLayer } from './layer-registry.js';
import { countNoun } from '../counted-noun.js';

/**
 * One edit of a batch or a single write. `ifMatch` is the If-Match header value, and
 * `ifNoneMatch` the If-None-Match one (single writes only).
 */
export type Edit =
  | { op: 'create'; layerId: string; feature: unknown }
  | ({ op: 'replace'; layerId: string; featureId: number; feature: unknown } & Preconditions)
  | ({ op: 'patch'; layerId: string; featureId: number; patch: unknown } & Preconditions)
  | ({ op: 'delete'; layerId: string; featureId: number } & Preconditions);

/** The conditional headers of a write to an existing feature. */
interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** Who edits, from which client, in which request. */
export interface EditContext {
  principal: Principal | undefined;
  client: string;
  requestId: string;
  /** The CRS of incoming geometries (`Content-Crs`); CRS84 when undefined. */
  contentCrs?: CrsDefinition;
}

/** A feature after a write, in CRS84, with its new version; null for a delete. */
export interface WrittenFeature {
  type: 'Feature';
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
  version: number;
}

/** The outcome of one applied edit. */
export interface EditOutcome {
  op: Edit['op'];
  layerId: string;
  featureId: number;
  /** Null after a delete. */
  feature: WrittenFeature | null;
}

/** The ETag of a feature version. */
export function featureETag(featureId: number, version: number): string {
  return `"${featureId}-${version}"`;
}

/** An edit that passed permission, precondition syntax and validation, ready to apply. */
interface PreparedEdit {
  edit: Edit;
  layer: LayerDefinition;
  /** Acceptable current versions, or 'any' for `If-Match: *`; undefined for a create. */
  versions?: number[] | 'any';
  valid?: ValidFeature;
  /** The geometry of a replace or patch as sent in a projected Content-Crs, and that CRS. */
  sentProjected?: { geometry: object; crs: CrsDefinition };
}

function preconditionRequired(edit: Edit): HttpProblem {
  const detail =
    `${edit.op} of a feature needs If-Match with its ETag, e.g. If-Match: "<id>-<version>"; ` +
    'read it from GET of the item (an API token made without If-Match, for QGIS, needs none).';
  return new HttpProblem(428, 'if-match-required', 'Precondition required', detail);
}

/**
 * The versions an If-Match header accepts; ETags of other features never match. `*` accepts
 * any current version (RFC 9110), for scripts that knowingly overwrite. Without the header
 * it is a 428, except for a token made without If-Match: QGIS's OGC API Features provider
 * (editing since 3.32) never sends it, so such a token's write counts as `*` and overwrites
 * whatever another writer saved since QGIS read the feature (the history keeps that version).
 */
function parseIfMatch(
  edit: Edit & { featureId: number; ifMatch?: string },
  principal: Principal | undefined,
): number[] | 'any' {
  const header = edit.ifMatch?.trim();
  if (!header && principal?.scope?.withoutIfMatch) return 'any';
  if (!header) throw preconditionRequired(edit);
  const tags = ifMatchTags(header);
  if (tags[0] === '*') return 'any';

  const versions: number[] = [];
  for (const tag of tags) {
    const match = /^"(\d+)-(\d+)"$/.exec(tag);
    if (match && Number(match[1]) === edit.featureId) versions.push(Number(match[2]));
  }
  return versions;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkBodyId(edit: Edit & { featureId: number }, body: unknown) {
  const id = isPlainObject(body) ? body.id : undefined;
  if (id !== undefined && id !== null && String(id) !== String(edit.featureId)) {
    const detail =
      `The body names feature ${String(id)} but the URL ${edit.featureId}; ` + 'ids cannot change.';
    throw badRequest('id-mismatch', detail);
  }
}

/** A merge patch (RFC 7396) of a feature as the partial feature to validate. */
function patchAsFeature(layer: LayerDefinition, patch: unknown) {
  if (!isPlainObject(patch)) {
    throw badRequest(
      'bad-patch',
      'A patch is a JSON object: {"properties": {...}, "geometry": ...}.',
    );
  }
  // A member a feature does not hold, such as an attribute sent beside properties rather than
  // in it, changed nothing: the patch was answered 200 and the client took its edit as saved.
  const foreign = Object.keys(patch).filter((name) => !patchMembers.includes(name));
  if (foreign.length > 0) {
    const named = foreign.slice(0, 10).map((name) => JSON.stringify(name.slice(0, 60)));
    const attributes = foreign.filter((name) => layer.attributes.some((a) => a.name === name));
    const hint = attributes.length > 0 ? ' Attributes go inside properties.' : '';
    const detail =
      'A patch of a feature changes properties and geometry; ' +
      `it cannot set ${named.join(', ')}.${hint} ` +
      'Send {"properties": {"name": value}} to change an attribute.';
    const extra = { members: foreign.slice(0, 50) };
    throw new HttpProblem(422, 'unknown-patch-member', 'Unprocessable patch', detail, extra);
  }
  const unset = Object.fromEntries(
    layer.attributes.filter((a) => !a.computed).map((a) => [a.name, null]),
  );
  const properties = patch.properties === null ? unset : patch.properties;
  return { geometry: patch.geometry, properties };
}

/** The members a merge patch of a feature may hold; `id`, `type` and `crs` change nothing. */
const patchMembers = ['type', 'id', 'properties', 'geometry', 'crs', 'bbox', 'links'];

/**
 * Positions lie at most 4 arrays deep (a MultiPolygon's); deeper nesting is left as sent for
 * validation to refuse, since following it overflowed the stack (a 500) at 10,000 levels.
 */
const positionDepth = 4;

function swapAxes(value: unknown, depth = 1): unknown {
  if (!Array.isArray(value) || depth > positionDepth) return value;
  if (typeof value[0] === 'number') return [value[1], value[0], ...value.slice(2)];
  return value.map((item) => swapAxes(item, depth + 1));
}

/** Brings an incoming geometry from `Content-Crs` to CRS84 (lon, lat). */
async function toCrs84(db: Queryable, geometry: unknown, crs: CrsDefinition | undefined) {
  if (!crs || !isPlainObject(geometry)) return geometry;
  if (crs.srid === 4326) {
    return crs.latitudeFirst
      ? { ...geometry, coordinates: swapAxes(geometry.coordinates) }
      : geometry;
  }
  try {
    const sql = `SELECT ST_AsGeoJSON(
      ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), $2::int), 4326), 15)::json AS g`;
    const result = await db.query<{ g: unknown }>(sql, [JSON.stringify(geometry), crs.srid]);
    return result.rows[0]?.g;
  } catch {
    // Malformed input: validation reports it against the untransformed geometry.
    return geometry;
  }
}

type Queryable = Pick<pg.Pool, 'query'>;

/** The served CRS a `crs` member names; undefined for a name this server does not serve. */
function servedCrsNamed(name: string): CrsDefinition | undefined {
  try {
    return parseCrs(name, 'crs');
  } catch {
    return undefined;
  }
}

/**
 * Refuses a legacy `crs` member of the feature or its geometry naming another CRS than the one
 * its coordinates are read in (Content-Crs, else CRS84): they would be stored as read, in the
 * wrong place. A name of WGS 84 (EPSG:4326) agrees with CRS84, as GeoJSON 2008 files mean it.
 */
function checkCrsMembers(body: Record<string, unknown>, contentCrs = crs84) {
  const geometry = isPlainObject(body.geometry) ? body.geometry : {};
  const members = [
    { owner: 'feature', crs: body.crs },
    { owner: 'geometry', crs: geometry.crs },
  ];
  for (const { owner, crs } of members) {
    // GeoJSON 2008 read a null crs as "no CRS said": the coordinates are read as given
    if (crs === undefined || crs === null) continue;
    const named = nameOfCrsMember(crs).slice(0, 200);
    const agrees =
      contentCrs.uri === crs84.uri
        ? namesLonLat(named)
        : servedCrsNamed(named)?.uri === contentCrs.uri;
    if (agrees) continue;

    const readIn =
      contentCrs.uri === crs84.uri
        ? 'longitude and latitude in WGS 84 (CRS84), as no Content-Crs header names another'
        : `${contentCrs.uri}, which Content-Crs names`;
    throw badRequest(
      'crs-mismatch',
      `The ${owner}'s crs member names ${named}, but its coordinates are read in ${readIn}. ` +
        'Name the CRS of the coordinates in the Content-Crs header, and leave out crs.',
    );
  }
}

async function featureInput(db: Queryable, body: unknown, context: EditContext) {
  if (!isPlainObject(body)) return body;
  checkCrsMembers(body, context.contentCrs);
  const geometry = await toCrs84(db, body.geometry, context.contentCrs);
  return body.geometry === undefined ? body : { ...body, geometry };
}

/** The geometry types of RFC 7946, whose objects a create or replace may be sent by mistake. */
const geometryTypes = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

/**
 * Refuses a body of another GeoJSON type where a create or replace takes one Feature: a
 * FeatureCollection or a bare geometry would be read as a feature without geometry and answered
 * "needs a geometry", and any other `type` was written as if it said Feature. A body without
 * `type` is still read as a feature.
 */
function refuseOtherThanFeature(body: unknown) {
  if (!isPlainObject(body) || body.type === undefined || body.type === 'Feature') return;
  if (body.type === 'FeatureCollection') {
    throw badRequest(
      'not-one-feature',
      'Send one GeoJSON Feature; this body is a FeatureCollection. ' +
        'To write several features at once, send them as edits to POST /batch.',
    );
  }
  const shown = JSON.stringify(body.type).slice(0, 40);
  const what = geometryTypes.has(String(body.type))
    ? `a ${String(body.type)} geometry`
    : `of type ${shown}`;
  throw badRequest(
    'not-one-feature',
    `Send one GeoJSON Feature; this body is ${what}. Send it as ` +
      '{"type": "Feature", "geometry": {...}, "properties": {...}}.',
  );
}

/** The feature a create, replace or patch writes, checked against the declaration. */
async function validateEditBody(
  db: Queryable,
  layer: LayerDefinition,
  edit: Exclude<Edit, { op: 'delete' }>,
  context: EditContext,
): Promise<ValidFeature | undefined> {
  if (edit.op !== 'patch') refuseOtherThanFeature(edit.feature);
  const body = edit.op === 'patch' ? patchAsFeature(layer, edit.patch) : edit.feature;
  // A patch's own `id` member, which the partial feature leaves out.
  if (edit.op !== 'create') checkBodyId(edit, edit.op === 'patch' ? edit.patch : body);

  const mode = edit.op === 'patch' ? 'patch' : edit.op;
  const featureIds = edit.op === 'create' ? [] : [edit.featureId];
  const input = await featureInput(db, body, context);
  const { errors, features } = await validateFeatures(db, layer, [input], { mode, featureIds });
  if (errors.length > 0) throw invalidFeaturesProblem(layer, errors);
  return features[0];
}

/**
 * Checks one edit without writing: the layer exists and the caller may edit it, If-Match is
 * present where needed, and the feature meets the declaration. Throws the HttpProblem of the
 * first failed check (422 lists every field problem). `versionKnown` is false for an edit of
 * a batch whose feature an earlier edit of the batch changes: its version is not known yet.
 */
async function prepareEdit(
  db: Queryable,
  edit: Edit,
  context: EditContext,
  versionKnown = true,
): Promise<PreparedEdit> {
  const layer = requireLayer(edit.layerId);
  const { principal } = context;
  requireEditable(principal, layer);
  if (edit.op !== 'create') await refuseIfNoneMatchBeforeIfMatch(db, layer, edit, principal);
  if (edit.op === 'delete') return { edit, layer, versions: parseIfMatch(edit, principal) };

  const versions = edit.op === 'create' ? undefined : parseIfMatch(edit, principal);
  try {
    const valid = await validateEditBody(db, layer, edit, context);
    return { edit, layer, versions, valid, sentProjected: sentProjected(edit, context) };
  } catch (error) {
    // RFC 9110 section 13.2.2: preconditions are evaluated before the content is processed,
    // so a missing feature (404) or a stale If-Match (412) wins over what the body holds.
    if (edit.op !== 'create' && versionKnown) {
      await checkedVersion(db, { edit, layer, versions }, edit.featureId);
    }
    throw error;
  }
}

async function readWritten(db: Queryable, layer: LayerDefinition, id: number) {
  const row = (await selectWrittenFeature(db, layer, id))!;
  return { type: 'Feature' as const, ...row };
}

/**
 * Why If-Match missed: another writer, or (RFC 9110 section 13.1.1: If-Match compares strongly)
 * the weak form of the current tag, which a proxy compressing the answer may have made of it.
 */
function staleDetail(layer: LayerDefinition, id: number, version: number, ifMatch?: string) {
  const etag = featureETag(id, version);
  if (ifMatch && ifMatchTags(ifMatch).includes(`W/${etag}`)) {
    return (
      `If-Match named W/${etag}, a weak entity tag, which If-Match never matches; send ${etag} ` +
      'as ETag gave it (a proxy that compresses answers may have weakened it).'
    );
  }
  return (
    `Feature ${id} of ${layer.id} is at version ${version} (ETag ${etag}); ` +
    'someone changed it since you read it. Reload it, merge, and send the new ETag.'
  );
}

/** 412 carrying the current version and feature, so a client can show both sides. */
async function staleProblem(
  db: Queryable,
  layer: LayerDefinition,
  id: number,
  version: number,
  ifMatch?: string,
) {
  const current = await readWritten(db, layer, id);
  const detail = staleDetail(layer, id, version, ifMatch);
  return new HttpProblem(412, 'stale-version', 'Precondition failed', detail, {
    currentVersion: version,
    currentETag: featureETag(id, version),
    current,
  });
}

/** The version to write over: the feature's current one if If-Match accepts it. */
async function checkedVersion(db: Queryable, prepared: PreparedEdit, featureId: number) {
  const { layer, versions } = prepared;
  const current = await selectFeatureVersion(db, layer, featureId);
  if (current === undefined) {
    throw notFound('unknown-feature', `Layer ${layer.id} has no feature with id "${featureId}".`);
  }
  if (versions !== 'any' && !versions?.includes(current)) {
    const ifMatch = prepared.edit.op === 'create' ? undefined : prepared.edit.ifMatch;
    throw await staleProblem(db, layer, featureId, current, ifMatch);
  }
  if (prepared.edit.op !== 'create') {
    await refuseIfNoneMatch(db, layer, prepared.edit, current);
  }
  return current;
}

/**
 * 412 with the current feature when If-None-Match names its current ETag (weakly compared) or
 * is `*`, which any existing feature matches (RFC 9110 section 13.1.2): the write was asked
 * for only if the feature is not as the client holds it, and was made regardless.
 */
async function refuseIfNoneMatch(
  db: Queryable,
  layer: LayerDefinition,
  edit: Edit & { featureId: number } & Preconditions,
  current: number,
) {
  const header = edit.ifNoneMatch?.trim();
  const etag = featureETag(edit.featureId, current);
  if (!header || !matchesIfNoneMatch(header, [etag])) return;
  const named = header === '*' ? '*, which any existing feature matches' : `its ETag ${etag}`;
  const detail =
    `If-None-Match named ${named}; feature ${edit.featureId} of ${layer.id} is at version ` +
    `${current}, so the ${edit.op} was not made. Send If-Match: ${etag} to write over it.`;
  const { extra } = await staleProblem(db, layer, edit.featureId, current);
  throw new HttpProblem(412, 'if-none-match-failed', 'Precondition failed', detail, extra);
}

/**
 * A write without If-Match whose If-None-Match fails is a 412 (RFC 9110 section 13.2.2), not
 * the 428 asking for If-Match, which would send the client to retry what cannot succeed.
 */
async function refuseIfNoneMatchBeforeIfMatch(
  db: Queryable,
  layer: LayerDefinition,
  edit: Edit & { featureId: number } & Preconditions,
  principal: Principal | undefined,
) {
  if (edit.ifMatch?.trim() || !edit.ifNoneMatch?.trim() || principal?.scope?.withoutIfMatch) {
    return;
  }
  const current = await selectFeatureVersion(db, layer, edit.featureId);
  if (current !== undefined) await refuseIfNoneMatch(db, layer, edit, current);
}

/** The geometry a replace or patch sent in a projected Content-Crs (UTM, Web Mercator). */
function sentProjected(edit: Edit, context: EditContext): PreparedEdit['sentProjected'] {
  const crs = context.contentCrs;
  if (!crs || crs.srid === 4326 || (edit.op !== 'replace' && edit.op !== 'patch')) return;
  const body = edit.op === 'patch' ? edit.patch : edit.feature;
  const geometry = isPlainObject(body) ? body.geometry : undefined;
  return isPlainObject(geometry) ? { geometry, crs } : undefined;
}

/**
 * The edit without its geometry when that is the stored one as the API shows it, in CRS84 or
 * in the projected CRS it was sent in, so the finer digits stored stay and a feature read and
 * sent back in UTM is no change (see isStoredGeometryAsShown).
 */
async function keepingShownGeometry(
  db: Queryable,
  prepared: PreparedEdit,
  featureId: number,
  valid: ValidFeature,
): Promise<ValidFeature> {
  if (valid.geometry === undefined) return valid;
  const { layer, sentProjected } = prepared;
  const shown = sentProjected
    ? await isStoredGeometryAsShown(db, layer, featureId, sentProjected.geometry, sentProjected.crs)
    : await isStoredGeometryAsShown(db, layer, featureId, valid.geometry, crs84);
  return shown ? { values: valid.values } : valid;
}

/** Applies one prepared edit inside the caller's transaction. */
async function applyEdit(
  db: Queryable,
  prepared: PreparedEdit,
  actor: string,
): Promise<EditOutcome> {
  const { edit, layer, valid } = prepared;
  const base = { op: edit.op, layerId: layer.id };
  if (edit.op === 'create') {
    const row = { values: valid!.values, geometry: valid!.geometry!, actor };
    const { id } = await insertFeatureRow(db, layer, row);
    return { ...base, featureId: id, feature: await readWritten(db, layer, id) };
  }
  const expectedVersion = await checkedVersion(db, prepared, edit.featureId);
  const target = { id: edit.featureId, expectedVersion };
  const row = valid && (await keepingShownGeometry(db, prepared, edit.featureId, valid));
  // A patch or replace that would store what the feature already holds writes nothing: no
  // new version, no history row, no tile notice; the answer is the feature as stored.
  if (edit.op !== 'delete' && (await isFeatureUnchangedBy(db, layer, target, row!))) {
    const feature = await readWritten(db, layer, edit.featureId);
    return { ...base, featureId: edit.featureId, feature };
  }
  const written =
    edit.op === 'delete'
      ? await deleteFeatureRow(db, layer, target)
      : await updateFeatureRow(db, layer, target, { ...row!, actor });
  // checkedVersion read the row in this transaction; a concurrent writer may still have won
  if (!written)
    throw await staleProblem(
      db,
      layer,
      edit.featureId,
      (await selectFeatureVersion(db, layer, edit.featureId)) ?? expectedVersion,
    );

  const feature = edit.op === 'delete' ? null : await readWritten(db, layer, edit.featureId);
  return { ...base, featureId: edit.featureId, feature };
}

function describeAuthor(context: EditContext, note?: string): EditAuthor {
  const principal = context.principal!;
  const actor = principal.kind === 'token' ? `token:${principal.name}` : principal.name;
  return { actor, client: context.client, requestId: context.requestId, note };
}

/** The attribute a constraint of layer-schema.ts guards (`<layer>_<attribute>_key|check`). */
function constrainedField(constraint: string | undefined): string {
  for (const layer of listLayers()) {
    for (const attribute of layer.attributes) {
      const names = ['key', 'check', 'text_limit'].map((kind) =>
        objectName(`${layer.id}_${attribute.name}_${kind}`),
      );
      if (constraint && names.includes(constraint)) return attribute.name;
    }
  }
  return 'feature';
}

/** Whether a constraint is one of the default text limit (see `layer-schema.ts`). */
function isTextLimit(constraint: string | undefined): boolean {
  return listLayers().some((layer) =>
    layer.attributes.some((a) => objectName(`${layer.id}_${a.name}_text_limit`) === constraint),
  );
}

/** The rule across two attributes whose trigger refused a row, by the name it raised. */
function brokenRule(constraint: string | undefined): AttributeRule | undefined {
  for (const layer of listLayers()) {
    for (const rule of layer.attributeRules ?? []) {
      if (constraint === attributeRuleName(layer.id, rule)) return rule;
    }
  }
  return undefined;
}

/**
 * An edit that waited past the statement timeout, nearly always on a row lock or a unique
 * value another open transaction holds: a large import writes its rows before it commits, and
 * an edit naming a value it wrote waits for that commit. Nothing is saved; worth retrying.
 */
function waitedTooLong(): HttpProblem {
  const problem = new HttpProblem(
    503,
    'edit-timeout',
    'Edit not saved in time',
    `The edit waited past the ${config.queryTimeoutMs} ms limit of one request, most likely ` +
      'for another writer of the same layer (an import running); nothing was saved. ' +
      'Try again in a moment.',
  );
  problem.headers['Retry-After'] = '5';
  return problem;
}

/**
 * Maps constraint violations the checks could not foresee (a race on a unique key), and an
 * edit that timed out waiting for another transaction.
 */
function constraintProblem(error: unknown): HttpProblem | undefined {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '57014' || code === '55P03') return waitedTooLong();
  const field = constrainedField(constraint);
  if (code === '23505') {
    const message = 'the value is already used by another feature.';
    const errors: FieldError[] = [{ field, code: 'not-unique', message }];
    const detail = `${field} must be unique; another feature saved the same value first.`;
    return new HttpProblem(409, 'not-unique', 'Conflict', detail, { errors });
  }
  const rule = code === '23514' ? brokenRule(constraint) : undefined;
  if (rule) {
    // The table checks an update only when it changes one of the rule's two values: a row
    // stored before the rule keeps them through other edits, but not through one of them.
    const { attribute, other } = rule;
    const strict = rule.comparison === '<';
    const wanted = strict ? `less than ${other}` : `not greater than ${other}`;
    const error = {
      field: attribute,
      code: strict ? 'not-below-other' : 'above-other',
      message: `${attribute} must be ${wanted}.`,
      otherField: other,
    };
    const detail =
      `${attribute} must be ${wanted}, and the feature as it would be saved breaks this rule ` +
      `(a feature stored before the rule may keep both values, but a change to either must ` +
      `put them in order).`;
    return new HttpProblem(422, 'invalid-feature', 'Invalid feature', detail, { errors: [error] });
  }
  if (code === '23514' && isTextLimit(constraint)) {
    // a value stored longer before the limit's constraint, kept by it until an edit shortens it
    const limit = `${field} must be at most ${defaultTextMaxLength} characters long`;
    const stored =
      'the stored value is longer, and the feature cannot be saved until it is shortened';
    const message = `${limit}; ${stored}.`;
    const errors: FieldError[] = [{ field, code: 'too-long', message }];
    return new HttpProblem(422, 'invalid-feature', 'Invalid feature', `${limit}.`, { errors });
  }
  if (code === '23514' || code === '23502') {
    const errors: FieldError[] = [{ field, code: 'invalid', message: 'the database refused it.' }];
    const detail = `The database refused the value of ${field}.`;
    return new HttpProblem(422, 'invalid-feature', 'Invalid feature', detail, { errors });
  }
  return undefined;
}

/**
 * Runs `work` in one transaction whose edits are recorded under `author`. Returns once every
 * tile cache shows the commit, so the edit's answer is never followed by an old tile.
 */
export async function inEditTransaction<T>(
  pool: pg.Pool,
  author: EditAuthor,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('BEGIN');
    await setEditAuthor(client, author);
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw constraintProblem(error) ?? error;
  } finally {
    client.release();
  }
  await untilTileCachesHeard(pool);
  return result;
}

/**
 * Applies one edit: 201/200/204 semantics are the route's, errors are HttpProblems (401, 403,
 * 404, 412 with the current feature, 422 listing every field, 428 without If-Match).
 */
export async function applySingleEdit(pool: pg.Pool, edit: Edit, context: EditContext) {
  const prepared = await prepareEdit(pool, edit, context);
  const author = describeAuthor(context);
  return inEditTransaction(pool, author, (client) => applyEdit(client, prepared, author.actor));
}

/** What happened to one edit of a batch. */
export interface BatchEditReport {
  index: number;
  op: Edit['op'];
  layerId: string;
  featureId?: number;
  /** `applied`: committed; `failed`: its own problem; `not-applied`: rolled back with the rest. */
  outcome: 'applied' | 'failed' | 'not-applied';
  status: number;
  etag?: string;
  problem?: { type: string; title: string; detail: string; errors?: FieldError[] };
}

function reportProblem(problem: HttpProblem): BatchEditReport['problem'] {
  const errors = problem.extra.errors as FieldError[] | undefined;
  return {
    type: `/problems/${problem.type}`,
    title: problem.title,
    detail: problem.detail,
    errors,
  };
}

function asProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  throw error;
}

/** The problem of a failed batch: the status of its first failure, a report of every edit. */
function batchProblem(reports: BatchEditReport[]): HttpProblem {
  const failed = reports.filter((r) => r.outcome === 'failed');
  const first = failed[0]!;
  const errors = failed.flatMap((r) =>
    (r.problem?.errors ?? []).map((e) => ({ ...e, index: r.index })),
  );
  const detail =
    `${failed.length} of ${countNoun(reports.length, 'edit')} failed; nothing was changed. ` +
    `First: ${first.problem?.detail}`;
  return new HttpProblem(first.status, 'batch-failed', 'Batch not applied', detail, {
    edits: reports,
    errors,
  });
}

/**
 * A 412 of a batch's edit `index` whose feature an earlier edit of the batch changed: that
 * edit, not another writer, moved the version on, and the 412 says so.
 */
function staleWithinBatch(problem: HttpProblem, prepared: PreparedEdit[], index: number) {
  const { edit } = prepared[index]!;
  if (problem.type !== 'stale-version' || edit.op === 'create') return problem;
  const earlier = prepared
    .slice(0, index)
    .findLastIndex(
      ({ edit: other }) =>
        other.op !== 'create' &&
        other.layerId === edit.layerId &&
        other.featureId === edit.featureId,
    );
  if (earlier < 0) return problem;
  const etag = String(problem.extra.currentETag);
  const detail =
    `Edit ${earlier} of this batch changes feature ${edit.featureId} of ${edit.layerId} ` +
    `before this one, to ETag ${etag}; send that ETag with this edit.`;
  return new HttpProblem(problem.status, problem.type, problem.title, detail, problem.extra);
}

/** Whether one of `earlier` edits the feature `edit` edits (a create edits none yet). */
function changesFeatureOf(earlier: readonly Edit[], edit: Edit): boolean {
  if (edit.op === 'create') return false;
  const { layerId, featureId } = edit;
  const sameFeature = (other: Edit) =>
    other.op !== 'create' && other.layerId === layerId && other.featureId === featureId;
  return earlier.some(sameFeature);
}

/**
 * Applies many edits across layers in one transaction: every edit is checked first (each
 * failure reported), then all are applied in order; any failure rolls everything back.
 * Validation reads committed data, so two edits of one batch do not see each other's
 * unique values; the unique index still refuses a clash at commit (409).
 */
export async function applyBatch(pool: pg.Pool, edits: readonly Edit[], context: EditContext) {
  const reports: BatchEditReport[] = [];
  const prepared: PreparedEdit[] = [];
  for (const [index, edit] of edits.entries()) {
    const report: BatchEditReport = {
      index,
      op: edit.op,
      layerId: edit.layerId,
      outcome: 'not-applied',
      status: 200,
    };
    if (edit.op !== 'create') report.featureId = edit.featureId;
    try {
      const versionKnown = !changesFeatureOf(edits.slice(0, index), edit);
      prepared.push(await prepareEdit(pool, edit, context, versionKnown));
    } catch (error) {
      const problem = asProblem(error);
      Object.assign(report, {
        outcome: 'failed',
        status: problem.status,
        problem: reportProblem(problem),
      });
    }
    reports.push(report);
  }
  if (reports.some((r) => r.outcome === 'failed')) throw batchProblem(reports);

  const author = describeAuthor(context);
  let current = 0;
  try {
    return await inEditTransaction(pool, author, async (client) => {
      for (const [index, step] of prepared.entries()) {
        current = index;
        const outcome = await applyEdit(client, step, author.actor);
        const status = step.edit.op === 'create' ? 201 : step.edit.op === 'delete' ? 204 : 200;
        const etag = outcome.feature
          ? featureETag(outcome.featureId, outcome.feature.version)
          : undefined;
        Object.assign(reports[index]!, {
          featureId: outcome.featureId,
          status,
          etag,
          outcome: 'applied',
        });
      }
      return reports;
    });
  } catch (error) {
    const problem = staleWithinBatch(asProblem(error), prepared, current);
    for (const report of reports)
      Object.assign(report, { outcome: 'not-applied', etag: undefined });
    Object.assign(reports[current]!, {
      outcome: 'failed',
      status: problem.status,
      problem: reportProblem(problem),
    });
    throw batchProblem(reports);
  }
}
