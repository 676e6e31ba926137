import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../src/engine/worker-pool.ts';
import { createEventBus } from '../../src/events/event-bus.ts';
import { createAppMetrics } from '../../src/metrics/app-metrics.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { ROOT } from '../helpers/paths.ts';

const FAKE = path.join(ROOT, 'test/helpers/fake-worker.ts');
const params = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 } as const;

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('worker restarts in /metrics', () => {
  it('counts a worker that crashed on a task and was replaced', async () => {
    pool = createWorkerPool({ workers: 1, threads: 1, modelPath: 'fake.bin', taskTimeoutMs: 30_000, entry: FAKE });
    const metrics = createAppMetrics({
      bus: createEventBus<TaskEventMap>(), tasks: { list: () => ({ items: [], total: 0 }) }, sockets: () => 0,
      workersReady: () => pool!.readyCount(), onWorkerRestart: (l) => pool!.onWorkerRestart(l),
    });
    const outcome = await pool.run({ taskId: 't1', mediaPath: 'segv', params: { ...params } });
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('WORKER_CRASHED');
    const text = await metrics.render();
    expect(text).toContain('whisper_worker_restarts_total{reason="exited"} 1');
    // The replacement works.
    const next = await pool.run({ taskId: 't2', mediaPath: 'ok', params: { ...params } });
    expect(next.ok).toBe(true);
    metrics.close();
  });
});
