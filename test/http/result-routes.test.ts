import { describe, expect, it } from 'vitest';
import type { TranscriptResult } from '../../src/contract/transcript.ts';
import { buildTestApp } from './test-app.ts';

const result: TranscriptResult = {
  text: ' Hello there. General Kenobi.',
  language: 'en',
  languageProbability: 0.98,
  duration: 4,
  model: 'tiny.en',
  segments: [
    {
      id: 0, start: 0, end: 1.5, text: ' Hello there.', noSpeechProb: 0.01, avgLogprob: -0.2, tokens: [],
      words: [{ word: ' Hello', start: 0, end: 0.7, probability: 0.9 }, { word: ' there.', start: 0.7, end: 1.5, probability: 0.8 }],
    },
    { id: 1, start: 1.5, end: 4, text: ' General Kenobi.', noSpeechProb: 0.02, avgLogprob: -0.3, tokens: [] },
  ],
  timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 },
};

/** A task submitted as `meeting notes.mp3` (WAV inside) whose job ends with `result`. */
async function setup() {
  const t = await buildTestApp();
  const id = await t.submit({ word_timestamps: 'true' }, { name: 'meeting notes.mp3' });
  (await t.jobOf(id)).succeed(result);
  await t.settled(id, 'completed');
  const get = (query: string) => t.app.request(`/tasks/${id}/result${query}`);
  return { t, id, get };
}

describe('GET /tasks/:id/result', () => {
  it('does serve every format with its content type', async () => {
    const { get } = await setup();
    const expected: Record<string, string> = {
      json: 'application/json; charset=utf-8',
      verbose_json: 'application/json; charset=utf-8',
      text: 'text/plain; charset=utf-8',
      srt: 'application/x-subrip; charset=utf-8',
      vtt: 'text/vtt; charset=utf-8',
      tsv: 'text/tab-separated-values; charset=utf-8',
    };
    for (const [format, type] of Object.entries(expected)) {
      const res = await get(`?format=${format}`);
      expect(res.status, format).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toBeNull();
    }
    expect(await (await get('?format=srt')).text()).toBe(
      '1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n00:00:01,500 --> 00:00:04,000\nGeneral Kenobi.\n',
    );
    expect(await (await get('?format=tsv')).text()).toBe('start\tend\ttext\n0\t1500\tHello there.\n1500\t4000\tGeneral Kenobi.\n');
  });

  it('does default to json with words and language', async () => {
    const json = (await (await (await setup()).get('')).json()) as Record<string, any>;
    expect(json).toMatchObject({ language: 'en', duration: 4, model: 'tiny.en' });
    expect(json.segments[0].words).toHaveLength(2);
  });

  it('does give verbose_json the OpenAI shape with words when the transcript has them', async () => {
    const json = (await (await (await setup()).get('?format=verbose_json')).json()) as Record<string, any>;
    expect(json).toMatchObject({ task: 'transcribe', language: 'english', duration: 4, text: 'Hello there. General Kenobi.' });
    expect(json.segments).toHaveLength(2);
    expect(json.words).toEqual([{ word: 'Hello', start: 0, end: 0.7 }, { word: 'there.', start: 0.7, end: 1.5 }]);
  });

  it('does name the file for download=1', async () => {
    const res = await (await setup()).get('?format=vtt&download=1');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="meeting notes.vtt"; filename*=UTF-8''meeting%20notes.vtt`);
  });

  it('does re-flow subtitles with max_line_chars and max_lines', async () => {
    const body = await (await (await setup()).get('?format=vtt&max_line_chars=10&max_lines=1')).text();
    expect(body).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:00.700\nHello\n\n00:00:00.700 --> 00:00:01.500\nthere.\n\n' +
        '00:00:01.500 --> 00:00:02.750\nGeneral\n\n00:00:02.750 --> 00:00:04.000\nKenobi.\n',
    );
  });

  it('does answer 400 for an unknown format, option or bad option value', async () => {
    const { get } = await setup();
    for (const query of ['?format=docx', '?colour=red', '?format=srt&max_line_chars=0', '?download=maybe']) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/INVALID_FIELD|UNKNOWN_FIELD/);
    }
  });

  it('does answer 409 TASK_NOT_COMPLETED while the task runs, and 404 for an unknown task', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    (await t.jobOf(id)).started(11);
    const row = await t.settled(id, 'processing');
    const res = await t.app.request(`/tasks/${id}/result?format=srt`);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'TASK_NOT_COMPLETED', details: { status: 'processing', progress_percentage: row.percentage } } });
    expect(row.percentage).toBeGreaterThanOrEqual(10); // transcribing: past the queue's 0
    expect((await t.app.request('/tasks/nope/result')).status).toBe(404);
  });
});
