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
    // under a file taken for a folder even the removal fails (ENOTDIR): the first error says why
    await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    for (const signal of interruptSignals) process.removeListener(signal, removeOnInterrupt);
  }
}

/**
 * Why `target` cannot be written, found by creating (and removing) a hidden file beside it;
 * undefined when it can. Asked before long work whose result goes there.
 */
export async function unwritableReason(target: string): Promise<string | undefined> {
  const probe = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}`);
  try {
    await (await fs.promises.open(probe, 'wx')).close();
    await fs.promises.rm(probe, { force: true });
    return undefined;
  } catch (error) {
    return describeFileError(error as NodeJS.ErrnoException, target);
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

/**
 * Why `target` cannot be written, from the error's code. A folder taking no new files (procfs,
 * sysfs) answers ENOENT, as a missing folder does: whether the folder exists tells them apart.
 */
function describeFileError(error: NodeJS.ErrnoException, target: string): string {
  const folder = path.dirname(target);
  const cannot = `cannot write ${target}`;
  switch (error.code) {
    case 'ENOENT':
      if (!isFolder(folder)) return `${cannot}: the folder ${folder} does not exist`;
      return `${cannot}: the folder ${folder} takes no files (not a regular file system)`;
    case 'ENOTDIR':
      return `${cannot}: ${folder} is not a folder`;
    case 'EACCES':
    case 'EPERM':
      return `${cannot}: no permission to write in ${folder}`;
    case 'EROFS':
      return `${cannot}: the folder ${folder} is on a read-only file system`;
    case 'EISDIR':
      return `${cannot}: it is a folder`;
    case 'ENOSPC':
      return `${cannot}: the disk is full`;
    default:
      return `${cannot}: ${error.message}`;
  }
}

function isFolder(folder: string): boolean {
  return fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
