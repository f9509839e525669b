import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import type { SeedFeature } from '../types/seed-source.js';
import type { DesaSite, RegencyFrame } from './frame.js';
import { pointAlong, splitLine, staysInside, windingLine } from './lines.js';
import type { SampleThemeOptions } from './options.js';
import { distanceKm, lineLengthKm } from './plane.js';
import type { Random } from './random.js';

type RoadStatus = 'nasional' | 'provinsi' | 'kabupaten' | 'desa';

interface RoadLink {
  from: DesaSite;
  to: DesaSite;
  status: RoadStatus;
  function: string;
}

/** The generated road theme: features per layer and the condition surveys. */
export interface SampleRoads {
  segments: SeedFeature[];
  bridges: SeedFeature[];
  drains: SeedFeature[];
  surveys: Record<string, unknown>[];
}

const longestSegmentKm = 3;
const bridgeSpacingKm = 7;
const capitalLinkMaxKm = 30;
const desaLinkMaxKm = 5;

const linkKey = (a: DesaSite, b: DesaSite) => [a.code, b.code].sort().join('|');

/** Candidate links between kecamatan capitals: short enough, and over land of the regency. */
function capitalCandidates(frame: RegencyFrame) {
  const capitals = frame.kecamatan.map((k) => k.capital);
  const candidates: [DesaSite, DesaSite][] = [];
  for (const [i, a] of capitals.entries()) {
    for (const b of capitals.slice(i + 1)) {
      const near = distanceKm(a.point, b.point) <= capitalLinkMaxKm;
      if (near && staysInside(a.point, b.point, frame.contains, 24)) candidates.push([a, b]);
    }
  }
  return candidates.sort(
    ([a, b], [c, d]) => distanceKm(a.point, b.point) - distanceKm(c.point, d.point),
  );
}

/** A spanning tree of the capitals plus each capital's second-nearest link, for some loops. */
function capitalNetwork(frame: RegencyFrame): [DesaSite, DesaSite][] {
  const candidates = capitalCandidates(frame);
  const group = new Map(frame.kecamatan.map((k) => [k.capital.code, k.capital.code]));
  const root = (code: string): string => (group.get(code) === code ? code : root(group.get(code)!));

  const chosen = candidates.filter(([a, b]) => {
    const [ra, rb] = [root(a.code), root(b.code)];
    if (ra === rb) return false;
    group.set(ra, rb);
    return true;
  });
  for (const capital of frame.kecamatan.map((k) => k.capital)) {
    const own = candidates.filter(([a, b]) => a === capital || b === capital);
    const second = own[1];
    if (second && !chosen.includes(second)) chosen.push(second);
  }
  return chosen;
}

/** The shortest path between two capitals over the chosen links (Dijkstra on km). */
function shortestPath(links: [DesaSite, DesaSite][], start: DesaSite, end: DesaSite) {
  const distance = new Map([[start.code, 0]]);
  const via = new Map<string, [DesaSite, DesaSite]>();
  const open = new Set([start]);
  while (open.size > 0) {
    const current = [...open].reduce((a, b) =>
      distance.get(a.code)! <= distance.get(b.code)! ? a : b,
    );
    open.delete(current);
    for (const link of links.filter(([a, b]) => a === current || b === current)) {
      const other = link[0] === current ? link[1] : link[0];
      const through = distance.get(current.code)! + distanceKm(current.point, other.point);
      if (through >= (distance.get(other.code) ?? Infinity)) continue;
      distance.set(other.code, through);
      via.set(other.code, link);
      open.add(other);
    }
  }
  const path: [DesaSite, DesaSite][] = [];
  for (let at = end; via.has(at.code);) {
    const link = via.get(at.code)!;
    path.push(link);
    at = link[0] === at ? link[1] : link[0];
  }
  return path;
}

/**
 * Links between kecamatan capitals: the west–east spine is national, the way from the regency
 * capital to the spine provincial, the rest regency collectors.
 */
function capitalLinks(frame: RegencyFrame): RoadLink[] {
  const links = capitalNetwork(frame);
  const capitals = frame.kecamatan.map((k) => k.capital);
  const west = capitals.reduce((a, b) => (a.point[0]! <= b.point[0]! ? a : b));
  const east = capitals.reduce((a, b) => (a.point[0]! >= b.point[0]! ? a : b));
  const spine = shortestPath(links, west, east);
  const spineSites = spine.flat();
  const regencyCapital = frame.capitalKecamatan.capital;
  const nearestOnSpine = spineSites.reduce((a, b) =>
    distanceKm(a.point, regencyCapital.point) <= distanceKm(b.point, regencyCapital.point) ? a : b,
  );
  const toCapital = shortestPath(links, nearestOnSpine, regencyCapital);

  // Paths are made of the very link arrays of `links`, so membership is by identity.
  return links.map((link): RoadLink => {
    const [from, to] = link;
    if (spine.includes(link)) return { from, to, status: 'nasional', function: 'arteri_primer' };
    if (toCapital.includes(link))
      return { from, to, status: 'provinsi', function: 'kolektor_primer' };
    const urban = from.isKelurahan && to.isKelurahan;
    return {
      from,
      to,
      status: 'kabupaten',
      function: urban ? 'kolektor_sekunder' : 'kolektor_primer',
    };
  });
}

/** Within each kecamatan, a tree from the capital to every desa it can reach over land. */
function desaTreeLinks(frame: RegencyFrame): RoadLink[] {
  const links: RoadLink[] = [];
  for (const kecamatan of frame.kecamatan) {
    const reached = [kecamatan.capital];
    let waiting = kecamatan.desa.filter((d) => d !== kecamatan.capital);
    for (;;) {
      const options = waiting.flatMap((desa) => reached.map((site) => ({ desa, site })));
      options.sort(
        (a, b) => distanceKm(a.desa.point, a.site.point) - distanceKm(b.desa.point, b.site.point),
      );
      const next = options.find((o) => staysInside(o.site.point, o.desa.point, frame.contains));
      if (!next) break;
      const urban = next.desa.isKelurahan;
      links.push({
        from: next.site,
        to: next.desa,
        status: 'kabupaten',
        function: urban ? 'lokal_sekunder' : 'lokal_primer',
      });
      reached.push(next.desa);
      waiting = waiting.filter((d) => d !== next.desa);
    }
  }
  return links;
}

/** Village roads: some desa get a link to their nearest neighbour not yet linked to them. */
function villageLinks(frame: RegencyFrame, existing: RoadLink[], random: Random): RoadLink[] {
  const linked = new Set(existing.map((l) => linkKey(l.from, l.to)));
  const links: RoadLink[] = [];
  for (const desa of frame.desa) {
    if (!random.chance(0.45)) continue;
    const neighbour = frame.desa
      .filter((other) => other !== desa && !linked.has(linkKey(desa, other)))
      .reduce<DesaSite | undefined>(
        (best, other) =>
          !best || distanceKm(desa.point, other.point) < distanceKm(desa.point, best.point)
            ? other
            : best,
        undefined,
      );
    if (!neighbour || distanceKm(desa.point, neighbour.point) > desaLinkMaxKm) continue;
    if (!staysInside(desa.point, neighbour.point, frame.contains)) continue;

    linked.add(linkKey(desa, neighbour));
    const urban = desa.isKelurahan;
    links.push({
      from: desa,
      to: neighbour,
      status: 'desa',
      function: urban ? 'lingkungan_sekunder' : 'lingkungan_primer',
    });
  }
  return links;
}

const widthsM: Record<RoadStatus, [number, number]> = {
  nasional: [7, 8],
  provinsi: [6, 7],
  kabupaten: [4, 6],
  desa: [3, 4],
};

const surfaces: Record<RoadStatus, Record<string, number>> = {
  nasional: { aspal: 1 },
  provinsi: { aspal: 1 },
  kabupaten: { aspal: 6, penetrasi_makadam: 2.5, beton: 1.5 },
  desa: { beton: 3, paving_blok: 1.5, kerikil: 3, tanah: 1, penetrasi_makadam: 1.5 },
};

const roadNumberPrefix: Record<RoadStatus, string> = {
  nasional: 'N.',
  provinsi: 'P.',
  kabupaten: '',
  desa: 'D.',
};

/** Condition class of a road from its IRI (m/km): < 4, 4–8, 8–12, > 12. */
export function conditionFromIri(iri: number): string {
  if (iri < 4) return 'baik';
  if (iri < 8) return 'sedang';
  if (iri < 12) return 'rusak_ringan';
  return 'rusak_berat';
}

const unpaved = new Set(['kerikil', 'tanah']);

/** A segment's surveys over the years: roughness grows, and now and then a repair resets it. */
function surveysOf(
  segmentCode: string,
  status: RoadStatus,
  surface: string,
  options: SampleThemeOptions,
  random: Random,
) {
  const base = unpaved.has(surface) ? 9 : status === 'desa' ? 5 : status === 'kabupaten' ? 4 : 2.8;
  let iri = base + random.between(-0.8, 2.5);
  const method =
    status === 'desa' ? 'visual_sdi' : status === 'kabupaten' ? 'roadroid' : 'roughometer';

  return options.surveyYears.map((year, i) => {
    if (i > 0) iri += random.between(0.2, 1.5);
    if (i > 0 && random.chance(0.12)) iri = random.between(2.2, 3.6);
    iri = Math.min(Math.max(iri, 1.5), 22);
    const month = String(random.integer(5, 9)).padStart(2, '0');
    const day = String(random.integer(1, 28)).padStart(2, '0');
    return {
      segment_code: segmentCode,
      survey_date: `${year}-${month}-${day}`,
      condition_class: conditionFromIri(iri),
      iri: Math.round(iri * 100) / 100,
      sdi: Math.round(Math.min(Math.max(iri * 11 + random.between(-15, 15), 0), 300)),
      method,
      surveyor: 'Tim survei contoh (sample)',
      source: options.source,
    };
  });
}

function lineFeature(line: Position[][], properties: Record<string, unknown>): SeedFeature {
  return { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: line }, properties };
}

function pointFeature(point: Position, properties: Record<string, unknown>): SeedFeature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: point }, properties };
}

const statusOrder: RoadStatus[] = ['nasional', 'provinsi', 'kabupaten', 'desa'];

/** Road numbers per status in network order: N.001…, P.001…, 001…, D.001…. */
function numberLinks(links: RoadLink[]) {
  const ordered = [...links].sort(
    (a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status),
  );
  const counters = new Map<RoadStatus, number>();
  return ordered.map((link) => {
    const n = (counters.get(link.status) ?? 0) + 1;
    counters.set(link.status, n);
    return { link, roadNumber: `${roadNumberPrefix[link.status]}${String(n).padStart(3, '0')}` };
  });
}

/** The usual main structure for a bridge of this length. */
function structureFor(lengthM: number, random: Random) {
  if (lengthM < 10) return random.pick(['box_culvert', 'pelat_beton']);
  if (lengthM < 25) return 'gelagar_beton';
  return lengthM < 50 ? 'beton_prategang' : 'rangka_baja';
}

/** Bridges along a link every 4 to 14 km, numbered on the link, longer on national roads. */
function bridgesOf(
  { link, roadNumber, line }: DrawnLink,
  frame: RegencyFrame,
  options: SampleThemeOptions,
  random: Random,
) {
  const bridges: SeedFeature[] = [];
  const lengthKm = lineLengthKm(line);
  let km = random.between(1, bridgeSpacingKm);

  for (; km < lengthKm - 0.3; km += random.between(4, 2 * bridgeSpacingKm)) {
    const point = pointAlong(line, km);
    const national = link.status === 'nasional';
    const lengthM = Math.round(national ? random.between(15, 90) : random.between(6, 45));
    const number = String(bridges.length + 1).padStart(2, '0');
    bridges.push(
      pointFeature(point, {
        bridge_number: `${roadNumber}.${number}`,
        name: `Jembatan ${frame.desaAt(point)?.name ?? link.to.name}`,
        road_number: roadNumber,
        chainage_m: Math.round(km * 1000),
        length_m: lengthM,
        width_m: Math.round(random.between(...widthsM[link.status]) + 1),
        spans: Math.max(1, Math.ceil(lengthM / 20)),
        structure_type: structureFor(lengthM, random),
        condition_bms: random.weighted({ 0: 1, 1: 4, 2: 3, 3: 1.5, 4: 0.5 }),
        year_built: random.integer(1975, 2022),
        source: options.source,
      }),
    );
  }
  return bridges;
}

/** Drains on both sides of a town segment, 7 m off its centre line. */
function drainsOf(
  segmentCode: string,
  line: Position[],
  urban: boolean,
  random: Random,
  options: SampleThemeOptions,
) {
  return (['kiri', 'kanan'] as const).map((side) => {
    // Repeated vertices (where a segment ends on a vertex) would make the offset NaN.
    const centre = turf.cleanCoords(turf.lineString(line));
    const offset = turf.lineOffset(centre, side === 'kiri' ? -0.007 : 0.007, {
      units: 'kilometers',
    });
    return lineFeature([offset.geometry.coordinates], {
      code: `${segmentCode}.${side === 'kiri' ? 'L' : 'R'}`,
      segment_code: segmentCode,
      side,
      drain_type: urban
        ? random.weighted({ beton_u_ditch: 5, pasangan_terbuka: 3.5, tertutup: 1.5 })
        : random.weighted({ tanah_terbuka: 6, pasangan_terbuka: 4 }),
      width_m: Math.round(random.between(0.4, 1.2) * 10) / 10,
      depth_m: Math.round(random.between(0.4, 1) * 10) / 10,
      condition_class: random.weighted({ baik: 4, sedang: 3, rusak_ringan: 2, rusak_berat: 1 }),
      source: options.source,
    });
  });
}

/** A numbered link with its drawn line. */
interface DrawnLink {
  link: RoadLink;
  roadNumber: string;
  line: Position[];
}

/** A link cut into segments of at most 3 km with chainage, surveys, and drains in towns. */
function addSegments(
  roads: SampleRoads,
  { link, roadNumber, line }: DrawnLink,
  frame: RegencyFrame,
  options: SampleThemeOptions,
  random: Random,
) {
  const surface = random.weighted(surfaces[link.status]);
  const widthM = Math.round(random.between(...widthsM[link.status]) * 10) / 10;
  const pieces = splitLine(line, Math.max(1, Math.ceil(lineLengthKm(line) / longestSegmentKm)));
  let chainageM = 0;

  for (const [i, piece] of pieces.entries()) {
    const segmentCode = `${roadNumber}.${i + 1}`;
    const lengthM = Math.round(lineLengthKm(piece) * 1000);
    const middle = pointAlong(piece, lineLengthKm(piece) / 2);
    const desa = frame.desaAt(middle);
    roads.segments.push(
      lineFeature([piece], {
        segment_code: segmentCode,
        road_number: roadNumber,
        name: `${link.from.name} – ${link.to.name}`,
        status: link.status,
        function: link.function,
        surface,
        width_m: widthM,
        chainage_from_m: chainageM,
        chainage_to_m: chainageM + lengthM,
        kecamatan_code: desa?.kecamatanCode ?? link.from.kecamatanCode,
        source: options.source,
      }),
    );
    roads.surveys.push(...surveysOf(segmentCode, link.status, surface, options, random));
    chainageM += lengthM;

    if (link.status !== 'desa' && isInTown(middle, desa, frame)) {
      const urban = Boolean(desa?.isKelurahan);
      roads.drains.push(...drainsOf(segmentCode, piece, urban, random, options));
    }
  }
}

/** In a kelurahan, or within 1.5 km of a kecamatan capital. */
function isInTown(point: Position, desa: DesaSite | undefined, frame: RegencyFrame) {
  const nearCapital = frame.kecamatan.some((k) => distanceKm(k.capital.point, point) < 1.5);
  return Boolean(desa?.isKelurahan) || nearCapital;
}

/**
 * A road network over the real kecamatan capitals and desa: capitals joined by a national
 * spine and regency collectors, every desa reached from its capital, village roads between
 * neighbours; segments of at most 3 km with chainage, surveys per year, bridges and town drains.
 */
export function generateRoads(
  frame: RegencyFrame,
  options: SampleThemeOptions,
  random: Random,
): SampleRoads {
  const main = capitalLinks(frame);
  const tree = desaTreeLinks(frame);
  const links = [...main, ...tree, ...villageLinks(frame, [...main, ...tree], random)];
  const roads: SampleRoads = { segments: [], bridges: [], drains: [], surveys: [] };

  for (const { link, roadNumber } of numberLinks(links)) {
    const drawn = { link, roadNumber, line: windingLine(link.from.point, link.to.point, random) };
    addSegments(roads, drawn, frame, options, random);
    if (link.status !== 'desa') roads.bridges.push(...bridgesOf(drawn, frame, options, random));
  }
  return roads;
}
