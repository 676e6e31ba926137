import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/event-bus.ts';
import { createAppMetrics } from '../../src/metrics/app-metrics.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { fakeJob, useFakePools } from '../helpers/fake-pool.ts';

const makePool = useFakePools();

describe('worker restarts in /metrics', () => {
  it('counts a worker that crashed on a task and was replaced', async () => {
    const pool = makePool();
    const metrics = createAppMetrics({
      bus: createEventBus<TaskEventMap>(), tasks: { list: async () => ({ items: [], total: 0 }) }, sockets: () => 0,
      workersReady: () => pool.readyCount(), onWorkerRestart: (l) => pool.onWorkerRestart(l),
    });
    const outcome = await pool.run(fakeJob('t1', 'segv'));
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('WORKER_CRASHED');
    const text = await metrics.render();
    expect(text).toContain('whisper_worker_restarts_total{reason="exited"} 1');
    // The replacement works.
    const next = await pool.run(fakeJob('t2', 'ok'));
    expect(next.ok).toBe(true);
    metrics.close();
  });
});
