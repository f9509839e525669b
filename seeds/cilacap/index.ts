import { sampleSeedSources } from '../sample-themes/index.js';
import type { SeedBatch, SeedSources } from '../types/seed-source.js';
import { numberOrNull, readCsvRows, readFeatureCollection } from '../types/read-files.js';

/** Regency outline: official area converted from km² to ha. */
async function readRegency(seedDir: string): Promise<SeedBatch> {
  const collection = await readFeatureCollection(seedDir, 'regency.geojson');
  const features = collection.features.map((feature) => {
    const p = feature.properties;
    const areaKm2 = numberOrNull(String(p.area_km2_official ?? ''));
    const properties = {
      name: p.name,
      code: p.code,
      province: p.province,
      population: p.population,
      population_source: p.population_source,
      area_ha_official: areaKm2 && areaKm2 * 100,
    };
    return { ...feature, properties };
  });
  return { features, rejected: [] };
}

function profileProperties(row: Record<string, string>) {
  const properties: Record<string, unknown> = {
    area_ha_official: numberOrNull(row.area_ha),
    elevation_m: numberOrNull(row.elevation_m),
  };
  for (const year of [2012, 2013, 2014, 2015, 2016]) {
    properties[`population_${year}`] = numberOrNull(row[`pop_${year}`]);
  }
  return properties;
}

/**
 * Kecamatan boundaries joined by Kemendagri code with the BPS profile table. A profile row
 * without a matching boundary (the BPS row for Nusakambangan has no code) is reported.
 */
async function readKecamatan(seedDir: string): Promise<SeedBatch> {
  const collection = await readFeatureCollection(seedDir, 'kecamatan.geojson');
  const rows = await readCsvRows(seedDir, 'kecamatan-profile.csv');
  const byCode = new Map(rows.map((row) => [row.code, row]));

  const features = collection.features.map((feature) => {
    const p = feature.properties;
    const profile = byCode.get(String(p.code));
    byCode.delete(String(p.code));
    const properties = {
      name: p.name,
      code: p.code,
      desa_count: p.desa_count,
      kelurahan_count: p.kelurahan_count,
      ...(profile ? profileProperties(profile) : {}),
    };
    return { ...feature, properties };
  });

  const rejected = [...byCode.values()].map((row) => ({
    row: `kecamatan-profile.csv: ${row.kecamatan}`,
    reason: row.code
      ? `no kecamatan boundary has code ${row.code}; the row's figures are not loaded`
      : "the row has no Kemendagri code to join on; the row's figures are not loaded",
  }));
  return { features, rejected };
}

async function readDesa(seedDir: string): Promise<SeedBatch> {
  const collection = await readFeatureCollection(seedDir, 'desa.geojson');
  const features = collection.features.map((feature) => {
    const p = feature.properties;
    const properties = {
      name: p.name,
      code: p.code,
      type: p.type,
      kecamatan: p.kecamatan,
      kecamatan_code: p.kecamatan_code,
    };
    return { ...feature, properties };
  });
  return { features, rejected: [] };
}

/**
 * No open data exists for the roads, irrigation, spatial plan and disaster risk of Cilacap:
 * those layers are seeded with sample data generated from the real boundaries and profile,
 * the same on every run. Their `source` says so; real data replaces it by import.
 */
const sample = sampleSeedSources({
  randomSeed: 3301,
  source: 'CONTOH / SAMPLE: data contoh buatan, bukan data resmi (generated sample data)',
  surveyYears: [2022, 2023, 2024],
  plan: {
    regulation: 'CONTOH: Perda RTRW Kabupaten Cilacap (zona contoh, bukan peta resmi)',
    periodStart: 2011,
    periodEnd: 2031,
  },
  hazardYear: 2023,
});

/** Seeds of Kabupaten Cilacap, per layer id. Provenance and licences: SOURCES.md. */
export const seedSources: SeedSources = {
  regency: readRegency,
  kecamatan: readKecamatan,
  desa: readDesa,
  ...sample.seedSources,
};

/** Seeds of the record tables (condition surveys, inspections, zone activity rules). */
export const recordSeedSources = sample.recordSeedSources;

/** The regency these seeds describe, shown in the web map's title. */
export const regencyProfile = { name: 'Kabupaten Cilacap', code: '33.01', province: 'Jawa Tengah' };
