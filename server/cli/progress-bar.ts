import cliProgress from 'cli-progress';

/** Counts a job reports while it runs. */
export interface BarProgress {
  /** Share done, 0–1; null when the total is unknown (only counts are shown then). */
  fraction: number | null;
  counts: Record<string, number>;
  /** What the job is doing now (`checking geometries`), shown before the counts. */
  step?: string;
}

/** The text after the bar: the step, then each count (`reading | read 1,000 | valid 990`). */
export function describeProgress(progress: BarProgress): string {
  const counts = Object.entries(progress.counts).map(
    ([name, n]) => `${name} ${n.toLocaleString('en')}`,
  );
  return [progress.step, ...counts].filter(Boolean).join(' | ');
}

/**
 * A progress bar on stderr (stdout stays for results), redrawn at most a few times a second;
 * on a non-terminal it prints nothing, so logs of scripted runs stay clean.
 */
export function createProgressBar(label: string) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {detail}`,
      barsize: 30,
      hideCursor: true,
      stream: process.stderr,
      fps: 5,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;

  return {
    update(progress: BarProgress) {
      const value = Math.round((progress.fraction ?? 0) * 1000);
      const payload = { detail: describeProgress(progress) };
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
