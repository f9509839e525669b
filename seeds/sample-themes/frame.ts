import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { numberOrNull, readCsvRows, readFeatureCollection } from '../types/read-files.js';
import { distanceKm, offsetKm } from './plane.js';

type Area = Feature<Polygon | MultiPolygon>;

/** A desa or kelurahan as the generators see it: a polygon and a point well inside it. */
export interface DesaSite {
  code: string;
  name: string;
  kecamatanCode: string;
  isKelurahan: boolean;
  area: Area;
  point: Position;
  /** The kecamatan's mean elevation (m) from the profile: the only elevation figure we have. */
  elevationM: number;
  /** Distance from the point to the open-sea coast, in km (Infinity without a coast). */
  coastKm: number;
  /** True when the desa lies on a smaller part of the regency than the main one (an island). */
  onIsland: boolean;
}

/** A kecamatan with its desa and its capital (ibu kota kecamatan). */
export interface KecamatanSite {
  code: string;
  name: string;
  elevationM: number;
  area: Area;
  desa: DesaSite[];
  capital: DesaSite;
}

/** What every generator builds on: the real boundaries and profile of the regency. */
export interface RegencyFrame {
  regencyCode: string;
  regency: Feature<MultiPolygon>;
  kecamatan: KecamatanSite[];
  desa: DesaSite[];
  /** The kecamatan whose capital is the regency capital (the one with most kelurahan). */
  capitalKecamatan: KecamatanSite;
  /** Open-sea coastline pieces, traced along the regency outline. */
  coast: Position[][];
  contains(point: Position): boolean;
  /** The desa holding the point, or undefined outside the regency. */
  desaAt(point: Position): DesaSite | undefined;
}

const seaProbeKm = [1, 3, 6, 10];
const coastBandKm = 14;

/**
 * Vertices of the outline that face the open sea to the south: they lie in the southernmost
 * band of the regency, and probes 1 to 10 km south all fall outside it (a lagoon shore fails:
 * an island lies across it). Without land data a land border in that band would pass too, and
 * only a southern coast is found: enough for Java's south coast, not for every regency.
 */
function traceCoast(regency: Feature<MultiPolygon>, contains: (p: Position) => boolean) {
  const [, south] = turf.bbox(regency);
  const bandTop = offsetKm([0, south], 0, coastBandKm)[1]!;
  const pieces: Position[][] = [];
  for (const polygon of regency.geometry.coordinates) {
    let piece: Position[] = [];
    for (const vertex of polygon[0]!) {
      const inBand = vertex[1]! <= bandTop;
      const facesSea = inBand && seaProbeKm.every((km) => !contains(offsetKm(vertex, 0, -km)));
      if (facesSea) piece.push(vertex);
      else if (piece.length > 0) piece = flushPiece(pieces, piece);
    }
    flushPiece(pieces, piece);
  }
  return pieces;
}

function flushPiece(pieces: Position[][], piece: Position[]): Position[] {
  if (piece.length >= 3) pieces.push(piece);
  return [];
}

function distanceToCoastKm(point: Position, coast: Position[][]): number {
  let best = Infinity;
  for (const piece of coast)
    for (const vertex of piece) best = Math.min(best, distanceKm(point, vertex));
  return best;
}

/** A point inside the polygon: the given centroid when it falls inside, else one on the surface. */
function insidePoint(area: Area, lon: unknown, lat: unknown): Position {
  const centroid: Position = [Number(lon), Number(lat)];
  if (Number.isFinite(centroid[0]) && turf.booleanPointInPolygon(centroid, area)) return centroid;
  return turf.pointOnFeature(area).geometry.coordinates;
}

function mainPart(regency: Feature<MultiPolygon>): Feature<Polygon> {
  const parts = regency.geometry.coordinates.map((rings) => turf.polygon(rings));
  return parts.reduce((a, b) => (turf.area(a) >= turf.area(b) ? a : b));
}

function chooseCapital(name: string, desa: DesaSite[], centre: Position): DesaSite {
  const byName = desa.find((d) => d.name.toLowerCase() === name.toLowerCase());
  const kelurahan = desa.filter((d) => d.isKelurahan);
  const candidates = kelurahan.length > 0 ? kelurahan : desa;
  const nearest = candidates.reduce((a, b) =>
    distanceKm(a.point, centre) <= distanceKm(b.point, centre) ? a : b,
  );
  return byName ?? nearest;
}

/** What the desa and kecamatan readers need to know of the regency. */
interface RegencyContext {
  coast: Position[][];
  mainland: Feature<Polygon>;
  elevation: Map<string, number | null>;
}

/** Without a profile figure a place is taken for a lowland one, 25 m up. */
const defaultElevationM = 25;

async function readDesaSites(seedDir: string, context: RegencyContext): Promise<DesaSite[]> {
  const desaFile = await readFeatureCollection(seedDir, 'desa.geojson');
  return desaFile.features.map((feature): DesaSite => {
    const p = feature.properties;
    const area = feature as Area;
    const point = insidePoint(area, p.centroid_lng, p.centroid_lat);
    return {
      code: String(p.code),
      name: String(p.name),
      kecamatanCode: String(p.kecamatan_code),
      isKelurahan: p.type === 'kelurahan',
      area,
      point,
      elevationM: context.elevation.get(String(p.kecamatan_code)) ?? defaultElevationM,
      coastKm: distanceToCoastKm(point, context.coast),
      onIsland: !turf.booleanPointInPolygon(point, context.mainland),
    };
  });
}

async function readKecamatanSites(seedDir: string, desa: DesaSite[], context: RegencyContext) {
  const kecamatanFile = await readFeatureCollection(seedDir, 'kecamatan.geojson');
  return kecamatanFile.features.map((feature): KecamatanSite => {
    const p = feature.properties;
    const members = desa.filter((d) => d.kecamatanCode === p.code);
    const centre: Position = [Number(p.centroid_lng), Number(p.centroid_lat)];
    return {
      code: String(p.code),
      name: String(p.name),
      elevationM: context.elevation.get(String(p.code)) ?? defaultElevationM,
      area: feature as Area,
      desa: members,
      capital: chooseCapital(String(p.name), members, centre),
    };
  });
}

/** Reads the boundaries and profile of a seed folder into the frame the generators share. */
export async function readRegencyFrame(seedDir: string): Promise<RegencyFrame> {
  const regencyFile = await readFeatureCollection(seedDir, 'regency.geojson');
  const regency = regencyFile.features[0] as Feature<MultiPolygon, Record<string, unknown>>;
  const contains = (point: Position) => turf.booleanPointInPolygon(point, regency);
  const profile = await readCsvRows(seedDir, 'kecamatan-profile.csv');
  const context: RegencyContext = {
    coast: traceCoast(regency, contains),
    mainland: mainPart(regency),
    elevation: new Map(profile.map((row) => [String(row.code), numberOrNull(row.elevation_m)])),
  };

  const desa = await readDesaSites(seedDir, context);
  const kecamatan = await readKecamatanSites(seedDir, desa, context);
  const kelurahanCount = (k: KecamatanSite) => k.desa.filter((d) => d.isKelurahan).length;
  return {
    regencyCode: String(regency.properties.code),
    regency,
    kecamatan,
    desa,
    capitalKecamatan: kecamatan.reduce((a, b) => (kelurahanCount(b) > kelurahanCount(a) ? b : a)),
    coast: context.coast,
    contains,
    desaAt: (point) => desa.find((d) => turf.booleanPointInPolygon(point, d.area)),
  };
}
