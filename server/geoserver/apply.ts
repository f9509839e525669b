import {
  datastoreDifferences,
  featureTypeDifferences,
  layerDifferences,
  layerGroupDifferences,
  styleDifferences,
  workspaceDifferences,
} from './compare.js';
import type { DesiredCatalog } from './desired-catalog.js';
import type { LibraryClient } from './library-client.js';
import type { ObjectKind, Plan, PlannedChange } from './plan.js';
import { absent, segment, type GeoServerRest } from './rest.js';

/** What became of one planned change. */
export type StepStatus = 'done' | 'failed' | 'not-done' | 'unchanged';

export interface StepReport extends PlannedChange {
  status: StepStatus;
  /** Why the step failed, for a person to read. */
  error?: string;
  ms?: number;
}

/** The outcome of an apply: every step, and whether all of them landed. */
export interface ApplyReport {
  outcome: 'applied' | 'unchanged' | 'failed';
  steps: StepReport[];
}

/** What an apply writes with: both clients and the names of the workspace and store. */
export interface ApplyTarget {
  rest: GeoServerRest;
  library: LibraryClient;
  desired: DesiredCatalog;
}

type Json = Record<string, unknown>;

/** GeoServer accepted a write, but reading the object back shows it is not as intended. */
export class VerificationError extends Error {}

function find<Item extends { name: string }>(items: Item[], name: string): Item {
  const item = items.find((candidate) => candidate.name === name);
  if (!item) throw new Error(`the plan names ${name}, which the declarations do not`);
  return item;
}

function paths(desired: DesiredCatalog) {
  const ws = `/workspaces/${segment(desired.workspace.name)}`;
  const store = `${ws}/datastores/${segment(desired.datastore.name)}`;
  return {
    namespace: `/namespaces/${segment(desired.workspace.name)}`,
    workspace: ws,
    store,
    featureType: (name: string) => `${store}/featuretypes/${segment(name)}`,
    layer: (name: string) => `${ws}/layers/${segment(name)}`,
    style: (name: string) => `${ws}/styles/${segment(name)}`,
    layerGroup: (name: string) => `${ws}/layergroups/${segment(name)}`,
  };
}

async function readJson(rest: GeoServerRest, path: string, key: string) {
  const body = await rest.getJson(`${path}.json`);
  return body === absent ? undefined : ((body as Json)[key] as Json | undefined);
}

function datastoreBody(desired: DesiredCatalog) {
  const { datastore } = desired;
  const parameters = { ...datastore.parameters, passwd: datastore.password };
  const entry = Object.entries(parameters).map(([key, value]) => ({ '@key': key, $: value }));
  return {
    dataStore: {
      name: datastore.name,
      description: datastore.description,
      type: 'PostGIS',
      enabled: true,
      connectionParameters: { entry },
    },
  };
}

/** Carries out one change; the object is then read back by `verify`. */
async function execute(target: ApplyTarget, change: PlannedChange): Promise<void> {
  const { rest, library, desired } = target;
  const ws = desired.workspace.name;
  const at = paths(desired);
  const { kind, name, action } = change;

  if (kind === 'workspace') {
    if (action === 'create') return library.createWorkspace(ws, desired.workspace.namespaceUri);
    const namespace = { prefix: ws, uri: desired.workspace.namespaceUri };
    return rest.send('PUT', at.namespace, { json: { namespace } });
  }
  if (kind === 'datastore') {
    if (action === 'create') {
      const { datastore, workspace } = desired;
      await library.createPostgisStore(ws, workspace.namespaceUri, datastore.name, {
        ...parseParameters(datastore.parameters),
        password: datastore.password,
      });
    }
    // The library's store lacks the description and safety parameters: one PUT completes it.
    return rest.send('PUT', at.store, { json: datastoreBody(desired) });
  }
  if (kind === 'style') {
    if (action === 'delete') return library.deleteStyle(ws, name);
    const style = find(desired.styles, name);
    if (action === 'create') return library.createStyle(ws, name, style.sld);
    return rest.send('PUT', at.style(name), { sld: style.sld });
  }
  if (kind === 'featureType') {
    if (action === 'delete') return library.deleteFeatureType(ws, desired.datastore.name, name);
    const featureType = { featureType: find(desired.featureTypes, name).body };
    if (action === 'create') {
      return rest.send('POST', `${at.store}/featuretypes`, { json: featureType });
    }
    // An empty `recalculate` keeps the bounding boxes sent instead of scanning the table.
    return rest.send('PUT', `${at.featureType(name)}?recalculate=`, { json: featureType });
  }
  if (kind === 'layer') {
    const layer = find(desired.layers, name);
    const defaultStyle = { name: layer.styleName, workspace: ws };
    const attribution = { title: layer.attribution };
    return rest.send('PUT', at.layer(name), { json: { layer: { defaultStyle, attribution } } });
  }
  if (action === 'delete') return rest.send('DELETE', at.layerGroup(name));
  const layerGroup = { layerGroup: find(desired.layerGroups, name).body };
  if (action === 'create') {
    return rest.send('POST', `${at.workspace}/layergroups`, { json: layerGroup });
  }
  return rest.send('PUT', at.layerGroup(name), { json: layerGroup });
}

function parseParameters(parameters: Record<string, string>) {
  return {
    host: parameters.host ?? '',
    port: parameters.port ?? '5432',
    database: parameters.database ?? '',
    user: parameters.user ?? '',
    schema: parameters.schema ?? 'public',
  };
}

/** What the object now looks like next to what was intended: differing fields, or `absent`. */
async function readBack(target: ApplyTarget, kind: ObjectKind, name: string) {
  const { rest, desired } = target;
  const ws = desired.workspace.name;
  const at = paths(desired);

  if (kind === 'workspace') {
    const namespace = await readJson(rest, at.namespace, 'namespace');
    if (!namespace || !(await readJson(rest, at.workspace, 'workspace'))) return absent;
    return workspaceDifferences(desired.workspace, namespace.uri as string | undefined);
  }
  if (kind === 'datastore') {
    const store = await readJson(rest, at.store, 'dataStore');
    return store ? datastoreDifferences(desired.datastore, store) : absent;
  }
  if (kind === 'style') {
    const sld = await rest.getSld(`${at.style(name)}.sld`);
    if (sld === absent) return absent;
    const style = desired.styles.find((candidate) => candidate.name === name);
    return style ? styleDifferences(style, sld) : [];
  }
  if (kind === 'featureType') {
    const current = await readJson(rest, at.featureType(name), 'featureType');
    if (!current) return absent;
    const featureType = desired.featureTypes.find((candidate) => candidate.name === name);
    return featureType ? featureTypeDifferences(featureType, current) : [];
  }
  if (kind === 'layer') {
    const current = await readJson(rest, at.layer(name), 'layer');
    return current ? layerDifferences(find(desired.layers, name), current, ws) : absent;
  }
  const current = await readJson(rest, at.layerGroup(name), 'layerGroup');
  if (!current) return absent;
  const group = desired.layerGroups.find((candidate) => candidate.name === name);
  return group ? layerGroupDifferences(group, current, ws) : [];
}

/** Reads the object back: a deleted one must be gone, any other exactly as intended. */
async function verify(target: ApplyTarget, change: PlannedChange): Promise<void> {
  const state = await readBack(target, change.kind, change.name);
  const what = `${change.kind} ${change.name}`;
  if (change.action === 'delete') {
    if (state !== absent)
      throw new VerificationError(`GeoServer still has ${what} after deleting it`);
    return;
  }
  if (state === absent) {
    throw new VerificationError(`GeoServer accepted ${what} but does not have it when asked`);
  }
  if (state.length > 0) {
    throw new VerificationError(
      `GeoServer accepted ${what} but reads back different ${state.join(', ')}`,
    );
  }
}

/**
 * Carries out a plan in order, verifying each step by reading the object back, and stops at
 * the first failure. The report says what was done and what was not; since a plan is made
 * from what GeoServer holds, the next apply picks up where this one stopped.
 */
export async function applyPlan(target: ApplyTarget, plan: Plan): Promise<ApplyReport> {
  const steps: StepReport[] = [];
  let failed = false;

  for (const change of plan.changes) {
    if (change.action === 'unchanged' || failed) {
      steps.push({ ...change, status: change.action === 'unchanged' ? 'unchanged' : 'not-done' });
      continue;
    }
    const startedAt = performance.now();
    try {
      await execute(target, change);
      await verify(target, change);
      steps.push({ ...change, status: 'done', ms: Math.round(performance.now() - startedAt) });
    } catch (error) {
      failed = true;
      const ms = Math.round(performance.now() - startedAt);
      steps.push({ ...change, status: 'failed', error: (error as Error).message, ms });
    }
  }
  const anyDone = steps.some((step) => step.status === 'done');
  return { outcome: failed ? 'failed' : anyDone ? 'applied' : 'unchanged', steps };
}
