/** Processing seconds per media second assumed until a task has been measured (a CPU-ish guess). */
export const DEFAULT_REAL_TIME_FACTOR = 0.5;
const WINDOW = 20;

/** Remembers how fast recent tasks ran, to estimate how long waiting and running tasks will take. */
export interface SpeedEstimator {
  /** Records one finished task: its media length and the time it took. */
  record(mediaSeconds: number, processingSeconds: number): void;
  /** Processing seconds per media second over recent tasks (the default guess before any). */
  realTimeFactor(): number;
  /** Expected processing seconds for media of this length; for an unknown length, the recent mean, or null. */
  expectedSeconds(mediaSeconds: number | null): number | null;
}

/** Creates an estimator over a sliding window of the last 20 tasks. */
export function createSpeedEstimator(defaultFactor = DEFAULT_REAL_TIME_FACTOR): SpeedEstimator {
  const samples: Array<{ media: number; processing: number }> = [];
  const sum = (key: 'media' | 'processing') => samples.reduce((total, s) => total + s[key], 0);
  const factor = () => {
    const media = sum('media');
    return media > 0 ? sum('processing') / media : defaultFactor;
  };
  return {
    record(mediaSeconds, processingSeconds) {
      if (!(mediaSeconds > 0) || !(processingSeconds >= 0)) return; // nothing to learn from empty media
      samples.push({ media: mediaSeconds, processing: processingSeconds });
      if (samples.length > WINDOW) samples.shift();
    },
    realTimeFactor: factor,
    expectedSeconds(mediaSeconds) {
      if (mediaSeconds !== null && mediaSeconds >= 0) return mediaSeconds * factor();
      return samples.length > 0 ? sum('processing') / samples.length : null;
    },
  };
}
