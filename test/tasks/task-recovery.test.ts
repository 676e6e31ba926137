import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import type { ProgressEvent } from '../../src/tasks/task-events.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';
import { input, nextEvent, recordEvents, serviceRig, until, type ServiceRig } from './service-fixtures.ts';

describe('createTaskService restart recovery', () => {
  let h: DatabaseHandle;
  const rigs: ServiceRig[] = [];
  const rig = (...args: Parameters<typeof serviceRig> extends [unknown, ...infer R] ? R : never) => {
    const r = serviceRig(h, ...args);
    rigs.push(r);
    return r;
  };
  beforeEach(async () => { h = await memoryDatabase(); });
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      await r.service.stop(0);
      expect(r.busErrors).toEqual([]);
    }
    await h.close();
  });

  it('leaves a running task processing on stop and re-queues it on the next start, never moving progress back', async () => {
    const first = rig();
    await first.service.start();
    const { id } = (await first.service.submit(input('a')));
    const waiting = (await first.service.submit(input('b'))).id;
    const [job] = await first.engine.waitForJobs(1);
    job!.progress(50);
    await first.service.stop(0);
    job!.fail({ code: 'CANCELLED', userMessage: 'closed', technicalDetail: 'pool closed' }); // the engine closing after stop
    expect((await first.store.get(id))).toMatchObject({ status: 'processing', attempts: 1, stage: 'transcribing', percentage: 25 });
    expect((await first.store.get(waiting))?.status).toBe('queued');

    const second = rig();
    const events = recordEvents(second.bus);
    await second.service.start();
    expect(second.logger.lines.some((l) => /re-queued/.test(l.message))).toBe(true);
    const [resumed] = await second.engine.waitForJobs(1);
    expect(resumed!.job.taskId).toBe(id);
    expect((await second.store.get(id))).toMatchObject({ status: 'processing', attempts: 2, percentage: 25 });
    resumed!.progress(20);
    resumed!.progress(80);
    resumed!.succeed();
    await until(async () => (await second.store.get(id))?.status === 'completed');
    const mine = events.filter(([n, p]) => n === 'task.progress' && (p as ProgressEvent).taskId === id).map(([, p]) => (p as ProgressEvent).percentage);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
    expect(Math.min(...mine)).toBeGreaterThanOrEqual(25);
    expect(mine).toContain(34);
    const [next] = (await second.engine.waitForJobs(2)).slice(1);
    expect(next!.job.taskId).toBe(waiting);
  });

  it('fails a task with TOO_MANY_ATTEMPTS once it was interrupted MAX_ATTEMPTS times', async () => {
    const first = rig();
    await first.service.start();
    const { id } = (await first.service.submit(input('a')));
    await first.engine.waitForJobs(1);
    await first.service.stop(0);
    for (let attempt = 2; attempt <= 3; attempt++) {
      const again = rig();
      await again.service.start();
      await again.engine.waitForJobs(1);
      expect((await again.store.get(id))?.attempts).toBe(attempt);
      await again.service.stop(0);
    }
    const last = rig();
    const failed = nextEvent(last.bus, 'task.failed');
    await last.service.start();
    expect(await failed).toMatchObject({ taskId: id, status: 'failed', error: { code: 'TOO_MANY_ATTEMPTS' } });
    const row = (await last.store.get(id))!;
    expect(row).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'TOO_MANY_ATTEMPTS' } });
    expect(row.error?.technicalDetail).toMatch(/3 times/);
    await new Promise((r) => setTimeout(r, 20));
    expect(last.engine.jobs).toHaveLength(0);
  });

  it('waits up to the grace period for running tasks to finish before leaving them', async () => {
    const only = rig();
    await only.service.start();
    const { id } = (await only.service.submit(input('a')));
    const [job] = await only.engine.waitForJobs(1);
    const stopping = only.service.stop(2000);
    setTimeout(() => job!.succeed(), 20);
    await stopping;
    expect((await only.store.get(id))?.status).toBe('completed');
  });

  it('keeps tasks submitted before start queued and runs them once started', async () => {
    const only = rig();
    const { id } = (await only.service.submit(input('a')));
    await new Promise((r) => setTimeout(r, 20));
    expect(only.engine.jobs).toHaveLength(0);
    await only.service.start();
    const [job] = await only.engine.waitForJobs(1);
    expect(job!.job.taskId).toBe(id);
  });
});
