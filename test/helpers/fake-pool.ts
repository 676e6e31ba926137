// The worker pool over test/helpers/fake-worker.ts: the pool's own logic (hand-off to loading workers,
// cancel, crashes, restarts) in seconds, without native code.
import path from 'node:path';
import { afterEach } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../src/engine/pool/worker-pool.ts';
import type { WorkerPoolOptions } from '../../src/engine/pool/worker-pool-options.ts';
import type { JobOutcome, TranscriptionJob } from '../../src/tasks/types.ts';
import { ROOT } from './paths.ts';

/** The stand-in worker entry. */
export const FAKE_WORKER = path.join(ROOT, 'test/helpers/fake-worker.ts');

const params = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 } as const;

/** A job for the fake worker: `command` (ok, slow:<ms>, segv, hang, …; see fake-worker.ts) goes in mediaPath. */
export function fakeJob(taskId: string, command: string, extra: Partial<TranscriptionJob> = {}): TranscriptionJob {
  return { taskId, mediaPath: command, params: { ...params }, ...extra };
}

/** The fake worker's answer `done <command> by <pid>`, or `failed <code>`. */
export const textOf = (outcome: JobOutcome) => (outcome.ok ? outcome.result.text : `failed ${outcome.error.code}`);

/** The pid of the worker that ran a successful job. */
export const pidOf = (outcome: JobOutcome) => (outcome.ok ? outcome.result.text.split(' by ')[1] : undefined);

/** For a test file: makes one-worker pools over the fake worker (options override), closed after each test. */
export function useFakePools(): (options?: Partial<WorkerPoolOptions>) => WorkerPool {
  const pools: WorkerPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  return (options = {}) => {
    const pool = createWorkerPool({ workers: 1, threads: 1, modelPath: 'fake.bin', taskTimeoutMs: 30_000, entry: FAKE_WORKER, ...options });
    pools.push(pool);
    return pool;
  };
}
