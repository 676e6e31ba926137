import { taskError } from '../../src/tasks/errors.ts';
import type { TaskError } from '../../src/contract/task-error.ts';
import type { JobOutcome, Transcriber, TranscriptionJob } from '../../src/tasks/types.ts';
import type { Segment, TranscriptResult } from '../../src/contract/transcript.ts';
import { withWords } from '../../src/tasks/words.ts';

/** What a scripted job does: progress steps (interleaved with segments), then an outcome. */
export interface FakeScript {
  durationSec?: number;
  /** Engine percentages, in order (default 0, 25, 50, 75, 100). */
  progress?: number[];
  /** Segments, sent one after each progress step while they last (default: one per step). */
  segments?: Segment[];
  /** The outcome (default: success with the segments); a TaskError makes the job fail. */
  fail?: TaskError;
  /** Delay before each step, in ms (default 5). */
  stepMs?: number;
}

/** A manually driven job: the test calls these to play the worker's part. */
export interface FakeJobControl {
  job: TranscriptionJob;
  cancelRequested: boolean;
  started(durationSec?: number): void;
  progress(percent: number): void;
  segment(segment: Segment): void;
  stage(stage: 'aligning' | 'diarizing', fraction: number): void;
  succeed(result?: Partial<TranscriptResult>): void;
  fail(error: TaskError): void;
}

/** A Transcriber for tests; `jobs` holds every job it was given, in order. */
export interface FakeTranscriber extends Transcriber {
  jobs: FakeJobControl[];
  setReady(count: number): void;
  /** What unavailable() answers from now on: why no worker can have the model (null: nothing known against it). */
  setUnavailable(reason: TaskError | null): void;
  /** Resolves once `count` jobs have been run. */
  waitForJobs(count: number): Promise<FakeJobControl[]>;
  /** True once close() ran. */
  closed(): boolean;
}

/** A segment with one token, `i` seconds in. */
export function fakeSegment(i: number, text = ` word${i}`): Segment {
  return { id: i, start: i, end: i + 1, text, noSpeechProb: 0.01, avgLogprob: -0.3, tokens: [{ id: 100 + i, text, p: 0.9, t0: i, t1: i + 1, tDtw: -1, special: false }] };
}

/** A result built from segments. */
export function fakeResult(segments: Segment[], extra: Partial<TranscriptResult> = {}): TranscriptResult {
  return {
    text: segments.map((s) => s.text).join(''), language: 'en', languageProbability: 0.99, duration: 11, model: 'fake',
    segments, timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 }, ...extra,
  };
}

/**
 * Creates a fake engine. 'manual': each job waits for the test to drive it through `jobs[i]`.
 * A script (or a function of the job giving one): each job plays it on timers. Either way cancel()
 * ends the job CANCELLED at once unless `ignoreCancel` is set, as a responsive worker would.
 */
export function createFakeTranscriber(
  mode: 'manual' | FakeScript | ((job: TranscriptionJob) => FakeScript) = {},
  options: { ready?: number; ignoreCancel?: boolean } = {},
): FakeTranscriber {
  let ready = options.ready ?? 1;
  let isClosed = false;
  let unavailableReason: TaskError | null = null;
  const jobs: FakeJobControl[] = [];
  const waiters: Array<() => void> = [];
  const active = new Map<string, FakeJobControl & { end(outcome: JobOutcome): void }>();

  const run = (job: TranscriptionJob) => new Promise<JobOutcome>((resolve) => {
    let ended = false;
    const end = (outcome: JobOutcome) => {
      if (ended) return;
      ended = true;
      active.delete(job.taskId);
      resolve(outcome);
    };
    const produced: Segment[] = [];
    // As the worker does: a task with word timestamps gets each segment with its words.
    const shaped = (segment: Segment) => (job.params.wordTimestamps ? withWords(segment) : segment);
    const control = {
      job, cancelRequested: false, end,
      started: (durationSec = 11) => { if (!ended) job.onStarted?.({ durationSec }); },
      progress: (percent: number) => { if (!ended) job.onProgress?.(percent); },
      segment: (segment: Segment) => {
        if (ended) return;
        produced.push(shaped(segment));
        job.onSegment?.(produced.at(-1)!);
      },
      stage: (stage: 'aligning' | 'diarizing', fraction: number) => { if (!ended) job.onStage?.(stage, fraction); },
      succeed: (result: Partial<TranscriptResult> = {}) => end({ ok: true, result: fakeResult(produced, result) }),
      fail: (error: TaskError) => end({ ok: false, error }),
    };
    active.set(job.taskId, control);
    jobs.push(control);
    for (const wake of waiters.splice(0)) wake();
    if (mode !== 'manual') void play(control, typeof mode === 'function' ? mode(job) : mode);
  });

  const play = async (control: FakeJobControl, script: FakeScript) => {
    const sleep = () => new Promise((r) => setTimeout(r, script.stepMs ?? 5));
    const steps = script.progress ?? [0, 25, 50, 75, 100];
    const segments = script.segments ?? steps.map((_, i) => fakeSegment(i));
    await sleep();
    control.started(script.durationSec ?? 11);
    for (let i = 0; i < steps.length; i++) {
      await sleep();
      control.progress(steps[i]!);
      if (segments[i]) control.segment(segments[i]!);
    }
    await sleep();
    if (script.fail) return control.fail(script.fail);
    const { params } = control.job;
    // The worker's words were made with each segment: it reports `aligning` done as transcription ends.
    if (params.wordTimestamps) control.stage('aligning', 1);
    if (!params.diarize) return control.succeed({ duration: script.durationSec ?? 11 });
    // Plays the worker's speaker stage: diarizing progress, one speaker throughout.
    for (const fraction of [0, 0.5, 1]) control.stage('diarizing', fraction);
    const labelled = segments.slice(0, steps.length).map((seg) => ({ ...(params.wordTimestamps ? withWords(seg) : seg), speaker: 'SPEAKER_00' }));
    const end = labelled.at(-1)?.end ?? 0;
    control.succeed({
      duration: script.durationSec ?? 11, segments: labelled,
      turns: [{ speaker: 'SPEAKER_00', start: 0, end }], speakers: [{ id: 'SPEAKER_00', speakingTime: end }],
    });
  };

  return {
    jobs,
    run,
    cancel(taskId) {
      const control = active.get(taskId);
      if (!control) return false;
      control.cancelRequested = true;
      if (!options.ignoreCancel) control.end({ ok: false, error: taskError('CANCELLED', 'fake: cancelled') });
      return true;
    },
    readyCount: () => (isClosed ? 0 : ready),
    modelInfo: () => (ready > 0 ? { name: 'fake', multilingual: false, type: 'tiny' } : null),
    async close() {
      isClosed = true;
      for (const control of [...active.values()]) control.end({ ok: false, error: taskError('CANCELLED', 'fake: closed') });
    },
    setReady: (count) => void (ready = count),
    unavailable: () => unavailableReason,
    setUnavailable: (reason) => void (unavailableReason = reason),
    async waitForJobs(count) {
      while (jobs.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return jobs;
    },
    closed: () => isClosed,
  };
}
