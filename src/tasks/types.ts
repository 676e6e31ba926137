import type { TaskError } from './errors.ts';

/** Lifecycle status of a task row. */
export type TaskStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** Progress stages of the contract, in their only allowed order. */
export const STAGES = ['queued', 'transcribing', 'aligning', 'diarizing', 'complete'] as const;
export type Stage = (typeof STAGES)[number];

/** Options a client chose for one task (validated at the HTTP boundary). */
export interface TaskParams {
  language: string; // ISO code or 'auto'
  task: 'transcribe' | 'translate';
  vad: boolean;
  wordTimestamps: boolean;
  diarize: boolean;
  /** Exact number of speakers, when the client knows it (overrides min/max). */
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
  initialPrompt?: string;
  temperature: number;
  /** The model id (WHISPER_MODELS) a client asked for; absent for the default model (src/models). */
  model?: string;
}

/** One word with its timing, in seconds. */
export interface Word {
  word: string;
  start: number;
  end: number;
  probability: number;
  speaker?: string;
}

/** One stretch of speech by one speaker (the diarization timeline), in seconds. */
export interface Turn {
  speaker: string; // SPEAKER_00, SPEAKER_01, … in order of first appearance
  start: number;
  end: number;
}

/** How long one speaker spoke in all, in seconds. */
export interface SpeakerTime {
  id: string;
  speakingTime: number;
}

/** One token as whisper.cpp reports it (times in seconds; -1 when unknown). */
export interface Token {
  id: number;
  text: string;
  p: number;
  t0: number;
  t1: number;
  tDtw: number;
  special: boolean;
  /** Hex of the token's raw UTF-8 bytes, set only when they are not valid UTF-8 on their own
   * (whisper.cpp can split one character across tokens); build with tokenTextFields() in words.ts. */
  bytes?: string;
}

/** One transcript segment, in seconds from the start of the media. */
export interface Segment {
  id: number;
  start: number;
  end: number;
  text: string;
  noSpeechProb: number;
  avgLogprob: number;
  tokens: Token[];
  words?: Word[];
  speaker?: string;
}

/** What a finished transcription returns. */
export interface TranscriptResult {
  text: string;
  language: string;
  languageProbability: number | null;
  duration: number; // seconds of media
  model: string;
  segments: Segment[];
  /** The diarization timeline, independent of the transcript (only when diarized). */
  turns?: Turn[];
  /** Speakers in order of first appearance, with their speaking time (only when diarized). */
  speakers?: SpeakerTime[];
  timings: { decodeMs: number; transcribeMs: number; totalMs: number; diarizeMs?: number };
}

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
  onStage?: (stage: 'aligning' | 'diarizing', fraction: number) => void;
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
  modelInfo(): { name: string; multilingual: boolean; type: string } | null;
  /** Seconds a job for this model (undefined: the default) would wait for it to load; null when unknown. */
  loadSeconds?(model: string | undefined): number | null;
  /** Why no worker can have this model (undefined: the default) now, e.g. its file is missing; null while it is loaded or loading normally. */
  unavailable?(model?: string): TaskError | null;
  close(): Promise<void>;
}
