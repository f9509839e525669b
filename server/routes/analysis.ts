import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app-context.js';
import { config } from '../config.js';
import { registerAnalysisOpenApi } from '../http/analysis-openapi.js';
import { sendCsv } from '../http/csv.js';
import { baseUrl, requireAcceptable } from '../http/negotiate.js';
import { utf8Json } from '../http/json-body.js';
import { renderPlanInformationPage } from '../http/plan-information-page.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { takesParameters } from '../http/query-parameters.js';
import type { Principal } from '../services/access.js';
import { unauthenticated } from '../services/edit-access.js';
import { unreadableBoundTables, type AnalysisRole } from '../services/analysis-bindings.js';
import {
  tabulateHazardExposure,
  tabulateIrrigationCondition,
  tabulateRoadCondition,
} from '../services/analysis-tables.js';
import {
  getIrrigationCondition,
  getRoadCondition,
} from '../services/condition-statistics-service.js';
import { getHazardExposure } from '../services/hazard-exposure-service.js';
import { printPage } from '../services/page-printer.js';
import { parsePlaceRequest, parsePointPlace } from '../services/place-input.js';
import {
  getPlanInformation,
  getPlanInformationMap,
  listPlanActivities,
} from '../services/plan-information-service.js';
import { loadRegencyProfile } from '../services/seed-service.js';

registerAnalysisOpenApi();

type Format = 'json' | 'csv' | 'html' | 'pdf' | 'png';

const mediaTypes: Record<Format, string> = {
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  pdf: 'application/pdf',
  png: 'image/png',
};

/** The roles of `layers/analysis-bindings.ts` each analysis reads. */
const rolesRead: Record<string, readonly AnalysisRole[]> = {
  planInformation: [
    'planZones',
    'activityRules',
    'hazardZones',
    'reportingUnits',
    'populationUnits',
  ],
  planActivities: ['activityRules'],
  hazardExposure: [
    'hazardZones',
    'reportingUnits',
    'populationUnits',
    'roads',
    'bridges',
    'irrigationCanals',
    'irrigationStructures',
    'evacuationPoints',
  ],
  roadCondition: ['roads', 'reportingUnits'],
  irrigationCondition: [
    'irrigationAreas',
    'irrigationCanals',
    'irrigationStructures',
    'reportingUnits',
  ],
};

/** The roles whose condition history (surveys, inspections) an analysis reads too. */
const historiesRead: Record<string, readonly AnalysisRole[]> = {
  roadCondition: ['roads'],
};

/**
 * Refuses an analysis that reads a layer the caller may not read: 401 for a visitor (log in or
 * send a token), 403 for a caller without a role that reads it. An answer it lets through is
 * marked private when a visitor could not have had it.
 */
function requireReadableAnalysis(analysis: keyof typeof rolesRead) {
  return (_req: Request, res: Response, next: () => void) => {
    const principal = res.locals.principal as Principal | undefined;
    const roles = rolesRead[analysis]!;
    const histories = historiesRead[analysis] ?? [];
    const unreadable = unreadableBoundTables(principal, roles, histories);
    if (unreadable.length === 0) {
      // An answer drawn from a restricted layer must not be stored by a shared proxy.
      const restricted = unreadableBoundTables(undefined, roles, histories).length > 0;
      if (restricted) res.set('Cache-Control', 'private');
      return next();
    }
    const detail = `This analysis reads ${unreadable.join(', ')}, which this caller may not read.`;
    if (principal) throw new HttpProblem(403, 'analysis-forbidden', 'Forbidden', detail);
    throw unauthenticated(detail);
  };
}

/**
 * `f` wins; else the Accept header among `allowed` (406 when it takes none of them); JSON when
 * the client states nothing.
 */
function chooseFormat(req: Request, allowed: Format[]): Format {
  const f = req.query.f;
  if (f !== undefined) {
    if (allowed.includes(f as Format)) return f as Format;
    throw badRequest(
      'invalid-format',
      `f must be one of ${allowed.join(', ')}; got "${String(f)}".`,
    );
  }
  const types = allowed.map((format) => mediaTypes[format]);
  requireAcceptable(req, types);
  const best = req.accepts(types);
  const asked = allowed.find((format) => mediaTypes[format] === best);
  return asked && req.get('accept') ? asked : 'json';
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw badRequest('invalid-parameter', `Give ${name} once, as text.`);
  return value;
}

/** The place and activity of a plan request: `lon`/`lat` on GET, a GeoJSON body on POST. */
function readPlanRequest(req: Request) {
  const activity = optionalText(req.query.activity, 'activity');
  if (req.method === 'GET')
    return { place: parsePointPlace(req.query.lon, req.query.lat), activity };

  // Either { geometry, crs, activity } or a bare GeoJSON geometry, Feature or FeatureCollection.
  const body = (req.body ?? {}) as { activity?: unknown };
  const place = parsePlaceRequest(body);
  return { place, activity: optionalText(body.activity, 'activity') ?? activity };
}

async function sendPlanInformation(context: AppContext, req: Request, res: Response) {
  const { pool } = context.database;
  const format = chooseFormat(req, ['json', 'html', 'pdf', 'png']);
  const { place, activity } = readPlanRequest(req);

  const info = await getPlanInformation(pool, place, activity);
  req.log.info({ analysis: 'plan-information', ms: info.elapsedMs, format }, 'analysis answered');
  if (format === 'json') {
    res.json(info);
    return;
  }
  const map = await getPlanInformationMap(pool, place);
  const regencyProfile = await loadRegencyProfile(config.seedDir);
  const html = renderPlanInformationPage(info, map, {
    regencyName: regencyProfile.name,
    source: baseUrl(req),
  });
  if (format === 'html') {
    res.type('html').send(html);
    return;
  }
  const bytes = await printPage(html, format as 'pdf' | 'png');
  res.attachment(`informasi-tata-ruang.${format}`).type(mediaTypes[format]).send(bytes);
}

/**
 * The planners' analyses, each recomputed from the current data on every request:
 *   /analysis/plan-information   spatial plan information (Informasi Tata Ruang) of a place
 *   /analysis/plan-activities    the activities of the ITBX matrix
 *   /analysis/hazard-exposure    people and assets per hazard type, class and kecamatan
 *   /analysis/road-condition     road length per condition class and kemantapan over years
 *   /analysis/irrigation-condition  irrigation asset condition and IKSI per irrigation area
 */
export function createAnalysisRouter(context: AppContext): Router {
  const router = Router();
  const { pool } = context.database;
  // An uploaded parcel of 20,000 vertices is about 1 MB of GeoJSON.
  const placeTypes = ['application/json', 'application/geo+json'];
  const geoJsonBody = utf8Json({
    limit: '5mb',
    type: placeTypes,
  });
  // A body of another type is no place to read: 415 naming it, as the feature writes answer.
  const placeBodyType = (req: Request, _res: Response, next: () => void) => {
    if (req.is(placeTypes) === false) {
      const sent = req.get('content-type') ?? 'none';
      const detail = `Send the place as ${placeTypes.join(' or ')}; got ${sent}.`;
      throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', detail);
    }
    next();
  };

  const planInformation = requireReadableAnalysis('planInformation');
  const pointParameters = takesParameters('lon', 'lat', 'activity', 'f');
  router.get('/analysis/plan-information', planInformation, pointParameters, (req, res) =>
    sendPlanInformation(context, req, res),
  );
  const parcelParameters = takesParameters('activity', 'f');
  router.post(
    '/analysis/plan-information',
    planInformation,
    parcelParameters,
    placeBodyType,
    geoJsonBody,
    (req, res) => sendPlanInformation(context, req, res),
  );

  router.get(
    '/analysis/plan-activities',
    requireReadableAnalysis('planActivities'),
    takesParameters('f'),
    async (req, res) => {
      chooseFormat(req, ['json']);
      res.json({ activities: await listPlanActivities(pool) });
    },
  );

  /** A report route: JSON, or CSV with `f=csv` or `Accept: text/csv`. */
  const report = <Report extends { elapsedMs: number }>(
    name: string,
    { analysis, parameters }: { analysis: keyof typeof rolesRead; parameters: string[] },
    compute: (req: Request) => Promise<Report>,
    tabulate: (report: Report) => Parameters<typeof sendCsv>[1],
  ) =>
    router.get(
      `/analysis/${name}`,
      requireReadableAnalysis(analysis),
      takesParameters(...parameters, 'f'),
      async (req, res) => {
        const format = chooseFormat(req, ['json', 'csv']);
        const answer = await compute(req);
        req.log.info({ analysis: name, ms: answer.elapsedMs }, 'analysis answered');
        if (format === 'csv') sendCsv(res, tabulate(answer));
        else res.json(answer);
      },
    );

  report(
    'hazard-exposure',
    { analysis: 'hazardExposure', parameters: ['year'] },
    (req) => getHazardExposure(pool, optionalText(req.query.year, 'year')),
    tabulateHazardExposure,
  );
  report(
    'road-condition',
    { analysis: 'roadCondition', parameters: ['status'] },
    (req) => getRoadCondition(pool, optionalText(req.query.status, 'status')),
    tabulateRoadCondition,
  );
  report(
    'irrigation-condition',
    { analysis: 'irrigationCondition', parameters: [] },
    () => getIrrigationCondition(pool),
    tabulateIrrigationCondition,
  );

  return router;
}
