import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { buildTestApp } from './fake-test-app.ts';

const wav = readFileSync(JFK_WAV);

async function post(t: ReturnType<typeof buildTestApp>, fields: Record<string, string>) {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  const res = await t.app.request('/tasks', { method: 'POST', body });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('vad=true without the VAD model', () => {
  it('is refused at submission with 422 VAD_UNAVAILABLE naming the download command', async () => {
    const t = buildTestApp({}, { canVad: false });
    const refused = await post(t, { vad: 'true' });
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('VAD_UNAVAILABLE');
    expect(refused.json.error.message).toContain('npm run models:download -- silero-v6.2.0');
    expect(t.tasks.records.size).toBe(0);
    // Without vad the same server still takes the file.
    expect((await post(t, { vad: 'false' })).status).toBe(202);
  });

  it('is accepted when the VAD model is there', async () => {
    const t = buildTestApp({}, { canVad: true });
    const accepted = await post(t, { vad: 'true' });
    expect(accepted.status).toBe(202);
    expect((await t.tasks.get(accepted.json.identifier))!.params.vad).toBe(true);
  });
});
