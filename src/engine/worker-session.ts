import { TaskFailure, taskError, type TaskError } from '../tasks/errors.ts';
import { ParentMessageSchema, parseMessage, type ChildMessage, type ParentMessage } from './protocol.ts';
import type { WhisperEngine } from './whisper-engine.ts';

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
}

type Transcribe = Extract<ParentMessage, { type: 'transcribe' }>;

/** One worker's task loop: validates each message, runs one transcription at a time, never throws. */
export function createWorkerSession(deps: SessionDeps) {
  let current: { taskId: string; cancelled: boolean; abort: AbortController; done: Promise<void> } | null = null;
  const fail = (taskId: string, error: TaskError) => deps.send({ type: 'failed', taskId, error });

  const run = async (msg: Transcribe, task: NonNullable<typeof current>) => {
    const { signal } = task.abort;
    try {
      const durationSec = (await deps.media.duration(msg.mediaPath, signal)) ?? 0;
      if (task.cancelled) throw new TaskFailure('CANCELLED', 'cancelled before transcription started');
      deps.send({ type: 'started', taskId: msg.taskId, durationSec });
      const result = await deps.engine.transcribe(deps.media.pcm(msg.mediaPath, signal), msg.params, {
        onProgress: (percent) => deps.send({ type: 'progress', taskId: msg.taskId, percent }),
        onSegment: (segment) => deps.send({ type: 'segment', taskId: msg.taskId, segment }),
        isCancelled: () => task.cancelled,
      }, { durationSec });
      deps.send({ type: 'result', taskId: msg.taskId, result });
    } catch (err) {
      fail(msg.taskId, toTaskError(err, task.cancelled));
    }
  };

  return {
    /** Handles one raw IPC message from the parent. */
    handle(raw: unknown): void {
      const parsed = parseMessage(ParentMessageSchema, raw);
      if (!parsed.ok) {
        deps.warn(`worker: ignoring invalid message (${parsed.detail})`);
        // A malformed transcribe that still names its task gets an answer, so the parent never waits forever.
        const taskId = (raw as { type?: unknown; taskId?: unknown } | null)?.taskId;
        if ((raw as { type?: unknown } | null)?.type === 'transcribe' && typeof taskId === 'string') {
          fail(taskId, taskError('PROCESSING_FAILED', `invalid transcribe message: ${parsed.detail}`));
        }
        return;
      }
      const msg = parsed.message;
      if (msg.type === 'transcribe') {
        if (current) {
          fail(msg.taskId, taskError('PROCESSING_FAILED', `worker is busy with task ${current.taskId}; it runs one task at a time`));
          return;
        }
        const task = { taskId: msg.taskId, cancelled: false, abort: new AbortController(), done: Promise.resolve() };
        current = task;
        task.done = run(msg, task).finally(() => {
          if (current === task) current = null;
        });
      } else if (msg.type === 'cancel') {
        if (current?.taskId !== msg.taskId) return deps.warn(`worker: cancel for task ${msg.taskId}, which is not running`);
        current.cancelled = true;
        current.abort.abort(new TaskFailure('CANCELLED', 'cancelled while decoding'));
      }
      // 'shutdown' is the process's business (see worker-main.ts): stop() then exit.
    },
    /** Cancels the running task, if any, and waits for it to end. */
    async stop(): Promise<void> {
      const task = current;
      if (!task) return;
      task.cancelled = true;
      task.abort.abort(new TaskFailure('CANCELLED', 'the worker is shutting down'));
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
