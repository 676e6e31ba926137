import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskError } from '../../src/contract/task-error.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';
import { input, serviceRig, until, type ServiceRig } from './service-fixtures.ts';

describe('queued tasks while no worker can have the model', () => {
  let h: DatabaseHandle;
  let rig: ServiceRig | undefined;
  beforeEach(async () => { h = await memoryDatabase(); });
  afterEach(async () => {
    await rig?.service.stop(0);
    await h.close();
  });

  it('stay queued, say what they wait for, and run once the model loads', async () => {
    let reason: TaskError | null = taskError('MODEL_UNAVAILABLE', 'model file not found: /models/ggml-x.bin');
    const engine = Object.assign(createFakeTranscriber('manual', { ready: 0 }), { unavailable: () => reason });
    rig = serviceRig(h, { engine });
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const message = async () => {
      const snap = await rig!.service.snapshot(id);
      return snap?.kind === 'progress' ? snap.event.message : '';
    };
    await until(async () => /Waiting for the speech model/.test((await message())));
    expect((await message())).not.toContain('/models/'); // clients read it: no server paths
    expect((await rig.store.get(id))?.status).toBe('queued');

    reason = null;
    engine.setReady(1);
    const [job] = await engine.waitForJobs(1);
    job!.succeed();
    await until(async () => (await rig!.store.get(id))?.status === 'completed');
  });
});
