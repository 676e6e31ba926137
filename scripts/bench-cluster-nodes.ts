// Node processes and clients for `npm run bench:cluster`: start a node (SQLite or a cluster role),
// submit a WAV, read a task, watch a task over WebSocket with each frame's arrival time.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { spawnServerProcess, type ServerProcess } from '../test/helpers/test-server.ts';

/** A task as GET /tasks/{id} shows it (the fields the bench reads). */
export interface TaskView { identifier: string; status: string; created_at: string; started_at: string | null; completed_at: string | null }

/** One WebSocket frame and when it arrived here (ms since the epoch: the nodes share this machine's clock). */
export interface Arrival { frame: Record<string, unknown>; at: number }

/** Starts one node under `root/<name>`; `cluster` = DATABASE_URL, MEDIA_DIR and lease timeout shared by every node of the cluster. */
export async function startNode(root: string, name: string, env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = path.join(root, name);
  mkdirSync(dataDir, { recursive: true });
  // WHISPER_THREADS 1: two cores carry every node and the load generator; limits off for the load.
  return spawnServerProcess(dataDir, {
    NODE_NAME: name, WHISPER_THREADS: '1', RATE_LIMIT_PER_MINUTE: '0', MAX_QUEUED_TASKS: '100000', MAX_WS_CONNECTIONS_PER_TASK: '10000', ...env,
  }, 120_000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST /tasks with a file and form fields; resolves to the task id. */
export async function submit(base: string, file: string, fields: Record<string, string> = {}): Promise<string> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(readFileSync(file))]), path.basename(file));
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  const res = await fetch(`${base}/tasks`, { method: 'POST', body });
  if (res.status !== 202) throw new Error(`POST ${base}/tasks answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { identifier: string }).identifier;
}

/** GET /tasks/{id}. */
export async function task(base: string, id: string): Promise<TaskView> {
  const res = await fetch(`${base}/tasks/${id}`);
  if (res.status !== 200) throw new Error(`GET ${base}/tasks/${id} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TaskView;
}

/** Polls until `done(value)`, every `everyMs`; throws after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 20): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await sleep(everyMs)) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
  }
}

/** Waits until a task has ended (completed, failed or cancelled). */
export const ended = (base: string, id: string, timeoutMs = 180_000) =>
  until(() => task(base, id), (t) => !['queued', 'processing'].includes(t.status), timeoutMs, 100);

/** Waits until an api node counts `count` ready workers (heartbeats of worker nodes). */
export const workersReady = (base: string, count: number) =>
  until(async () => ((await (await fetch(`${base}/health/ready`)).json()) as { checks?: { workers_ready?: number } }).checks?.workers_ready ?? 0,
    (n) => n >= count, 120_000, 200);

/** A WebSocket watching a task: every frame with its arrival time; `closed` resolves at the final frame's close. */
export interface Watcher { arrivals: Arrival[]; opened: Promise<void>; closed: Promise<void> }

/** Opens /ws/tasks/{id} on `base`. */
export function watch(base: string, id: string): Watcher {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/tasks/${id}`);
  const arrivals: Arrival[] = [];
  socket.on('message', (data) => arrivals.push({ frame: JSON.parse(String(data)) as Record<string, unknown>, at: Date.now() }));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { arrivals, opened, closed };
}

/**
 * Delays (ms) from each progress frame's `timestamp` (set where the event was made) to its arrival,
 * leaving out the first frame of each socket: the snapshot sent on connect carries an older time.
 */
export function progressDelays(watchers: Watcher[]): number[] {
  return watchers.flatMap((w) => w.arrivals.slice(1).filter((a) => a.frame.type === 'progress')
    .map((a) => a.at - Date.parse(String(a.frame.timestamp))));
}

/**
 * For each progress event (one `timestamp` + percentage + stage), the time until the last socket had
 * it: the fan-out's "reached everyone" delay.
 */
export function reachAllDelays(watchers: Watcher[]): number[] {
  const last = new Map<string, { made: number; at: number; seen: number }>();
  for (const w of watchers) {
    for (const a of w.arrivals.slice(1).filter((x) => x.frame.type === 'progress')) {
      const key = `${String(a.frame.timestamp)}|${String(a.frame.stage)}|${String(a.frame.percentage)}`;
      const entry = last.get(key) ?? { made: Date.parse(String(a.frame.timestamp)), at: 0, seen: 0 };
      entry.at = Math.max(entry.at, a.at);
      entry.seen += 1;
      last.set(key, entry);
    }
  }
  // Only events every socket got (a socket opened late misses the earliest ones).
  return [...last.values()].filter((e) => e.seen === watchers.length).map((e) => e.at - e.made);
}
