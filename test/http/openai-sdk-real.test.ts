// The official OpenAI SDK against a whole server: worker pool, random-weight tiny.en model, real
// queue. The model's words are noise, so the checks are about shape, invariants and agreement with
// the task the request became, never about the text itself.
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longWav } from '../helpers/fixtures.ts';
import { startService, type TestService } from '../helpers/start-service.ts';

let t: TestService;
let client: OpenAI;
const audio = () => toFile(readFileSync(longWav(3)), 'tone.wav', { type: 'audio/wav' });
const SLOW = 180_000;

beforeAll(async () => {
  t = await startService();
  const deadline = Date.now() + 90_000;
  while ((await fetch(`${t.url}/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the worker never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: SLOW });
}, 120_000);
afterAll(async () => t?.close());

async function taskOf(response: Response) {
  const id = response.headers.get('x-task-id');
  expect(id).toBeTruthy();
  const task = (await (await fetch(`${t.url}/tasks/${id}`)).json()) as Record<string, any>;
  return { id: id!, task };
}

describe('OpenAI SDK against a real server', () => {
  it('does transcribe as json through the task queue', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1' }).withResponse();
    const { id, task } = await taskOf(response);
    expect(task).toMatchObject({ status: 'completed', progress_percentage: 100, progress_stage: 'complete' });
    const stored = (await (await fetch(`${t.url}/tasks/${id}/result?format=json`)).json()) as { text: string };
    expect(data.text).toBe(stored.text.trim());
  }, SLOW);

  it('does return verbose_json with words and segments that keep their guarantees', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await audio(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] })
      .withResponse();
    const { task } = await taskOf(response);
    expect(task.params.word_timestamps).toBe(true);
    expect(data.language).toBe('english');
    expect(data.duration).toBeCloseTo(3, 1);
    expect(Array.isArray(data.segments) && Array.isArray(data.words)).toBe(true);
    let previous = 0;
    for (const w of data.words!) {
      expect(w.start).toBeGreaterThanOrEqual(previous);
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      const home = data.segments!.find((s) => w.start >= s.start && w.end <= s.end);
      expect(home, JSON.stringify(w)).toBeDefined();
      previous = w.end;
    }
  }, SLOW);

  it('does return srt equal to the task result in srt', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'srt' }).withResponse();
    const { id } = await taskOf(response);
    expect(data).toBe(await (await fetch(`${t.url}/tasks/${id}/result?format=srt`)).text());
  }, SLOW);

  it('does stream deltas that add up to the done text', async () => {
    const stream = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', stream: true });
    const events: { type: string; delta?: string; text?: string }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    const done = events.at(-1)!;
    expect(done.type).toBe('transcript.text.done');
    expect(events.slice(0, -1).every((e) => e.type === 'transcript.text.delta')).toBe(true);
    expect(events.slice(0, -1).map((e) => e.delta).join('').trim()).toBe(done.text);
  }, SLOW);
});
