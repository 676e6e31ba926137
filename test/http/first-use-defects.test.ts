// Defects a new user met (issue 13), checked through the app in-process: UTF-8 file names,
// 405 for wrong methods, malformed URLs, links that ignore the Host header, no server internals in errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { taskError } from '../../src/tasks/errors.ts';
import { publicDetail } from '../../src/contract/public-detail.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { buildTestApp, type TestApp } from './test-app.ts';

const wav = readFileSync(JFK_WAV);
type T = TestApp;

async function upload(t: T, name: string, headers: Record<string, string> = {}) {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(wav)]), name);
  const res = await t.app.request('/tasks', { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const UPLOAD_DETAIL = 'ffmpeg failed (exit 1): ffmpeg version 5.1.6 Copyright (c) 2000-2024\n  built with gcc 12\n'
  + '[mov,mp4,m4a @ 0x55d1c0a2] moov atom not found\n/srv/data/uploads/6f1c2b9e-1111-2222-3333-444455556666/media.mp4: Invalid data found when processing input';

describe('non-ASCII file names', () => {
  it('keeps a UTF-8 name end to end: the task, the list and the download header', async () => {
    const t = await buildTestApp();
    const name = 'Réunion équipe 会议.wav';
    const created = await upload(t, name);
    expect(created.status).toBe(202);
    expect(created.json.file_name).toBe(name);
    const id = created.json.identifier as string;
    expect(((await (await t.app.request(`/tasks/${id}`)).json()) as any).file_name).toBe(name);
    expect(((await (await t.app.request('/tasks')).json()) as any).items[0].file_name).toBe(name);
    (await t.jobOf(id)).succeed();
    await t.settled(id, 'completed');
    const res = await t.app.request(`/tasks/${id}/result?format=srt&download=1`);
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('Réunion équipe 会议.srt')}`);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.srt"/);
    const media = await t.app.request(`/tasks/${id}/media`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(name)}`);
  });
});

describe('wrong methods', () => {
  it('answers 405 with Allow instead of 404', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    for (const [method, path, allow] of [
      ['PUT', `/tasks/${id}`, 'GET, DELETE, HEAD'],
      ['PATCH', `/tasks/${id}`, 'GET, DELETE, HEAD'],
      ['GET', `/tasks/${id}/cancel`, 'POST'],
      ['DELETE', '/tasks', 'GET, POST, HEAD'],
      ['POST', `/tasks/${id}/result`, 'GET, HEAD'],
    ] as const) {
      const res = await t.app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(((await res.json()) as any).error.code).toBe('METHOD_NOT_ALLOWED');
    }
    // The right methods and unknown paths are untouched.
    expect((await t.app.request(`/tasks/${id}`)).status).toBe(200);
    expect((await t.app.request('/nothing-here', { method: 'PUT' })).status).toBe(404);
  });
});

describe('URL submissions', () => {
  it('answers a malformed URL with 400 INVALID_URL, and a forbidden one still with 403', async () => {
    const t = await buildTestApp();
    const post = async (url: string) => {
      const res = await t.app.request('/tasks', { method: 'POST', body: JSON.stringify({ url }), headers: { 'Content-Type': 'application/json' } });
      return { status: res.status, code: ((await res.json()) as any).error.code };
    };
    expect(await post('not a url')).toEqual({ status: 400, code: 'INVALID_URL' });
    expect(await post('http://')).toEqual({ status: 400, code: 'INVALID_URL' });
    expect(await post('file:///etc/passwd')).toEqual({ status: 403, code: 'URL_FORBIDDEN' });
  });
});

describe('links', () => {
  it('are relative by default, whatever Host the client sends', async () => {
    const t = await buildTestApp();
    const { json } = await upload(t, 'a.wav', { Host: 'evil.example' });
    expect(json.links).toEqual({
      self: `/tasks/${json.identifier}`, progress: `/tasks/${json.identifier}/progress`,
      websocket: `/ws/tasks/${json.identifier}`, result: `/tasks/${json.identifier}/result`,
    });
    const listed = (await (await t.app.request('/tasks', { headers: { Host: 'evil.example' } })).json()) as any;
    expect(listed.items[0].links.self).toBe(`/tasks/${json.identifier}`);
  });

  it('start with PUBLIC_URL when it is set, and with the forwarded origin only behind a trusted proxy', async () => {
    const pub = await buildTestApp({ PUBLIC_URL: 'https://stt.example.org/base/' });
    const { json } = await upload(pub, 'a.wav', { Host: 'evil.example' });
    expect(json.links.self).toBe(`https://stt.example.org/base/tasks/${json.identifier}`);
    expect(json.links.websocket).toBe(`wss://stt.example.org/base/ws/tasks/${json.identifier}`);
    const proxied = await buildTestApp({ TRUST_PROXY: 'true' });
    const behind = await upload(proxied, 'a.wav', { 'X-Forwarded-Host': 'stt.lan', 'X-Forwarded-Proto': 'https' });
    expect(behind.json.links.progress).toBe(`https://stt.lan/tasks/${behind.json.identifier}/progress`);
    const untrusted = await upload(await buildTestApp(), 'a.wav', { 'X-Forwarded-Host': 'evil.example' });
    expect(untrusted.json.links.self).toBe(`/tasks/${untrusted.json.identifier}`);
  });

  it('refuses a PUBLIC_URL that is not an http(s) URL at start-up', async () => {
    await expect(buildTestApp({ PUBLIC_URL: 'stt.example.org' })).rejects.toThrow(/PUBLIC_URL/);
  });
});

describe('server internals in errors', () => {
  it('shows the client file name and a short cause for a refused upload, and logs the whole probe output', async () => {
    const t = await buildTestApp({}, { probeMedia: async (file) => { throw new Error(UPLOAD_DETAIL.replace('/srv/data/uploads/6f1c2b9e-1111-2222-3333-444455556666/media.mp4', file)); } });
    const { status, json } = await upload(t, 'Vidéo.mp4');
    expect(status).toBe(415);
    const shown = JSON.stringify(json);
    expect(shown).not.toContain('/uploads/');
    expect(shown).not.toContain(t.config.DATA_DIR);
    expect(shown).not.toContain('built with');
    expect(json.error.details.reason).toContain('"Vidéo.mp4": Invalid data found when processing input');
    const logged = t.logger.lines.find((l) => l.level === 'warn' && JSON.stringify(l.args).includes('built with gcc'));
    expect(logged).toBeDefined();
  });

  it('trims a failed task\'s technical detail in the task, polling and socket views', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    (await t.jobOf(id)).fail(taskError('AUDIO_DECODE_FAILED', UPLOAD_DETAIL));
    await t.settled(id, 'failed');
    for (const path of [`/tasks/${id}`, `/tasks/${id}/progress`]) {
      const detail = ((await (await t.app.request(path)).json()) as any).error.technical_detail as string;
      expect(detail).not.toContain('/uploads/');
      expect(detail).not.toContain('0x55d1c0a2');
      expect(detail).toContain('Invalid data found when processing input');
    }
    expect(publicDetail('cannot read /srv/data/models/x.bin: ENOENT')).toBe('cannot read <path>: ENOENT');
    expect(publicDetail('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });
});

describe('OpenAI route options that cannot be honoured', () => {
  async function transcribe(t: T, fields: Record<string, string>) {
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
    body.append('model', 'whisper-1');
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    const res = await t.app.request('/v1/audio/transcriptions', { method: 'POST', body });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  it('refuses include[]=logprobs and stream=true with srt in OpenAI\'s envelope instead of ignoring them', async () => {
    const t = await buildTestApp();
    const logprobs = await transcribe(t, { 'include[]': 'logprobs' });
    expect(logprobs.status).toBe(400);
    expect(logprobs.json.error).toMatchObject({ type: 'invalid_request_error', param: 'include[]', message: expect.stringContaining('logprobs') });
    const srt = await transcribe(t, { stream: 'true', response_format: 'srt' });
    expect(srt.status).toBe(400);
    expect(srt.json.error).toMatchObject({ type: 'invalid_request_error', param: 'stream' });
    expect(await t.taskCount()).toBe(0);
  });
});
