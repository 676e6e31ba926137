import { formatEta, stageLabel } from './format.ts';
import type { TaskFailureView } from './messages.ts';
import type { ProgressUpdate, WatchHandlers } from './task-watcher.ts';

/** The elements of the task panel that show progress. */
export interface ProgressElements {
  bar: HTMLElement;
  fill: HTMLElement;
  label: HTMLElement;
  queue: HTMLElement;
  /** The stage's own progress and the time left, while running. */
  stage: HTMLElement;
  connection: HTMLElement;
  errorBox: HTMLElement;
  errorMessage: HTMLElement;
  errorDetails: HTMLDetailsElement;
  errorDetail: HTMLElement;
  status: HTMLElement; // the polite live region
}

/** Shows stage and percentage; the percentage never goes back within a stage sequence. */
export interface ProgressView {
  reset(): void;
  uploading(fraction: number): void;
  progress(update: ProgressUpdate): void;
  complete(): void;
  failed(failure: TaskFailureView, status: 'failed' | 'cancelled'): void;
  connection: WatchHandlers['onConnection'];
  /** Says something to screen readers through the live region. */
  announce(text: string): void;
}

const CONNECTION_TEXT = {
  connecting: 'Connecting for live updates…',
  live: 'Live updates connected.',
  reconnecting: 'Connection lost: reconnecting, checking progress meanwhile…',
  closed: '',
} as const;

/** Creates the view over the given elements. */
export function createProgressView(els: ProgressElements): ProgressView {
  let shownStage = '';
  let shownPercent = 0;
  let lastQueue: Pick<ProgressUpdate, 'queuePosition' | 'etaSeconds'> | null = null;
  let stageShown = -1; // the stage's own progress never goes back within a stage either
  let stageOfShown = '';

  const announce = (text: string) => { els.status.textContent = text; };
  const draw = (stage: string, percent: number, state: 'running' | 'complete' | 'failed') => {
    const pct = Math.max(0, Math.min(100, Math.round(percent)));
    const label = stageLabel(stage);
    els.bar.setAttribute('aria-valuenow', String(pct));
    els.bar.setAttribute('aria-valuetext', `${label}, ${pct} percent`);
    els.bar.dataset.state = state;
    els.fill.style.width = `${pct}%`;
    els.label.textContent = `${label} — ${pct} %`;
    if (stage !== shownStage) announce(`${label}.`);
    shownStage = stage;
    shownPercent = pct;
  };

  return {
    reset() {
      shownStage = '';
      shownPercent = 0;
      lastQueue = null;
      els.bar.setAttribute('aria-valuenow', '0');
      els.bar.setAttribute('aria-valuetext', 'Waiting');
      els.bar.dataset.state = 'running';
      els.fill.style.width = '0%';
      els.label.textContent = 'Waiting';
      els.queue.hidden = true;
      els.stage.hidden = true;
      stageShown = -1;
      stageOfShown = '';
      els.connection.textContent = '';
      els.errorBox.hidden = true;
      els.errorDetails.open = false;
    },
    uploading(fraction) {
      draw('uploading', fraction * 100, 'running');
    },
    progress(u) {
      // Upload progress is the browser's own; the server's percentages start again from its stages.
      const fromUpload = shownStage === 'uploading' || shownStage === '';
      if (shownStage === 'complete' || (!fromUpload && u.percentage < shownPercent)) return;
      draw(u.stage, u.percentage, 'running');
      // A step without queue facts (older frames, polling) keeps the last known ones while still queued.
      if (u.stage === 'queued' && u.queuePosition === null && lastQueue) u = { ...u, ...lastQueue };
      lastQueue = u.stage === 'queued' && u.queuePosition !== null ? { queuePosition: u.queuePosition, etaSeconds: u.etaSeconds } : null;
      const queued = u.stage === 'queued';
      const parts: string[] = [];
      if (queued && u.queuePosition !== null) parts.push(`Position ${u.queuePosition} in the queue`);
      if (queued && u.etaSeconds !== null) parts.push(`starts in ${formatEta(u.etaSeconds)}`);
      els.queue.textContent = parts.join(' · ');
      els.queue.hidden = parts.length === 0;
      // The overall bar moves in the stage's share of 0..100; this line says how far the stage itself is.
      const running = !queued && u.stage !== 'complete';
      if (running && u.stage !== stageOfShown) stageShown = -1;
      stageOfShown = u.stage;
      if (running && u.stageProgress !== null) stageShown = Math.max(stageShown, Math.round(u.stageProgress));
      const stageParts: string[] = [];
      if (running && stageShown >= 0) stageParts.push(`${stageLabel(u.stage)}: ${stageShown} % of this step`);
      if (running && u.etaSeconds !== null) stageParts.push(`${formatEta(u.etaSeconds)} left`);
      els.stage.textContent = stageParts.join(' · ');
      els.stage.hidden = stageParts.length === 0;
    },
    complete() {
      draw('complete', 100, 'complete');
      els.queue.hidden = true;
      els.stage.hidden = true;
      announce('Transcription complete.');
    },
    failed(failure, status) {
      els.bar.dataset.state = 'failed';
      els.label.textContent = status === 'cancelled' ? 'Cancelled' : 'Failed';
      els.bar.setAttribute('aria-valuetext', els.label.textContent);
      els.queue.hidden = true;
      els.stage.hidden = true;
      els.errorMessage.textContent = failure.userMessage;
      els.errorDetail.textContent = [failure.code, failure.technicalDetail].filter(Boolean).join(': ');
      els.errorDetails.hidden = !failure.technicalDetail;
      els.errorBox.hidden = false;
    },
    connection(state, detail) {
      els.connection.textContent = detail && state === 'reconnecting' ? `${CONNECTION_TEXT[state]} (${detail})` : CONNECTION_TEXT[state];
    },
    announce,
  };
}
