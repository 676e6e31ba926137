import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import type { MediaInfo } from '../../src/http/intake/media-check.ts';
import { buildTestApp, type TestApp } from './test-app.ts';

const wav = readFileSync(JFK_WAV);

function form(fields: Record<string, string>, file: Buffer | null = wav, name = 'jfk.wav') {
  const body = new FormData();
  if (file) body.append('file', new Blob([new Uint8Array(file)]), name);
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return body;
}

async function post(t: TestApp, body: FormData | string, headers: Record<string, string> = {}) {
  const res = await t.app.request('/tasks', { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, any>, headers: res.headers };
}

const uploads = (t: TestApp) => {
  const dir = path.join(t.config.DATA_DIR, 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('POST /tasks', () => {
  it('answers 202 with the identifier and links only after the row exists', async () => {
    const t = await buildTestApp();
    const { status, json } = await post(t, form({ language: 'en', word_timestamps: 'false', temperature: '0.2' }));
    expect(status).toBe(202);
    expect(json).toMatchObject({ status: 'queued', file_name: 'jfk.wav' });
    const record = (await t.tasks.get(json.identifier))!;
    expect(record).toBeDefined();
    expect(record.params).toMatchObject({ language: 'en', wordTimestamps: false, temperature: 0.2, task: 'transcribe' });
    expect(readFileSync(record.mediaPath!).equals(wav)).toBe(true);
    expect(json.links.websocket).toBe(`/ws/tasks/${json.identifier}`);
    expect(json.links.progress).toBe(`/tasks/${json.identifier}/progress`);
    expect(record.mediaDuration).toBeCloseTo(11, 0);
  });

  it('refuses diarize with 422 when no diarizer is wired in, and accepts it when one is', async () => {
    const without = await buildTestApp();
    const refused = await post(without, form({ diarize: 'true' }));
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('DIARIZATION_UNAVAILABLE');
    expect(uploads(without)).toEqual([]);
    const withDiarizer = await buildTestApp({}, { canDiarize: true });
    const accepted = await post(withDiarizer, form({ diarize: 'true', min_speakers: '1', max_speakers: '2' }));
    expect(accepted.status).toBe(202);
    expect((await withDiarizer.tasks.get(accepted.json.identifier))!.params).toMatchObject({ diarize: true, minSpeakers: 1, maxSpeakers: 2 });
    const exact = await post(withDiarizer, form({ diarize: 'true', num_speakers: '3' }));
    expect((await withDiarizer.tasks.get(exact.json.identifier))!.params).toMatchObject({ diarize: true, numSpeakers: 3 });
  });

  it('never uses the client file name as a path', async () => {
    const t = await buildTestApp();
    const { status, json } = await post(t, form({}, wav, '../..\\etc/pa:ss*wd.wav'));
    expect(status).toBe(202);
    expect(json.file_name).toBe('passwd.wav');
    const record = (await t.tasks.get(json.identifier))!;
    expect(path.dirname(path.dirname(record.mediaPath!))).toBe(path.join(t.config.DATA_DIR, 'uploads'));
    expect(path.basename(record.mediaPath!)).toBe('media.wav');
  });

  it.each([
    [{ colour: 'blue' }, 400, 'UNKNOWN_FIELD', 'colour'],
    [{ vad: 'maybe' }, 400, 'INVALID_FIELD', 'vad'],
    [{ task: 'summarize' }, 400, 'INVALID_FIELD', 'task'],
    [{ min_speakers: 'two' }, 400, 'INVALID_FIELD', 'min_speakers'],
    [{ max_speakers: '21' }, 400, 'INVALID_FIELD', 'max_speakers'],
    [{ temperature: '1.5' }, 400, 'INVALID_FIELD', 'temperature'],
    [{ language: 'english' }, 400, 'INVALID_FIELD', 'language'],
    [{ initial_prompt: 'x'.repeat(1001) }, 400, 'INVALID_FIELD', 'initial_prompt'],
    [{ min_speakers: '3', max_speakers: '2' }, 400, 'INVALID_FIELD', 'min_speakers'],
    [{ num_speakers: '0' }, 400, 'INVALID_FIELD', 'num_speakers'],
    [{ num_speakers: '2', min_speakers: '3' }, 400, 'INVALID_FIELD', 'num_speakers'],
    [{ language: 'de' }, 422, 'LANGUAGE_UNSUPPORTED', 'English-only'],
  ])('rejects fields %j with %i %s and a sentence naming the problem', async (fields, status, code, mention) => {
    const t = await buildTestApp();
    const res = await post(t, form(fields));
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toContain(mention);
    expect(await t.taskCount()).toBe(0);
    expect(uploads(t)).toEqual([]);
  });

  it('rejects a missing file, an empty file and a non-media file, leaving nothing behind', async () => {
    // What ffprobe says of text (WAV files are read without it): unit tests run on threads, which may not spawn it.
    const probed: string[] = [];
    const notMedia: MediaInfo = { hasAudio: false, durationSec: null, container: null, detail: 'Invalid data found when processing input' };
    const t = await buildTestApp({}, { probeMedia: async (file) => (probed.push(path.basename(file)), notMedia) });
    expect((await post(t, form({ language: 'en' }, null))).json.error.code).toBe('FILE_REQUIRED');
    const empty = await post(t, form({}, Buffer.alloc(0)));
    expect([empty.status, empty.json.error.code]).toEqual([400, 'EMPTY_FILE']);
    // Refused first, before its options are read: an unknown model does not hide that the file is empty.
    expect((await post(t, form({ model: 'no-such-model' }, Buffer.alloc(0)))).json.error.code).toBe('EMPTY_FILE');
    const text = await post(t, form({}, Buffer.from('just some words, not audio\n'.repeat(50)), 'notes.wav'));
    expect([text.status, text.json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA']);
    expect(probed).toEqual(['media.wav']); // the empty file was refused before the probe
    expect(await t.taskCount()).toBe(0);
    expect(uploads(t)).toEqual([]);
  });

  it('refuses a file over MAX_UPLOAD_BYTES with 413 and removes the partial file', async () => {
    const t = await buildTestApp({ MAX_UPLOAD_BYTES: '1000' });
    const res = await post(t, form({}));
    expect([res.status, res.json.error.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
    expect(uploads(t)).toEqual([]);
  });

  it('refuses media longer than MAX_AUDIO_SECONDS', async () => {
    const t = await buildTestApp({ MAX_AUDIO_SECONDS: '5' });
    const res = await post(t, form({}));
    expect([res.status, res.json.error.code]).toEqual([413, 'AUDIO_TOO_LONG']);
    expect(uploads(t)).toEqual([]);
  });

  it('answers a body that is not multipart with 415, not 500', async () => {
    const t = await buildTestApp();
    // JSON is the URL-ingest body (url-ingest.ts); any other non-multipart type is refused.
    const res = await post(t, 'file=x', { 'content-type': 'text/plain' });
    expect([res.status, res.json.error.code]).toEqual([415, 'UNSUPPORTED_CONTENT_TYPE']);
  });

  it('answers a broken multipart body with 400', async () => {
    const t = await buildTestApp();
    const body = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF';
    const res = await post(t, body, { 'content-type': 'multipart/form-data; boundary=XYZ' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('INVALID_MULTIPART');
    expect(uploads(t)).toEqual([]);
  });

  it('rejects a second file', async () => {
    const t = await buildTestApp();
    const body = form({});
    body.append('file', new Blob([new Uint8Array(wav)]), 'b.wav');
    const res = await post(t, body);
    expect(res.status).toBe(400);
    expect(uploads(t)).toEqual([]);
  });
});
