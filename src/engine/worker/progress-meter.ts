/** Turns per-chunk whisper.cpp progress into one overall percentage for the whole input. */
export interface ProgressMeter {
  beginChunk(offsetSec: number, lengthSec: number): void;
  /** whisper.cpp's progress within the current chunk (any integer; clamped to 0..100). */
  update(percent: number): void;
  endChunk(): void;
  /** Reports 100. */
  finish(): void;
}

/**
 * Chunks weigh by duration. The total is the hinted media duration, or what has been seen so far
 * when the hint is missing or short; so the figure never decreases and stays below 100 until
 * finish().
 */
export function createProgressMeter(durationHintSec: number, report: ((percent: number) => void) | undefined): ProgressMeter {
  let last = -1;
  let offset = 0;
  let length = 0;
  const emit = (percent: number) => {
    if (percent <= last) return;
    last = percent;
    report?.(percent);
  };
  const at = (fraction: number) => {
    const total = Math.max(durationHintSec, offset + length, 1e-9);
    emit(Math.min(99, Math.floor((100 * (offset + length * fraction)) / total)));
  };
  return {
    beginChunk(offsetSec, lengthSec) {
      offset = offsetSec;
      length = lengthSec;
      at(0);
    },
    update(percent) {
      at(Math.min(100, Math.max(0, percent)) / 100);
    },
    endChunk() {
      at(1);
    },
    finish() {
      emit(100);
    },
  };
}
