import { isStorageFull } from './storage-full.ts';
import type { EventBus } from '../events/event-bus.ts';
import { taskError } from './errors.ts';
import type { TaskError } from '../contract/task-error.ts';
import { createProgressTracker, type ProgressPoint, type ProgressTracker } from './progress.ts';
import { createTranscribeEstimate } from './progress-estimate.ts';
import type { ProgressFeed } from './progress-feed.ts';
import type { SpeedEstimator } from './speed-estimator.ts';
import type { TaskEventMap } from './task-events.ts';
import type { TaskRecord } from './task-record.ts';
import type { Logger } from '../logger.ts';
import type { TaskStore } from './task-service-types.ts';
import type { Transcriber } from './types.ts';
import type { TranscriptResult } from '../contract/transcript.ts';

/** What running a task needs from the service. */
export interface RunContext {
  store: TaskStore;
  bus: EventBus<TaskEventMap>;
  transcriber: Transcriber;
  logger: Logger;
  clock: () => number;
  feed: ProgressFeed;
  speed: SpeedEstimator;
  /** True once stop() has given up on running jobs: their rows stay `processing` for the next start. */
  detached(): boolean;
}

/**
 * A task this process runs, from its `processing` write to its outcome written. (The worker pool's
 * WorkerJob is the engine's part of it: one worker's IPC exchange, src/engine/pool/worker-pool-task.ts.)
 */
export interface RunningJob {
  taskId: string;
  mediaSeconds: number | null;
  startedAtMs: number;
  cancelRequested: boolean;
  /** The row is gone: write nothing more. */
  removed: boolean;
  /** Settles when the job has ended and its outcome is written (never rejects). */
  done: Promise<void>;
}

/** Marks a queued task `processing` (attempts + 1), then runs it to its end in the background. */
export function startJob(ctx: RunContext, task: TaskRecord): RunningJob {
  const now = ctx.clock();
  const job: RunningJob = {
    taskId: task.id, mediaSeconds: task.mediaDuration, startedAtMs: now, cancelRequested: false, removed: false,
    done: Promise.resolve(),
  };
  const tracker = createProgressTracker(task.params, { stage: task.stage, percentage: task.percentage });
  const run = async () => {
    await ctx.store.update(task.id, { status: 'processing', attempts: task.attempts + 1, startedAt: iso(now), completedAt: null, error: null });
    await ctx.store.clearSegments(task.id); // an earlier attempt's segments would be repeated
    await runToEnd(ctx, task, job, tracker);
  };
  job.done = run().catch(async (error: unknown) => {
    if (isStorageFull(error)) {
      // The outcome could not be written (full disk): the row stays `processing`, the next start re-queues it.
      ctx.logger.error({ taskId: task.id, err: error }, 'could not store the end of the task (disk full); it stays processing for the next start');
      return;
    }
    ctx.logger.error({ taskId: task.id, err: error }, 'task run failed unexpectedly');
    if (!live(ctx, job)) return;
    try {
      await endWithError(ctx, job, taskError('PROCESSING_FAILED', `internal error: ${String(error)}`));
    } catch (storeError) {
      // `done` must never reject: an unhandled rejection here would take the whole server down.
      ctx.logger.error({ taskId: task.id, err: storeError }, 'could not store the failure of the task; it stays processing for the next start');
    }
  });
  return job;
}

/**
 * The one way to stop a task running here (cancel, delete, a cancel from another node, a lost lease):
 * marks it, asks the transcriber to stop it, and settles once it has ended and its outcome is written.
 * No timer here: the transcriber bounds the wait (the worker pool gives a worker cancelGraceMs to answer,
 * then kills and replaces it, and the job ends CANCELLED). A job not handed to the transcriber yet is
 * stopped by runToEnd, which looks at the flag just before the hand-off.
 */
export function stopJob(ctx: Pick<RunContext, 'transcriber'>, job: RunningJob): Promise<void> {
  job.cancelRequested = true;
  ctx.transcriber.cancel(job.taskId);
  return job.done;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** How often a running transcription's estimated progress is re-published. */
const PROGRESS_TICK_MS = 1000;
const live = (ctx: RunContext, job: RunningJob) => !job.removed && !ctx.detached();

async function runToEnd(ctx: RunContext, task: TaskRecord, job: RunningJob, tracker: ProgressTracker): Promise<void> {
  const { store, bus, feed, logger } = ctx;
  if (!live(ctx, job)) return;
  // Stopped during the row writes above: the transcriber never had it. From here to run() nothing is awaited.
  if (job.cancelRequested) return endWithError(ctx, job, taskError('CANCELLED', 'cancelled before it started'));
  // Fired from engine callbacks without waiting (the store keeps a task's writes in order); a failure is logged.
  const background = (write: Promise<void>, what: string) =>
    void write.catch((error: unknown) => logger.error({ taskId: task.id, err: error }, `could not store ${what}`));
  const step = (point: ProgressPoint | null, etaSeconds = remainingSeconds(ctx, job)) => {
    if (point && live(ctx, job)) feed.publish(task.id, point, { etaSeconds });
  };
  step(tracker.enter('transcribing'));
  // The engine reports once per 30 s window: the estimate fills the gaps, a tick a second shows it.
  const estimate = createTranscribeEstimate({ clock: ctx.clock, expectedSeconds: (m) => ctx.speed.expectedSeconds(m), mediaSeconds: job.mediaSeconds });
  const transcribing = () => step(tracker.advance('transcribing', estimate.fraction()), estimate.etaSeconds());
  const ticker = setInterval(transcribing, PROGRESS_TICK_MS);
  ticker.unref();
  const outcome = await ctx.transcriber.run({
    taskId: task.id,
    mediaPath: task.mediaPath ?? '',
    params: task.params,
    mediaDurationSec: task.mediaDuration,
    onStarted: ({ durationSec }) => {
      job.mediaSeconds = durationSec;
      estimate.started(durationSec);
      if (live(ctx, job)) background(store.update(task.id, { mediaDuration: durationSec }), 'the media duration');
    },
    onProgress: (percent) => {
      estimate.engine(percent);
      transcribing();
    },
    onSegment: (segment) => {
      estimate.segmentEnd(segment.end);
      if (!live(ctx, job)) return;
      background(store.appendSegments(task.id, [segment]), 'a segment');
      bus.emit('task.segment', { taskId: task.id, segment });
    },
    // Words and speaker labels are made in the worker (on the PCM it already decoded); it reports their stages here.
    onStage: (stage, fraction) => {
      clearInterval(ticker); // transcription is over once a later stage reports
      step(tracker.advance(stage, fraction));
    },
  }).finally(() => clearInterval(ticker));
  if (!live(ctx, job)) return;
  if (!outcome.ok) return endWithError(ctx, job, outcome.error);
  if (job.cancelRequested) return endWithError(ctx, job, taskError('CANCELLED', 'cancelled after transcription'));

  // The worker built the words (with each segment) and reported `aligning`; an engine that reports
  // no stages still shows the planned one before `complete`.
  if (task.params.wordTimestamps) step(tracker.enter('aligning'));
  await complete(ctx, job, outcome.result, tracker);
}

async function complete(ctx: RunContext, job: RunningJob, result: TranscriptResult, tracker: ProgressTracker): Promise<void> {
  const now = ctx.clock();
  const point = tracker.enter('complete') ?? tracker.current();
  await ctx.store.update(job.taskId, {
    status: 'completed', stage: point.stage, percentage: point.percentage, message: 'Transcription complete',
    result, language: result.language, languageProbability: result.languageProbability, mediaDuration: result.duration,
    completedAt: iso(now),
  });
  await ctx.store.clearSegments(job.taskId); // the result holds them now
  ctx.speed.record(result.duration, (now - job.startedAtMs) / 1000);
  ctx.feed.publish(job.taskId, point);
  ctx.feed.forget(job.taskId);
  ctx.bus.emit('task.completed', { taskId: job.taskId, result, timestamp: iso(now) });
}

/** Ends a job failed, or cancelled when a cancel was asked for (whatever the worker reported). */
export async function endWithError(ctx: RunContext, job: RunningJob, reported: TaskError): Promise<void> {
  const cancelled = job.cancelRequested || reported.code === 'CANCELLED';
  const error = cancelled && reported.code !== 'CANCELLED' ? taskError('CANCELLED', `cancel asked; worker reported ${reported.code}: ${reported.technicalDetail}`) : reported;
  const status = cancelled ? 'cancelled' : 'failed';
  const now = iso(ctx.clock());
  await ctx.store.update(job.taskId, { status, error, completedAt: now });
  ctx.feed.forget(job.taskId);
  ctx.bus.emit('task.failed', { taskId: job.taskId, error, status, timestamp: now });
}

/** Seconds a running job probably still needs, from its media length and recent speed. */
export function remainingSeconds(ctx: Pick<RunContext, 'speed' | 'clock'>, job: RunningJob): number | null {
  const expected = ctx.speed.expectedSeconds(job.mediaSeconds);
  return expected === null ? null : Math.max(0, expected - (ctx.clock() - job.startedAtMs) / 1000);
}
