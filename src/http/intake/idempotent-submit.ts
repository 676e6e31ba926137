import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Context } from 'hono';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { requestOwner } from '../middleware/owner-guard.ts';

/** Idempotency keys as the routes need them (src/db/idempotency-store.ts keeps them in the database). */
export interface IdempotencyApi {
  find(scope: string, key: string): Promise<{ fingerprint: string; taskId: string } | undefined>;
  /** Records the key unless a live record holds it; returns the record that holds it. */
  save(scope: string, key: string, record: { fingerprint: string; taskId: string }): Promise<{ fingerprint: string; taskId: string }>;
}

/** What identifies a request: its route, its fields, and the media's name and bytes. */
export interface RequestIdentity {
  route: string;
  fields: Record<string, unknown>;
  file?: { path: string; fileName: string };
}

// Visible ASCII only, as the IETF draft's sf-string and Stripe's keys are; 255 is Stripe's limit.
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key, or null; a quoted value (the IETF draft's form) is unquoted. 400 when malformed. */
export function idempotencyKeyOf(c: Context<AppEnv>): string | null {
  const header = c.req.header('idempotency-key');
  if (header === undefined) return null;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!KEY.test(key)) {
    throw new AppError(400, 'INVALID_IDEMPOTENCY_KEY', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice).');
  }
  return key;
}

/** sha256 over the route, the fields in name order, and the media's name and bytes. */
export async function fingerprintOf(identity: RequestIdentity): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([identity.route, Object.entries(identity.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]));
  if (identity.file) {
    hash.update(`\0${identity.file.fileName}\0`);
    for await (const chunk of createReadStream(identity.file.path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

const reused = (taskId: string) => new AppError(422, 'IDEMPOTENCY_KEY_REUSED',
  'This Idempotency-Key was already used with a different request. Send a new key for a new request, or repeat the first request exactly.',
  { task_id: taskId });

/**
 * The task an earlier request with the same key made, when the key names one (checked before
 * costly work such as a URL download); 422 IDEMPOTENCY_KEY_REUSED when that request was different.
 */
export async function replayOf(c: Context<AppEnv>, deps: AppDeps, identity: RequestIdentity): Promise<TaskRecord | undefined> {
  const key = idempotencyKeyOf(c);
  if (key === null || !deps.idempotency) return undefined;
  const fingerprint = await fingerprintOf(identity);
  const known = await deps.idempotency.find(requestOwner(c) ?? '', key);
  const task = known && await deps.tasks.get(known.taskId);
  if (!known || !task) return undefined;
  if (known.fingerprint !== fingerprint) throw reused(known.taskId);
  c.header('Idempotent-Replayed', 'true');
  return task;
}

// Per store, the lookup-create-save of each key in progress in this process (see submitOnce).
const runningByStore = new WeakMap<IdempotencyApi, Map<string, Promise<unknown>>>();

/** Runs `work` after every earlier call for the same store and name has ended. */
function oneAtATime<T>(store: IdempotencyApi, name: string, work: () => Promise<T>): Promise<T> {
  let running = runningByStore.get(store);
  if (!running) runningByStore.set(store, (running = new Map()));
  const previous = running.get(name) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(work);
  running.set(name, next);
  const forget = () => {
    if (running.get(name) === next) running.delete(name);
  };
  next.then(forget, forget);
  return next;
}

/**
 * Creates the task once per Idempotency-Key (scoped to the API key): a repeat of the same request
 * gets the task the first one made (`replayed`, and the Idempotent-Replayed header), a different
 * request with the key gets 422. Lookup, create() and save of one key run one request at a time in
 * this process, so of concurrent duplicates sent to one node exactly one creates the task. Nodes
 * sharing a database do not wait for each other: when two create a task for the key at the same
 * time, the first save wins and the other node removes its own task and answers with the winner's.
 * Without the header, create() just runs.
 */
export async function submitOnce(
  c: Context<AppEnv>,
  deps: AppDeps,
  identity: RequestIdentity,
  create: () => Promise<TaskRecord>,
): Promise<{ task: TaskRecord; replayed: boolean }> {
  const key = idempotencyKeyOf(c);
  const store = deps.idempotency;
  if (key === null || !store) return { task: await create(), replayed: false };
  const fingerprint = await fingerprintOf(identity);
  const scope = requestOwner(c) ?? '';
  return oneAtATime(store, `${scope}\0${key}`, async () => {
    const known = await store.find(scope, key);
    const earlier = known && await deps.tasks.get(known.taskId);
    if (known && earlier) {
      if (known.fingerprint !== fingerprint) throw reused(known.taskId);
      c.header('Idempotent-Replayed', 'true');
      return { task: earlier, replayed: true };
    }
    const task = await create();
    const kept = await store.save(scope, key, { fingerprint, taskId: task.id });
    if (kept.taskId === task.id) return { task, replayed: false };
    const first = await deps.tasks.get(kept.taskId);
    if (!first) return { task, replayed: false }; // the winner's task was deleted meanwhile: this one stands
    await deps.tasks.remove(task.id);
    if (kept.fingerprint !== fingerprint) throw reused(kept.taskId);
    c.header('Idempotent-Replayed', 'true');
    return { task: first, replayed: true };
  });
}
