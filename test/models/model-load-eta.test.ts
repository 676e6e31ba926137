// Queue place and ETA count a model load (issue 12): the router measures how long a load takes and
// estimates the next from the model's size; the scheduler adds each model's load once, to the first
// task that needs it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import type { ModelCatalog, ServedModel } from '../../src/models/model-catalog.ts';
import { createModelRouter, type ModelPool } from '../../src/models/model-router.ts';
import type { JobOutcome } from '../../src/tasks/types.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { input, serviceRig, until, type ServiceRig } from '../tasks/service-fixtures.ts';

const PARAMS: TaskParams = { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 };
const model = (id: string, bytes: number | null): ServedModel => ({ id, path: `/models/ggml-${id}.bin`, bytes, multilingual: true });

describe('model load in the ETA', () => {
  it('measures a load and estimates the next from the model size, counting down while it loads', async () => {
    let now = 1_000_000;
    const loaded = new Set<string>();
    const models = [model('base', 100), model('small', 400), model('odd', null)];
    const catalog: ModelCatalog = { defaultModel: models[0]!, models, resolve: (n) => (n === undefined || n === '' ? models[0] : models.find((m) => m.id === n)) };
    const createPool = (served: ServedModel): ModelPool => ({
      run: () => new Promise<JobOutcome>(() => {}),
      cancel: () => false,
      readyCount: () => (loaded.has(served.id) ? 1 : 0),
      modelInfo: () => (loaded.has(served.id) ? { name: served.id, multilingual: true, type: 'tiny' } : null),
      close: async () => {},
    });
    const router = createModelRouter({ catalog, createPool, workers: 1, budgetBytes: 0, clock: () => now, loadPollMs: 2 });
    try {
      // Nothing measured yet: unknown, not zero.
      expect(router.loadSeconds('small')).toBeNull();
      now += 2_000; // the default (100 bytes) takes 2 s
      loaded.add('base');
      await until(async () => router.loadSeconds(undefined) === 0);
      expect(router.loadSeconds('small')).toBeCloseTo(8, 6); // 400 bytes at 20 ms a byte
      expect(router.loadSeconds('odd')).toBeNull(); // its file is missing: no size to go by
      expect(router.loadSeconds('nope')).toBeNull();
      void router.run({ taskId: 't1', mediaPath: '/x.wav', params: { ...PARAMS, model: 'small' } });
      await until(async () => router.loadedModels().includes('small'));
      now += 3_000;
      expect(router.loadSeconds('small')).toBeCloseTo(5, 6);
      now += 6_000; // slower than the estimate: never below zero
      expect(router.loadSeconds('small')).toBe(0);
      loaded.add('small');
      await until(async () => router.loadSeconds('small') === 0 && router.loadSeconds(undefined) === 0);
    } finally {
      await router.close();
    }
  });

  describe('in the queue', () => {
    let h: DatabaseHandle;
    let rig: ServiceRig;
    beforeEach(async () => { h = await memoryDatabase(); });
    afterEach(async () => {
      await rig?.service.stop(0);
      h.close();
    });

    it('adds each unloaded model once, to the first task that needs it and so to every task behind it', async () => {
      const loads: Record<string, number> = {};
      const engine = Object.assign(createFakeTranscriber('manual'), { loadSeconds: (m: string | undefined) => (m ? loads[m] ?? 0 : 0) });
      rig = serviceRig(h, { engine });
      await rig.service.start();
      await rig.service.submit(input('running'));
      await engine.waitForJobs(1);
      const ids = [
        (await rig.service.submit(input('small-1', { model: 'small' }))).id,
        (await rig.service.submit(input('small-2', { model: 'small' }))).id,
        (await rig.service.submit(input('default'))).id,
        (await rig.service.submit(input('medium', { model: 'medium' }))).id,
      ];
      const etas = () => Promise.all(ids.map(async (id) => (await rig.service.queueInfo(id))!.etaSeconds!));
      const without = await etas();
      loads.small = 30;
      loads.medium = 45;
      const withLoads = await etas();
      const added = withLoads.map((eta, i) => eta - without[i]!);
      [30, 30, 30, 75].forEach((expected, i) => expect(added[i]).toBeCloseTo(expected, 0));
      expect(await Promise.all(ids.map(async (id) => (await rig.service.queueInfo(id))!.position))).toEqual([1, 2, 3, 4]);
    });
  });
});
