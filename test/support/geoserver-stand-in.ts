/**
 * A stand-in for GeoServer's REST API, for contract tests on machines where GeoServer cannot
 * run. It implements the endpoints Simpul uses as GeoServer's REST documentation (the
 * `doc/en/api/1.0.0/*.yaml` specifications of GeoServer 2.25–2.28) describes them: paths under
 * `/geoserver/rest`, JSON bodies wrapped in their object name, lists of one written as a bare
 * object and empty lists as `""` (GeoServer's Jettison encoding), 201 with a Location header on
 * create, 404 with a plain-text message for a missing object, 409 for an existing workspace,
 * 403 for deleting what is still referenced without `recurse`, 401 with a Basic challenge for
 * wrong credentials, styles parsed and re-encoded (so their text changes), passwords returned
 * encrypted, a feature type's layer created with it. Faults can be injected: a status, a delay,
 * a write that lands but reports failure, a write that reports success but does nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fault for requests matching `method` and `path` (relative to the REST root). */
export interface Fault {
  method?: string;
  path?: RegExp;
  /** Matching requests let through before the fault starts. Default 0. */
  skip?: number;
  /** Matching requests the fault applies to. Default: all. */
  times?: number;
  /** Answer this status instead (500 when only `afterHandling` or nothing else is set). */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Carry the request out, then answer `status`: a write that lands but reports failure. */
  afterHandling?: boolean;
  /** Answer success without doing anything: a write that reports success but is lost. */
  ignoreWrite?: boolean;
}

/** One request the stand-in answered. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

interface StyleRecord {
  name: string;
  sld: string;
}

/** The stand-in's catalog, open to tests for arranging and asserting. */
export interface StandInCatalog {
  namespaces: Map<string, { prefix: string; uri: string }>;
  datastores: Map<string, Json>;
  featureTypes: Map<string, Json>;
  layers: Map<string, Json>;
  styles: Map<string, StyleRecord>;
  layerGroups: Map<string, Json>;
}

export interface GeoServerStandIn {
  /** The REST root to give Simpul as GEOSERVER_URL. */
  restUrl: string;
  user: string;
  password: string;
  catalog: StandInCatalog;
  requests: LoggedRequest[];
  setVersion(version: string | null): void;
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Requests other than GET so far. */
  writes(): LoggedRequest[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body?: unknown;
  type?: string;
  headers?: Record<string, string>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const wgs84Wkt =
  'GEOGCS["WGS 84", DATUM["World Geodetic System 1984", SPHEROID["WGS 84", 6378137.0, ' +
  '298.257223563, AUTHORITY["EPSG","7030"]], AUTHORITY["EPSG","6326"]], PRIMEM["Greenwich", ' +
  '0.0, AUTHORITY["EPSG","8901"]], UNIT["degree", 0.017453292519943295], AXIS["Geodetic ' +
  'longitude", EAST], AXIS["Geodetic latitude", NORTH], AUTHORITY["EPSG","4326"]]';

/** GeoServer's JSON: a list of one as the item itself, an empty list as `""`. */
function jettison(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return '';
    if (value.length === 1) return jettison(value[0]);
    return value.map(jettison);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jettison(v)]));
  }
  return value;
}

function listOf(items: unknown): Json[] {
  if (items === undefined || items === null || items === '') return [];
  return (Array.isArray(items) ? items : [items]) as Json[];
}

function notFound(what: string): never {
  throw new Refusal(404, `No such ${what}`);
}

/** GeoServer parses an uploaded SLD and writes its own encoding: same content, other text. */
function reencodeSld(sld: string): string {
  const check = XMLValidator.validate(sld);
  if (check !== true) throw new Refusal(400, `Invalid style: ${check.err.msg}`);
  return sld
    .replace(/<\?xml[^>]*\?>\s*/, '<?xml version="1.0" encoding="UTF-8"?>')
    .replace(/>\s+</g, '><');
}

function genericStyleOf(featureType: Json): string {
  const geometry = listOf(featureType.attributes?.attribute).find((a: Json) =>
    String(a.binding).includes('jts.geom'),
  ) as Json | undefined;
  const binding = String(geometry?.binding ?? '');
  if (binding.includes('Polygon')) return 'polygon';
  if (binding.includes('Line')) return 'line';
  return 'point';
}

function createCatalog(): StandInCatalog {
  return {
    namespaces: new Map(),
    datastores: new Map(),
    featureTypes: new Map(),
    layers: new Map(),
    styles: new Map(),
    layerGroups: new Map(),
  };
}

function handlers(catalog: StandInCatalog, base: string, getVersion: () => string | null) {
  const href = (path: string) => `${base}${path}`;
  const requireWorkspace = (ws: string) =>
    catalog.namespaces.get(ws) ?? notFound(`workspace: '${ws}'`);
  const requireStore = (ws: string, ds: string) =>
    catalog.datastores.get(`${ws}/${ds}`) ?? notFound(`datastore: '${ds}' in workspace '${ws}'`);
  const styleKey = (ws: string, name: string) => {
    const local = name.includes(':') ? name.split(':')[1]! : name;
    return `${ws}/${local}`;
  };
  const created = (path: string, name: string): Answer => ({
    status: 201,
    body: name,
    type: 'text/plain',
    headers: { Location: href(path) },
  });
  const json = (body: unknown): Answer => ({ status: 200, body: jettison(body) });
  const list = (key: string, item: string, names: string[], path: (n: string) => string) =>
    json({
      [key]: names.length
        ? { [item]: names.map((name) => ({ name, href: href(path(name)) })) }
        : '',
    });

  function removeLayerEverywhere(ws: string, name: string) {
    catalog.layers.delete(`${ws}/${name}`);
    for (const [key, group] of catalog.layerGroups) {
      const published = listOf(group.publishables?.published) as Json[];
      const keep = published
        .map((p, i) => [p, i] as const)
        .filter(([p]) => {
          const local = String(p.name).split(':').pop();
          return !(key.startsWith(`${ws}/`) && local === name);
        });
      if (keep.length === 0) catalog.layerGroups.delete(key);
      else {
        const styles = listOf(group.styles?.style);
        group.publishables = { published: keep.map(([p]) => p) };
        group.styles = { style: keep.map(([, i]) => styles[i]) };
      }
    }
  }

  return {
    version(): Answer {
      const version = getVersion();
      const geoserver = {
        '@name': 'GeoServer',
        'Build-Timestamp': '01-Dec-2026 00:00',
        Version: version,
        'Git-Revision': 'stand-in',
      };
      const others = [
        { '@name': 'GeoTools', Version: '34.1' },
        { '@name': 'GeoWebCache', Version: '1.28.1' },
      ];
      return json({ about: { resource: [geoserver, ...others] } });
    },
    postNamespace(body: Json): Answer {
      const { prefix, uri } = body.namespace ?? {};
      if (!prefix || !uri) throw new Refusal(400, 'Namespace prefix and uri are required');
      if (catalog.namespaces.has(prefix))
        throw new Refusal(409, `Namespace '${prefix}' already exists`);
      catalog.namespaces.set(prefix, { prefix, uri });
      return created(`/namespaces/${prefix}`, prefix);
    },
    getNamespace(prefix: string): Answer {
      const ns = catalog.namespaces.get(prefix) ?? notFound(`namespace: '${prefix}'`);
      return json({ namespace: { prefix: ns.prefix, uri: ns.uri, isolated: false } });
    },
    putNamespace(prefix: string, body: Json): Answer {
      const ns = catalog.namespaces.get(prefix) ?? notFound(`namespace: '${prefix}'`);
      if (body.namespace?.uri) ns.uri = body.namespace.uri;
      return { status: 200 };
    },
    postWorkspace(body: Json): Answer {
      const name = body.workspace?.name;
      if (!name) throw new Refusal(400, 'Workspace name is required');
      if (catalog.namespaces.has(name))
        throw new Refusal(409, `Workspace '${name}' already exists`);
      catalog.namespaces.set(name, { prefix: name, uri: `http://${name}` });
      return created(`/workspaces/${name}`, name);
    },
    getWorkspace(ws: string): Answer {
      requireWorkspace(ws);
      const links = {
        dataStores: href(`/workspaces/${ws}/datastores.json`),
        coverageStores: href(`/workspaces/${ws}/coveragestores.json`),
        wmsStores: href(`/workspaces/${ws}/wmsstores.json`),
      };
      return json({ workspace: { name: ws, isolated: false, ...links } });
    },
    postDatastore(ws: string, body: Json): Answer {
      requireWorkspace(ws);
      const store = body.dataStore;
      if (!store?.name) throw new Refusal(400, 'Data store name is required');
      if (catalog.datastores.has(`${ws}/${store.name}`)) {
        throw new Refusal(500, `Store '${store.name}' already exists in workspace '${ws}'`);
      }
      catalog.datastores.set(`${ws}/${store.name}`, {
        enabled: true,
        ...store,
        workspace: { name: ws },
      });
      return created(`/workspaces/${ws}/datastores/${store.name}`, store.name);
    },
    putDatastore(ws: string, ds: string, body: Json): Answer {
      const store = requireStore(ws, ds);
      const changes = body.dataStore ?? {};
      if (changes.name && changes.name !== ds)
        throw new Refusal(403, "Can't change the name of a store");
      Object.assign(store, changes);
      return { status: 200 };
    },
    getDatastore(ws: string, ds: string): Answer {
      const store = requireStore(ws, ds);
      const entries = listOf(store.connectionParameters?.entry).map((e: Json) =>
        e['@key'] === 'passwd'
          ? { '@key': 'passwd', $: `crypt1:${Buffer.from(String(e.$)).toString('base64')}` }
          : { '@key': e['@key'], $: String(e.$) },
      );
      return json({
        dataStore: {
          ...store,
          connectionParameters: { entry: entries },
          featureTypes: href(`/workspaces/${ws}/datastores/${ds}/featuretypes.json`),
        },
      });
    },
    listFeatureTypes(ws: string, ds: string): Answer {
      requireStore(ws, ds);
      const names = [...catalog.featureTypes.keys()]
        .filter((key) => key.startsWith(`${ws}/${ds}/`))
        .map((key) => key.split('/')[2]!);
      return list(
        'featureTypes',
        'featureType',
        names,
        (n) => `/workspaces/${ws}/datastores/${ds}/featuretypes/${n}.json`,
      );
    },
    postFeatureType(ws: string, ds: string, body: Json, tables?: Set<string>): Answer {
      requireStore(ws, ds);
      const ft = body.featureType;
      if (!ft?.name) throw new Refusal(400, 'Feature type name is required');
      const nativeName = ft.nativeName ?? ft.name;
      if (tables && !tables.has(nativeName)) {
        throw new Refusal(
          500,
          `Trying to create new feature type inside the store, but table ${nativeName} does not exist`,
        );
      }
      if (
        catalog.featureTypes.has(`${ws}/${ds}/${ft.name}`) ||
        catalog.layers.has(`${ws}/${ft.name}`)
      ) {
        throw new Refusal(500, `Resource named '${ft.name}' already exists in store: '${ds}'`);
      }
      const stored = {
        ...ft,
        nativeName,
        namespace: { name: ws, href: href(`/namespaces/${ws}.json`) },
      };
      catalog.featureTypes.set(`${ws}/${ds}/${ft.name}`, stored);
      catalog.layers.set(`${ws}/${ft.name}`, {
        name: ft.name,
        type: 'VECTOR',
        defaultStyle: {
          name: genericStyleOf(ft),
          href: href(`/styles/${genericStyleOf(ft)}.json`),
        },
        resource: { '@class': 'featureType', name: `${ws}:${ft.name}` },
        queryable: true,
        opaque: false,
      });
      return created(`/workspaces/${ws}/datastores/${ds}/featuretypes/${ft.name}`, ft.name);
    },
    getFeatureType(ws: string, ds: string, name: string): Answer {
      requireStore(ws, ds);
      const ft =
        catalog.featureTypes.get(`${ws}/${ds}/${name}`) ?? notFound(`feature type: '${name}'`);
      const nativeCRS = ft.nativeCRS === 'EPSG:4326' ? wgs84Wkt : ft.nativeCRS;
      const store = {
        '@class': 'dataStore',
        name: `${ws}:${ds}`,
        href: href(`/workspaces/${ws}/datastores/${ds}.json`),
      };
      return json({ featureType: { ...ft, nativeCRS, store, maxFeatures: 0, numDecimals: 0 } });
    },
    putFeatureType(ws: string, ds: string, name: string, body: Json): Answer {
      requireStore(ws, ds);
      const ft =
        catalog.featureTypes.get(`${ws}/${ds}/${name}`) ?? notFound(`feature type: '${name}'`);
      const changes = body.featureType ?? {};
      if (changes.name && changes.name !== name)
        throw new Refusal(403, "Can't change the name of a feature type");
      Object.assign(ft, changes);
      return { status: 200 };
    },
    deleteFeatureType(ws: string, ds: string, name: string, recurse: boolean): Answer {
      requireStore(ws, ds);
      if (!catalog.featureTypes.has(`${ws}/${ds}/${name}`)) notFound(`feature type: '${name}'`);
      if (catalog.layers.has(`${ws}/${name}`) && !recurse) {
        throw new Refusal(403, `featuretype "${name}" referenced by layer(s)`);
      }
      catalog.featureTypes.delete(`${ws}/${ds}/${name}`);
      removeLayerEverywhere(ws, name);
      return { status: 200 };
    },
    getLayer(ws: string, name: string): Answer {
      const layer = catalog.layers.get(`${ws}/${name}`) ?? notFound(`layer: '${ws}:${name}'`);
      return json({ layer });
    },
    putLayer(ws: string, name: string, body: Json): Answer {
      const layer = catalog.layers.get(`${ws}/${name}`) ?? notFound(`layer: '${ws}:${name}'`);
      if (body.layer?.attribution) layer.attribution = body.layer.attribution;
      const style = body.layer?.defaultStyle;
      if (style) {
        const styleWs =
          style.workspace ??
          (String(style.name).includes(':') ? String(style.name).split(':')[0] : undefined);
        if (!styleWs || !catalog.styles.has(styleKey(styleWs, style.name)))
          notFound(`style: '${style.name}'`);
        const local = String(style.name).split(':').pop();
        layer.defaultStyle = {
          name: `${styleWs}:${local}`,
          workspace: styleWs,
          href: href(`/workspaces/${styleWs}/styles/${local}.json`),
        };
      }
      return { status: 200 };
    },
    listStyles(ws: string): Answer {
      requireWorkspace(ws);
      const names = [...catalog.styles.keys()]
        .filter((k) => k.startsWith(`${ws}/`))
        .map((k) => k.split('/')[1]!);
      return list('styles', 'style', names, (n) => `/workspaces/${ws}/styles/${n}.json`);
    },
    postStyle(ws: string, name: string | null, sld: string, contentType: string): Answer {
      requireWorkspace(ws);
      if (!contentType.startsWith('application/vnd.ogc.sld+xml')) {
        throw new Refusal(415, `Unsupported style format: ${contentType}`);
      }
      if (!name) throw new Refusal(400, 'Style name is required');
      if (catalog.styles.has(`${ws}/${name}`))
        throw new Refusal(403, `Style ${name} already exists.`);
      catalog.styles.set(`${ws}/${name}`, { name, sld: reencodeSld(sld) });
      return created(`/workspaces/${ws}/styles/${name}`, name);
    },
    getStyle(ws: string, name: string, asSld: boolean): Answer {
      const style = catalog.styles.get(`${ws}/${name}`) ?? notFound(`style: '${name}'`);
      if (asSld) return { status: 200, body: style.sld, type: 'application/vnd.ogc.sld+xml' };
      return json({
        style: {
          name,
          workspace: { name: ws },
          format: 'sld',
          languageVersion: { version: '1.0.0' },
          filename: `${name}.sld`,
        },
      });
    },
    putStyle(ws: string, name: string, sld: string, contentType: string): Answer {
      const style = catalog.styles.get(`${ws}/${name}`) ?? notFound(`style: '${name}'`);
      if (!contentType.startsWith('application/vnd.ogc.sld+xml')) {
        throw new Refusal(415, `Unsupported style format: ${contentType}`);
      }
      style.sld = reencodeSld(sld);
      return { status: 200 };
    },
    deleteStyle(ws: string, name: string, recurse: boolean): Answer {
      if (!catalog.styles.has(`${ws}/${name}`)) notFound(`style: '${name}'`);
      const users = [...catalog.layers.values()].filter(
        (l) => l.defaultStyle?.name === `${ws}:${name}`,
      );
      if (users.length && !recurse) throw new Refusal(403, `Style ${name} is referenced by layers`);
      for (const layer of users) layer.defaultStyle = { name: genericStyleOf({}) };
      catalog.styles.delete(`${ws}/${name}`);
      return { status: 200 };
    },
    listLayerGroups(ws: string): Answer {
      requireWorkspace(ws);
      const names = [...catalog.layerGroups.keys()]
        .filter((k) => k.startsWith(`${ws}/`))
        .map((k) => k.split('/')[1]!);
      return list(
        'layerGroups',
        'layerGroup',
        names,
        (n) => `/workspaces/${ws}/layergroups/${n}.json`,
      );
    },
    checkPublished(ws: string, group: Json) {
      for (const published of listOf(group.publishables?.published) as Json[]) {
        const local = String(published.name).split(':').pop();
        if (!catalog.layers.has(`${ws}/${local}`))
          throw new Refusal(400, `No such layer: ${published.name}`);
      }
    },
    postLayerGroup(ws: string, body: Json): Answer {
      requireWorkspace(ws);
      const group = body.layerGroup;
      if (!group?.name) throw new Refusal(400, 'Layer group name is required');
      if (catalog.layerGroups.has(`${ws}/${group.name}`)) {
        throw new Refusal(
          500,
          `Layer group named '${group.name}' already exists in workspace ${ws}`,
        );
      }
      this.checkPublished(ws, group);
      catalog.layerGroups.set(`${ws}/${group.name}`, { ...group, workspace: { name: ws } });
      return created(`/workspaces/${ws}/layergroups/${group.name}`, group.name);
    },
    getLayerGroup(ws: string, name: string): Answer {
      const group = catalog.layerGroups.get(`${ws}/${name}`) ?? notFound(`layer group: '${name}'`);
      const published = (listOf(group.publishables?.published) as Json[]).map((p) => ({
        '@type': 'layer',
        name: String(p.name).includes(':') ? p.name : `${ws}:${p.name}`,
        href: href(`/workspaces/${ws}/layers/${String(p.name).split(':').pop()}.json`),
      }));
      return json({ layerGroup: { ...group, publishables: { published } } });
    },
    putLayerGroup(ws: string, name: string, body: Json): Answer {
      const group = catalog.layerGroups.get(`${ws}/${name}`) ?? notFound(`layer group: '${name}'`);
      const changes = body.layerGroup ?? {};
      this.checkPublished(ws, { ...group, ...changes });
      Object.assign(group, changes);
      return { status: 200 };
    },
    deleteLayerGroup(ws: string, name: string): Answer {
      if (!catalog.layerGroups.delete(`${ws}/${name}`)) notFound(`layer group: '${name}'`);
      return { status: 200 };
    },
  };
}

type Route = [
  method: string,
  pattern: RegExp,
  handle: (m: string[], request: ParsedRequest) => Answer,
];

interface ParsedRequest {
  query: URLSearchParams;
  body: string;
  contentType: string;
  json(): Json;
}

function routes(api: ReturnType<typeof handlers>, tables?: Set<string>): Route[] {
  const flag = (r: ParsedRequest, name: string) => r.query.get(name) === 'true';
  const name = '([^/.]+)';
  return [
    ['GET', /^\/about\/version(?:\.json)?$/, () => api.version()],
    ['POST', /^\/namespaces\/?$/, (_m, r) => api.postNamespace(r.json())],
    [
      'GET',
      new RegExp(`^/namespaces/${name}(?:\\.json)?$`),
      ([ns], r) => (void r, api.getNamespace(ns!)),
    ],
    ['PUT', new RegExp(`^/namespaces/${name}$`), ([ns], r) => api.putNamespace(ns!, r.json())],
    ['POST', /^\/workspaces\/?$/, (_m, r) => api.postWorkspace(r.json())],
    ['GET', new RegExp(`^/workspaces/${name}(?:\\.json)?$`), ([ws]) => api.getWorkspace(ws!)],
    [
      'POST',
      new RegExp(`^/workspaces/${name}/datastores/?$`),
      ([ws], r) => api.postDatastore(ws!, r.json()),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/datastores/${name}(?:\\.json)?$`),
      ([ws, ds]) => api.getDatastore(ws!, ds!),
    ],
    [
      'PUT',
      new RegExp(`^/workspaces/${name}/datastores/${name}$`),
      ([ws, ds], r) => api.putDatastore(ws!, ds!, r.json()),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/datastores/${name}/featuretypes(?:\\.json)?$`),
      ([ws, ds]) => api.listFeatureTypes(ws!, ds!),
    ],
    [
      'POST',
      new RegExp(`^/workspaces/${name}/datastores/${name}/featuretypes/?$`),
      ([ws, ds], r) => api.postFeatureType(ws!, ds!, r.json(), tables),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/datastores/${name}/featuretypes/${name}(?:\\.json)?$`),
      ([ws, ds, ft]) => api.getFeatureType(ws!, ds!, ft!),
    ],
    [
      'PUT',
      new RegExp(`^/workspaces/${name}/datastores/${name}/featuretypes/${name}$`),
      ([ws, ds, ft], r) => api.putFeatureType(ws!, ds!, ft!, r.json()),
    ],
    [
      'DELETE',
      new RegExp(`^/workspaces/${name}/datastores/${name}/featuretypes/${name}$`),
      ([ws, ds, ft], r) => api.deleteFeatureType(ws!, ds!, ft!, flag(r, 'recurse')),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/layers/${name}(?:\\.json)?$`),
      ([ws, l]) => api.getLayer(ws!, l!),
    ],
    [
      'PUT',
      new RegExp(`^/workspaces/${name}/layers/${name}$`),
      ([ws, l], r) => api.putLayer(ws!, l!, r.json()),
    ],
    ['GET', new RegExp(`^/workspaces/${name}/styles(?:\\.json)?$`), ([ws]) => api.listStyles(ws!)],
    [
      'POST',
      new RegExp(`^/workspaces/${name}/styles/?$`),
      ([ws], r) => api.postStyle(ws!, r.query.get('name'), r.body, r.contentType),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/styles/${name}\\.sld$`),
      ([ws, s]) => api.getStyle(ws!, s!, true),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/styles/${name}(?:\\.json)?$`),
      ([ws, s]) => api.getStyle(ws!, s!, false),
    ],
    [
      'PUT',
      new RegExp(`^/workspaces/${name}/styles/${name}$`),
      ([ws, s], r) => api.putStyle(ws!, s!, r.body, r.contentType),
    ],
    [
      'DELETE',
      new RegExp(`^/workspaces/${name}/styles/${name}$`),
      ([ws, s], r) => api.deleteStyle(ws!, s!, flag(r, 'recurse')),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/layergroups(?:\\.json)?$`),
      ([ws]) => api.listLayerGroups(ws!),
    ],
    [
      'POST',
      new RegExp(`^/workspaces/${name}/layergroups/?$`),
      ([ws], r) => api.postLayerGroup(ws!, r.json()),
    ],
    [
      'GET',
      new RegExp(`^/workspaces/${name}/layergroups/${name}(?:\\.json)?$`),
      ([ws, g]) => api.getLayerGroup(ws!, g!),
    ],
    [
      'PUT',
      new RegExp(`^/workspaces/${name}/layergroups/${name}$`),
      ([ws, g], r) => api.putLayerGroup(ws!, g!, r.json()),
    ],
    [
      'DELETE',
      new RegExp(`^/workspaces/${name}/layergroups/${name}$`),
      ([ws, g]) => api.deleteLayerGroup(ws!, g!),
    ],
  ];
}

function parseRequest(url: URL, body: string, contentType: string): ParsedRequest {
  return {
    query: url.searchParams,
    body,
    contentType,
    json() {
      if (!contentType.includes('json'))
        throw new Refusal(415, `Expected JSON, got ${contentType}`);
      try {
        return JSON.parse(body) as Json;
      } catch {
        throw new Refusal(400, 'Could not parse the JSON body');
      }
    },
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: http.ServerResponse, answer: Answer) {
  const isText = typeof answer.body === 'string';
  const type =
    answer.type ?? (isText || answer.body === undefined ? 'text/plain' : 'application/json');
  const payload =
    answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'Content-Type': type, ...answer.headers });
  response.end(payload);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a stand-in GeoServer on a free loopback port. `tables` are the store's tables. */
export async function startGeoServerStandIn(
  options: {
    user?: string;
    password?: string;
    version?: string;
    tables?: string[];
    /** The loopback port to listen on; by default one the system picks. */
    port?: number;
  } = {},
): Promise<GeoServerStandIn> {
  const user = options.user ?? 'admin';
  const password = options.password ?? 'stand-in-secret';
  let version: string | null = options.version ?? '2.28.2';
  const catalog = createCatalog();
  const requests: LoggedRequest[] = [];
  const faults: (Fault & { seen: number; applied: number })[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}/geoserver/rest`;
  const api = handlers(catalog, base, () => version);
  const table = routes(api, options.tables && new Set(options.tables));

  function matchFault(method: string, path: string) {
    for (const fault of faults) {
      if (fault.method && fault.method !== method) continue;
      if (fault.path && !fault.path.test(path)) continue;
      fault.seen += 1;
      if (fault.seen <= (fault.skip ?? 0)) continue;
      if (fault.applied >= (fault.times ?? Infinity)) continue;
      fault.applied += 1;
      return fault;
    }
    return undefined;
  }

  function route(method: string, path: string, request: ParsedRequest): Answer {
    const known = table.filter(([, pattern]) => pattern.test(path));
    const found = known.find(([m]) => m === method);
    if (!found) {
      if (known.length)
        return { status: 405, body: `Method ${method} not allowed`, type: 'text/plain' };
      return { status: 404, body: `No handler for ${path}`, type: 'text/plain' };
    }
    const match = found[1].exec(path)!;
    try {
      return found[2](match.slice(1), request);
    } catch (error) {
      if (error instanceof Refusal)
        return { status: error.status, body: error.message, type: 'text/plain' };
      return {
        status: 500,
        body: `java.lang.RuntimeException: ${(error as Error).message}`,
        type: 'text/plain',
      };
    }
  }

  server.on('request', async (incoming, response) => {
    const method = incoming.method ?? 'GET';
    const url = new URL(incoming.url ?? '/', base);
    const prefix = '/geoserver/rest';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const body = await readBody(incoming);
    const log = (status: number) => requests.push({ method, path: path + url.search, status });

    if (!url.pathname.startsWith(prefix)) {
      log(404);
      return send(response, { status: 404, body: 'Not found', type: 'text/html' });
    }
    if (incoming.headers.authorization !== expectedAuth) {
      log(401);
      return send(response, {
        status: 401,
        body: '<html><body><h2>HTTP ERROR 401 Unauthorized</h2></body></html>',
        type: 'text/html',
        headers: { 'WWW-Authenticate': 'Basic realm="GeoServer Realm"' },
      });
    }
    const fault = matchFault(method, path);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (response.destroyed) return;

    const request = parseRequest(url, body, String(incoming.headers['content-type'] ?? ''));
    let answer: Answer;
    if (fault?.ignoreWrite) answer = { status: method === 'POST' ? 201 : 200, body: '' };
    else if (fault && (fault.status || !fault.delayMs) && !fault.afterHandling) {
      answer = {
        status: fault.status ?? 500,
        body: 'java.lang.RuntimeException: injected failure',
        type: 'text/plain',
      };
    } else {
      answer = route(method, path, request);
      if (fault?.afterHandling)
        answer = {
          status: fault.status ?? 500,
          body: 'java.io.IOException: injected after the change',
          type: 'text/plain',
        };
    }
    log(answer.status);
    send(response, answer);
  });

  return {
    restUrl: base,
    user,
    password,
    catalog,
    requests,
    setVersion: (next) => (version = next),
    addFault: (fault) => faults.push({ ...fault, seen: 0, applied: 0 }),
    clearFaults: () => void faults.splice(0),
    writes: () => requests.filter((r) => r.method !== 'GET'),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
