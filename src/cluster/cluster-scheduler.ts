import type { LeaseStore } from '../db/lease-repository.ts';
import { taskError } from '../tasks/errors.ts';
import type { QueueInfo, Scheduler } from '../tasks/scheduler.ts';
import { remainingSeconds, startJob, stopJob, type RunContext, type RunningJob } from '../tasks/task-runner.ts';

/** What the shared-queue scheduler needs besides the run context. */
export interface ClusterSchedulerOptions {
  /** Jobs this node runs at once (0 on an api node: it only sweeps). */
  workers: number;
  nodeId: string;
  leases: LeaseStore;
  /** LEASE_TIMEOUT_MS: a lease not renewed for this long is taken to belong to a dead node. */
  leaseMs: number;
  maxAttempts: number;
  /** How often the queue is looked at without a wake-up (a missed NOTIFY costs at most this). */
  pollMs?: number;
}

/** The scheduler of a node in a cluster, plus the entry points the cluster's messages use. */
export interface ClusterScheduler extends Scheduler {
  /** Another node queued a task, or a lease ended: look at the queue now. */
  wake(): void;
  /** Another node asked to cancel this task: stop it if it runs here. */
  cancelHere(taskId: string): void;
}

/**
 * Runs tasks from the queue that all nodes share (the tasks table). A free worker claims the oldest
 * queued row with a lease; the lease is renewed every third of its timeout, and each renewal also
 * brings the cancel flags of this node's tasks (the NOTIFY that normally carries a cancel may be
 * missed). Any node re-queues tasks whose lease ran out, counting the attempt, and fails those at
 * MAX_ATTEMPTS; every step is a conditional UPDATE, so nodes sweeping at once do each row once.
 */
export function createClusterScheduler(ctx: RunContext, options: ClusterSchedulerOptions): ClusterScheduler {
  const { leases, nodeId, leaseMs } = options;
  const jobs = new Map<string, RunningJob>();
  let started = false;
  let stopped = false;
  let pumping = false;
  let again = false;
  const timers: NodeJS.Timeout[] = [];
  const expires = () => ctx.clock() + leaseMs;
  const iso = () => new Date(ctx.clock()).toISOString();

  const pump = async () => {
    if (!started || stopped) return;
    if (pumping) return void (again = true);
    pumping = true;
    try {
      do {
        again = false;
        while (!stopped && jobs.size < Math.min(options.workers, ctx.transcriber.readyCount())) {
          const task = await leases.claimNext(nodeId, expires());
          if (!task) break;
          const job = startJob(ctx, task);
          jobs.set(task.id, job);
          void job.done.then(() => {
            jobs.delete(task.id);
            void pump();
          });
        }
      } while (again && !stopped);
    } catch (error) {
      ctx.logger.error({ err: error }, 'could not take a task from the shared queue; trying again shortly');
    } finally {
      pumping = false;
    }
  };

  const renew = async () => {
    const { held, cancel } = await leases.renew(nodeId, [...jobs.keys()], expires());
    for (const [id, job] of jobs) {
      if (!held.has(id) && !job.removed) {
        // The row is no longer ours (deleted, or re-queued after this node stalled past its lease): stop without writing.
        ctx.logger.warn({ taskId: id }, 'lost the lease of a running task; stopping it here');
        job.removed = true;
        void stopJob(ctx, job);
      } else if (cancel.has(id) && !job.cancelRequested) {
        void stopJob(ctx, job);
      }
    }
  };

  const sweep = async () => {
    const now = ctx.clock();
    for (const task of await leases.expired(now, 50)) {
      if (jobs.has(task.id)) continue; // ours, renewed late: the next renewal fixes it
      if (task.attempts >= options.maxAttempts) {
        if (!(await leases.takeExpired(task.id, now))) continue;
        const error = taskError('TOO_MANY_ATTEMPTS', `its node stopped answering ${task.attempts} times (limit MAX_ATTEMPTS=${options.maxAttempts}); the last attempt began at ${task.startedAt}`);
        const timestamp = iso();
        await ctx.store.update(task.id, { status: 'failed', error, completedAt: timestamp });
        ctx.feed.forget(task.id);
        ctx.bus.emit('task.failed', { taskId: task.id, error, status: 'failed', timestamp });
        ctx.logger.warn({ taskId: task.id, attempts: task.attempts }, 'task lost its node too many times; failed it');
      } else if (await leases.requeueExpired(task.id, now, 'Waiting to resume: the node running it stopped')) {
        ctx.logger.warn({ taskId: task.id, attempts: task.attempts }, 're-queued a task whose node stopped renewing its lease');
      }
    }
  };

  const every = (ms: number, work: () => Promise<void>, what: string) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      work().catch((error: unknown) => ctx.logger.error({ err: error }, `${what} failed`)).finally(() => (busy = false));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    enqueue: () => void pump(),
    dequeue: () => false, // the row's status is the queue: a cancel changes it
    running: (id) => jobs.get(id),
    async queueInfo(id): Promise<QueueInfo | undefined> {
      const job = jobs.get(id);
      if (job) return { position: 0, etaSeconds: remainingSeconds(ctx, job) };
      const place = await leases.queuePlace(id);
      if (!place) return undefined;
      // The work ahead spread over the cluster's ready workers (an api node counts the worker nodes'), then its own.
      const ahead = place.mediaSecondsAhead === null ? null : ctx.speed.expectedSeconds(place.mediaSecondsAhead);
      const own = place.mediaSeconds === null ? null : ctx.speed.expectedSeconds(place.mediaSeconds);
      const workers = Math.max(1, ctx.transcriber.readyCount());
      return { position: place.position, etaSeconds: ahead === null || own === null ? null : ahead / workers + own };
    },
    start() {
      if (started) return;
      started = true;
      every(options.pollMs ?? 1000, pump, 'queue poll');
      every(Math.max(200, Math.floor(leaseMs / 3)), async () => {
        await renew();
        await sweep();
      }, 'lease renewal');
      void pump();
    },
    stop() {
      stopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      return [...jobs.values()];
    },
    isStarted: () => started,
    wake: () => void pump(),
    cancelHere(taskId) {
      const job = jobs.get(taskId);
      if (job && !job.cancelRequested) void stopJob(ctx, job);
    },
  };
}
