import { taskError } from '../../tasks/errors.ts';
import type { TaskError } from '../../contract/task-error.ts';
import type { JobOutcome, TranscriptionJob } from '../../tasks/types.ts';
import type { ChildMessage } from '../protocol.ts';
import type { Logger } from '../../logger.ts';

/**
 * A job held by one worker slot, from hand-off to outcome: the engine's side of a task (the IPC
 * exchange with one process, its timers). Not the task layer's RunningJob (src/tasks/task-runner.ts),
 * which is the whole run of a task (row writes, progress, the cancel flag) and outlives this one.
 */
export interface WorkerJob {
  job: TranscriptionJob;
  resolve(outcome: JobOutcome): void;
  /** False while its worker is still loading the model: the job waits for a worker, never behind another job. */
  sent: boolean;
  timeout: NodeJS.Timeout | null;
  /** The pool's one cancel timer: the worker is killed when it has not answered a cancel by then. */
  cancelTimer: NodeJS.Timeout | null;
  cancelRequested: boolean;
  /** The post-transcription stage the worker last reported, to explain a crash during it. */
  stage?: 'aligning' | 'diarizing';
}

/** The child messages that belong to one task. */
export type TaskMessage = Extract<ChildMessage, { taskId: string }>;

/** A failed outcome. */
export const failed = (error: TaskError): JobOutcome => ({ ok: false, error });

/** Resolves a job's promise; a resolver that throws is logged, never allowed to break the pool. */
export function resolveJob(held: Pick<WorkerJob, 'job' | 'resolve'>, outcome: JobOutcome, log: Logger): void {
  try {
    held.resolve(outcome);
  } catch (error) {
    log.error({ taskId: held.job.taskId, error: String(error) }, 'job resolver threw');
  }
}

function callback(log: Logger, taskId: string, name: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    log.error({ taskId, error: String(error) }, `job ${name} callback threw`);
  }
}

/** Forwards started/progress/segment to the job's callbacks; returns the outcome once the task has ended. */
export function routeTaskMessage(task: WorkerJob, message: TaskMessage, log: Logger): JobOutcome | null {
  const { job } = task;
  switch (message.type) {
    case 'started':
      callback(log, job.taskId, 'onStarted', () => job.onStarted?.({ durationSec: message.durationSec }));
      return null;
    case 'progress':
      callback(log, job.taskId, 'onProgress', () => job.onProgress?.(message.percent));
      return null;
    case 'segment':
      callback(log, job.taskId, 'onSegment', () => job.onSegment?.(message.segment));
      return null;
    case 'stage':
      task.stage = message.stage;
      callback(log, job.taskId, 'onStage', () => job.onStage?.(message.stage, message.fraction));
      return null;
    case 'result':
    case 'failed':
      // Once a cancel was accepted the job ends CANCELLED, even if the worker finished first.
      if (task.cancelRequested) {
        return failed(taskError('CANCELLED', message.type === 'failed' ? message.error.technicalDetail : 'cancelled as the task finished'));
      }
      return message.type === 'result' ? { ok: true, result: message.result } : failed(message.error);
  }
}
