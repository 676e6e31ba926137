import { describe, expect, it } from 'vitest';
import type { ModelCatalog, ServedModel } from '../../src/models/model-catalog.ts';
import { createModelRouter, type ModelPool } from '../../src/models/model-router.ts';
import { taskError } from '../../src/tasks/errors.ts';

const model = (id: string): ServedModel => ({ id, path: `/models/ggml-${id}.bin`, bytes: 10, multilingual: true });
const catalogOf = (...models: ServedModel[]): ModelCatalog => ({
  defaultModel: models[0]!, models, resolve: (name) => (name === undefined || name === '' ? models[0] : models.find((m) => m.id === name)),
});

describe('createModelRouter unavailable()', () => {
  it('reports the pool of the model asked for, and nothing for a model with no pool yet', async () => {
    const missing = taskError('MODEL_UNAVAILABLE', 'model file not found');
    const createPool = (served: ServedModel): ModelPool => ({
      run: async () => ({ ok: false, error: missing }), cancel: () => false, readyCount: () => 0, modelInfo: () => null,
      unavailable: () => (served.id === 'base' ? missing : null), close: async () => {},
    });
    const router = createModelRouter({ catalog: catalogOf(model('base'), model('small')), createPool, workers: 1, budgetBytes: 0 });
    expect(router.unavailable()).toEqual(missing);
    expect(router.unavailable('base')).toEqual(missing);
    expect(router.unavailable('small')).toBeNull(); // not started: its first task starts it
    await router.close();
  });
});
