import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { Stage } from '../contract/status.ts';
import { observeFinite, type MetricFactory } from './metric-factory.ts';

/** Seconds: from a quick clip to the 2-hour task limit. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Processing seconds per media second: 0.05 is 20x faster than real time, 2 is half as fast. */
const RTF_BUCKETS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5];

/** Where one task is: its stage since when, and when it started processing. */
interface Tracked {
  stage: Stage;
  since: number;
  queuedAt: number | null;
  startedAt: number | null;
}

/**
 * Turns task events into queue-wait, per-stage duration and real-time-factor histograms and a count
 * of outcomes. State is kept per task only until it ends, so memory follows the tasks in flight.
 */
export function attachTaskMetrics(bus: EventBus<TaskEventMap>, metrics: MetricFactory, clock: () => number = Date.now): () => void {
  const queueWait = metrics.histogram('whisper_queue_wait_seconds', 'Time tasks waited in the queue before a worker took them.', DURATION_BUCKETS);
  const stageDuration = metrics.histogram('whisper_stage_duration_seconds', 'Time tasks spent in each processing stage.', DURATION_BUCKETS, ['stage']);
  const rtf = metrics.histogram('whisper_real_time_factor', 'Processing seconds per second of media, per completed task.', RTF_BUCKETS);
  const processing = metrics.histogram('whisper_task_processing_seconds', 'Time from a worker taking a task to its end.', DURATION_BUCKETS);
  const outcomes = metrics.counter('whisper_tasks_finished_total', 'Tasks that ended, by status and error code.', ['status', 'code']);
  const tracked = new Map<string, Tracked>();
  const seconds = (from: number) => Math.max(0, clock() - from) / 1000;

  const closeStage = (entry: Tracked) => {
    if (entry.stage !== 'queued' && entry.stage !== 'complete') observeFinite(stageDuration.labels({ stage: entry.stage }), seconds(entry.since));
  };

  const offs = [
    bus.on('task.created', ({ task }) => {
      const now = clock();
      tracked.set(task.id, { stage: task.stage, since: now, queuedAt: now, startedAt: null });
    }),
    bus.on('task.progress', (event) => {
      const now = clock();
      let entry = tracked.get(event.taskId);
      if (!entry) {
        // A task queued before this process started (re-queued after a restart): its wait counts from here.
        entry = { stage: event.stage, since: now, queuedAt: event.queuePosition !== undefined ? now : null, startedAt: null };
        tracked.set(event.taskId, entry);
      }
      const running = event.queuePosition === undefined && event.stage !== 'queued';
      if (running && entry.startedAt === null) {
        entry.startedAt = now;
        if (entry.queuedAt !== null) observeFinite(queueWait, seconds(entry.queuedAt));
      }
      if (event.stage !== entry.stage) {
        closeStage(entry);
        entry.stage = event.stage;
        entry.since = now;
      }
    }),
    bus.on('task.completed', ({ taskId, result }) => {
      const entry = tracked.get(taskId);
      tracked.delete(taskId);
      outcomes.inc({ status: 'completed', code: '' });
      if (entry) closeStage(entry);
      const took = entry?.startedAt != null ? seconds(entry.startedAt) : result.timings.totalMs / 1000;
      observeFinite(processing, took);
      if (result.duration > 0) observeFinite(rtf, took / result.duration);
    }),
    bus.on('task.failed', ({ taskId, status, error }) => {
      const entry = tracked.get(taskId);
      tracked.delete(taskId);
      outcomes.inc({ status, code: error.code });
      if (entry?.startedAt != null) observeFinite(processing, seconds(entry.startedAt));
    }),
    bus.on('task.deleted', ({ taskId }) => void tracked.delete(taskId)),
  ];
  return () => {
    for (const off of offs) off();
    tracked.clear();
  };
}
