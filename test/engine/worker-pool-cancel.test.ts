// The one cancel path, end to end in process: the task service over a worker pool of fake workers.
// The pool's grace is the only timer between a cancel and its outcome: a worker that answers ends the
// task at once and is kept; one that does not is SIGKILLed after the grace and replaced, and cancel()
// itself answers with the task cancelled (no shorter timer of the service's answers `processing` first).
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import type { WorkerPool } from '../../src/engine/pool/worker-pool.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';
import { useFakePools } from '../helpers/fake-pool.ts';
import { input, serviceRig, until, type ServiceRig } from '../tasks/service-fixtures.ts';

const makePool = useFakePools();

describe('cancel of a running task through the worker pool', () => {
  let h: DatabaseHandle | undefined;
  let rig: ServiceRig | undefined;
  afterEach(async () => {
    await rig?.service.stop(0);
    await h?.close();
    rig = undefined;
    h = undefined;
  });

  /** A service on one fake worker, with one task running `command` (see test/helpers/fake-worker.ts). */
  const running = async (pool: WorkerPool, command: string) => {
    h = await memoryDatabase();
    rig = serviceRig(h, { transcriber: pool });
    await rig.service.start();
    // No duration known at submission: the 11 s the fake worker announces shows the job is on it.
    const task = await rig.service.submit({ ...input(command, {}, null), mediaPath: `/fake/${command}` });
    await until(async () => (await rig!.store.get(task.id))?.mediaDuration === 11, 30_000);
    return task.id;
  };

  it('ends the task cancelled as soon as the worker answers, and keeps the worker', async () => {
    const pool = makePool({ cancelGraceMs: 30_000 });
    const id = await running(pool, 'hang');
    const [pid] = pool.workerPids();
    const after = await rig!.service.cancel(id);
    expect(after).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED', technicalDetail: 'fake: aborted' } });
    expect(pool.workerPids()).toEqual([pid]);
  });

  it('kills a worker that ignores the cancel after the one grace period, replaces it, and answers cancelled', async () => {
    // Longer than the 1.5 s the service used to wait on its own before answering `processing`.
    const pool = makePool({ cancelGraceMs: 2500 });
    const id = await running(pool, 'deaf');
    const [pid] = pool.workerPids();
    const after = await rig!.service.cancel(id);
    expect(after).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(after?.error?.technicalDetail).toContain('did not stop within 2500 ms and was killed');
    await until(() => pool.readyCount() === 1 && pool.workerPids()[0] !== pid, 30_000);
    // The replacement takes the next task.
    const next = await rig!.service.submit({ ...input('ok'), mediaPath: '/fake/ok' });
    await until(async () => (await rig!.store.get(next.id))?.status === 'completed', 30_000);
  });
});
