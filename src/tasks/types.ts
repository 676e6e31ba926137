import type { ModelInfo } from '../contract/model-info.ts';
import type { WorkerStage } from '../contract/status.ts';
import type { TaskError } from '../contract/task-error.ts';
import type { TaskParams } from '../contract/task-params.ts';
import type { Segment, TranscriptResult } from '../contract/transcript.ts';

// The engine as the task layer sees it. The data it carries (params, segments, results, errors)
// are the contract's schemas and derived types, in src/contract.

/** What the scheduler needs of the engine: run one job, report through callbacks, cancel by id. */
export interface TranscriptionJob {
  taskId: string;
  mediaPath: string;
  params: TaskParams;
  /** Seconds of media when the intake's probe knew them; null or absent makes the worker probe the file. */
  mediaDurationSec?: number | null;
  onStarted?: (info: { durationSec: number }) => void;
  onProgress?: (percent: number) => void;
  onSegment?: (segment: Segment) => void;
  /** The worker moved into a post-transcription stage, or further through it (fraction 0..1). */
  onStage?: (stage: WorkerStage, fraction: number) => void;
}

/** The outcome of a job: expected failures are data, not exceptions. */
export type JobOutcome =
  | { ok: true; result: TranscriptResult }
  | { ok: false; error: TaskError };

/** The engine as the task layer sees it (implemented by the worker pool). */
export interface Transcriber {
  /**
   * Runs a job on a worker that has none (one still loading the model keeps it until ready); resolves when
   * it ends. The engine keeps no queue: callers hand over at most one job per ready worker, and a job
   * beyond every worker is a caller's bug, the only case that rejects.
   */
  run(job: TranscriptionJob): Promise<JobOutcome>;
  /** Asks the worker running this task to stop; its job then ends CANCELLED within the engine's cancel grace. */
  cancel(taskId: string): boolean;
  /** Workers that have a model loaded and can take a job (the scheduler hands over no more jobs than this). */
  readyCount(): number;
  /** Model name and type, once a worker has loaded it. */
  modelInfo(): ModelInfo | null;
  /** Seconds a job for this model (undefined: the default) would wait for it to load; null when unknown. */
  loadSeconds?(model: string | undefined): number | null;
  /** Why no worker can have this model (undefined: the default) now, e.g. its file is missing; null while it is loaded or loading normally. */
  unavailable?(model?: string): TaskError | null;
  close(): Promise<void>;
}
