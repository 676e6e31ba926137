import type { Config } from '../config.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../logger.ts';
import type { TaskEventMap } from './task-events.ts';
import type { TaskRecord } from './task-record.ts';
import type { TaskStore } from './task-service-types.ts';
import type { Transcriber } from './types.ts';
import type { Scheduler } from './scheduler.ts';
import type { RunContext } from './task-runner.ts';

/** How tasks are dispatched when the queue is shared by several nodes (src/cluster). */
export interface SharedQueue {
  /** Builds the node's scheduler (instead of the in-process FIFO). */
  scheduler(ctx: RunContext): Scheduler;
  /** Cancels a task that is still queued; false when it was not queued any more. */
  cancelQueued(id: string): Promise<boolean>;
  /** Asks the node running a task to stop it; false when it is not running. */
  requestCancel(id: string): Promise<boolean>;
  /** True while an event from another node is replayed on the bus: progress is written by the node that runs the task. */
  replaying(): boolean;
}

/** Everything createTaskService needs; optional members have defaults. */
export interface TaskServiceDeps {
  store: TaskStore;
  bus: EventBus<TaskEventMap>;
  transcriber: Transcriber;
  config: Pick<Config, 'WORKERS' | 'MAX_ATTEMPTS'>;
  logger: Logger;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  idFactory?: () => string;
  /** Deletes a task's media (and its upload folder); called after the row is removed. */
  deleteMedia?: (task: TaskRecord) => Promise<void>;
  /**
   * In a cluster: how long cancel() and remove() wait for another node to end a task it runs (default 1500 ms).
   * A task running here has no such wait: the transcriber ends it within its own cancel grace (worker-pool.ts).
   */
  remoteCancelWaitMs?: number;
  /** How often the scheduler looks again while no worker is ready (default 200 ms). */
  readyPollMs?: number;
  /** Minimum time between two progress writes of one task within a stage (default 1000 ms). */
  progressWriteIntervalMs?: number;
  /** Set in a cluster: the queue is the shared database's, and tasks may run on other nodes. */
  shared?: SharedQueue;
}
