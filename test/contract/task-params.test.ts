import { describe, expect, it } from 'vitest';
import { DEFAULT_TASK_PARAMS, modelProblem, speakerBoundsProblem, withDefaults } from '../../src/contract/task-params.ts';

const ENGLISH_ONLY = { name: 'ggml-base.en.bin', type: 'base', multilingual: false };

describe('task params rules', () => {
  it('fill what a client left out with the defaults and drop an empty prompt', () => {
    expect(withDefaults({})).toEqual(DEFAULT_TASK_PARAMS);
    expect(withDefaults({ language: 'de', numSpeakers: 2, initialPrompt: '' })).toEqual({ ...DEFAULT_TASK_PARAMS, language: 'de', numSpeakers: 2 });
  });

  it('refuse speaker counts that leave no possible count, naming the field', () => {
    expect(speakerBoundsProblem({ minSpeakers: 2, maxSpeakers: 4, numSpeakers: 3 })).toBeNull();
    expect(speakerBoundsProblem({ minSpeakers: 5, maxSpeakers: 4 })).toMatchObject({ code: 'INVALID_FIELD', field: 'min_speakers' });
    expect(speakerBoundsProblem({ numSpeakers: 1, minSpeakers: 2 })).toMatchObject({ field: 'num_speakers', message: expect.stringContaining('less than min_speakers') });
    expect(speakerBoundsProblem({ numSpeakers: 6, maxSpeakers: 4 })).toMatchObject({ field: 'num_speakers', message: expect.stringContaining('greater than max_speakers') });
  });

  it('refuse another language or translation on an English-only model, and nothing while no model is known', () => {
    expect(modelProblem({ language: 'de', task: 'transcribe' }, ENGLISH_ONLY)).toMatchObject({ code: 'LANGUAGE_UNSUPPORTED', message: expect.stringContaining('"de"') });
    expect(modelProblem({ language: 'en', task: 'translate' }, ENGLISH_ONLY)).toMatchObject({ code: 'LANGUAGE_UNSUPPORTED', message: expect.stringContaining('cannot translate') });
    expect(modelProblem({ language: 'auto', task: 'transcribe' }, ENGLISH_ONLY)).toBeNull();
    expect(modelProblem({ language: 'de', task: 'translate' }, { ...ENGLISH_ONLY, multilingual: true })).toBeNull();
    expect(modelProblem({ language: 'de', task: 'translate' }, null)).toBeNull();
  });
});
