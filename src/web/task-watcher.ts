import * as v from 'valibot';
import { ERROR_CODES } from '../contract/task-error.ts';
import { ApiError } from './api-client.ts';
import type { ApiClient } from './api-client.ts';
import { PollSchema, ServerFrameSchema, toFailureView } from './messages.ts';
import type { TaskFailureView, WebSegment } from './messages.ts';

/** One progress step as the page shows it. */
export interface ProgressUpdate {
  stage: string;
  percentage: number;
  message: string;
  queuePosition: number | null;
  etaSeconds: number | null;
  /** 0..100 within the stage, when the server says. */
  stageProgress: number | null;
}

/** How the page hears about the task; after onComplete or onFailed nothing more is called. */
export interface WatchHandlers {
  onProgress(update: ProgressUpdate): void;
  onSegment(segment: WebSegment): void;
  onComplete(): void;
  onFailed(failure: TaskFailureView, status: 'failed' | 'cancelled'): void;
  onConnection(state: 'connecting' | 'live' | 'reconnecting' | 'closed', detail: string): void;
}

/** Timings; the defaults suit people, tests shorten them. */
export interface WatchOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  pollMs: number;
  pingMs: number;
}
const DEFAULTS: WatchOptions = { baseDelayMs: 500, maxDelayMs: 15_000, pollMs: 2_000, pingMs: 20_000 };

// Only these codes end a task; other error frames (a refused frame, an unknown id) are about the
// socket, and polling decides what they mean for the task.
const TASK_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Watches a task over its WebSocket, reconnecting with exponential backoff and polling meanwhile. */
export function watchTask(api: ApiClient, taskId: string, h: WatchHandlers, options: Partial<WatchOptions> = {}): { stop(): void } {
  const opt = { ...DEFAULTS, ...options };
  let ended = false;
  let attempt = 0;
  let socket: WebSocket | null = null;
  let lastHeard = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  let pollGeneration = 0; // a poll chain stops when a newer one starts or the socket opens
  let pingTimer: ReturnType<typeof setInterval> | undefined;

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearTimeout(pollTimer);
    clearInterval(pingTimer);
  };
  const end = () => {
    ended = true;
    clearTimers();
    const s = socket;
    socket = null;
    if (s && s.readyState <= WebSocket.OPEN) s.close(1000, 'done');
    h.onConnection('closed', '');
  };
  const complete = () => { if (!ended) { end(); h.onComplete(); } };
  const fail = (f: TaskFailureView, status: 'failed' | 'cancelled') => { if (!ended) { end(); h.onFailed(f, status); } };

  function handleFrame(data: unknown) {
    lastHeard = Date.now();
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (error) {
      return console.warn('ignored a frame that is not JSON:', error);
    }
    const parsed = v.safeParse(ServerFrameSchema, json);
    if (!parsed.success) return console.warn('ignored a frame the page does not understand:', data.slice(0, 200));
    const f = parsed.output;
    if (f.type === 'progress') {
      h.onProgress({ stage: f.stage, percentage: f.percentage, message: f.message ?? '', queuePosition: f.queue_position ?? null, etaSeconds: f.eta_seconds ?? null, stageProgress: f.stage_progress ?? null });
      if (f.stage === 'complete') complete();
    } else if (f.type === 'segment') {
      h.onSegment(f.segment);
    } else if (f.type === 'error') {
      if (TASK_CODES.has(f.error_code)) fail(toFailureView(f), f.error_code === 'CANCELLED' ? 'cancelled' : 'failed');
      else console.warn(`socket error frame ${f.error_code}: ${f.user_message}`);
    }
  }

  function startPolling() {
    if (polling) return;
    polling = true;
    void poll(++pollGeneration);
  }
  function stopPolling() {
    polling = false;
    pollGeneration += 1;
    clearTimeout(pollTimer);
  }

  async function poll(generation: number) {
    if (ended) return;
    try {
      const p = await api.json(`/tasks/${encodeURIComponent(taskId)}/progress`, PollSchema);
      if (p.status === 'completed') return complete();
      if (p.status === 'failed' || p.status === 'cancelled') {
        const failure = p.error ? toFailureView(p.error) : { code: p.status.toUpperCase(), userMessage: `The task ${p.status}.`, technicalDetail: '' };
        return fail(failure, p.status);
      }
      if (!ended) h.onProgress({ stage: p.progress_stage, percentage: p.progress_percentage, message: '', queuePosition: p.queue_position ?? null, etaSeconds: p.eta_seconds ?? null, stageProgress: p.stage_progress ?? null });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        return fail({ code: 'NOT_FOUND', userMessage: 'This task does not exist (any more).', technicalDetail: error.message }, 'failed');
      }
      console.warn('polling failed, will retry:', error);
    }
    if (!ended && generation === pollGeneration) pollTimer = setTimeout(() => void poll(generation), opt.pollMs);
  }

  function socketLost(reason: string) {
    clearInterval(pingTimer);
    socket = null;
    if (ended) return;
    h.onConnection('reconnecting', reason);
    startPolling();
    const delay = Math.min(opt.maxDelayMs, opt.baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    reconnectTimer = setTimeout(connect, delay);
  }

  function connect() {
    if (ended) return;
    h.onConnection(attempt === 0 ? 'connecting' : 'reconnecting', '');
    const s = new WebSocket(api.socketUrl(taskId));
    socket = s;
    s.addEventListener('open', () => {
      if (socket !== s) return;
      attempt = 0;
      lastHeard = Date.now();
      stopPolling();
      h.onConnection('live', '');
      pingTimer = setInterval(() => {
        // A peer that has said nothing for two ping periods is gone, even if TCP has not noticed.
        if (Date.now() - lastHeard > 2 * opt.pingMs) {
          s.close(4000, 'no answer');
          return socketLost('no answer from the server');
        }
        s.send(JSON.stringify({ type: 'ping' }));
      }, opt.pingMs);
    });
    s.addEventListener('message', (e) => { if (socket === s) handleFrame(e.data); });
    s.addEventListener('close', (e) => { if (socket === s) socketLost(`closed (${e.code})`); });
  }

  connect();
  return { stop: () => { if (!ended) { ended = true; clearTimers(); socket?.close(1000, 'stopped'); socket = null; } } };
}
