import { randomUUID } from 'node:crypto';
import { taskError } from './errors.ts';
import { createProgressFeed } from './progress-feed.ts';
import { attachProgressWriter } from './progress-writer.ts';
import { createSpeedEstimator } from './speed-estimator.ts';
import { createScheduler } from './scheduler.ts';
import { stopJob, type RunContext } from './task-runner.ts';
import type { TaskServiceDeps } from './task-service-deps.ts';
import type { TaskService, TaskSnapshot } from './task-service-types.ts';

/** The task lifecycle: submit, FIFO scheduling on the transcriber, cancel, remove, restart recovery. */
export function createTaskService(deps: TaskServiceDeps): TaskService {
  const { store, bus, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const idFactory = deps.idFactory ?? randomUUID;
  const remoteCancelWaitMs = deps.remoteCancelWaitMs ?? 1500;
  const iso = () => new Date(clock()).toISOString();
  const feed = createProgressFeed(bus, clock);
  const shared = deps.shared;
  const writer = attachProgressWriter({ bus, store, logger, clock, intervalMs: deps.progressWriteIntervalMs, skip: shared?.replaying });
  let detached = false;
  let starting = false;
  const ctx: RunContext = {
    store, bus, logger, clock, feed, transcriber: deps.transcriber, speed: createSpeedEstimator(), detached: () => detached,
  };

  // In a cluster, the steps of tasks running on other nodes arrive relayed: kept for polling and late joiners here too.
  const offRelayed = shared ? [
    bus.on('task.progress', (event) => shared.replaying() && feed.remember(event)),
    bus.on('task.completed', ({ taskId }) => shared.replaying() && feed.forget(taskId)),
    bus.on('task.failed', ({ taskId }) => shared.replaying() && feed.forget(taskId)),
    bus.on('task.deleted', ({ taskId }) => shared.replaying() && feed.forget(taskId)),
  ] : [];
  const scheduler = shared
    ? shared.scheduler(ctx)
    : createScheduler(ctx, { workers: deps.config.WORKERS, readyPollMs: deps.readyPollMs ?? 200 });

  /**
   * In a cluster: asks the node that runs the task to stop it, and waits (bounded) for its row to end.
   * That node stops it with stopJob; this wait only bounds the answer here (the other node may be gone).
   */
  const stopElsewhere = async (id: string) => {
    if (!shared || !(await shared.requestCancel(id))) return;
    // Real time, whatever the injected clock says: this waits on another process.
    const deadline = Date.now() + remoteCancelWaitMs;
    while (Date.now() < deadline) {
      const now = await store.progress(id);
      if (now?.status !== 'processing') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const finishIdle = async (id: string, code: 'CANCELLED' | 'TOO_MANY_ATTEMPTS', detail: string) => {
    const error = taskError(code, detail);
    const status = code === 'CANCELLED' ? 'cancelled' : 'failed';
    const timestamp = iso();
    await store.update(id, { status, error, completedAt: timestamp });
    feed.forget(id);
    bus.emit('task.failed', { taskId: id, error, status, timestamp });
  };

  return {
    async submit(input) {
      const task = await store.insert({ ...input, id: idFactory(), createdAt: iso() });
      bus.emit('task.created', { task });
      scheduler.enqueue(task);
      return task;
    },
    get: (id) => store.get(id),
    progress: (id) => store.progress(id),
    list: (query) => store.list(query),
    partialSegments: (id) => store.partialSegments(id),
    liveProgress: (id) => feed.latest(id),

    async cancel(id) {
      // A job running here is asked to stop before anything is awaited: it may end in the meantime.
      const running = scheduler.running(id);
      if (running) await stopJob(ctx, running);
      const task = await store.get(id);
      if (!task) return undefined;
      if (running) {
        // asked above
      } else if (shared && task.status === 'processing') {
        await stopElsewhere(id);
      } else if (shared && task.status === 'queued') {
        // Only one node wins the row; if it started meanwhile, it is stopped where it runs.
        if (await shared.cancelQueued(id)) await finishIdle(id, 'CANCELLED', 'cancelled while queued');
        else await stopElsewhere(id);
      } else if (task.status === 'queued' || task.status === 'processing') {
        // Queued, or `processing` in a row no job of this process runs (before start()).
        scheduler.dequeue(id);
        await finishIdle(id, 'CANCELLED', `cancelled while ${task.status === 'queued' ? 'queued' : 'not running'}`);
      }
      return store.get(id);
    },

    async remove(id) {
      // As in cancel(): a job running here is stopped before anything is awaited.
      const job = scheduler.running(id);
      if (job) await stopJob(ctx, job); // it has ended: nothing of it writes to the row deleted below
      const task = await store.get(id);
      if (!task) return false;
      if (!job && shared && task.status === 'processing') {
        await stopElsewhere(id); // its node notices the row is gone at its next lease renewal at the latest
      }
      scheduler.dequeue(id);
      await store.remove(id);
      feed.forget(id);
      bus.emit('task.deleted', { taskId: id });
      if (deps.deleteMedia) {
        await deps.deleteMedia(task).catch((error: unknown) => logger.error({ taskId: id, err: error }, 'could not delete task media'));
      }
      return true;
    },

    async snapshot(id): Promise<TaskSnapshot | undefined> {
      const task = await store.get(id);
      if (!task) return undefined;
      if (task.status === 'failed' || task.status === 'cancelled') {
        const error = task.error ?? taskError(task.status === 'cancelled' ? 'CANCELLED' : 'PROCESSING_FAILED', 'no error detail was recorded');
        return { kind: 'error', taskId: id, error, timestamp: task.completedAt ?? task.updatedAt };
      }
      // The in-memory step is fresher than the row, whose progress is written at most once a second.
      const latest = task.status === 'completed' ? undefined : feed.latest(id);
      const event = latest ?? { taskId: id, stage: task.stage, percentage: task.percentage, message: task.message, timestamp: task.updatedAt };
      const queue = task.status === 'queued' ? await scheduler.queueInfo(id) : undefined;
      if (!queue) return { kind: 'progress', event };
      const withQueue = { ...event, queuePosition: queue.position };
      return { kind: 'progress', event: queue.etaSeconds === null ? withQueue : { ...withQueue, etaSeconds: Math.round(queue.etaSeconds) } };
    },

    queueInfo: async (id) => scheduler.queueInfo(id),

    async start() {
      if (scheduler.isStarted() || starting) return;
      starting = true;
      // In a cluster a `processing` row may be running on another node: leases, not a restart, say when it is lost.
      if (shared) return scheduler.start([]);
      for (const id of await store.idsByStatus('processing')) {
        const task = await store.get(id);
        if (!task) continue;
        if (task.attempts >= deps.config.MAX_ATTEMPTS) {
          logger.warn({ taskId: id, attempts: task.attempts }, 'task interrupted too many times; failing it');
          await finishIdle(id, 'TOO_MANY_ATTEMPTS', `interrupted ${task.attempts} times (limit MAX_ATTEMPTS=${deps.config.MAX_ATTEMPTS}); the last attempt began at ${task.startedAt}`);
          continue;
        }
        // Progress is kept as it was: clients never see it go back, the next attempt only moves it forward.
        await store.update(id, { status: 'queued', message: 'Waiting to resume after a server restart' });
        logger.info({ taskId: id, attempts: task.attempts }, 're-queued a task interrupted by a restart');
      }
      const queued = await Promise.all((await store.idsByStatus('queued')).map((id) => store.get(id)));
      scheduler.start(queued.flatMap((task) => task ?? []));
    },

    async stop(graceMs) {
      const running = scheduler.stop();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(running.map((job) => job.done)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      detached = true; // what is still running stays `processing` and is re-queued by the next start()
      await writer.flush();
      writer.dispose();
      for (const off of offRelayed) off();
    },
  };
}
