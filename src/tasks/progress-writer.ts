import type { EventBus } from '../events/event-bus.ts';
import type { ProgressEvent, TaskEventMap } from './task-events.ts';
import type { Logger } from '../logger.ts';
import type { TaskStore } from './task-service-types.ts';

interface Written {
  stage: string;
  percentage: number;
  message: string;
  at: number;
  pending: ProgressEvent | null;
  timer: NodeJS.Timeout | null;
}

/** Handle on the subscriber: flush() writes what is pending, dispose() unsubscribes. */
export interface ProgressWriter {
  flush(): Promise<void>;
  dispose(): void;
}

/**
 * Subscribes the store to progress events. Within a stage it writes at most once per interval
 * (a trailing write catches up), but at once on a stage change, at 100 % and when the task fails;
 * identical steps (queue-position updates) are not written at all.
 */
export function attachProgressWriter(options: {
  bus: EventBus<TaskEventMap>;
  store: TaskStore;
  logger: Logger;
  clock?: () => number;
  intervalMs?: number;
  /** True for events this process must not write (another node's, replayed here). */
  skip?: () => boolean;
}): ProgressWriter {
  const { bus, store, logger, clock = Date.now, intervalMs = 1000 } = options;
  const tasks = new Map<string, Written>();

  const write = (state: Written, event: ProgressEvent) => {
    if (state.timer) clearTimeout(state.timer);
    Object.assign(state, { stage: event.stage, percentage: event.percentage, message: event.message, at: clock(), pending: null, timer: null });
    return store.update(event.taskId, { stage: event.stage, percentage: event.percentage, message: event.message })
      .catch((error: unknown) => logger.error({ taskId: event.taskId, err: error }, 'could not write task progress'));
  };
  const forget = (taskId: string, flushPending: boolean) => {
    const state = tasks.get(taskId);
    if (!state) return;
    if (flushPending && state.pending) void write(state, state.pending);
    if (state.timer) clearTimeout(state.timer);
    tasks.delete(taskId);
  };

  const offs = [
    bus.on('task.created', ({ task }) => {
      // The insert already wrote the first step.
      tasks.set(task.id, { stage: task.stage, percentage: task.percentage, message: task.message, at: clock(), pending: null, timer: null });
    }),
    bus.on('task.progress', (event) => {
      if (options.skip?.()) return;
      let state = tasks.get(event.taskId);
      if (!state) tasks.set(event.taskId, (state = { stage: '', percentage: -1, message: '', at: -Infinity, pending: null, timer: null }));
      if (state.stage === event.stage && state.percentage === event.percentage && state.message === event.message) return;
      const due = state.at + intervalMs;
      if (state.stage !== event.stage || event.percentage >= 100 || clock() >= due) return void write(state, event);
      state.pending = event;
      if (!state.timer) {
        const s = state;
        s.timer = setTimeout(() => { s.timer = null; if (s.pending) void write(s, s.pending); }, Math.max(0, due - clock()));
        s.timer.unref?.();
      }
    }),
    // The service writes the final row itself; a failed task keeps the last progress it reached.
    bus.on('task.failed', ({ taskId }) => forget(taskId, true)),
    bus.on('task.completed', ({ taskId }) => forget(taskId, false)),
    bus.on('task.deleted', ({ taskId }) => forget(taskId, false)),
  ];

  return {
    async flush() {
      await Promise.all([...tasks.values()].flatMap((state) => (state.pending ? [write(state, state.pending)] : [])));
    },
    dispose() {
      for (const off of offs) off();
      for (const state of tasks.values()) if (state.timer) clearTimeout(state.timer);
      tasks.clear();
    },
  };
}
