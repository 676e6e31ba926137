import { taskError } from '../tasks/errors.ts';
import type { TaskError } from '../contract/task-error.ts';
import type { JobOutcome, Transcriber, TranscriptionJob } from '../tasks/types.ts';
import type { ModelCatalog, ServedModel } from './model-catalog.ts';
import type { Logger } from '../logger.ts';

/** A pool of workers for one model, as the router needs it (the worker pool satisfies it). */
export type ModelPool = Transcriber & {
  onWorkerRestart?(listener: (restart: { slot: number; reason: string }) => void): () => void;
};

const LOAD_WATCH_MS = 30 * 60_000;

/** What the router is built from. */
export interface ModelRouterOptions {
  catalog: ModelCatalog;
  /** Starts the workers of one model (they load it at once). */
  createPool(model: ServedModel): ModelPool;
  /** Workers per pool: a pool's memory is estimated as the model file's size times this. */
  workers: number;
  /** MODEL_MEMORY_BYTES for the models beside the default (0: no limit). */
  budgetBytes: number;
  clock?: () => number;
  /** How often a loading pool is checked for its model (to measure how long a load takes). */
  loadPollMs?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** The router: a Transcriber that runs each job on the pool of the model its task asked for. */
export interface ModelRouter extends ModelPool {
  /** Ids of the models with a pool right now, the default first. */
  loadedModels(): string[];
  /** Why the pool of this model (undefined: the default) cannot have it now; null when nothing is known against it. */
  unavailable(model?: string): TaskError | null;
  /**
   * Seconds a task for this model (undefined: the default) would wait for its model to load: 0 when
   * loaded, the rest of the load while loading, else the model's size at the speed of the last load
   * measured here; null before any load was measured (or for a model not served).
   */
  loadSeconds(model: string | undefined): number | null;
}

interface Entry {
  model: ServedModel;
  pool: ModelPool;
  running: number;
  lastUsed: number;
  pinned: boolean;
  loadStarted: number;
  loaded: boolean;
}

/**
 * Keeps one worker pool per model in use. The default model's pool starts at once and is never
 * evicted (readiness and the scheduler's worker count are its). A job for another model starts
 * that model's pool when it has none (the job waits for that one load and no more); when the
 * pools beside the default would exceed the budget, idle ones go first, least recently used
 * first, and a job waits for a busy one to finish rather than go over. Jobs of an evicted
 * model are not lost: they wait in the scheduler's queue, and the next one starts the pool again.
 * Pools keep no queue: every pool has `workers` workers and the scheduler runs at most that many
 * jobs in all, so a pool always has a worker without a job; a job for a pool still loading is
 * handed to one of its loading workers and waits there.
 */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  const clock = options.clock ?? Date.now;
  const pools = new Map<string, Entry>();
  const byTask = new Map<string, Entry>();
  const waiting = new Set<string>();
  const cancelledWhileWaiting = new Set<string>();
  const restartListeners = new Set<(restart: { slot: number; reason: string }) => void>();
  let wakeWaiters: Array<() => void> = [];
  let closed = false;
  // Milliseconds per byte of model file that the last finished load took (all of a pool's workers load at once).
  let msPerByte: number | null = null;
  const cost = (model: ServedModel) => (model.bytes ?? 0) * options.workers;
  const wake = () => {
    const waiters = wakeWaiters;
    wakeWaiters = [];
    for (const waiter of waiters) waiter();
  };

  const start = (model: ServedModel, pinned: boolean): Entry => {
    const pool = options.createPool(model);
    pool.onWorkerRestart?.((restart) => restartListeners.forEach((listener) => listener(restart)));
    const entry: Entry = { model, pool, running: 0, lastUsed: clock(), pinned, loadStarted: clock(), loaded: false };
    pools.set(model.id, entry);
    watchLoad(entry);
    if (!pinned) options.log?.info({ model: model.id, bytes: cost(model) }, `loading model ${model.id} for a task that asked for it`);
    return entry;
  };
  // A pool reports its model once a worker has loaded it; polling that measures the load for the ETA.
  const watchLoad = (entry: Entry) => {
    const timer = setInterval(() => {
      // A model that never loads (a missing file) is not watched for ever.
      if (closed || pools.get(entry.model.id) !== entry || clock() - entry.loadStarted > LOAD_WATCH_MS) return clearInterval(timer);
      if (entry.pool.modelInfo() === null) return;
      clearInterval(timer);
      entry.loaded = true;
      if (entry.model.bytes) msPerByte = (clock() - entry.loadStarted) / entry.model.bytes;
    }, options.loadPollMs ?? 100);
    timer.unref?.();
  };
  const defaultEntry = start(options.catalog.defaultModel, true);

  const used = () => [...pools.values()].filter((e) => !e.pinned).reduce((sum, e) => sum + cost(e.model), 0);
  const evict = (entry: Entry) => {
    pools.delete(entry.model.id);
    options.log?.info({ model: entry.model.id }, `unloading model ${entry.model.id} (least recently used) to stay within MODEL_MEMORY_BYTES`);
    void entry.pool.close();
  };

  /** The pool for a model: there already, started within the budget, or after waiting for room. */
  const acquire = async (model: ServedModel, taskId: string): Promise<Entry | null> => {
    for (;;) {
      if (closed || cancelledWhileWaiting.has(taskId)) return null;
      const existing = pools.get(model.id);
      if (existing) return existing;
      const idle = [...pools.values()].filter((e) => !e.pinned && e.running === 0).sort((a, b) => a.lastUsed - b.lastUsed);
      const busyOthers = [...pools.values()].some((e) => !e.pinned && e.running > 0);
      if (options.budgetBytes === 0 || used() + cost(model) <= options.budgetBytes) return start(model, false);
      if (idle.length > 0) {
        evict(idle[0]!);
        continue;
      }
      // Nothing else to unload: a model larger than the budget on its own still runs, alone.
      if (!busyOthers) return start(model, false);
      await new Promise<void>((resolve) => wakeWaiters.push(resolve));
    }
  };

  return {
    async run(job: TranscriptionJob): Promise<JobOutcome> {
      const model = options.catalog.resolve(job.params.model);
      if (!model) {
        return { ok: false, error: taskError('MODEL_UNAVAILABLE', `model "${job.params.model}" is not in WHISPER_MODELS any more`) };
      }
      waiting.add(job.taskId);
      const entry = await acquire(model, job.taskId);
      waiting.delete(job.taskId);
      // A cancel may land after acquire() found the pool but before this line ran: it must not be lost.
      const cancelled = cancelledWhileWaiting.delete(job.taskId);
      if (!entry || cancelled) return { ok: false, error: taskError('CANCELLED', closed ? 'the server is stopping' : 'cancelled while its model waited for memory') };
      entry.running++;
      entry.lastUsed = clock();
      byTask.set(job.taskId, entry);
      try {
        return await entry.pool.run(job);
      } finally {
        entry.running--;
        entry.lastUsed = clock();
        byTask.delete(job.taskId);
        wake();
      }
    },
    cancel(taskId) {
      const entry = byTask.get(taskId);
      if (entry) return entry.pool.cancel(taskId);
      if (!waiting.has(taskId)) return false;
      // Still waiting for room for its model: it ends as cancelled when it wakes.
      cancelledWhileWaiting.add(taskId);
      wake();
      return true;
    },
    readyCount: () => defaultEntry.pool.readyCount(),
    modelInfo: () => defaultEntry.pool.modelInfo(),
    loadedModels: () => [...pools.keys()],
    unavailable(name) {
      const model = options.catalog.resolve(name) ?? options.catalog.defaultModel;
      // A model with no pool yet is started by its first task: nothing is known against it.
      return pools.get(model.id)?.pool.unavailable?.() ?? null;
    },
    loadSeconds(name) {
      const model = options.catalog.resolve(name);
      if (!model) return null;
      const entry = pools.get(model.id);
      if (entry?.loaded) return 0;
      const estimate = model.bytes && msPerByte !== null ? (model.bytes * msPerByte) / 1000 : null;
      if (!entry || estimate === null) return estimate;
      return Math.max(0, estimate - (clock() - entry.loadStarted) / 1000);
    },
    onWorkerRestart(listener) {
      restartListeners.add(listener);
      return () => void restartListeners.delete(listener);
    },
    async close() {
      closed = true;
      wake();
      await Promise.all([...pools.values()].map((e) => e.pool.close()));
      pools.clear();
    },
  };
}
