// The pool with the real worker (src/engine/worker-main.ts), libwhisper and the random-weight tiny.en model:
// only what the fake worker cannot show (worker-pool*.test.ts cover hand-offs, timeouts, two workers and
// load failures): a real transcription forwarded through IPC, a crash inside native code, and a cancel
// heard by whisper.cpp's abort check. Each jfk.wav run costs seconds of CPU (a minute on a loaded 2-core
// machine, hence the long timeout), so the cases share one pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../src/engine/pool/worker-pool.ts';
import type { WorkerPoolOptions } from '../../src/engine/pool/worker-pool-options.ts';
import type { JobOutcome, TranscriptionJob } from '../../src/tasks/types.ts';
import { JFK_WAV, NATIVE_LIB, TINY_EN_RANDOM, requireFile } from '../helpers/paths.ts';

const params = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 } as const;
const codeOf = (outcome: JobOutcome) => (outcome.ok ? 'OK' : outcome.error.code);
const pools: WorkerPool[] = [];
const makePool = (options: Partial<WorkerPoolOptions> = {}) => {
  const pool = createWorkerPool({
    workers: 1, threads: 1, modelPath: TINY_EN_RANDOM, libPath: NATIVE_LIB, taskTimeoutMs: 120_000, ...options,
  });
  pools.push(pool);
  return pool;
};

/** A jfk.wav job that calls `act` (with the worker's pid) a moment after the worker says it started. */
function jfkJob(taskId: string, extra: Partial<TranscriptionJob> & { act?: () => void } = {}): TranscriptionJob {
  const { act, ...rest } = extra;
  return {
    taskId,
    mediaPath: JFK_WAV,
    params: { ...params },
    ...rest,
    onStarted: (info) => {
      rest.onStarted?.(info);
      // Long enough to be inside whisper_full (jfk.wav's encoder pass alone takes seconds).
      if (act) setTimeout(act, 400);
    },
  };
}

beforeAll(() => {
  requireFile(TINY_EN_RANDOM);
  requireFile(NATIVE_LIB);
  requireFile(JFK_WAV, 'it comes from ../shared/audio');
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('createWorkerPool with the real worker', { timeout: 240_000 }, () => {
  let pool: WorkerPool;
  beforeAll(() => {
    // A long grace, so the cancel case sees the worker's own answer, not the pool's fallback kill.
    pool = makePool({ cancelGraceMs: 20_000 });
  });

  it('transcribes jfk.wav with forwarded progress and segments', async () => {
    const progress: number[] = [];
    const segments: number[] = [];
    let started: number | undefined;
    const outcome = await pool.run(jfkJob('jfk', {
      onStarted: ({ durationSec }) => (started = durationSec),
      onProgress: (p) => progress.push(p),
      onSegment: (s) => segments.push(s.id),
    }));
    if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.technicalDetail}`);
    expect(started).toBeCloseTo(11, 0);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(outcome.result.segments.length).toBeGreaterThan(0);
    expect(segments).toEqual(outcome.result.segments.map((s) => s.id));
    for (const s of outcome.result.segments) {
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(11.01);
    }
    expect(pool.readyCount()).toBe(1);
    expect(pool.modelInfo()?.multilingual).toBe(false);
  });

  it('fails a task whose worker gets SIGSEGV inside whisper_full with WORKER_CRASHED and replaces the worker', async () => {
    const [pid] = pool.workerPids();
    const outcome = await pool.run(jfkJob('segv', { act: () => process.kill(pid!, 'SIGSEGV') }));
    expect(codeOf(outcome)).toBe('WORKER_CRASHED');
    expect(outcome.ok ? '' : outcome.error.technicalDetail).toContain('killed by SIGSEGV');
    while (pool.readyCount() === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.workerPids()).not.toContain(pid);
  });

  it('stops a running task on cancel through the worker (no kill), and the worker survives', async () => {
    const [pid] = pool.workerPids();
    let cancelledAt = 0;
    const outcome = await pool.run(jfkJob('cancel-me', {
      act: () => {
        cancelledAt = performance.now();
        expect(pool.cancel('cancel-me')).toBe(true);
      },
    }));
    expect(codeOf(outcome)).toBe('CANCELLED');
    // Not the pool's fallback kill after cancelGraceMs (20 s): the worker heard the cancel itself (whisper.cpp
    // polls its abort flag once per pass), which is what a clock bound here would only approximate.
    expect(outcome.ok ? '' : outcome.error.technicalDetail).not.toContain('was killed');
    expect(cancelledAt).toBeGreaterThan(0);
    expect(pool.workerPids()).toEqual([pid]);
  });
});
