import { taskError, type TaskError } from '../../tasks/errors.ts';
import type { JobOutcome, TranscriptionJob } from '../../tasks/types.ts';
import type { ChildMessage } from '../protocol.ts';
import type { PoolLogger } from './worker-handle.ts';

/** A job waiting in the pool's queue. */
export interface PendingJob {
  job: TranscriptionJob;
  resolve(outcome: JobOutcome): void;
}

/** A job a worker is running, with its timers. */
export interface RunningJob extends PendingJob {
  timeout: NodeJS.Timeout;
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
export function resolveJob(pending: PendingJob, outcome: JobOutcome, log: PoolLogger): void {
  try {
    pending.resolve(outcome);
  } catch (error) {
    log('error', 'job resolver threw', { taskId: pending.job.taskId, error: String(error) });
  }
}

function callback(log: PoolLogger, taskId: string, name: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    log('error', `job ${name} callback threw`, { taskId, error: String(error) });
  }
}

/** Forwards started/progress/segment to the job's callbacks; returns the outcome once the task has ended. */
export function routeTaskMessage(task: RunningJob, message: TaskMessage, log: PoolLogger): JobOutcome | null {
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
