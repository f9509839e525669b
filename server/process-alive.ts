/**
 * Whether a process with this id runs on this machine (signal 0 probes without sending;
 * EPERM means it runs under another user). Used to take over what a dead process left: the
 * embedded database's lock, the tile cache's disk folders.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
