import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import type { MediaInfo } from '../../src/http/intake/media-check.ts';
import { buildTestApp, type TestApp, type TestAppOptions } from './test-app.ts';

const wav = readFileSync(JFK_WAV);
let server: Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/talks/jfk.wav') return res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    if (req.url === '/notes.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('just some text, not audio at all');
    if (req.url === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/slow') return void res.writeHead(200).write('RIFF');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type App = TestApp;
async function post(t: App, body: unknown, contentType = 'application/json') {
  const res = await t.app.request('/tasks', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': contentType } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}
const uploads = (t: App) => {
  const dir = path.join(t.config.DATA_DIR, 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
};
const allowed = (env: Record<string, string> = {}, options: TestAppOptions = {}) => buildTestApp({ URL_FETCH_ALLOW_HOSTS: '127.0.0.1', ...env }, options);

describe('POST /tasks with a JSON {url}', () => {
  it('does fetch the media and queues it like an upload, with the options from the body', async () => {
    const t = await allowed();
    const { status, json } = await post(t, { url: `${base}/talks/jfk.wav`, language: 'en', word_timestamps: false, temperature: 0.2 });
    expect(status).toBe(202);
    expect(json).toMatchObject({ status: 'queued', file_name: 'jfk.wav' });
    const record = (await t.tasks.get(json.identifier))!;
    expect(record.params).toMatchObject({ language: 'en', wordTimestamps: false, temperature: 0.2 });
    expect(path.basename(record.mediaPath!)).toBe('media.wav');
    expect(readFileSync(record.mediaPath!).equals(wav)).toBe(true);
    expect(record.mediaDuration).toBeCloseTo(11, 0);
  });

  it('does refuse a redirect to the metadata address with 403 URL_FORBIDDEN and keeps nothing', async () => {
    const t = await allowed();
    const { status, json } = await post(t, { url: `${base}/to-metadata` });
    expect(status).toBe(403);
    expect(json.error.code).toBe('URL_FORBIDDEN');
    expect(uploads(t)).toEqual([]);
  });

  it('does refuse loopback unless URL_FETCH_ALLOW_HOSTS names it, and other schemes always', async () => {
    const t = await buildTestApp();
    expect((await post(t, { url: `${base}/talks/jfk.wav` })).json.error.code).toBe('URL_FORBIDDEN');
    expect((await post(await allowed(), { url: 'file:///etc/passwd' })).json.error.code).toBe('URL_FORBIDDEN');
  });

  it('does answer 415 UNSUPPORTED_MEDIA for a fetched file that is not media, removing it', async () => {
    // What ffprobe says of text (WAV files are read without it): unit tests run on threads, which may not spawn it.
    const probed: string[] = [];
    const notMedia: MediaInfo = { hasAudio: false, durationSec: null, container: null, detail: 'Invalid data found when processing input' };
    const t = await allowed({}, { probeMedia: async (file) => (probed.push(readFileSync(file, 'utf8')), notMedia) });
    const { status, json } = await post(t, { url: `${base}/notes.txt` });
    expect([status, json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA']);
    expect(probed).toEqual(['just some text, not audio at all']); // the fetched bytes were what was probed
    expect(uploads(t)).toEqual([]);
  });

  it('does answer 413 UPLOAD_TOO_LARGE when the download passes MAX_UPLOAD_BYTES, removing it', async () => {
    const t = await allowed({ MAX_UPLOAD_BYTES: '1000' });
    const { status, json } = await post(t, { url: `${base}/talks/jfk.wav` });
    expect([status, json.error.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
    expect(uploads(t)).toEqual([]);
  });

  it('does answer 504 URL_TIMEOUT when the server stalls past URL_FETCH_TIMEOUT_MS', async () => {
    const t = await allowed({ URL_FETCH_TIMEOUT_MS: '300' });
    const { status, json } = await post(t, { url: `${base}/slow` });
    expect([status, json.error.code]).toEqual([504, 'URL_TIMEOUT']);
    expect(uploads(t)).toEqual([]);
  });

  it('does validate the body before fetching anything', async () => {
    const t = await allowed();
    const before = hits;
    expect((await post(t, '{"url": ')).json.error.code).toBe('INVALID_JSON');
    expect((await post(t, '[1]')).json.error.code).toBe('INVALID_JSON');
    expect((await post(t, {})).json.error.code).toBe('INVALID_FIELD');
    expect((await post(t, { url: `${base}/talks/jfk.wav`, colour: 'red' })).json.error.code).toBe('UNKNOWN_FIELD');
    expect((await post(t, { url: `${base}/talks/jfk.wav`, vad: { on: true } })).json.error.code).toBe('INVALID_FIELD');
    const translate = await post(t, { url: `${base}/talks/jfk.wav`, task: 'translate' });
    expect([translate.status, translate.json.error.code]).toEqual([422, 'LANGUAGE_UNSUPPORTED']);
    expect((await post(t, JSON.stringify({ url: `${base}/x`, initial_prompt: 'a'.repeat(70_000) }))).status).toBe(413);
    expect(hits).toBe(before);
    expect(uploads(t)).toEqual([]);
  });
});
