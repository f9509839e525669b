import { absent, segment, type GeoServerRest } from './rest.js';

type Json = Record<string, unknown>;

/** What GeoServer holds in the workspace, as its REST API describes it. */
export interface ObservedCatalog {
  workspace?: { name: string; namespaceUri?: string };
  datastore?: Json;
  featureTypes: Map<string, Json>;
  layers: Map<string, Json>;
  /** Styles of the workspace and their SLD bodies. */
  styles: Map<string, string>;
  layerGroups: Map<string, Json>;
}

/**
 * GeoServer's JSON writes a list of one as a bare object and an empty list as `""`; this
 * reads all three shapes as an array.
 */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function objectAt(body: unknown, key: string, path: string): Json {
  const value = (body as Json | undefined)?.[key];
  if (!value || typeof value !== 'object') {
    throw new Error(`GeoServer answered GET ${path} without a "${key}" object`);
  }
  return value as Json;
}

async function readObject(rest: GeoServerRest, path: string, key: string) {
  const body = await rest.getJson(path);
  return body === absent ? undefined : objectAt(body, key, path);
}

/** The names of a list resource such as `/workspaces/ws/styles.json`. */
async function readNames(rest: GeoServerRest, path: string, listKey: string, itemKey: string) {
  const body = await rest.getJson(path);
  if (body === absent) return [];

  const list = (body as Json)[listKey];
  if (list === undefined) throw new Error(`GeoServer answered GET ${path} without "${listKey}"`);
  const items = list === '' ? [] : asList((list as Json)[itemKey]);
  return items.map((item) => String((item as Json).name));
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the results in order. */
async function mapWithLimit<Item, Result>(
  items: Item[],
  limit: number,
  task: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// A few requests at a time: faster than one by one, gentle on a small GeoServer.
const parallelReads = 4;

async function readPairs<Value>(
  names: string[],
  read: (name: string) => Promise<Value | undefined>,
): Promise<Map<string, Value>> {
  const values = await mapWithLimit(names, parallelReads, read);
  const pairs = names.flatMap((name, i) => (values[i] === undefined ? [] : [[name, values[i]!]]));
  return new Map(pairs as [string, Value][]);
}

async function readWorkspace(rest: GeoServerRest, ws: string) {
  const workspace = await readObject(rest, `/workspaces/${segment(ws)}.json`, 'workspace');
  if (!workspace) return undefined;

  const namespace = await readObject(rest, `/namespaces/${segment(ws)}.json`, 'namespace');
  const uri = namespace?.uri;
  return { name: ws, namespaceUri: typeof uri === 'string' ? uri : undefined };
}

async function readStore(rest: GeoServerRest, ws: string, store: string) {
  const storePath = `/workspaces/${segment(ws)}/datastores/${segment(store)}`;
  const datastore = await readObject(rest, `${storePath}.json`, 'dataStore');
  if (!datastore) return { featureTypes: new Map<string, Json>(), layers: new Map() };

  const names = await readNames(
    rest,
    `${storePath}/featuretypes.json`,
    'featureTypes',
    'featureType',
  );
  const featureTypes = await readPairs(names, (name) =>
    readObject(rest, `${storePath}/featuretypes/${segment(name)}.json`, 'featureType'),
  );
  const layers = await readPairs(names, (name) =>
    readObject(rest, `/workspaces/${segment(ws)}/layers/${segment(name)}.json`, 'layer'),
  );
  return { datastore, featureTypes, layers };
}

async function readStyles(rest: GeoServerRest, ws: string) {
  const stylesPath = `/workspaces/${segment(ws)}/styles`;
  const names = await readNames(rest, `${stylesPath}.json`, 'styles', 'style');
  return readPairs(names, async (name) => {
    const sld = await rest.getSld(`${stylesPath}/${segment(name)}.sld`);
    return sld === absent ? undefined : sld;
  });
}

async function readLayerGroups(rest: GeoServerRest, ws: string) {
  const groupsPath = `/workspaces/${segment(ws)}/layergroups`;
  const names = await readNames(rest, `${groupsPath}.json`, 'layerGroups', 'layerGroup');
  return readPairs(names, (name) =>
    readObject(rest, `${groupsPath}/${segment(name)}.json`, 'layerGroup'),
  );
}

/**
 * Reads the workspace, its namespace, the data store with its feature types and layers, the
 * workspace's styles and layer groups. Any failed read throws: a plan is never made from a
 * partial picture. Objects GeoServer lists but then reports missing (deleted meanwhile) are
 * left out.
 */
export async function readObservedCatalog(
  rest: GeoServerRest,
  workspace: string,
  datastore: string,
): Promise<ObservedCatalog> {
  const observedWorkspace = await readWorkspace(rest, workspace);
  const empty = { featureTypes: new Map(), layers: new Map(), styles: new Map() };
  if (!observedWorkspace) return { ...empty, layerGroups: new Map() };

  const store = await readStore(rest, workspace, datastore);
  const styles = await readStyles(rest, workspace);
  const layerGroups = await readLayerGroups(rest, workspace);
  return { workspace: observedWorkspace, ...store, styles, layerGroups };
}
