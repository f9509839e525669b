import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bbox, booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { packZip } from '../../../server/formats/zip-archive.js';

/** The files the import benchmark loads, all inside the regency so every row validates. */
export interface ImportFiles {
  /** A FeatureCollection of road segments, one feature per line (as GDAL and QGIS write it). */
  roadsGeoJson: string;
  /** The same road segments as a zipped Shapefile (`.shp .shx .dbf .prj .cpg`). */
  roadsShapefileZip: string;
  /** Evacuation points as newline-delimited GeoJSON (GeoJSONSeq). */
  points: string;
}

/** The regency outline: features are drawn inside it, so none is refused as outside. */
function readOutline(seedFolder: string): Feature<MultiPolygon> {
  const file = path.join(seedFolder, 'regency.geojson');
  const collection = JSON.parse(fs.readFileSync(file, 'utf8')) as FeatureCollection;
  return collection.features[0] as Feature<MultiPolygon>;
}

/** A small deterministic generator (mulberry32), so every run loads the same rows. */
function seededRandom(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `count` lines in chunks of 10,000, so even a million features never sit in memory. */
function writeLines(file: string, count: number, line: (i: number) => string) {
  const descriptor = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < count; i += 10000) {
      const chunk: string[] = [];
      for (let j = i; j < Math.min(count, i + 10000); j += 1) chunk.push(line(j));
      fs.writeSync(descriptor, chunk.join(''));
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

function placesInside(outline: Feature<MultiPolygon>, next: () => number) {
  const [minLon, minLat, maxLon, maxLat] = bbox(outline);
  const round = (n: number) => Number(n.toFixed(7));
  const isInside = (point: number[]) => booleanPointInPolygon(point, outline);

  /** A random position inside the regency, 7 decimals (about 1 cm). */
  const place = (): number[] => {
    for (;;) {
      const point = [minLon + next() * (maxLon - minLon), minLat + next() * (maxLat - minLat)];
      const rounded = point.map(round);
      if (isInside(rounded)) return rounded;
    }
  };
  /** A line of five vertices wandering up to about 200 m per step, all inside the regency. */
  const wander = (): number[][] => {
    for (;;) {
      const line = [place()];
      for (let v = 0; v < 4; v += 1) {
        const [lon, lat] = line[v]!;
        line.push([lon! + (next() - 0.5) * 0.004, lat! + (next() - 0.5) * 0.004].map(round));
      }
      if (line.every(isInside)) return line;
    }
  };
  return { place, wander };
}

function writeRoads(file: string, count: number, outline: Feature<MultiPolygon>) {
  const { wander } = placesInside(outline, seededRandom(7));
  writeLines(file, count, (i) => {
    const properties = {
      segment_code: `B${String(i).padStart(7, '0')}`,
      road_number: `R${i % 900}`,
      name: `Jalan Contoh ${i}`,
      status: 'kabupaten',
      width_m: 3 + (i % 5),
    };
    const geometry = { type: 'LineString', coordinates: wander() };
    const feature = JSON.stringify({ type: 'Feature', properties, geometry });
    const prefix = i === 0 ? '{"type":"FeatureCollection","features":[\n' : ',\n';
    return prefix + feature + (i === count - 1 ? '\n]}\n' : '');
  });
}

function writePoints(file: string, count: number, outline: Feature<MultiPolygon>) {
  const { place } = placesInside(outline, seededRandom(11));
  writeLines(file, count, (i) => {
    const properties = { name: `Titik ${i}`, type: 'titik_kumpul', capacity: i % 1000 };
    const geometry = { type: 'Point', coordinates: place() };
    return `${JSON.stringify({ type: 'Feature', properties, geometry })}\n`;
  });
}

/** The road GeoJSON converted by ogr2ogr to a Shapefile (UTF-8 `.cpg`), then zipped. */
async function writeShapefileZip(folder: string, roadsGeoJson: string) {
  const shapefileFolder = path.join(folder, 'shapefile');
  fs.mkdirSync(shapefileFolder);
  const shp = path.join(shapefileFolder, 'roads.shp');
  const args = ['-f', 'ESRI Shapefile', shp, roadsGeoJson, '-lco', 'ENCODING=UTF-8'];
  const converted = spawnSync('ogr2ogr', args, { encoding: 'utf8' });
  if (converted.status !== 0)
    throw new Error(`ogr2ogr could not write ${shp}: ${converted.stderr}`);

  const zip = path.join(folder, 'roads.zip');
  const parts = fs.readdirSync(shapefileFolder).map((f) => path.join(shapefileFolder, f));
  await packZip(parts, zip);
  fs.rmSync(shapefileFolder, { recursive: true });
  return zip;
}

/**
 * Writes the benchmark's files into `folder`: `roads` road segments (lines of five vertices) as
 * GeoJSON and as a zipped Shapefile, and `points` evacuation points as GeoJSONSeq. The rows
 * are the same on every run.
 */
export async function writeImportFiles(
  folder: string,
  seedFolder: string,
  counts: { roads: number; points: number },
): Promise<ImportFiles> {
  const outline = readOutline(seedFolder);
  const roadsGeoJson = path.join(folder, 'roads.geojson');
  writeRoads(roadsGeoJson, counts.roads, outline);
  const roadsShapefileZip = await writeShapefileZip(folder, roadsGeoJson);
  const points = path.join(folder, 'points.geojsonl');
  writePoints(points, counts.points, outline);
  return { roadsGeoJson, roadsShapefileZip, points };
}
