import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app-context.js';
import type { LayerDefinition } from '../../layers/index.js';
import {
  requestImportCancel,
  selectImportJobs,
  selectRejections,
} from '../db/queries/import-jobs.js';
import { detectGdal } from '../formats/gdal.js';
import { asSentence, SourceFileError } from '../formats/source-feature.js';
import { openSourceFile, sourceFormats } from '../formats/source-file.js';
import { registerImportsOpenApi } from '../http/imports-openapi.js';
import { utf8Json } from '../http/json-body.js';
import { answersJson, requireAcceptable } from '../http/negotiate.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import {
  parsePageParameters,
  rejectUnknownParameters,
  takesParameters,
} from '../http/query-parameters.js';
import { canEditLayer, type Principal } from '../services/access.js';
import { requireEditable, requireReadable } from '../services/edit-access.js';
import { exportFormats, prepareExport, type PreparedExport } from '../services/export-service.js';
import type { FieldMapping } from '../services/field-mapping.js';
import {
  abortLocalImport,
  prepareImport,
  previewImport,
  recordImportJob,
  requireImportJob,
  runImport,
  sourceFileProblem,
  undoImport,
  type ImportRequest,
} from '../services/import-service.js';
import { listLayers, requireLayer } from '../services/layer-registry.js';
import { findUpload, removeUpload, saveUpload } from '../services/upload-store.js';
import { config } from '../config.js';
import { log } from '../log.js';
import { rejectionsCsv } from '../formats/rejections-csv.js';
import { untilTileCachesHeard } from '../tiles/tile-changes.js';

type Body = Record<string, unknown>;

function text(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw badRequest('invalid-import', `${name} must be text.`, { code: 'not-text', name });
  }
  return value;
}

function oneOf<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  const value = text(body, name);
  if (value !== undefined && !allowed.includes(value as T)) {
    const detail = `${name} is one of ${allowed.join(', ')}; got "${value}".`;
    throw badRequest('invalid-import', detail, { code: 'not-one-of', name, allowed, value });
  }
  return value as T | undefined;
}

/**
 * A yes/no option: JSON true or false, absent meaning no. Anything else ("true", 1, "yes") is
 * refused rather than read either way: a dry run taken for a real one writes to the layer.
 */
function flag(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    const detail = `${name} must be true or false (JSON), not ${JSON.stringify(value)}.`;
    throw badRequest('invalid-import', detail, {
      code: 'not-true-or-false',
      name,
      value: JSON.stringify(value).slice(0, 200),
    });
  }
  return value;
}

function textList(body: Body, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw badRequest('invalid-import', `${name} must be a list of names.`, {
      code: 'not-a-list',
      name,
    });
  }
  return value as string[];
}

function mappingOf(body: Body): FieldMapping | undefined {
  const value = body.mapping;
  if (value === undefined || value === null) return undefined;
  const valid =
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => v === null || typeof v === 'string');
  if (!valid) {
    const detail = 'mapping is {"attribute": "field" or null}.';
    throw badRequest('invalid-mapping', detail, { code: 'not-an-object' });
  }
  return value as FieldMapping;
}

const importOptions = [
  'uploadId',
  'layerId',
  'sourceLayers',
  'mapping',
  'mode',
  'action',
  'dryRun',
  'encoding',
  'crs',
  'csv',
];
const csvOptions = ['delimiter', 'decimalComma', 'wktColumn', 'xColumn', 'yColumn'];

/**
 * Refuses a member no option has: `dry_run` or `dryrun` for `dryRun`, read as no option at
 * all, started a real import that wrote to the layer; `Mode` imported all-or-nothing.
 */
function rejectUnknownOptions(body: Body, allowed: string[], within?: string) {
  const unknown = Object.keys(body).find((name) => !allowed.includes(name));
  if (unknown === undefined) return;
  const name = within ? `${within}.${unknown}` : unknown;
  const quoted = JSON.stringify(name).slice(0, 80);
  const detail = `No import option is called ${quoted}; the options are: ${allowed.join(', ')}.`;
  throw badRequest('invalid-import', detail, { code: 'unknown-option', name, allowed });
}

function csvOptionsOf(body: Body): ImportRequest['csv'] {
  const csv = (body.csv ?? {}) as Body;
  if (typeof csv !== 'object' || Array.isArray(csv)) {
    const detail = 'csv is an object of CSV options, e.g. {"delimiter": ";"}.';
    throw badRequest('invalid-import', detail, { code: 'not-an-object', name: 'csv' });
  }
  rejectUnknownOptions(csv, csvOptions, 'csv');
  return {
    delimiter: text(csv, 'delimiter'),
    decimalComma: flag(csv, 'decimalComma'),
    wktColumn: text(csv, 'wktColumn'),
    xColumn: text(csv, 'xColumn'),
    yColumn: text(csv, 'yColumn'),
  };
}

/** The import options of a JSON body, with the upload it names. */
async function parseImportBody(body: Body, principal: Principal): Promise<ImportRequest> {
  if (typeof body === 'object' && !Array.isArray(body)) {
    rejectUnknownOptions(body, importOptions);
  }
  const uploadId = text(body, 'uploadId');
  const layerId = text(body, 'layerId');
  if (!uploadId || !layerId) {
    const detail = 'Name the uploadId and layerId.';
    throw badRequest('invalid-import', detail, { code: 'missing-upload-or-layer' });
  }
  requireEditable(principal, requireLayer(layerId));
  const upload = await findUpload(uploadId, principal);
  return {
    layerId,
    file: upload.file,
    fileName: upload.fileName,
    sourceLayers: textList(body, 'sourceLayers'),
    mapping: mappingOf(body),
    mode: oneOf(body, 'mode', ['all-or-nothing', 'valid-only']),
    action: oneOf(body, 'action', ['append', 'replace']),
    dryRun: flag(body, 'dryRun') ?? false,
    encoding: text(body, 'encoding'),
    crs: text(body, 'crs'),
    csv: csvOptionsOf(body),
    actor: principal.name,
    // An upload no option can read is of no further use; one that the CRS, the encoding or
    // the CSV columns may still make readable is kept for the retry (see isUnreadableFile).
    onUnreadableFile: () => removeUpload(uploadId),
  };
}

function requirePrincipal(res: Response): Principal {
  const principal = res.locals.principal;
  if (!principal) {
    const problem = new HttpProblem(
      401,
      'login-required',
      'Login required',
      'Imports need a login or an API token.',
    );
    problem.headers['WWW-Authenticate'] = 'Bearer';
    throw problem;
  }
  return principal;
}

/** Uploads take disk space: only an editor of some layer may send one. */
function requireSomeEditableLayer(principal: Principal) {
  if (!listLayers().some((layer) => canEditLayer(principal, layer))) {
    const detail = `${principal.name} may edit no layer, so has nothing to import into.`;
    throw new HttpProblem(403, 'edit-forbidden', 'Forbidden', detail, { user: principal.name });
  }
}

/** The file of a multipart form (field `file`), or the raw body named by `?fileName=`. */
async function receiveUpload(req: Request, uploader: Principal) {
  if (!req.is('multipart/form-data')) {
    if (Array.isArray(req.query.fileName)) {
      const detail = 'fileName is given twice; give it once, as the name of the file sent.';
      throw badRequest('repeated-parameter', detail);
    }
    const fileName = typeof req.query.fileName === 'string' ? req.query.fileName : undefined;
    if (!fileName) {
      throw badRequest(
        'missing-file-name',
        'Send the file as multipart form data (field "file"), or raw with ?fileName=name.ext.',
      );
    }
    const length = req.headers['content-length'];
    return saveUpload(req, fileName, uploader, {
      declaredBytes: length === undefined ? undefined : Number(length),
      waitsToSend: /100-continue/i.test(req.headers.expect ?? ''),
    });
  }
  return new Promise<Awaited<ReturnType<typeof saveUpload>>>((resolve, reject) => {
    // browsers write a file name's UTF-8 bytes as they are; busboy would read them as latin1
    const form = busboy({ headers: req.headers, limits: { files: 1 }, defParamCharset: 'utf8' });
    const unreadable = (error: Error) => {
      const detail = `The multipart form cannot be read: ${asSentence(error.message)}`;
      return badRequest('unreadable-form', detail, { reason: error.message });
    };
    let received = false;
    form.on('file', (_field, stream, info) => {
      received = true;
      // a form cut short fails the file stream too, maybe before saveUpload reads it: an
      // error no one listened to would end the process
      stream.on('error', (error) => reject(unreadable(error)));
      // a client gone mid-file ends no part: the stream would wait for the rest forever,
      // keeping what it stored; failing it makes saveUpload remove the upload
      req.once('close', () => {
        if (!req.complete) stream.destroy(new Error('The client hung up before the file ended'));
      });
      saveUpload(stream, info.filename || 'upload', uploader).then(resolve, reject);
    });
    form.on('error', (error: Error) => reject(unreadable(error)));
    form.on('close', () => {
      if (!received) reject(badRequest('missing-file', 'The form holds no file (field "file").'));
    });
    req.pipe(form);
  });
}

/** What an upload holds: its format and the layers inside. */
async function describeUpload(file: string, fileName: string) {
  try {
    const source = await openSourceFile(file, fileName);
    await source.close();
    return { format: source.format, sourceLayers: source.layerNames };
  } catch (error) {
    if (error instanceof SourceFileError) throw sourceFileProblem(error);
    throw error;
  }
}

/**
 * The address of one import job, `/imports/{jobId}`, but not the upload and preview beside it:
 * those take POST alone, so a GET there is a 405 naming it rather than the 404 of a job.
 */
const jobAddress = /^\/imports\/(?!(?:uploads|preview)\/?$)(?<jobId>[^/]+?)\/?$/i;

function toPublicJob(job: Awaited<ReturnType<typeof requireImportJob>>) {
  return { ...job, links: [{ rel: 'rejections', href: `/imports/${job.id}/rejections` }] };
}

/**
 * Imports over HTTP: upload a file, preview it with a mapping, start a background job, follow
 * its progress, page or download its report, cancel or undo it; and exports as downloads.
 * Imports need the edit right of the layer, exports its read right.
 */
export function createImportsRouter(context: AppContext): Router {
  registerImportsOpenApi();
  const router = Router();
  const { pool } = context.database;
  const json = utf8Json({
    limit: '1mb',
  });
  const jsonAnswer = answersJson();

  router.get('/imports/formats', takesParameters(), jsonAnswer, (_req, res) => {
    const exports = Object.entries(exportFormats).map(([id, f]) => ({ id, title: f.title }));
    res.json({ import: sourceFormats, export: exports, gdal: detectGdal() });
  });

  router.post('/imports/uploads', async (req, res) => {
    const principal = requirePrincipal(res);
    requireSomeEditableLayer(principal);
    const upload = await receiveUpload(req, principal);
    // An upload that cannot even be opened gets no id in the answer, so nothing could use it.
    const described = await describeUpload(upload.file, upload.fileName).catch(async (error) => {
      await removeUpload(upload.uploadId);
      throw error;
    });
    const { uploadId, fileName, bytes } = upload;
    res.status(201).json({ uploadId, fileName, bytes, ...described });
  });

  router.post('/imports/preview', takesParameters(), json, async (req, res) => {
    const request = await parseImportBody(req.body ?? {}, requirePrincipal(res));
    res.json(await previewImport(pool, request));
  });

  router.post('/imports', takesParameters(), json, async (req, res) => {
    const request = await parseImportBody(req.body ?? {}, requirePrincipal(res));
    const prepared = await prepareImport(pool, request);
    const jobId = await recordImportJob(pool, prepared);
    runImport(context.database, prepared).catch((error: unknown) =>
      log.error({ err: error, jobId }, 'import job crashed'),
    );
    const job = await requireImportJob(pool, jobId);
    res.status(202).location(`/imports/${jobId}`).json(toPublicJob(job));
  });

  router.get('/imports', takesParameters('layerId'), jsonAnswer, async (req, res) => {
    const layerId = req.query.layerId;
    if (typeof layerId !== 'string' || layerId === '') {
      throw badRequest('missing-layer', 'Name the layer whose imports to list: ?layerId=…');
    }
    requireEditable(res.locals.principal, requireLayer(layerId));
    res.json({ jobs: (await selectImportJobs(pool, layerId, 20)).map(toPublicJob) });
  });

  // Finished jobs (id and status) whose commit every tile cache has heard since this process
  // read it: polling them again needs no wait. The newest few hundred are kept.
  const heardJobs = new Set<string>();

  /**
   * A job of another process reads `succeeded` (or `undone`) from its commit, a moment before
   * that process has heard every cache confirm it: the first answer saying so waits for them,
   * as the edit routes do. Another process polling the same job waits once more itself.
   */
  const untilJobHeard = async (job: { id: string; status: string }) => {
    if (job.status !== 'succeeded' && job.status !== 'undone') return;
    const key = `${job.id} ${job.status}`;
    if (heardJobs.has(key)) return;
    await untilTileCachesHeard(pool);
    heardJobs.add(key);
    if (heardJobs.size > 500) heardJobs.delete(heardJobs.values().next().value!);
  };

  router.get(jobAddress, takesParameters(), jsonAnswer, async (req, res) => {
    const job = await requireImportJob(pool, req.params.jobId!);
    requireEditable(res.locals.principal, requireLayer(job.layerId));
    await untilJobHeard(job);
    res.json(toPublicJob(job));
  });

  const rejectionsParameters = takesParameters('f', 'limit', 'offset');
  router.get('/imports/:jobId/rejections', rejectionsParameters, async (req, res) => {
    const job = await requireImportJob(pool, req.params.jobId);
    requireEditable(res.locals.principal, requireLayer(job.layerId));
    const format = chooseRejectionsFormat(req);
    if (format === 'csv') return sendRejectionsCsv(pool, job.id, res);
    const { limit, offset } = parsePageParameters(req.query);
    res.json(await selectRejections(pool, job.id, offset, limit));
  });

  router.post('/imports/:jobId/cancel', takesParameters(), async (req, res) => {
    const job = await requireImportJob(pool, req.params.jobId);
    requireEditable(res.locals.principal, requireLayer(job.layerId));
    if (!(await requestImportCancel(pool, job.id))) {
      // read again: a job committing when asked has finished by now, most likely succeeded
      const { status } = await requireImportJob(pool, job.id);
      const detail = `The import is already ${status}.`;
      throw new HttpProblem(409, 'import-finished', 'Conflict', detail, {
        jobStatus: status,
      });
    }
    abortLocalImport(job.id);
    res.status(202).json(toPublicJob(await requireImportJob(pool, job.id)));
  });

  router.post('/imports/:jobId/undo', takesParameters(), async (req, res) => {
    const job = await requireImportJob(pool, req.params.jobId);
    const principal = requirePrincipal(res);
    requireEditable(principal, requireLayer(job.layerId));
    const undone = await undoImport(pool, job.id, principal.name);
    res.json({ ...undone, job: toPublicJob(await requireImportJob(pool, job.id)) });
  });

  router.get('/exports/:layerId', async (req, res) => {
    const layer = requireLayer(req.params.layerId);
    requireReadable(res.locals.principal, layer);
    const request = parseExportQuery(layer, req.query);
    const prepared = await prepareExport(context.database, request);
    // HEAD (which Express routes here) ran the whole export, a GeoPackage for seconds, to send
    // no body. It checks what GET checks, and the first row, so that a filter the database
    // fails on at once is its 400 too; it sends no Content-Length, which only writing the file
    // would tell, and cannot see a filter failing on a later row.
    const head = req.method === 'HEAD';
    if (head) await prepared.checkFirstRow();
    res.attachment(prepared.fileName).type(prepared.mediaType);
    res.set('Content-Crs', `<${prepared.crsUri}>`);
    if (head) return void res.status(200).end();
    cutWhenStalled(req, res, context.exportStallMs ?? config.exportStallMs);
    await sendExport(req, res, prepared);
  });

  return router;
}

/**
 * Writes the export to the response and ends it; a failure before its first byte is thrown for
 * the error handler. A failure after it (a filter failing on a later row) cuts the connection
 * before the last chunk: 200 and part of the file are out, and only the cut tells the client
 * (curl, a browser, GDAL) that the file is incomplete.
 */
async function sendExport(req: Request, res: Response, prepared: PreparedExport) {
  const layerId = prepared.layer.id;
  try {
    await prepared.write(res);
  } catch (error) {
    // A client that hung up (or a shutdown cutting the download) is no server failure.
    if (res.locals.exportStalled) {
      req.log.info({ layerId }, 'export cut: stalled');
      return;
    }
    if (res.destroyed) {
      req.log.info({ layerId }, 'export stopped: the client closed the connection');
      return;
    }
    if (res.headersSent) {
      // a filter failing on a later row is the caller's; anything else a person must look at
      const level = error instanceof HttpProblem && error.status < 500 ? 'warn' : 'error';
      req.log[level]({ layerId, err: error }, 'export cut: failed after its first bytes');
      res.destroy();
      return;
    }
    // Failed before the first byte (exports busy, GDAL failing): a problem, not a file.
    res.removeHeader('Content-Disposition');
    throw error;
  }
  res.end();
}

/**
 * Cuts a download whose client has taken none of the bytes waiting for it for `ms` (its socket
 * idle that long with data queued), which frees its export connection. An export still writing
 * its file (GeoPackage, Shapefile) or waiting on a slow query has nothing queued: left alone.
 */
function cutWhenStalled(req: Request, res: Response, ms: number) {
  // a listener on the response keeps the server from ending an idle socket on its own
  res.setTimeout(ms, () => {
    if (req.socket.writableLength === 0) return res.setTimeout(ms);
    // logged as the server's cut, not as a client that hung up
    res.locals.exportStalled = true;
    res.destroy();
  });
}

const rejectionsMediaTypes = { json: 'application/json', csv: 'text/csv' } as const;

/**
 * The rejections as `f` names them, else as the Accept header prefers (JSON when it states no
 * preference, as a browser's does); an Accept taking neither, or not the one `f` names, is 406.
 */
function chooseRejectionsFormat(req: Request): 'json' | 'csv' {
  const f = req.query.f;
  if (f !== undefined && f !== 'json' && f !== 'csv') {
    throw badRequest('invalid-format', `f must be json or csv; got "${String(f)}".`);
  }
  const available =
    f === undefined ? Object.values(rejectionsMediaTypes) : [rejectionsMediaTypes[f]];
  requireAcceptable(req, available);
  if (f !== undefined) return f;
  return req.accepts([...available]) === rejectionsMediaTypes.csv ? 'csv' : 'json';
}

async function sendRejectionsCsv(
  pool: AppContext['database']['pool'],
  jobId: string,
  res: Response,
) {
  res.attachment(`import-${jobId}-rejected-rows.csv`).type('text/csv; charset=utf-8');
  for await (const text of rejectionsCsv(pool, jobId)) res.write(text);
  res.end();
}

const exportParameters = new Set([
  'format',
  'f',
  'crs',
  'bbox',
  'bbox-crs',
  'csvGeometry',
  'filter',
  'filter-lang',
  'filter-crs',
  'datetime',
]);

/**
 * `format`, `crs`, `csvGeometry`, and what selects features as on the feature API (`bbox`,
 * `bbox-crs`, `filter`, `filter-lang`, `filter-crs`, `datetime`, the layer's attributes as
 * equality filters); any other name is a 400 `unknown-parameter`, as on the feature API.
 */
function parseExportQuery(layer: LayerDefinition, query: Request['query']) {
  // A parameter given twice arrives as an array: dropping it would export the whole layer,
  // or another CRS or format, than the one asked for.
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') {
      throw badRequest('invalid-export', `Give ${name} once, as a single value.`);
    }
  }
  const attributes = layer.attributes.map((a) => a.name);
  rejectUnknownParameters(query, [...exportParameters, ...attributes]);
  const single = (name: string) => query[name] as string | undefined;
  const where = Object.fromEntries(
    Object.entries(query).filter(([name]) => !exportParameters.has(name)),
  ) as Record<string, string>;
  const csvGeometry = single('csvGeometry');
  if (csvGeometry && csvGeometry !== 'wkt' && csvGeometry !== 'xy') {
    throw badRequest('invalid-csv-geometry', 'csvGeometry is wkt or xy.');
  }
  return {
    layerId: layer.id,
    format: single('format') ?? single('f') ?? 'geojson',
    crs: single('crs'),
    bbox: single('bbox'),
    bboxCrs: single('bbox-crs'),
    where,
    filter: single('filter'),
    filterLang: single('filter-lang'),
    filterCrs: single('filter-crs'),
    datetime: single('datetime'),
    csvGeometry: csvGeometry as 'wkt' | 'xy' | undefined,
  };
}
