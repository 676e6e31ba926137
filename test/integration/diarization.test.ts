// Speaker diarization end to end: a real server, the worker pool with the random tiny.en model, the
// real pyannote segmentation model and the stand-in embedding model from ../shared/models. The
// random model's text is nonsense, so these tests check the speaker side: turns, labels, formats.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { TranscriptionDiarized } from 'openai/resources/audio/transcriptions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDialogue, speakerAccuracy } from '../helpers/dialogue.ts';
import { SHARED_MODELS } from '../helpers/paths.ts';
import { startService, tempDataDir, type TestService } from '../helpers/start-service.ts';
import { connect } from '../ws/mini-server.ts';

type Json = Record<string, any>;
const SLOW = 240_000;
const SEGMENTATION = path.join(SHARED_MODELS, 'pyannote-segmentation-3.0.int8.onnx');
const STUB_EMBEDDING = path.join(SHARED_MODELS, 'stub-speaker-embedding.onnx');
const servers: TestService[] = [];

async function serve(env: Record<string, string>): Promise<TestService> {
  const t = await startService({ env: { DIARIZATION_SEGMENTATION_MODEL: SEGMENTATION, DIARIZATION_EMBEDDING_MODEL: STUB_EMBEDDING, ...env } });
  servers.push(t);
  const deadline = Date.now() + 90_000;
  while ((await fetch(`${t.url}/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the worker never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return t;
}
afterAll(async () => {
  for (const t of servers) await t.close();
});

async function submit(t: TestService, wav: string, fields: Record<string, string>): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(readFileSync(wav))]), 'dialogue.wav');
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return fetch(`${t.url}/tasks`, { method: 'POST', body });
}
async function finished(t: TestService, id: string): Promise<Json> {
  for (;;) {
    const task = (await (await fetch(`${t.url}/tasks/${id}`)).json()) as Json;
    if (['completed', 'failed', 'cancelled'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('diarization through the server', () => {
  let t: TestService;
  const dialogue = makeDialogue([0, 1, 0, 1]);
  beforeAll(async () => {
    t = await serve({});
  }, 120_000);

  it('says in /health/ready that diarization is available', async () => {
    expect(((await (await fetch(`${t.url}/health/ready`)).json()) as Json).diarization).toEqual({ available: true });
  });

  it('refuses bad speaker bounds with 400 naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ num_speakers: '0' }, 'num_speakers'], [{ num_speakers: '21' }, 'num_speakers'], [{ max_speakers: 'many' }, 'max_speakers'],
      [{ min_speakers: '3', max_speakers: '2' }, 'min_speakers'], [{ num_speakers: '5', max_speakers: '3' }, 'num_speakers'],
    ];
    for (const [fields, field] of cases) {
      const res = await submit(t, dialogue.wav, { diarize: 'true', ...fields });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Json;
      expect(body.error.code).toBe('INVALID_FIELD');
      expect(body.error.message).toContain(field);
    }
  });

  it('labels a two-voice dialogue: turns, speakers, segment and word labels, every format, progress through diarizing', async () => {
    const res = await submit(t, dialogue.wav, { diarize: 'true', word_timestamps: 'true' });
    expect(res.status).toBe(202);
    const { identifier: id } = (await res.json()) as Json;
    const socket = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    const task = await finished(t, id);
    expect(task.status).toBe('completed');
    const { result } = task;
    expect(result.speakers.map((s: Json) => s.id)).toEqual(['SPEAKER_00', 'SPEAKER_01']);
    expect(result.speakers.every((s: Json) => s.speaking_time > 2)).toBe(true);
    expect(speakerAccuracy(dialogue.turns, result.turns)).toBeGreaterThanOrEqual(0.9);
    for (const segment of result.segments) {
      expect(segment.speaker).toMatch(/^SPEAKER_0[01]$/);
      for (const word of segment.words ?? []) expect(word.speaker).toBe(segment.speaker); // split where the voice changes
    }
    expect(result.timings.diarize_ms).toBeGreaterThan(0);

    await socket.next((f) => f.stage === 'complete', 0, 30_000);
    const progress = socket.frames.filter((f) => f.type === 'progress').map((f) => `${f.stage}:${f.percentage}`);
    expect(progress).toContain('diarizing:60');
    expect(progress).toContain('diarizing:80');
    expect(progress.indexOf('aligning:40')).toBeLessThan(progress.indexOf('diarizing:60'));
    socket.ws.close();

    const text = async (format: string) => (await fetch(`${t.url}/tasks/${id}/result?format=${format}`)).text();
    const labelled = result.segments.filter((s: Json) => s.text.trim() !== '');
    if (labelled.length > 0) {
      expect(await text('srt')).toMatch(/^\[SPEAKER_0[01]\] /m);
      expect(await text('vtt')).toMatch(/^<v SPEAKER_0[01]>/m);
      expect((await text('tsv')).split('\n')[0]).toBe('start\tend\ttext\tspeaker');
      expect(await text('text')).toMatch(/^\[SPEAKER_0[01]\] /);
    }
    const verbose = JSON.parse(await text('verbose_json')) as Json;
    expect(verbose.segments.every((s: Json) => /^SPEAKER_0[01]$/.test(s.speaker))).toBe(true);
  }, SLOW);

  it('answers diarized_json to the official openai SDK', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: SLOW });
    // The SDK types the answer by response_format only for some models; the wire shape is what counts.
    const out = (await client.audio.transcriptions.create({
      file: await toFile(readFileSync(dialogue.wav), 'dialogue.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      response_format: 'diarized_json',
    })) as unknown as TranscriptionDiarized;
    expect(out.task).toBe('transcribe');
    expect(out.duration).toBeCloseTo(dialogue.seconds, 0);
    for (const segment of out.segments) {
      expect(segment.type).toBe('transcript.text.segment');
      expect(segment.speaker).toMatch(/^SPEAKER_0[01]$/);
      expect(segment.end).toBeGreaterThanOrEqual(segment.start);
    }
  }, SLOW);
});

describe('diarization failures', () => {
  it('fails only the task when the embedding model is corrupt (the worker aborts), and the server goes on', async () => {
    const dir = tempDataDir();
    const corrupt = path.join(dir, 'my-embedding.onnx'); // not a known name: no checksum to catch it before loading
    writeFileSync(corrupt, Buffer.alloc(4096, 7));
    const t = await serve({ DIARIZATION_EMBEDDING_MODEL: corrupt });
    const short = makeDialogue([0, 1]);
    const res = await submit(t, short.wav, { diarize: 'true' });
    const failed = await finished(t, ((await res.json()) as Json).identifier);
    expect(failed.status).toBe('failed');
    expect(failed.error.error_code, JSON.stringify(failed.error)).toBe('DIARIZATION_FAILED');
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    const plain = await finished(t, ((await (await submit(t, short.wav, {})).json()) as Json).identifier);
    expect(plain.status).toBe('completed');
  }, SLOW);

  it('keeps 422 DIARIZATION_UNAVAILABLE, naming the download command, while the models are missing', async () => {
    const t = await serve({ DIARIZATION_SEGMENTATION_MODEL: 'nowhere.onnx' });
    const res = await submit(t, makeDialogue([0, 1]).wav, { diarize: 'true' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe('DIARIZATION_UNAVAILABLE');
    expect(body.error.message).toContain('npm run models:download -- diarization');
    expect(((await (await fetch(`${t.url}/health/ready`)).json()) as Json).diarization.available).toBe(false);
  }, SLOW);
});
