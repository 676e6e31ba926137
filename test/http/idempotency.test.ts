import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const WAV = readFileSync(JFK_WAV);

function form(fields: Record<string, string> = {}, bytes: Uint8Array<ArrayBuffer> = WAV): FormData {
  const body = new FormData();
  body.append('file', new Blob([bytes], { type: 'audio/wav' }), 'jfk.wav');
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

const post = (server: TestService, key: string | null, body: FormData, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/tasks`, { method: 'POST', body, headers: { ...(key === null ? {} : { 'Idempotency-Key': key }), ...headers } });
const total = async (server: TestService, headers: Record<string, string> = {}) =>
  ((await (await fetch(`${server.url}/tasks?limit=100`, { headers })).json()) as { total: number }).total;
const uploads = (server: TestService) => readdirSync(path.join(server.dataDir, 'uploads')).length;
const idOf = async (response: Response) => ((await response.json()) as { identifier: string }).identifier;

describe('Idempotency-Key', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = async (env: Record<string, string> = {}) => {
    const server = await startService({ engine: createFakeTranscriber('manual'), env });
    cleanups.push(() => server.close());
    return server;
  };

  it('answers a repeated request with the task the first one made, and keeps one upload', async () => {
    const server = await start();
    const first = await post(server, 'order-1', form({ language: 'en' }));
    expect(first.status).toBe(202);
    const firstBody = (await first.json()) as { identifier: string };
    const again = await post(server, '"order-1"', form({ language: 'en' })); // the IETF draft's quoted form is the same key
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(await total(server)).toBe(1);
    expect(uploads(server)).toBe(1);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Without the header every request is a new task.
    await post(server, null, form());
    expect(await total(server)).toBe(2);
  });

  it('refuses the same key with a different file or different options (422), and a malformed key (400)', async () => {
    const server = await start();
    const id = await idOf(await post(server, 'k-1', form({ language: 'en' })));
    const otherBytes = new Uint8Array(WAV);
    otherBytes[otherBytes.length - 1]! ^= 0xff;
    for (const body of [form({ language: 'en' }, otherBytes), form({ language: 'en', temperature: '0.2' }), form()]) {
      const response = await post(server, 'k-1', body);
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as { error: { code: string; message: string; details: { task_id: string } } };
      expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { task_id: id } });
      expect(error.message).toMatch(/different request/);
    }
    const bad = await post(server, 'spaces are not allowed', form());
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    expect(await total(server)).toBe(1);
    expect(uploads(server)).toBe(1);
  });

  it('creates exactly one task for concurrent duplicates', async () => {
    const server = await start();
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(server, 'burst', form())));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
    const ids = new Set(await Promise.all(responses.map(idOf)));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await total(server)).toBe(1);
    expect(uploads(server)).toBe(1);
  });

  it('gives a client whose connection dropped before it read the answer the same task when it retries', async () => {
    const server = await start();
    const request = new Request(`${server.url}/tasks`, { method: 'POST', body: form() });
    const body = Buffer.from(await request.arrayBuffer());
    const { port } = new URL(server.url);
    // The answer's headers arrive, then the client's socket is destroyed: the answer is lost to it.
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/tasks', method: 'POST', headers: {
        'content-type': request.headers.get('content-type')!, 'content-length': String(body.length), 'idempotency-key': 'retry-me',
      } }, (res) => {
        res.socket.destroy();
        resolve();
      });
      req.on('error', reject);
      req.end(body);
    });
    await expect.poll(() => total(server), { timeout: 10_000 }).toBe(1);
    const retry = await post(server, 'retry-me', form());
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await total(server)).toBe(1);
  });

  it('scopes keys to the API key', async () => {
    const server = await start({ API_KEYS: `${KEY_A},${KEY_B}` });
    const a = await post(server, 'shared', form(), { Authorization: `Bearer ${KEY_A}` });
    const b = await post(server, 'shared', form(), { Authorization: `Bearer ${KEY_B}` });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await idOf(a)).not.toBe(await idOf(b));
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(await total(server, { Authorization: `Bearer ${KEY_A}` })).toBe(1);
  });

  it('answers a repeated URL submission without downloading the URL again', async () => {
    let downloads = 0;
    const media = http.createServer((_req, res) => {
      downloads++;
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(WAV.length) }).end(WAV);
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => media.close(() => resolve())));
    const server = await start({ URL_FETCH_ALLOW_HOSTS: '127.0.0.1' });
    const json = (url: string) => fetch(`${server.url}/tasks`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'by-url' }, body: JSON.stringify({ url, language: 'en' }),
    });
    const url = `http://127.0.0.1:${(media.address() as AddressInfo).port}/talk.wav`;
    const first = await idOf(await json(url));
    const second = await json(url);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await idOf(second)).toBe(first);
    expect(downloads).toBe(1);
    expect((await json(`${url}?other`)).status).toBe(422);
  });

  it('runs one task for repeated /v1/audio/transcriptions calls with the same key', async () => {
    const engine = createFakeTranscriber({ stepMs: 2 });
    const server = await startService({ engine });
    cleanups.push(() => server.close());
    const call = () => {
      const body = form({ model: 'whisper-1' });
      return fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body, headers: { 'Idempotency-Key': 'openai-1' } });
    };
    const first = await call();
    expect(first.status).toBe(200);
    const second = await call();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-task-id')).toBe(first.headers.get('x-task-id'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(engine.jobs).toHaveLength(1);
  });
});
