import {
  datastoreDifferences,
  featureTypeDifferences,
  layerDifferences,
  layerGroupDifferences,
  styleDifferences,
  workspaceDifferences,
} from './compare.js';
import { simpulStoreMarker, type DesiredCatalog } from './desired-catalog.js';
import type { ObservedCatalog } from './observed-catalog.js';
import { readFingerprint } from './sld.js';

/** The configured data store exists but is not Simpul's: it would delete others' layers. */
export class ForeignDatastoreError extends Error {}

/** The kinds of GeoServer objects a publication manages. */
export type ObjectKind =
  'workspace' | 'datastore' | 'style' | 'featureType' | 'layer' | 'layerGroup';

export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

/** One object of the plan: what happens to it and, for an update, which fields differ. */
export interface PlannedChange {
  kind: ObjectKind;
  name: string;
  action: ChangeAction;
  fields: string[];
}

/** An object in the workspace that Simpul did not make and leaves alone. */
export interface ForeignObject {
  kind: ObjectKind;
  name: string;
}

/** Every managed object in the order `apply` handles it, and what it leaves alone. */
export interface Plan {
  changes: PlannedChange[];
  foreign: ForeignObject[];
}

function change(kind: ObjectKind, name: string, fields: string[] | undefined): PlannedChange {
  if (fields === undefined) return { kind, name, action: 'create', fields: [] };
  return { kind, name, action: fields.length ? 'update' : 'unchanged', fields };
}

function removal(kind: ObjectKind, name: string): PlannedChange {
  return { kind, name, action: 'delete', fields: [] };
}

function planWorkspaceAndStore(desired: DesiredCatalog, observed: ObservedCatalog) {
  const { workspace, datastore } = desired;
  const workspaceFields =
    observed.workspace && workspaceDifferences(workspace, observed.workspace.namespaceUri);
  const storeFields = observed.datastore && datastoreDifferences(datastore, observed.datastore);
  return [
    change('workspace', workspace.name, workspaceFields),
    change('datastore', datastore.name, storeFields),
  ];
}

function planLayers(desired: DesiredCatalog, observed: ObservedCatalog) {
  const ws = desired.workspace.name;
  const styles = desired.styles.map((style) => {
    const sld = observed.styles.get(style.name);
    return change(
      'style',
      style.name,
      sld === undefined ? undefined : styleDifferences(style, sld),
    );
  });
  const featureTypes = desired.featureTypes.map((ft) => {
    const current = observed.featureTypes.get(ft.name);
    return change('featureType', ft.name, current && featureTypeDifferences(ft, current));
  });
  const layers = desired.layers.map((layer) => {
    const current = observed.layers.get(layer.name);
    return change('layer', layer.name, current && layerDifferences(layer, current, ws));
  });
  const groups = desired.layerGroups.map((group) => {
    const current = observed.layerGroups.get(group.name);
    return change('layerGroup', group.name, current && layerGroupDifferences(group, current, ws));
  });
  return [...styles, ...featureTypes, ...layers, ...groups];
}

/**
 * Removals: layer groups named after a theme that publishes nothing now, every feature type of
 * Simpul's data store that no declaration asks for (its layer goes with it), and styles that
 * carry Simpul's fingerprint but no longer belong to a published layer. Groups first, so no
 * group still points at a layer being deleted.
 */
function planRemovals(desired: DesiredCatalog, observed: ObservedCatalog) {
  const wanted = (names: { name: string }[]) => new Set(names.map((item) => item.name));
  const wantedGroups = wanted(desired.layerGroups);
  const wantedTypes = wanted(desired.featureTypes);
  const wantedStyles = wanted(desired.styles);

  const groups = [...observed.layerGroups.keys()].filter(
    (name) => desired.themeIds.includes(name) && !wantedGroups.has(name),
  );
  const types = [...observed.featureTypes.keys()].filter((name) => !wantedTypes.has(name));
  const styles = [...observed.styles.entries()]
    .filter(([name, sld]) => !wantedStyles.has(name) && readFingerprint(sld) !== undefined)
    .map(([name]) => name);
  return [
    ...groups.map((name) => removal('layerGroup', name)),
    ...types.map((name) => removal('featureType', name)),
    ...styles.map((name) => removal('style', name)),
  ];
}

function listForeign(desired: DesiredCatalog, observed: ObservedCatalog): ForeignObject[] {
  const styles = [...observed.styles.entries()]
    .filter(([, sld]) => readFingerprint(sld) === undefined)
    .filter(([name]) => !desired.styles.some((style) => style.name === name))
    .map(([name]) => ({ kind: 'style' as const, name }));
  const groups = [...observed.layerGroups.keys()]
    .filter((name) => !desired.themeIds.includes(name))
    .map((name) => ({ kind: 'layerGroup' as const, name }));
  return [...styles, ...groups];
}

/**
 * Simpul deletes feature types of its store that no declaration asks for, so it must never
 * mistake someone else's store for its own: the store must carry Simpul's marker, or be the
 * bare store an interrupted apply left (no description, Simpul's connection).
 */
function checkStoreOwnership(desired: DesiredCatalog, observed: ObservedCatalog) {
  const store = observed.datastore;
  if (!store) return;

  const description = typeof store.description === 'string' ? store.description : '';
  if (description.includes(simpulStoreMarker)) return;
  const differences = datastoreDifferences(desired.datastore, store);
  const sameConnection = !differences.some((field) => field.startsWith('connection '));
  if (!description && sameConnection) return;

  const { workspace, datastore } = desired;
  throw new ForeignDatastoreError(
    `data store ${datastore.name} in workspace ${workspace.name} was not made by Simpul; ` +
      'publishing would delete its other layers. Set GEOSERVER_DATASTORE to another name.',
  );
}

/**
 * Compares what GeoServer holds with what the declarations ask for. The plan touches nothing;
 * `apply` carries it out in its order: workspace, data store, styles, feature types, layers,
 * layer groups, then removals.
 */
export function planChanges(desired: DesiredCatalog, observed: ObservedCatalog): Plan {
  checkStoreOwnership(desired, observed);
  return {
    changes: [
      ...planWorkspaceAndStore(desired, observed),
      ...planLayers(desired, observed),
      ...planRemovals(desired, observed),
    ],
    foreign: listForeign(desired, observed),
  };
}

/** How many objects each action touches. */
export function countChanges(changes: PlannedChange[]): Record<ChangeAction, number> {
  const counts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const item of changes) counts[item.action] += 1;
  return counts;
}
