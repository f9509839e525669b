import fs from 'node:fs';
import path from 'node:path';
import {
  prepareImport,
  recordImportJob,
  runImport,
  type ImportRequest,
} from '../../server/services/import-service.js';
import { useDatabaseAndFolder } from './database.js';

/** Points inside Cilacap: the alun-alun of Cilacap town and of Kroya. */
export const cilacapTown = [109.0153, -7.7266];
export const kroya = [109.2456, -7.6329];
/** A point in the Indian Ocean, 60 km south of the coast. */
export const farOffshore = [109.0, -8.3];

/** A GeoJSON point feature. */
export function point(coordinates: number[], properties: Record<string, unknown>) {
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates } };
}

/**
 * A test database and a scratch folder for the file's tests, with helpers that write an input
 * file there and import it as a job (into `evacuation_point` unless the options say otherwise).
 */
export function useImportScratch(folderPrefix: string) {
  const scratch = useDatabaseAndFolder(folderPrefix);

  const writeFile = (name: string, content: string) => {
    const file = path.join(scratch.folder, name);
    fs.writeFileSync(file, content);
    return file;
  };

  const request = (file: string, options: Partial<ImportRequest> = {}): ImportRequest => ({
    layerId: 'evacuation_point',
    file,
    fileName: path.basename(file),
    actor: 'test',
    ...options,
  });

  const importFile = async (file: string, options: Partial<ImportRequest> = {}) => {
    const { pool } = scratch.testDatabase.database;
    const prepared = await prepareImport(pool, request(file, options));
    await recordImportJob(pool, prepared);
    return runImport(scratch.testDatabase.database, prepared);
  };

  return { scratch, writeFile, request, importFile };
}
