import type { EventBus } from '../events/event-bus.ts';
import { STAGE_MESSAGES, type ProgressPoint } from './progress.ts';
import type { ProgressEvent, TaskEventMap } from './task-events.ts';

/** Extra fields of a progress step. */
export interface ProgressExtras {
  message?: string;
  queuePosition?: number;
  etaSeconds?: number | null;
}

/** Publishes progress steps and remembers the latest one of each active task (for late joiners). */
export interface ProgressFeed {
  /** Emits a step; returns it. */
  publish(taskId: string, point: ProgressPoint, extras?: ProgressExtras): ProgressEvent;
  /** Re-emits the latest step of a task with new queue fields (the step itself does not move). */
  republish(taskId: string, extras: ProgressExtras): ProgressEvent | undefined;
  latest(taskId: string): ProgressEvent | undefined;
  /** Keeps a step published elsewhere (another node's, relayed) as the task's latest, without emitting it. */
  remember(event: ProgressEvent): void;
  forget(taskId: string): void;
}

/** Creates a feed over the bus; `clock` stamps each step. */
export function createProgressFeed(bus: EventBus<TaskEventMap>, clock: () => number): ProgressFeed {
  const latest = new Map<string, ProgressEvent>();
  const send = (event: ProgressEvent) => {
    latest.set(event.taskId, event);
    bus.emit('task.progress', event);
    return event;
  };
  const withExtras = (event: ProgressEvent, extras: ProgressExtras): ProgressEvent => {
    const { queuePosition, etaSeconds, ...base } = event;
    // Unlike the queue fields, the stage's own progress belongs to the step and is kept on a re-emit.
    const next: ProgressEvent = { ...base, message: extras.message ?? base.message, timestamp: new Date(clock()).toISOString() };
    if (extras.queuePosition !== undefined) next.queuePosition = extras.queuePosition;
    if (extras.etaSeconds !== undefined && extras.etaSeconds !== null) next.etaSeconds = Math.round(extras.etaSeconds);
    return next;
  };
  return {
    publish(taskId, point, extras = {}) {
      const base: ProgressEvent = { taskId, stage: point.stage, percentage: point.percentage, message: STAGE_MESSAGES[point.stage], timestamp: '' };
      if (point.stageProgress !== undefined) base.stageProgress = point.stageProgress;
      return send(withExtras(base, extras));
    },
    republish(taskId, extras) {
      const event = latest.get(taskId);
      return event && send(withExtras(event, extras));
    },
    latest: (taskId) => latest.get(taskId),
    remember: (event) => void latest.set(event.taskId, event),
    forget: (taskId) => void latest.delete(taskId),
  };
}
