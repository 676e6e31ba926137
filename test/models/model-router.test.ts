import { describe, expect, it } from 'vitest';
import type { ModelCatalog, ServedModel } from '../../src/models/model-catalog.ts';
import { createModelCatalog } from '../../src/models/model-catalog.ts';
import { createModelRouter, type ModelPool } from '../../src/models/model-router.ts';
import type { JobOutcome, TranscriptionJob } from '../../src/tasks/types.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import { fakeResult } from '../helpers/fake-transcriber.ts';
import { TINY_EN_RANDOM, TINY_RANDOM } from '../helpers/paths.ts';

const PARAMS: TaskParams = { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 };
const model = (id: string, bytes: number): ServedModel => ({ id, path: `/models/ggml-${id}.bin`, bytes, multilingual: true });

function catalogOf(...models: ServedModel[]): ModelCatalog {
  return { defaultModel: models[0]!, models, resolve: (name) => (name === undefined || name === '' ? models[0] : models.find((m) => m.id === name)) };
}

/** Fake pools: each job waits until the test finishes it; the log says what happened, in order. */
function fakePools() {
  const log: string[] = [];
  const running = new Map<string, { model: string; finish(): void }>();
  const createPool = (served: ServedModel): ModelPool => {
    log.push(`load ${served.id}`);
    return {
      run: (job: TranscriptionJob) => new Promise<JobOutcome>((resolve) => {
        log.push(`run ${job.taskId} on ${served.id}`);
        running.set(job.taskId, { model: served.id, finish: () => resolve({ ok: true, result: fakeResult([], { model: served.id }) }) });
      }),
      cancel: () => false,
      readyCount: () => 1,
      modelInfo: () => ({ name: served.id, multilingual: true, type: 'tiny' }),
      close: async () => void log.push(`unload ${served.id}`),
    };
  };
  const finish = (taskId: string) => {
    running.get(taskId)!.finish();
    running.delete(taskId);
  };
  return { log, running, createPool, finish };
}

const job = (taskId: string, modelId?: string): TranscriptionJob => ({ taskId, mediaPath: '/x.wav', params: modelId ? { ...PARAMS, model: modelId } : PARAMS });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createModelRouter', () => {
  it('runs each job on its model, loading a model once, and evicts the least recently used idle model to stay within the budget', async () => {
    const pools = fakePools();
    const router = createModelRouter({ catalog: catalogOf(model('base', 100), model('small', 300), model('medium', 400), model('tiny', 100)), createPool: pools.createPool, workers: 1, budgetBytes: 500 });
    expect(pools.log).toEqual(['load base']);
    const a = router.run(job('t1', 'small'));
    const b = router.run(job('t2', 'small'));
    const c = router.run(job('t3'));
    await tick();
    expect(pools.log).toEqual(['load base', 'load small', 'run t1 on small', 'run t2 on small', 'run t3 on base']);
    for (const id of ['t1', 't2', 't3']) pools.finish(id);
    expect((await a).ok && (await c).ok).toBe(true);
    expect((await b) as JobOutcome).toMatchObject({ ok: true, result: { model: 'small' } });

    const tiny = router.run(job('t4', 'tiny')); // 300 + 100 fit in 500: nothing is evicted
    await tick();
    pools.finish('t4');
    await tiny;
    expect(router.loadedModels()).toEqual(['base', 'small', 'tiny']);
    // 400 more needs 300 freed: small was used longer ago than tiny, so small goes, and that is enough.
    const medium = router.run(job('t5', 'medium'));
    await tick();
    expect(pools.log.slice(-3)).toEqual(['unload small', 'load medium', 'run t5 on medium']);
    expect(router.loadedModels()).toEqual(['base', 'tiny', 'medium']);
    pools.finish('t5');
    await medium;
    await router.close();
  });

  it('makes a job wait while the budget is held by a busy model, then loses no job when that model is evicted with jobs queued for it', async () => {
    const pools = fakePools();
    const router = createModelRouter({ catalog: catalogOf(model('base', 100), model('small', 300), model('medium', 400)), createPool: pools.createPool, workers: 1, budgetBytes: 500 });
    const first = router.run(job('s1', 'small'));
    await tick();
    const waiting = router.run(job('m1', 'medium'));
    await tick();
    expect(pools.log).toEqual(['load base', 'load small', 'run s1 on small']); // medium waits: small is busy
    pools.finish('s1');
    await first;
    await tick();
    expect(pools.log.slice(-3)).toEqual(['unload small', 'load medium', 'run m1 on medium']);
    // A job for the evicted model comes next: it waits for medium, then small is loaded again.
    const again = router.run(job('s2', 'small'));
    await tick();
    pools.finish('m1');
    await waiting;
    await tick();
    expect(pools.log.slice(-3)).toEqual(['unload medium', 'load small', 'run s2 on small']);
    pools.finish('s2');
    expect(await again).toMatchObject({ ok: true, result: { model: 'small' } });
    await router.close();
  });

  it('cancels a job still waiting for room, and fails a job for a model no longer served', async () => {
    const pools = fakePools();
    const router = createModelRouter({ catalog: catalogOf(model('base', 100), model('small', 300), model('medium', 400)), createPool: pools.createPool, workers: 1, budgetBytes: 500 });
    const busy = router.run(job('s1', 'small'));
    await tick();
    const waiting = router.run(job('m1', 'medium'));
    await tick();
    expect(router.cancel('m1')).toBe(true);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(router.cancel('nobody')).toBe(false);
    expect(await router.run(job('x', 'large-v3'))).toMatchObject({ ok: false, error: { code: 'MODEL_UNAVAILABLE' } });
    pools.finish('s1');
    await busy;
    expect(pools.log).not.toContain('load medium');
    await router.close();
  });

  it('keeps a cancel that comes while a job is on its way to its pool (the task service waits for its end)', async () => {
    const pools = fakePools();
    const router = createModelRouter({ catalog: catalogOf(model('base', 100)), createPool: pools.createPool, workers: 1, budgetBytes: 0 });
    const outcome = router.run(job('t1'));
    expect(router.cancel('t1')).toBe(true);
    expect(await outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(pools.log).toEqual(['load base']);
    await router.close();
  });
});

describe('createModelCatalog', () => {
  it('lists WHISPER_MODEL first, then WHISPER_MODELS, by short name, with whisper-1 and file names resolving', () => {
    const catalog = createModelCatalog({ WHISPER_MODEL: TINY_EN_RANDOM, WHISPER_MODELS: [TINY_RANDOM, 'ggml-tiny.en-random.bin', 'base'], MODELS_DIR: '/nowhere' });
    expect(catalog.models.map((m) => [m.id, m.multilingual])).toEqual([['tiny.en-random', false], ['tiny-random', true], ['base', true]]);
    expect(catalog.models[0]!.bytes).toBeGreaterThan(1_000_000);
    expect(catalog.models[2]!.bytes).toBeNull();
    expect(catalog.resolve('whisper-1')).toBe(catalog.defaultModel);
    expect(catalog.resolve(undefined)).toBe(catalog.defaultModel);
    expect(catalog.resolve('ggml-tiny-random.bin')?.id).toBe('tiny-random');
    expect(catalog.resolve('large-v3')).toBeUndefined();
  });
});
