/**
 * The KML reader's thread: reads one KML file (and the files of its KMZ it links to) into
 * placemarks and hands them to the thread that started it, a batch per request. Started by
 * read-kml.ts as a worker thread, so that parsing a large file (about 4 s for 33,000
 * placemarks) leaves the server answering every other request meanwhile.
 *
 * Messages: the parent posts `'next'`; the reader answers `{ placemarks, done }`, the batch it
 * read ahead (then it reads the next), or `{ failure }` when the file cannot be read (a
 * SourceFileError as its code, message and params, so the parent refuses the file with the
 * same words).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readKmlFile, type KmlPlacemark } from './kml-document.js';
import { SourceFileError, type SourceFileParams } from './source-feature.js';

/** What the parent gives the reader when it starts it. */
export interface KmlReaderData {
  file: string;
  archive: readonly string[];
}

/** A refusal (or any other failure) as it crosses to the parent thread. */
export interface KmlReaderFailure {
  code?: string;
  message: string;
  params?: SourceFileParams;
}

export type KmlReaderAnswer =
  { placemarks: KmlPlacemark[]; done: boolean } | { failure: KmlReaderFailure };

/** Placemarks per answer: few enough that the parent's import takes them in turn. */
const batchSize = 500;

function describeFailure(error: unknown): KmlReaderFailure {
  if (error instanceof SourceFileError) {
    return { code: error.code, message: error.message, params: error.params };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function serve(port: NonNullable<typeof parentPort>, { file, archive }: KmlReaderData) {
  const placemarks = readKmlFile(file, archive, new Set());
  const read = async (): Promise<KmlReaderAnswer> => {
    const batch: KmlPlacemark[] = [];
    while (batch.length < batchSize) {
      const next = await placemarks.next();
      if (next.done) return { placemarks: batch, done: true };
      batch.push(next.value);
    }
    return { placemarks: batch, done: false };
  };
  const settled = () =>
    read().catch((error: unknown): KmlReaderAnswer => ({ failure: describeFailure(error) }));
  // one batch read ahead, so this thread walks the document while the parent takes a batch in
  let ahead = settled();
  port.on('message', () => {
    void ahead.then((answer) => {
      port.postMessage(answer);
      if ('placemarks' in answer && !answer.done) ahead = settled();
    });
  });
}

if (parentPort && workerData) serve(parentPort, workerData as KmlReaderData);
