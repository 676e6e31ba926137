/** What the estimate needs: a clock, and how long this server takes for media of a length. */
export interface EstimateInputs {
  clock: () => number;
  /** Expected processing seconds for the whole task, from the measured speed of recent tasks. */
  expectedSeconds: (mediaSeconds: number | null) => number | null;
  mediaSeconds: number | null;
}

/** The transcribing stage's progress, from everything that reports on it. */
export interface TranscribeEstimate {
  /** The media was opened; its length is known now. */
  started(mediaSeconds: number): void;
  /** whisper.cpp's own progress, 0..100. */
  engine(percent: number): void;
  /** A segment arrived that ends this many seconds into the media. */
  segmentEnd(seconds: number): void;
  /** The share of transcription done, 0..1. */
  fraction(): number;
  /** Seconds the task probably still needs, or null when there is nothing honest to say. */
  etaSeconds(): number | null;
}

/** Below this share, measured progress says too little about the rate; the time guess is used instead. */
const MEASURED_MIN = 0.05;
/** A guess from time alone never claims more than this: only the engine says a stage is nearly done. */
const GUESS_MAX = 0.9;
/** Between two engine reports, interpolation may run at most this far ahead of the last one. */
const INTERPOLATE_MAX = 0.1;

/**
 * whisper.cpp reports progress once per 30 s window, so a short file shows nothing until it is
 * done and a long one moves in steps. This fills the gaps: while nothing is measured, the
 * expected time from this server's recent speed gives a guess (capped at 90 %); once the engine
 * or the segments have reported, their measured rate interpolates between reports. The tracker
 * keeps the result monotonic.
 */
export function createTranscribeEstimate(inputs: EstimateInputs): TranscribeEstimate {
  const { clock } = inputs;
  const startedAt = clock();
  let mediaSeconds = inputs.mediaSeconds;
  let measured = 0;
  let measuredAt = startedAt;

  const measure = (share: number) => {
    if (!(share > measured)) return;
    measured = Math.min(1, share);
    measuredAt = clock();
  };
  // Seconds per unit of work as measured, or null while too little is measured.
  const measuredRate = () => (measured >= MEASURED_MIN && measuredAt > startedAt ? (measuredAt - startedAt) / 1000 / measured : null);
  const expected = () => inputs.expectedSeconds(mediaSeconds);
  const elapsed = () => (clock() - startedAt) / 1000;

  const fraction = () => {
    const rate = measuredRate();
    if (rate !== null) {
      const ahead = (clock() - measuredAt) / 1000 / rate;
      return Math.max(measured, Math.min(measured + Math.min(ahead, INTERPOLATE_MAX), 0.99));
    }
    const total = expected();
    const guess = total && total > 0 ? Math.min(GUESS_MAX, elapsed() / total) : 0;
    return Math.max(measured, guess);
  };

  return {
    started(seconds) {
      if (seconds > 0) mediaSeconds = seconds;
    },
    engine: (percent) => measure(percent / 100),
    segmentEnd(seconds) {
      if (mediaSeconds && mediaSeconds > 0) measure(seconds / mediaSeconds);
    },
    fraction,
    etaSeconds() {
      const rate = measuredRate();
      if (rate !== null) return Math.max(0, Math.round((1 - fraction()) * rate));
      const total = expected();
      if (total === null) return null;
      const left = total - elapsed();
      // Past the expected time the guess was wrong; a made-up figure would mislead.
      return left > 0 ? Math.round(left) : null;
    },
  };
}
