import { TaskFailure, taskError } from '../../tasks/errors.ts';
import type { TaskError } from '../../contract/task-error.ts';
import { ParentMessageSchema, parseMessage, type ChildMessage, type ParentMessage } from '../protocol.ts';
import type { Diarizer } from './diarizer.ts';
import { createPcmRecorder } from './pcm-recorder.ts';
import { addSpeakers } from './speaker-stage.ts';
import type { WhisperEngine } from './whisper-engine.ts';
import { createWordBuilder } from './word-builder.ts';

/** How a worker reads media: its duration up front, then 16 kHz mono float32 chunks. */
export interface MediaReader {
  /** Seconds of media (null when unknown); throws TaskFailure for unreadable files. */
  duration(file: string, signal: AbortSignal): Promise<number | null>;
  pcm(file: string, signal: AbortSignal): AsyncIterable<Float32Array>;
}

/** What a session needs from its process. */
export interface SessionDeps {
  engine: WhisperEngine;
  media: MediaReader;
  send(message: ChildMessage): void;
  /** Diagnostics for the parent's crash reports (stderr in the real worker). */
  warn(text: string): void;
  /** Speaker diarization, when this worker has its models configured. */
  diarizer?: Diarizer;
}

type Transcribe = Extract<ParentMessage, { type: 'transcribe' }>;
interface Running {
  taskId: string;
  cancelled: boolean;
  /** The parent has had this task's final message (a cancel is answered at once). */
  answered: boolean;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * One worker's task loop: validates each message, runs one transcription at a time, never throws.
 * A cancel is answered `failed` CANCELLED at once, while whisper.cpp stops at its next encoder or
 * decoder pass; a task that arrives during that wind-down waits for it instead of being refused.
 */
export function createWorkerSession(deps: SessionDeps) {
  let current: Running | null = null;
  let waiting: Transcribe | null = null;
  const fail = (taskId: string, error: TaskError) => deps.send({ type: 'failed', taskId, error });
  const finish = (task: Running, message: ChildMessage) => {
    if (task.answered) return;
    task.answered = true;
    deps.send(message);
  };

  const run = async (msg: Transcribe, task: Running) => {
    const { signal } = task.abort;
    try {
      // The intake probed the file already when it sends the duration: no second probe before `started`.
      const durationSec = msg.mediaDurationSec ?? (await deps.media.duration(msg.mediaPath, signal)) ?? 0;
      if (task.cancelled) return;
      deps.send({ type: 'started', taskId: msg.taskId, durationSec });
      const { diarizer } = deps;
      if (msg.params.diarize && !diarizer) throw new TaskFailure('DIARIZATION_FAILED', 'this worker has no diarization models configured');
      // The diarizer reads the same PCM afterwards: record it while it streams, never decode twice.
      const recorder = msg.params.diarize ? createPcmRecorder(durationSec) : null;
      const pcm = deps.media.pcm(msg.mediaPath, signal);
      const words = createWordBuilder(msg.params.wordTimestamps);
      const sendStage = (stage: 'aligning' | 'diarizing', fraction: number) =>
        task.answered || deps.send({ type: 'stage', taskId: msg.taskId, stage, fraction });
      let result = await deps.engine.transcribe(recorder ? recorder.tee(pcm) : pcm, msg.params, {
        onProgress: (percent) => task.answered || deps.send({ type: 'progress', taskId: msg.taskId, percent }),
        onSegment: (segment) => task.answered || deps.send({ type: 'segment', taskId: msg.taskId, segment: words.segment(segment) }),
        isCancelled: () => task.cancelled,
      }, { durationSec });
      result = words.result(result);
      // Each segment got its words as it became final: word alignment ends with the transcription.
      if (msg.params.wordTimestamps) sendStage('aligning', 1);
      if (recorder && diarizer && !task.cancelled) {
        result = await addSpeakers({ result, samples: recorder.take(), params: msg.params, diarizer, isCancelled: () => task.cancelled, stage: sendStage });
      }
      finish(task, { type: 'result', taskId: msg.taskId, result });
    } catch (err) {
      finish(task, { type: 'failed', taskId: msg.taskId, error: toTaskError(err, task.cancelled) });
    }
  };

  const start = (msg: Transcribe) => {
    const task: Running = { taskId: msg.taskId, cancelled: false, answered: false, abort: new AbortController(), done: Promise.resolve() };
    current = task;
    task.done = run(msg, task).finally(() => {
      current = null;
      const next = waiting;
      waiting = null;
      if (next) start(next);
    });
  };

  const cancel = (task: Running, detail: string) => {
    task.cancelled = true;
    task.abort.abort(new TaskFailure('CANCELLED', detail));
    finish(task, { type: 'failed', taskId: task.taskId, error: taskError('CANCELLED', `${detail}; whisper.cpp stops at its next pass`) });
  };

  return {
    /** Handles one raw IPC message from the parent. */
    handle(raw: unknown): void {
      const parsed = parseMessage(ParentMessageSchema, raw);
      if (!parsed.ok) {
        deps.warn(`worker: ignoring invalid message (${parsed.detail})`);
        // A malformed transcribe that still names its task gets an answer, so the parent never waits forever.
        const { type, taskId } = (raw ?? {}) as { type?: unknown; taskId?: unknown };
        if (type === 'transcribe' && typeof taskId === 'string') fail(taskId, taskError('PROCESSING_FAILED', `invalid transcribe message: ${parsed.detail}`));
        return;
      }
      const msg = parsed.message;
      if (msg.type === 'transcribe') {
        if (!current) return start(msg);
        if (current.answered && !waiting) {
          waiting = msg;
          return;
        }
        fail(msg.taskId, taskError('PROCESSING_FAILED', `worker is busy with task ${current.taskId}; it runs one task at a time`));
      } else if (msg.type === 'cancel') {
        if (waiting?.taskId === msg.taskId) {
          waiting = null;
          return fail(msg.taskId, taskError('CANCELLED', 'cancelled before it started'));
        }
        if (current?.taskId === msg.taskId && !current.answered) return cancel(current, 'cancelled on request');
        deps.warn(`worker: cancel for task ${msg.taskId}, which is not running`);
      }
      // 'shutdown' is the process's business (see worker-main.ts): stop() then exit.
    },
    /** Cancels the running and the waiting task, and waits until whisper.cpp has stopped. */
    async stop(): Promise<void> {
      if (waiting) fail(waiting.taskId, taskError('CANCELLED', 'the worker is shutting down'));
      waiting = null;
      const task = current;
      if (!task) return;
      cancel(task, 'the worker is shutting down');
      await task.done;
    },
  };
}

/** Maps anything thrown by a task to the error the parent reports. */
export function toTaskError(err: unknown, cancelled: boolean): TaskError {
  if (cancelled) return taskError('CANCELLED', err instanceof Error ? err.message : String(err));
  if (err instanceof TaskFailure) return err.toTaskError();
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return taskError('PROCESSING_FAILED', detail);
}
