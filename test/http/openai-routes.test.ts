import { readFileSync } from 'node:fs';
import OpenAI, { APIError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSrt } from '../../src/formats/srt.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TranscriptResult } from '../../src/contract/transcript.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { serveFetch, type Listening } from '../helpers/start-service.ts';
import { createFakeTranscriber, type FakeJobControl } from '../helpers/fake-transcriber.ts';
import { buildTestApp } from './test-app.ts';

const RESULT: TranscriptResult = {
  text: ' And so my fellow Americans, ask not.',
  language: 'en',
  languageProbability: null,
  duration: 11,
  model: 'tiny.en',
  segments: [
    {
      id: 0, start: 0, end: 3.2, text: ' And so my fellow Americans,', noSpeechProb: 0.02, avgLogprob: -0.3,
      tokens: [{ id: 400, text: ' And', p: 0.9, t0: 0, t1: 0.5, tDtw: -1, special: false }],
      words: [
        { word: ' And', start: 0, end: 0.5, probability: 0.9 }, { word: ' so', start: 0.5, end: 0.9, probability: 0.9 },
        { word: ' my', start: 0.9, end: 1.3, probability: 0.9 }, { word: ' fellow', start: 1.3, end: 2, probability: 0.9 },
        { word: ' Americans,', start: 2, end: 3.2, probability: 0.9 },
      ],
    },
    {
      id: 1, start: 3.2, end: 5, text: ' ask not.', noSpeechProb: 0.01, avgLogprob: -0.2, tokens: [],
      words: [{ word: ' ask', start: 3.2, end: 4, probability: 0.8 }, { word: ' not.', start: 4, end: 5, probability: 0.7 }],
    },
  ],
  timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 },
};

// The fake engine plays the worker: progress, segments one by one, then the result (or a failure).
const engine = createFakeTranscriber('manual');
const run = engine.run;
engine.run = (job) => {
  const outcome = run(job);
  setTimeout(() => void play(engine.jobs.at(-1)!), 10);
  return outcome;
};
async function play(job: FakeJobControl) {
  job.started(11);
  job.progress(10);
  if ((await t.tasks.get(job.job.taskId))?.fileName === 'broken.wav') return job.fail(taskError('AUDIO_DECODE_FAILED', 'bad frames'));
  for (const segment of RESULT.segments) job.segment(segment);
  job.succeed(RESULT);
}

const t = await buildTestApp({ WHISPER_MODEL: 'tiny.en' }, { engine });
let server: Listening;
let baseURL: string;
let client: OpenAI;
const wav = readFileSync(JFK_WAV);
const file = (name = 'jfk.wav') => toFile(wav, name, { type: 'audio/wav' });

beforeAll(async () => {
  server = await serveFetch(t.app.fetch);
  baseURL = `${server.url}/v1`;
  client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('OpenAI-compatible routes (official SDK)', () => {
  it('does answer json with the text', async () => {
    const out = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1' });
    expect(out.text).toBe('And so my fellow Americans, ask not.');
  });

  it('does answer verbose_json with word and segment granularities, asking the task for word timestamps', async () => {
    const all = async () => (await t.tasks.list({ limit: 1000, offset: 0 })).items;
    const before = new Set((await all()).map((r) => r.id));
    const out = await client.audio.transcriptions.create({
      file: await file(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'], temperature: 0.2,
    });
    expect(out).toMatchObject({ language: 'english', duration: 11, text: 'And so my fellow Americans, ask not.' });
    expect(out.segments?.map((s) => [s.id, s.start, s.end, s.text, s.temperature])).toEqual([
      [0, 0, 3.2, ' And so my fellow Americans,', 0.2],
      [1, 3.2, 5, ' ask not.', 0.2],
    ]);
    expect(out.segments?.[0]?.tokens).toEqual([400]);
    expect(out.words?.map((w) => w.word)).toEqual(['And', 'so', 'my', 'fellow', 'Americans,', 'ask', 'not.']);
    expect(out.words?.[6]).toEqual({ word: 'not.', start: 4, end: 5 });
    const created = (await all()).filter((r) => !before.has(r.id));
    expect(created).toHaveLength(1);
    expect(created[0]!.params).toMatchObject({ wordTimestamps: true, temperature: 0.2, task: 'transcribe' });
    expect(created[0]!.status).toBe('completed');
  });

  it('does answer srt as text', async () => {
    const out = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'srt' });
    expect(out).toBe(renderSrt(RESULT));
  });

  it('does stream transcript.text.delta events per segment, then transcript.text.done', async () => {
    const stream = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', stream: true });
    const events: { type: string; delta?: string; text?: string }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    expect(events.map((e) => e.type)).toEqual(['transcript.text.delta', 'transcript.text.delta', 'transcript.text.done']);
    expect(events.slice(0, 2).map((e) => e.delta).join('')).toBe(events[2]!.text);
    expect(events[2]!.text).toBe('And so my fellow Americans, ask not.');
  });

  it('does list the served models, whisper-1 (the default) first', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['whisper-1', 'tiny.en']);
    expect((await client.models.retrieve('tiny.en')).id).toBe('tiny.en');
  });

  it('does reject translation on an English-only model in the OpenAI envelope', async () => {
    const error = await client.audio.translations.create({ file: await file(), model: 'whisper-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(422);
    expect((error as APIError).code).toBe('LANGUAGE_UNSUPPORTED');
    expect((error as APIError).type).toBe('invalid_request_error');
  });

  it('does report a failed transcription with its code', async () => {
    const error = (await client.audio.transcriptions.create({ file: await file('broken.wav'), model: 'whisper-1' }).catch((e: unknown) => e)) as APIError;
    expect([error.status, error.code]).toEqual([400, 'AUDIO_DECODE_FAILED']);
  });
});

describe('OpenAI-compatible routes (raw HTTP)', () => {
  const post = (fields: Record<string, string>, withFile = true) => {
    const body = new FormData();
    if (withFile) body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    return fetch(`${baseURL}/audio/transcriptions`, { method: 'POST', body });
  };

  it('does answer text and vtt with their content types', async () => {
    const text = await post({ model: 'whisper-1', response_format: 'text' });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toBe('And so my fellow Americans, ask not.\n');
    const vtt = await post({ model: 'whisper-1', response_format: 'vtt' });
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect((await vtt.text()).startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:03.200\nAnd so my fellow Americans,\n')).toBe(true);
  });

  it('does put validation errors in the envelope with the offending param', async () => {
    const cases: [Record<string, string>, boolean, number, string, string | null][] = [
      [{ response_format: 'docx' }, true, 400, 'INVALID_FIELD', 'response_format'],
      [{ prompt: 'p'.repeat(2000) }, true, 400, 'INVALID_FIELD', 'prompt'],
      [{ 'timestamp_granularities[]': 'word' }, true, 400, 'INVALID_FIELD', 'timestamp_granularities[]'],
      [{ voice: 'x' }, true, 400, 'UNKNOWN_FIELD', null],
      [{ model: 'whisper-1' }, false, 400, 'FILE_REQUIRED', 'file'],
    ];
    for (const [fields, withFile, status, code, param] of cases) {
      const res = await post(fields, withFile);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect([res.status, body.error.code, body.error.param], JSON.stringify(fields)).toEqual([status, code, param]);
      expect(body.error.type).toBe('invalid_request_error');
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('does answer unknown /v1 paths in the envelope', async () => {
    const res = await fetch(`${baseURL}/audio/speech`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
