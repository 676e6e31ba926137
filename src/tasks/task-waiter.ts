import { taskError } from './errors.ts';
import type { TaskError } from '../contract/task-error.ts';
import type { Segment, TranscriptResult } from '../contract/transcript.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from './task-events.ts';
import type { TaskService } from './task-service-types.ts';

/** How a task ended, as a waiting request sees it. */
export type TaskOutcome = { ok: true; result: TranscriptResult } | { ok: false; error: TaskError };

/** A pending wait: `done` settles once (never rejects); stop() ends it early as CANCELLED. */
export interface TaskWaiter {
  done: Promise<TaskOutcome>;
  stop(): void;
}

/**
 * Waits on the bus for a task to complete, fail or be deleted, passing its segments on as they
 * arrive. A task that had already ended before the call settles at once from its stored row.
 */
export function waitForTask(deps: { bus: EventBus<TaskEventMap>; tasks: Pick<TaskService, 'get'> }, taskId: string, onSegment?: (segment: Segment) => void): TaskWaiter {
  const offs: (() => void)[] = [];
  let settle!: (outcome: TaskOutcome) => void;
  const done = new Promise<TaskOutcome>((resolve) => {
    settle = (outcome) => {
      for (const off of offs.splice(0)) off();
      resolve(outcome);
    };
  });
  offs.push(
    deps.bus.on('task.segment', (e) => e.taskId === taskId && onSegment?.(e.segment)),
    deps.bus.on('task.completed', (e) => e.taskId === taskId && settle({ ok: true, result: e.result })),
    deps.bus.on('task.failed', (e) => e.taskId === taskId && settle({ ok: false, error: e.error })),
    deps.bus.on('task.deleted', (e) => e.taskId === taskId && settle({ ok: false, error: taskError('CANCELLED', 'the task was deleted while a request waited for it') })),
  );
  // Subscribed first: an end that happens while the row is read settles from the bus, and the read
  // finds an end that happened before. The first to settle wins.
  deps.tasks.get(taskId).then((now) => {
    if (now?.status === 'completed' && now.result) settle({ ok: true, result: now.result });
    else if ((now?.status === 'failed' || now?.status === 'cancelled') && now.error) settle({ ok: false, error: now.error });
    else if (!now) settle({ ok: false, error: taskError('CANCELLED', 'the task no longer exists') });
  }, (error: unknown) => settle({ ok: false, error: taskError('PROCESSING_FAILED', `could not read the task: ${String(error)}`) }));
  return { done, stop: () => settle({ ok: false, error: taskError('CANCELLED', 'the client stopped waiting') }) };
}
