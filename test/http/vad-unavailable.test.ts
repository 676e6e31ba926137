import { describe, expect, it } from 'vitest';
import { buildTestApp, wavForm, type TestApp } from './test-app.ts';

async function post(t: TestApp, fields: Record<string, string>) {
  const res = await t.app.request('/tasks', { method: 'POST', body: wavForm(fields) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('vad=true without the VAD model', () => {
  it('is refused at submission with 422 VAD_UNAVAILABLE naming the download command', async () => {
    const t = await buildTestApp({}, { canVad: false });
    const refused = await post(t, { vad: 'true' });
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('VAD_UNAVAILABLE');
    expect(refused.json.error.message).toContain('npm run models:download -- silero-v6.2.0');
    expect(await t.taskCount()).toBe(0);
    // Without vad the same server still takes the file.
    expect((await post(t, { vad: 'false' })).status).toBe(202);
  });

  it('is accepted when the VAD model is there', async () => {
    const t = await buildTestApp({}, { canVad: true });
    const accepted = await post(t, { vad: 'true' });
    expect(accepted.status).toBe(202);
    expect((await t.tasks.get(accepted.json.identifier))!.params.vad).toBe(true);
  });
});
