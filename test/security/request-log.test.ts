import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loggableQuery } from '../../src/http/middleware/request-log.ts';
import { createLogger } from '../../src/logger.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { connect, startMiniServer } from '../ws/mini-server.ts';

const KEY = 'very-secret-key-0123456789';
const OTHER = 'wrong-but-secret-9876543210';

/** A real pino logger (the server's, with its redaction) writing into memory, behind a real HTTP server. */
async function startLogged(env: Record<string, string>) {
  const chunks: string[] = [];
  const logger = createLogger({ LOG_LEVEL: 'debug' }, { write: (s: string) => void chunks.push(s) });
  const t = await startMiniServer(env, { logger });
  return {
    ...t,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>),
  };
}

let running: Awaited<ReturnType<typeof startLogged>> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('request log', () => {
  it('logs one JSON line per request with its id, method, path, status and duration, and returns the id', async () => {
    const s = (running = await startLogged({}));
    const res = await fetch(`${s.url}/tasks?limit=5`, { headers: { 'X-Request-Id': 'client-id-42' } });
    expect(res.headers.get('x-request-id')).toBe('client-id-42');
    const minted = await fetch(`${s.url}/tasks/nope`, { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    const mintedId = minted.headers.get('x-request-id')!;
    expect(mintedId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = s.lines().filter((l) => l.msg === 'request');
    expect(lines.find((l) => l.reqId === 'client-id-42')).toMatchObject({ method: 'GET', path: '/tasks', query: 'limit=5', status: 200, level: 'info' });
    expect(lines.find((l) => l.reqId === mintedId)).toMatchObject({ path: '/tasks/nope', status: 404 });
    expect(typeof lines[0]!.durationMs).toBe('number');
  });

  it('redacts secret query parameters and keeps the rest', () => {
    expect(loggableQuery('/ws/tasks/1?token=abc&x=1')).toBe('token=[redacted]&x=1');
    expect(loggableQuery('/p?TOKEN=abc')).toBe('TOKEN=[redacted]');
    expect(loggableQuery('/p')).toBeUndefined();
  });

  it('never writes a key to the log, whatever path the key takes', async () => {
    const s = (running = await startLogged({ API_KEYS: KEY, LOG_LEVEL: 'debug' }));
    const auth = { Authorization: `Bearer ${KEY}` };
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(readFileSync(JFK_WAV))]), 'jfk.wav');
    const created = (await (await fetch(`${s.url}/tasks`, { method: 'POST', body, headers: auth })).json()) as { identifier: string };
    await fetch(`${s.url}/tasks/${created.identifier}`, { headers: auth });
    await fetch(`${s.url}/tasks`, { headers: { Authorization: `Bearer ${OTHER}` } });
    await fetch(`${s.url}/tasks?token=${OTHER}`);
    await fetch(`${s.url}/v1/models`, { headers: { Authorization: `Bearer ${OTHER}` } });
    await fetch(`${s.url}/metrics?api_key=${KEY}`, { headers: auth });
    const ws = await connect(`${s.url.replace('http', 'ws')}/ws/tasks/${created.identifier}?token=${KEY}`);
    await ws.next((f) => f.type === 'progress');
    ws.ws.close();
    await expect(connect(`${s.url.replace('http', 'ws')}/ws/tasks/${created.identifier}?token=${OTHER}`)).rejects.toThrow(/401/);
    // Something that logs a request's headers in full is redacted by the logger itself.
    (s.service.logger as ReturnType<typeof createLogger>).warn({ headers: { authorization: `Bearer ${KEY}` } }, 'headers dump');

    const text = s.text();
    expect(s.lines().filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(8);
    expect(text).toContain('token=[redacted]');
    for (const secret of [KEY, OTHER, 'Bearer']) expect(text).not.toContain(secret);
  });
});
