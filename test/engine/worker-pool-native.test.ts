// The pool with the real worker (src/engine/worker-main.ts), libwhisper and the random-weight tiny.en model.
// Each transcription of jfk.wav costs seconds of CPU (a minute on a loaded 2-core machine, hence the long
// timeout), so the cases share one pool and its runs where they can.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../src/engine/worker-pool.ts';
import type { WorkerPoolOptions } from '../../src/engine/worker-pool-options.ts';
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

  it.each(['SIGKILL', 'SIGSEGV'] as const)('fails a task whose worker gets %s with WORKER_CRASHED and replaces the worker', async (signal) => {
    const [pid] = pool.workerPids();
    const outcome = await pool.run(jfkJob(`kill-${signal}`, { act: () => process.kill(pid!, signal) }));
    expect(codeOf(outcome)).toBe('WORKER_CRASHED');
    expect(outcome.ok ? '' : outcome.error.technicalDetail).toContain(`killed by ${signal}`);
    while (pool.readyCount() === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.workerPids()).not.toContain(pid);
  });

  it('stops a running task on cancel within a few seconds, and the worker survives', async () => {
    const [pid] = pool.workerPids();
    let cancelledAt = 0;
    const outcome = await pool.run(jfkJob('cancel-me', {
      act: () => {
        cancelledAt = performance.now();
        expect(pool.cancel('cancel-me')).toBe(true);
      },
    }));
    const stoppedAfter = performance.now() - cancelledAt;
    expect(codeOf(outcome)).toBe('CANCELLED');
    expect(outcome.ok ? '' : outcome.error.technicalDetail).not.toContain('was killed');
    expect(cancelledAt).toBeGreaterThan(0);
    // whisper.cpp polls the abort callback once per encoder or decoder pass: about a second on an idle
    // machine, several on a loaded one. The bound only catches a cancel that is not heard at all.
    expect(stoppedAfter).toBeLessThan(15_000);
    expect(pool.workerPids()).toEqual([pid]);
  });

  it('runs queued jobs in FIFO order after all that, on the surviving worker', async () => {
    const starts: string[] = [];
    const ids = ['fifo-1', 'fifo-2'];
    const outcomes = await Promise.all(ids.map((id) => pool.run(jfkJob(id, { onStarted: () => starts.push(id) }))));
    expect(outcomes.map(codeOf)).toEqual(['OK', 'OK']);
    expect(starts).toEqual(ids);
  });

  it('fails a task over its time limit with TASK_TIMEOUT', async () => {
    const short = makePool({ taskTimeoutMs: 1500 });
    const outcome = await short.run(jfkJob('too-slow'));
    expect(codeOf(outcome)).toBe('TASK_TIMEOUT');
    await short.close();
  });

  it('runs two jobs at once on two workers', async () => {
    const two = makePool({ workers: 2 });
    const events: string[] = [];
    const run = (id: string) => two.run(jfkJob(id, { onStarted: () => events.push(`start ${id}`) })).then((outcome) => {
      events.push(`end ${id}`);
      return outcome;
    });
    const outcomes = await Promise.all([run('a'), run('b')]);
    expect(outcomes.map(codeOf)).toEqual(['OK', 'OK']);
    expect(events.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    await two.close();
  });

  it('fails fast with MODEL_UNAVAILABLE when the model file is missing', async () => {
    const broken = makePool({ modelPath: `${TINY_EN_RANDOM}.missing` });
    const outcome = await broken.run(jfkJob('no-model'));
    expect(codeOf(outcome)).toBe('MODEL_UNAVAILABLE');
    await broken.close();
  });
});
