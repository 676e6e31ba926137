import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JFK_WAV, TINY_RANDOM } from '../helpers/paths.ts';
import { spawnServerProcess } from '../helpers/test-server.ts';
import { tempDataDir } from '../helpers/start-service.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a model per request, with real workers', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('runs each task on the model it names, evicts within MODEL_MEMORY_BYTES, and loses no task queued for an evicted model', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // A second name for the multilingual model: two extra models of ~78 MB, a budget that holds one.
    const copy = path.join(dataDir, 'ggml-tiny-copy.bin');
    symlinkSync(TINY_RANDOM, copy);
    const server = await spawnServerProcess(dataDir, { WHISPER_MODELS: `${TINY_RANDOM},${copy}`, MODEL_MEMORY_BYTES: '100000000' });
    cleanups.push(() => server.stop());

    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['whisper-1', 'tiny.en-random', 'tiny-random', 'tiny-copy']);

    const submit = async (fields: Record<string, string>) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(JFK_WAV)], { type: 'audio/wav' }), 'jfk.wav');
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      return fetch(`${server.url}/tasks`, { method: 'POST', body: form });
    };
    const unknown = await submit({ model: 'large-v3' });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('MODEL_NOT_FOUND');
    expect(body.error.message).toMatch(/whisper-1, tiny\.en-random, tiny-random, tiny-copy/);
    // The default is English-only; the multilingual one takes German.
    expect((await submit({ language: 'de' })).status).toBe(422);

    // German on the multilingual models: the language check follows the model each task picked.
    const asked: Array<Record<string, string>> = [{ model: 'tiny-random', language: 'de' }, { model: 'tiny-copy', language: 'de' }, { model: 'tiny-random', language: 'de' }, {}];
    const ids: string[] = [];
    for (const fields of asked) {
      const response = await submit(fields);
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { identifier: string }).identifier);
    }
    const results: Array<{ model: string }> = [];
    for (const [index, id] of ids.entries()) {
      for (let status = ''; status !== 'completed'; await sleep(200)) {
        const task = (await (await fetch(`${server.url}/tasks/${id}`)).json()) as { status: string; error: unknown };
        if (task.status === 'failed' || task.status === 'cancelled') throw new Error(`task ${index} (${JSON.stringify(asked[index])}) ended ${task.status}: ${JSON.stringify(task.error)}\n${server.logs.filter((l) => l.msg !== 'request').map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
        status = task.status;
      }
      results.push((await (await fetch(`${server.url}/tasks/${id}/result?format=json`)).json()) as { model: string });
    }
    expect(results.map((r) => r.model)).toEqual(['ggml-tiny-random.bin', 'ggml-tiny-copy.bin', 'ggml-tiny-random.bin', 'ggml-tiny.en-random.bin']);
    const said = server.logs.map((l) => String(l.msg));
    expect(said.filter((m) => m.startsWith('loading model tiny-random'))).toHaveLength(2);
    expect(said).toContain('unloading model tiny-random (least recently used) to stay within MODEL_MEMORY_BYTES');
    expect(said).toContain('unloading model tiny-copy (least recently used) to stay within MODEL_MEMORY_BYTES');
  }, 300_000);
});
