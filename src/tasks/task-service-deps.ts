import type { Config } from '../config.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from './task-events.ts';
import type { TaskRecord } from './task-record.ts';
import type { TaskStore } from './task-service-types.ts';
import type { Segment, Transcriber } from './types.ts';

/** One log method: structured fields, then a message (pino's argument order). */
export type TaskLogFn = (fields: object, message: string) => void;

/** The logger methods the task layer uses; a pino logger satisfies it. */
export interface TaskLogger {
  debug: TaskLogFn;
  info: TaskLogFn;
  warn: TaskLogFn;
  error: TaskLogFn;
}

/** Builds word timings from tokens (src/tasks/words.ts assembleWords). */
export type WordAssembler = (segments: Segment[]) => Segment[];

/** Everything createTaskService needs; optional members have defaults. */
export interface TaskServiceDeps {
  store: TaskStore;
  bus: EventBus<TaskEventMap>;
  transcriber: Transcriber;
  config: Pick<Config, 'WORKERS' | 'MAX_ATTEMPTS'>;
  logger: TaskLogger;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  idFactory?: () => string;
  assembleWords?: WordAssembler;
  /** Deletes a task's media (and its upload folder); called after the row is removed. */
  deleteMedia?: (task: TaskRecord) => Promise<void>;
  /** How long cancel() and remove() wait for a running job to stop (default 1500 ms). */
  cancelWaitMs?: number;
  /** How often the scheduler looks again while no worker is ready (default 200 ms). */
  readyPollMs?: number;
  /** Minimum time between two progress writes of one task within a stage (default 1000 ms). */
  progressWriteIntervalMs?: number;
}
