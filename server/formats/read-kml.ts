/**
 * KML reader (and KMZ, once unzipped): the placemarks of a KML file, as kml-document.ts reads
 * them, numbered in order. The file is read in a worker thread (kml-reader.ts): parsing XML is
 * synchronous processor work, which on a server's main thread would delay every other request
 * (33,000 placemarks parsed whole stalled it 4.2 s). The thread has its own heap, capped, so
 * a placemark that needs more memory than allowed is refused rather than taking the server's
 * heap.
 */
import { Worker } from 'node:worker_threads';
import type { GeoJsonProperties } from 'geojson';
import type { KmlReaderAnswer, KmlReaderData, KmlReaderFailure } from './kml-reader.js';
import { lonLat, SourceFileError, type OpenedSource } from './source-feature.js';

/**
 * The reader thread's heap. The file streams, so only a single placemark of several hundred
 * MB of coordinates (no GIS writes one) comes near it.
 */
const defaultReaderHeapMb = 1024;

/** The reader thread's module beside this one: compiled in the server's bundle, else source. */
const readerModule = new URL(
  import.meta.url.endsWith('.ts') ? './kml-reader.ts' : './kml-reader.js',
  import.meta.url,
);

function startReader(data: KmlReaderData, heapMb: number): Worker {
  const options = { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  if (!readerModule.pathname.endsWith('.ts')) return new Worker(readerModule, options);
  // run from the sources (tests, tsx): the thread loads TypeScript through tsx, as this one
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const reader = JSON.stringify(readerModule.href);
  const start = `import(${tsx}).then((api) => { api.register(); return import(${reader}); })`;
  return new Worker(start, { ...options, eval: true });
}

function tooMuchMemory(heapMb: number) {
  return new SourceFileError(
    'file-too-large',
    `A placemark of the KML file needs more than ${heapMb} MB of memory to read; ` +
      'convert the file to GeoPackage.',
    { code: 'too-much-memory', maxMb: heapMb },
  );
}

/** The refusal (or error) the reader thread sent, rebuilt on this side. */
function revive(failure: KmlReaderFailure) {
  if (failure.code) return new SourceFileError(failure.code, failure.message, failure.params);
  return new Error(failure.message);
}

/** Asks the reader for its next batch of placemarks; a cancel stops waiting at once. */
function nextBatch(reader: Worker, heapMb: number, signal?: AbortSignal) {
  return new Promise<Extract<KmlReaderAnswer, { done: boolean }>>((resolve, reject) => {
    const settle = (then: () => void) => {
      reader.off('message', onMessage).off('error', onError).off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      then();
    };
    const onMessage = (answer: KmlReaderAnswer) =>
      settle(() => ('failure' in answer ? reject(revive(answer.failure)) : resolve(answer)));
    // the thread's own failure: its heap full, else an error of the server's
    const onError = (error: Error & { code?: string }) =>
      settle(() =>
        reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooMuchMemory(heapMb) : error),
      );
    const onExit = (code: number) =>
      settle(() => reject(new Error(`the KML reader thread ended (exit code ${code})`)));
    const onAbort = () => settle(() => reject(signal!.reason));
    if (signal?.aborted) return reject(signal.reason);
    reader.on('message', onMessage).on('error', onError).on('exit', onExit);
    signal?.addEventListener('abort', onAbort);
    reader.postMessage('next');
  });
}

/**
 * A Point holding several positions refuses the file: togeojson runs their numbers together
 * into one position (the first's longitude, a latitude with the next one's digits appended),
 * which an import would store without a word.
 */
function pointOfPositions(row: number, placemark: { properties: GeoJsonProperties }, n: number) {
  const name = String(placemark.properties?.name ?? '').slice(0, 80);
  const named = name ? ` ("${name}")` : '';
  const message =
    `Placemark ${row}${named} has a Point of ${n} positions; a Point holds one. Give it ` +
    'one position, or put several Points in a MultiGeometry.';
  return new SourceFileError('kml-point-positions', message, { row, name, positions: n });
}

async function* readPlacemarks(
  file: string,
  archive: readonly string[],
  heapMb: number,
  signal?: AbortSignal,
) {
  const reader = startReader({ file, archive }, heapMb);
  try {
    let rowNumber = 0;
    for (let done = false; !done;) {
      const batch = await nextBatch(reader, heapMb, signal);
      done = batch.done;
      for (const { pointPositions, ...placemark } of batch.placemarks) {
        rowNumber += 1;
        if (pointPositions > 1) throw pointOfPositions(rowNumber, placemark, pointPositions);
        yield { rowNumber, ...placemark };
      }
    }
  } finally {
    // ends the thread and frees its document, read to the end or not (a cancel, a refusal)
    await reader.terminate();
  }
}

/**
 * Opens a KML file. `archive` lists the files of the
 * KMZ it came from (unpacked), where its NetworkLinks are looked for; none for a plain KML.
 * `readerHeapMb` caps the reading thread's heap.
 */
export function openKml(
  file: string,
  name: string,
  archive: readonly string[] = [],
  { readerHeapMb = defaultReaderHeapMb } = {},
) {
  const layer = { name, fields: [], crs: lonLat, formatCrs: lonLat, notes: [] };
  const source: OpenedSource = {
    ...layer,
    features: (signal) => readPlacemarks(file, archive, readerHeapMb, signal),
  };
  return source;
}
