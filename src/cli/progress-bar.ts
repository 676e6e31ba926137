/** A one-line progress bar redrawn in place; a no-op unless the stream is a terminal. */
export interface ProgressBar {
  update(label: string, percent?: number): void;
  /** Erases the bar so that whatever follows starts on a clean line. */
  clear(): void;
}

/** Creates a bar on `stream` (stderr) when it is a TTY, so piped output never carries escape codes. */
export function createProgressBar(stream: NodeJS.WriteStream, width = 30): ProgressBar {
  if (!stream.isTTY) return { update() {}, clear() {} };
  const startedAt = Date.now();
  let shown = false;
  let last = '';
  return {
    update(label, percent) {
      const seconds = Math.floor((Date.now() - startedAt) / 1000);
      const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
      let line = `${label} ${clock}`;
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
