/** Seconds to whole milliseconds, rounding half up; negative and non-finite times become 0. */
export function toMillis(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/** HH:MM:SS<sep>mmm, with hours growing past 99 when needed (SRT uses ',', WebVTT '.'). */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const ms = toMillis(seconds);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const secs = Math.floor(ms / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${separator}${pad(ms % 1000, 3)}`;
}
