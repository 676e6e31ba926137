/** A one-line progress bar redrawn in place; a no-op unless the stream is a terminal. */
export interface ProgressBar {
  /** Redraws; `etaSeconds` (time left) is shown when known. */
  update(label: string, percent?: number, etaSeconds?: number | null): void;
  /** Erases the bar so that whatever follows starts on a clean line. */
  clear(): void;
}

/** m:ss for a number of seconds. */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Time left from the share done so far and the time it took, or null while too little is done to
 * say (the first percents include loading and decoding, which would make the guess wild).
 */
export function remainingSeconds(percent: number, elapsedSeconds: number): number | null {
  if (!(percent >= 3) || percent >= 100 || elapsedSeconds <= 0) return null;
  return (elapsedSeconds * (100 - percent)) / percent;
}

/** Creates a bar on `stream` (stderr) when it is a TTY, so piped output never carries escape codes. */
export function createProgressBar(stream: NodeJS.WriteStream, width = 30): ProgressBar {
  if (!stream.isTTY) return { update() {}, clear() {} };
  const startedAt = Date.now();
  let shown = false;
  let last = '';
  return {
    update(label, percent, etaSeconds) {
      let line = `${label} ${clockText((Date.now() - startedAt) / 1000)}`;
      if (etaSeconds !== undefined && etaSeconds !== null) line += ` · ~${clockText(etaSeconds)} left`;
      if (percent !== undefined) {
        const p = Math.max(0, Math.min(100, Math.round(percent)));
        const filled = Math.round((p / 100) * width);
        line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p).padStart(3)}% ${line}`;
      }
      if (line === last) return;
      last = line;
      shown = true;
      stream.write(`\r\x1b[2K${line}`);
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
