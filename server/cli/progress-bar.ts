import cliProgress from 'cli-progress';

/** Counts a job reports while it runs. */
export interface BarProgress {
  /** Share done, 0–1; null when the total is unknown (only counts are shown then). */
  fraction: number | null;
  counts: Record<string, number>;
}

/**
 * A progress bar on stderr (stdout stays for results), redrawn at most a few times a second;
 * on a non-terminal it prints nothing, so logs of scripted runs stay clean.
 */
export function createProgressBar(label: string) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {counts}`,
      barsize: 30,
      hideCursor: true,
      stream: process.stderr,
      fps: 5,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const describe = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n.toLocaleString('en')}`)
      .join(' | ');

  return {
    update(progress: BarProgress) {
      const value = Math.round((progress.fraction ?? 0) * 1000);
      const payload = { counts: describe(progress.counts) };
      if (!started) bar.start(1000, value, payload);
      else bar.update(value, payload);
      started = true;
    },
    stop(done: boolean) {
      if (!started) return;
      if (done) bar.update(1000);
      bar.stop();
    },
  };
}
