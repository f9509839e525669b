import fs from 'node:fs';

/** A file read as a stream whose share read so far (0–1) can be asked at any time. */
export interface TrackedFile {
  open(): fs.ReadStream;
  fraction(): number;
}

/** Tracks the bytes read of the latest stream opened on `file`. */
export function trackFile(file: string): TrackedFile {
  const size = fs.statSync(file).size || 1;
  let stream: fs.ReadStream | undefined;
  return {
    open: () => (stream = fs.createReadStream(file)),
    fraction: () => Math.min(1, (stream?.bytesRead ?? 0) / size),
  };
}
