/**
 * Files written under a temporary name beside their target and renamed to it once complete, so
 * no truncated file ever carries the name asked for: not after a failure, not after Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** Thrown for a target that cannot be written; its message is one line naming it. */
export class UnwritableFileError extends Error {}

const interruptSignals = ['SIGINT', 'SIGTERM'] as const;

/**
 * Writes `target` through `write`, into a hidden file beside it renamed once `write` resolves.
 * On a failure the hidden file is removed; on an interrupt too, after `onInterrupt` (the
 * writer's own clean-up, which the exit would skip), and the process exits 130.
 */
export async function writeWholeFile(
  target: string,
  write: (out: Writable) => Promise<void>,
  onInterrupt?: () => void,
) {
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomUUID().slice(0, 8)}.partial`,
  );
  const removeOnInterrupt = () => {
    onInterrupt?.();
    fs.rmSync(temporary, { force: true });
    process.exit(130);
  };
  for (const signal of interruptSignals) process.once(signal, removeOnInterrupt);
  try {
    await writeThenRename(temporary, target, write);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  } finally {
    for (const signal of interruptSignals) process.removeListener(signal, removeOnInterrupt);
  }
}

async function writeThenRename(
  temporary: string,
  target: string,
  write: (out: Writable) => Promise<void>,
) {
  const handle = await fs.promises.open(temporary, 'wx').catch((error) => {
    throw new UnwritableFileError(describeFileError(error, target));
  });
  const out = handle.createWriteStream();
  let writeError: Error | undefined;
  out.on('error', (error) => (writeError ??= error));
  try {
    await write(out);
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    // the writer sees only that its output closed early: the stream's own error says why
    throw writeError ? new UnwritableFileError(describeFileError(writeError, target)) : error;
  }
  await fs.promises.rename(temporary, target).catch((error) => {
    throw new UnwritableFileError(describeFileError(error, target));
  });
}

function describeFileError(error: NodeJS.ErrnoException, target: string): string {
  const folder = path.dirname(target);
  if (error.code === 'ENOENT') return `cannot write ${target}: the folder ${folder} does not exist`;
  if (error.code === 'EACCES') return `cannot write ${target}: no permission to write in ${folder}`;
  if (error.code === 'ENOSPC') return `cannot write ${target}: the disk is full`;
  return `cannot write ${target}: ${error.message}`;
}
