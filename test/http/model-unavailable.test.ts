import { describe, expect, it } from 'vitest';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskError } from '../../src/contract/task-error.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { buildTestApp, wavForm, type TestApp } from './test-app.ts';

/** The service over an engine with no worker ready, which knows `reason.current` against its model. */
function appWithout(reason: { current: TaskError | null }) {
  const engine = createFakeTranscriber('manual', { ready: 0 });
  engine.setUnavailable(reason.current);
  return buildTestApp({ WHISPER_MODEL: 'base.en' }, { engine });
}

async function post(t: TestApp, route: string) {
  const res = await t.app.request(route, { method: 'POST', body: wavForm() });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Record<string, any> };
}

describe('submissions while no worker can have the model', () => {
  const missing = () => ({ current: taskError('MODEL_UNAVAILABLE', 'model file not found: /data/models/ggml-base.en.bin') as TaskError | null });

  it('POST /tasks answers 503 MODEL_UNAVAILABLE at once with Retry-After and the download command', async () => {
    const t = await appWithout(missing());
    const res = await post(t, '/tasks');
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('MODEL_UNAVAILABLE');
    expect(res.json.error.message).toContain('npm run models:download -- base.en');
    expect(res.json.error.message).not.toContain('/data/models'); // no server paths in answers
    expect(Number(res.retryAfter)).toBeGreaterThan(0);
    expect(await t.taskCount()).toBe(0);
  });

  it('POST /v1/audio/transcriptions answers 503 in OpenAI\'s envelope instead of hanging', async () => {
    const t = await appWithout(missing());
    const res = await post(t, '/v1/audio/transcriptions');
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: 'MODEL_UNAVAILABLE', type: 'server_error' });
    expect(res.json.error.message).toContain('npm run models:download -- base.en');
    expect(Number(res.retryAfter)).toBeGreaterThan(0);
  });

  it('accepts tasks while the model is still loading normally (nothing known against it)', async () => {
    const t = await appWithout({ current: null });
    expect((await post(t, '/tasks')).status).toBe(202);
  });
});
