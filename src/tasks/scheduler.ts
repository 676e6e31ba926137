import type { ProgressPoint } from './progress.ts';
import { remainingSeconds, startJob, type RunContext, type RunningJob } from './task-runner.ts';
import type { TaskRecord } from './task-record.ts';

interface Entry {
  id: string;
  mediaSeconds: number | null;
  point: ProgressPoint;
  message: string;
  model: string | undefined;
}

/** A task's place in the queue (0 while it runs) and its estimated seconds to the end. */
export interface QueueInfo {
  position: number;
  etaSeconds: number | null;
}

/** FIFO queue and dispatch of tasks onto the transcriber's ready workers. */
export interface Scheduler {
  /** Adds a just-submitted task at the end and announces its place. */
  enqueue(task: TaskRecord): void;
  /** Takes a task out of the queue; false when it was not queued. */
  dequeue(id: string): boolean;
  running(id: string): RunningJob | undefined;
  /** 1-based place and ETA of a queued task; position 0 and the remaining time for a running one. */
  queueInfo(id: string): QueueInfo | undefined | Promise<QueueInfo | undefined>;
  /** Replaces the queue with these tasks (oldest first) and starts dispatching. */
  start(queued: TaskRecord[]): void;
  /** Stops dispatching; returns the jobs still running. */
  stop(): RunningJob[];
  isStarted(): boolean;
}

/** Creates a scheduler that runs at most min(workers, transcriber.readyCount()) jobs at once. */
export function createScheduler(ctx: RunContext, options: { workers: number; readyPollMs: number }): Scheduler {
  let queue: Entry[] = [];
  const jobs = new Map<string, RunningJob>();
  // Taken off the queue, their rows being read before they start: they hold a worker slot meanwhile.
  const claiming = new Set<string>();
  // Of those, the ones dequeued (cancelled, removed) while being read: they must not start.
  const dropped = new Set<string>();
  let started = false;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | null = null;
  // Set while no worker can have the model: queued tasks say what they wait for instead of just "queued".
  let waitNote: string | null = null;
  const toEntry = (task: TaskRecord): Entry => ({
    id: task.id, mediaSeconds: task.mediaDuration, point: { stage: task.stage, percentage: task.percentage }, message: task.message,
    model: task.params.model,
  });

  const parallelism = () => Math.max(1, Math.min(options.workers, ctx.transcriber.readyCount() || options.workers));
  /**
   * ETAs of the queued tasks from `from` to `to` (exclusive), in one pass over the queue: the work ahead
   * of each is the running jobs' remainder plus every earlier queued task (and each model's first load),
   * spread over the workers. Null from the first task whose length is unknown on.
   */
  const etas = (from: number, to = queue.length): Array<number | null> => {
    let ahead: number | null = 0;
    for (const job of jobs.values()) {
      const left = remainingSeconds(ctx, job);
      if (left === null) {
        ahead = null;
        break;
      }
      ahead += left;
    }
    // A model not loaded yet is loaded once, by the first task that needs it (WHISPER_MODELS).
    const loading = new Set<string>();
    const load = (model: string | undefined) => {
      const key = model ?? '';
      if (loading.has(key)) return 0;
      loading.add(key);
      return ctx.transcriber.loadSeconds?.(model) ?? 0;
    };
    const workers = parallelism();
    const result: Array<number | null> = [];
    for (let i = 0; i < to; i++) {
      const entry = queue[i]!;
      const expected = ctx.speed.expectedSeconds(entry.mediaSeconds);
      const own = expected === null ? null : expected + load(entry.model);
      if (i >= from) result.push(ahead === null || own === null ? null : ahead / workers + own);
      ahead = ahead === null || own === null ? null : ahead + own;
    }
    return result;
  };
  const etaAt = (index: number): number | null => etas(index, index + 1)[0] ?? null;
  // Every task from `from` on has a new place (and ETA): announced in one pass, O(queue length).
  const announce = (from = 0) => {
    const times = etas(from);
    for (let i = from; i < queue.length; i++) {
      const entry = queue[i]!;
      ctx.feed.publish(entry.id, entry.point, { message: waitNote ?? entry.message, queuePosition: i + 1, etaSeconds: times[i - from] ?? null });
    }
  };

  const pump = () => {
    if (!started || stopped) return;
    // The only queue is this one: the transcriber keeps none and takes at most one job per worker.
    const limit = Math.min(options.workers, ctx.transcriber.readyCount());
    let moved = false;
    while (jobs.size + claiming.size < limit && queue.length > 0) {
      const entry = queue.shift()!;
      moved = true;
      claiming.add(entry.id);
      void launch(entry.id);
    }
    // Workers still loading (or restarting): look again shortly rather than wait for a submit.
    if (queue.length > 0 && jobs.size + claiming.size < options.workers && !pollTimer) {
      pollTimer = setTimeout(() => {
        pollTimer = null;
        pump();
      }, options.readyPollMs);
      pollTimer.unref?.();
    }
    const reason = limit === 0 ? ctx.transcriber.unavailable?.() : null;
    // No technical detail here: clients read this, and it would name server paths.
    const note = reason ? 'Waiting for the speech model: it is missing or could not be loaded; the task starts once an administrator installs it' : null;
    if (note !== waitNote) {
      waitNote = note;
      moved = true;
    }
    if (moved) announce();
  };

  /** Reads the row (the task may have been cancelled or removed since it was queued) and starts it. */
  const launch = async (id: string) => {
    try {
      const task = await ctx.store.get(id);
      if (stopped || dropped.has(id) || task?.status !== 'queued') return;
      const job = startJob(ctx, task);
      jobs.set(id, job);
      void job.done.then(() => {
        jobs.delete(id);
        pump();
      });
    } catch (error) {
      ctx.logger.error({ taskId: id, err: error }, 'could not start task; it stays in the database for the next start');
    } finally {
      claiming.delete(id);
      dropped.delete(id);
      if (!jobs.has(id)) pump(); // its slot is free again
    }
  };

  return {
    enqueue(task) {
      queue.push(toEntry(task));
      announce(queue.length - 1);
      queueMicrotask(pump);
    },
    dequeue(id) {
      if (claiming.has(id)) {
        dropped.add(id);
        return true;
      }
      const index = queue.findIndex((e) => e.id === id);
      if (index < 0) return false;
      queue.splice(index, 1);
      announce(index);
      return true;
    },
    running: (id) => jobs.get(id),
    queueInfo(id) {
      const job = jobs.get(id);
      if (job) return { position: 0, etaSeconds: remainingSeconds(ctx, job) };
      const index = queue.findIndex((e) => e.id === id);
      return index < 0 ? undefined : { position: index + 1, etaSeconds: etaAt(index) };
    },
    start(queued) {
      started = true;
      // Tasks submitted while start-up read the queue are already in it; the stored order comes first.
      const loaded = new Set(queued.map((t) => t.id));
      queue = [...queued.map(toEntry), ...queue.filter((e) => !loaded.has(e.id))];
      pump();
    },
    stop() {
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = null;
      return [...jobs.values()];
    },
    isStarted: () => started,
  };
}
