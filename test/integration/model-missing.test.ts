// Issue 10: with no model file, a real server (real worker pool) must refuse work at once with 503, not queue it for ever.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';

const wav = readFileSync(JFK_WAV);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(url: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
  const res = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Record<string, any> };
}

describe('a server whose model file is missing', () => {
  let server: TestService | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers 503 MODEL_UNAVAILABLE with Retry-After and the download command once its worker failed to load', async () => {
    server = await startService({ env: { WHISPER_MODEL: 'base.en' }, overrides: { pool: { restartBackoffMs: { initial: 60_000, max: 60_000 } } } });
    // The worker reports the missing file within seconds; until then submissions are accepted (it might load).
    let res = await post(`${server.url}/tasks`);
    for (let i = 0; res.status === 202 && i < 100; i++) {
      await sleep(200);
      res = await post(`${server.url}/tasks`);
    }
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('MODEL_UNAVAILABLE');
    expect(res.json.error.message).toContain('npm run models:download -- base.en');
    expect(Number(res.retryAfter)).toBeGreaterThan(0);
    const openAi = await post(`${server.url}/v1/audio/transcriptions`);
    expect(openAi.status).toBe(503);
    expect(openAi.json.error.code).toBe('MODEL_UNAVAILABLE');
  }, 60_000);
});
