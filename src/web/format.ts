const STAGE_LABELS: Record<string, string> = {
  uploading: 'Uploading',
  queued: 'Queued',
  transcribing: 'Transcribing',
  aligning: 'Aligning words',
  diarizing: 'Labelling speakers',
  complete: 'Complete',
};

/** A person's name for a stage; unknown stages are shown as sent. */
export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1);
}

/** Seconds as m:ss.t, or h:mm:ss.t past an hour. */
export function formatTimestamp(seconds: number): string {
  const tenths = Math.max(0, Math.round(seconds * 10));
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = Math.floor((tenths % 600) / 10);
  const t = tenths % 10;
  const ss = `${String(s).padStart(2, '0')}.${t}`;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** An estimate in words: "about 40 s", "about 3 min", "about 1 h 5 min". */
export function formatEta(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `about ${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h ${min % 60} min`;
}

/** Status words for the recent-tasks list. */
export function statusLabel(status: string): string {
  return status === 'processing' ? 'Working' : stageLabel(status);
}

/** A local date and time for a list entry, or '' when unknown. */
export function formatWhen(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** A length in seconds as "12.3 s", "4:05" or "1:02:03". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${(Math.round(seconds * 10) / 10).toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
