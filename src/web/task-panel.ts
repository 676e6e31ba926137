import { ApiError } from './api-client.ts';
import { resolveAudio } from './audio-source.ts';
import type { ApiClient } from './api-client.ts';
import { setTaskIdInUrl } from './dom.ts';
import { renderDownloads } from './downloads.ts';
import { languageName } from '../formats/languages.ts';
import { formatDuration } from './format.ts';
import { ResultSchema, TaskSchema, toTaskView, type WebResult } from './messages.ts';
import type { ProgressView } from './progress-view.ts';
import { watchTask } from './task-watcher.ts';
import type { WatchOptions } from './task-watcher.ts';
import type { TranscriptView } from './transcript-view.ts';
import { uploadTask } from './upload.ts';
import type { UploadFields } from './upload.ts';

/** The elements of the task panel not owned by the progress and transcript views. */
export interface TaskPanelElements {
  panel: HTMLElement;
  title: HTMLElement;
  taskId: HTMLElement;
  cancel: HTMLButtonElement;
  retry: HTMLButtonElement;
  newTask: HTMLButtonElement;
  downloads: HTMLElement;
  downloadLinks: HTMLElement;
  meta: HTMLElement;
}

/** The facts shown with a finished transcript: detected language, length, model, time taken. */
export function resultFacts(result: WebResult): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  if (result.language) facts.push(['Language', `${languageName(result.language).replace(/^./, (c) => c.toUpperCase())} (${result.language})`]);
  if (typeof result.duration === 'number') facts.push(['Duration', formatDuration(result.duration)]);
  if (result.model) facts.push(['Model', result.model]);
  const ms = result.timings?.total_ms;
  if (typeof ms === 'number') facts.push(['Processing time', formatDuration(ms / 1000)]);
  return facts;
}

/** Runs one task at a time through the panel: upload, watch, show the outcome. */
export interface TaskPanel {
  /** Uploads and watches; rejects (panel hidden again) when the server refuses the request. */
  upload(file: File, fields: UploadFields): Promise<void>;
  watch(taskId: string): Promise<void>;
  clear(): void;
  currentTaskId(): string | null;
}

/** Creates the panel; onSettled is called when a task's state changes in a way the list shows. */
export function createTaskPanel(
  els: TaskPanelElements,
  api: ApiClient,
  views: { progress: ProgressView; transcript: TranscriptView; formError?: (message: string) => void },
  onSettled: () => void,
  watchOptions: Partial<WatchOptions> = {},
): TaskPanel {
  const { progress, transcript } = views;
  const localFiles = new Map<string, File>(); // uploads from this page, for playback when the server has dropped the media
  let generation = 0; // bumps on every new task, so late answers about an old one are ignored
  let current: string | null = null;
  let currentFields: Record<string, string> = {};
  let currentName = '';
  let watcher: { stop(): void } | null = null;
  let releaseAudio: () => void = () => {};

  function begin(title: string): number {
    watcher?.stop();
    watcher = null;
    releaseAudio();
    releaseAudio = () => {};
    progress.reset();
    transcript.reset();
    els.panel.hidden = false;
    els.title.textContent = title;
    els.taskId.textContent = '';
    els.downloads.hidden = true;
    els.cancel.hidden = true;
    els.retry.hidden = true;
    els.newTask.hidden = true;
    els.meta.hidden = true;
    els.meta.replaceChildren();
    return ++generation;
  }

  function failed(gen: number, failure: { code: string; userMessage: string; technicalDetail: string }, status: 'failed' | 'cancelled') {
    if (gen !== generation) return;
    progress.failed(failure, status);
    els.cancel.hidden = true;
    els.retry.hidden = current === null;
    els.newTask.hidden = false;
    onSettled();
  }

  // The complete frame and the stored result may cross: a 409 right after it is worth a few retries.
  async function fetchResult(taskId: string, tries = 5) {
    for (let i = 1; ; i++) {
      try {
        return await api.json(`/tasks/${encodeURIComponent(taskId)}/result?format=json`, ResultSchema);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 409) || i >= tries) throw error;
        await new Promise((r) => setTimeout(r, 300 * i));
      }
    }
  }

  async function completed(gen: number, taskId: string, fileName: string) {
    progress.complete();
    els.cancel.hidden = true;
    els.newTask.hidden = false;
    onSettled();
    const result = await fetchResult(taskId);
    if (gen !== generation) return;
    transcript.show(result.segments, result.speakers);
    showFacts(resultFacts(result));
    renderDownloads(els.downloadLinks, api, taskId, fileName.replace(/\.[^.]+$/, '') || taskId, (m) => progress.announce(`Download failed: ${m}`));
    els.downloads.hidden = false;
    const audio = await resolveAudio(api, taskId, localFiles.get(taskId) ?? null);
    if (gen !== generation) return audio.release();
    releaseAudio = audio.release;
    transcript.setAudio(audio.src);
  }

  async function watch(taskId: string, gen = begin('Task')): Promise<void> {
    current = taskId;
    setTaskIdInUrl(taskId);
    els.taskId.textContent = `Task ${taskId}`;
    let task;
    try {
      task = toTaskView(await api.json(`/tasks/${encodeURIComponent(taskId)}`, TaskSchema));
    } catch (error) {
      const notFound = error instanceof ApiError && error.status === 404;
      return failed(gen, {
        code: notFound ? 'NOT_FOUND' : 'UNAVAILABLE',
        userMessage: notFound ? 'This task does not exist (any more).' : 'The task could not be loaded.',
        technicalDetail: error instanceof Error ? error.message : String(error),
      }, 'failed');
    }
    if (gen !== generation) return;
    els.title.textContent = task.fileName;
    currentFields = task.fields;
    currentName = task.fileName;
    if (task.status === 'completed') return completed(gen, taskId, task.fileName);
    if (task.status === 'failed' || task.status === 'cancelled') {
      return failed(gen, task.failure ?? { code: task.status.toUpperCase(), userMessage: `The task ${task.status}.`, technicalDetail: '' }, task.status);
    }
    progress.progress({ stage: task.stage ?? 'queued', percentage: task.percentage ?? 0, message: '', queuePosition: task.queuePosition, etaSeconds: task.etaSeconds, stageProgress: task.stageProgress });
    for (const segment of task.partialSegments) transcript.addLive(segment);
    els.cancel.hidden = false;
    watcher = watchTask(api, taskId, {
      onProgress: (u) => { if (gen === generation) progress.progress(u); },
      onSegment: (s) => { if (gen === generation) transcript.addLive(s); },
      onComplete: () => {
        if (gen !== generation) return;
        completed(gen, taskId, task.fileName).catch((error: unknown) => progress.announce(`Could not load the transcript: ${String(error)}`));
      },
      onFailed: (f, status) => failed(gen, f, status),
      onConnection: (state, detail) => { if (gen === generation) progress.connection(state, detail); },
    }, watchOptions);
  }

  function showFacts(facts: Array<[string, string]>) {
    els.meta.replaceChildren(...facts.map(([term, value]) => {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      div.append(dt, dd);
      return div;
    }));
    els.meta.hidden = facts.length === 0;
  }

  // The file again: this page's own upload, else the server's copy while it is kept.
  async function originalFile(taskId: string): Promise<File> {
    const local = localFiles.get(taskId);
    if (local) return local;
    const res = await api.request(`/tasks/${encodeURIComponent(taskId)}/media`);
    if (!res.ok) throw new ApiError(res.status, 'The original file is no longer on the server: choose it again above.');
    return new File([await res.blob()], currentName || 'media', { type: res.headers.get('Content-Type') ?? '' });
  }

  els.retry.addEventListener('click', () => {
    const taskId = current;
    if (!taskId) return;
    els.retry.disabled = true;
    const fields = { ...currentFields };
    originalFile(taskId)
      .then((file) => panel.upload(file, fields))
      .catch((error: unknown) => {
        const message = `Could not try again: ${error instanceof Error ? error.message : String(error)}`;
        progress.announce(message);
        views.formError?.(message);
      })
      .finally(() => { els.retry.disabled = false; });
  });

  els.cancel.addEventListener('click', () => {
    if (!current) return;
    els.cancel.disabled = true;
    api.request(`/tasks/${encodeURIComponent(current)}/cancel`, { method: 'POST' })
      .then((res) => progress.announce(res.ok ? 'Cancelling…' : `Could not cancel (HTTP ${res.status}).`))
      .catch((error: unknown) => progress.announce(`Could not cancel: ${String(error)}`))
      .finally(() => { els.cancel.disabled = false; });
  });

  const panel: TaskPanel = {
    async upload(file, fields) {
      const gen = begin(file.name);
      current = null;
      progress.uploading(0);
      let taskId: string;
      try {
        taskId = await uploadTask(api, file, fields, (f) => { if (gen === generation) progress.uploading(f); });
      } catch (error) {
        // A refused request is not a task: the form shows why, and the panel goes away again.
        if (gen === generation) panel.clear();
        throw error;
      }
      localFiles.set(taskId, file);
      onSettled();
      if (gen === generation) await watch(taskId, gen);
    },
    watch: (taskId) => watch(taskId),
    clear() {
      begin('Task');
      generation += 1;
      current = null;
      els.panel.hidden = true;
      setTaskIdInUrl(null);
    },
    currentTaskId: () => current,
  };
  return panel;
}
