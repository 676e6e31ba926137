import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { expect } from 'vitest';
import { createFakeTranscriber, type FakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';

/** The bytes of a real WAV file, for uploads that should succeed. */
export const WAV = readFileSync(JFK_WAV);

/** A server with a fake engine and tasks that fuzzing must leave exactly as they were. */
export interface FuzzServer {
  test: TestService;
  engine: FakeTranscriber;
  port: number;
  /** A completed task and a queued one. */
  protectedIds: string[];
  /** Fails the test if the server is unhealthy or a protected task (row or media file) changed. */
  assertIntact(): Promise<void>;
  close(): Promise<void>;
}

const sha = (file: string | null) => (file ? createHash('sha256').update(readFileSync(file)).digest('hex') : null);

/** Starts the server (loopback, port 0) with rate limits off so that fuzzing reaches the routes. */
export async function startFuzzServer(env: Record<string, string> = {}): Promise<FuzzServer> {
  const engine = createFakeTranscriber({ stepMs: 1 });
  const test = await startService({ engine, env: { RATE_LIMIT_PER_MINUTE: '0', MAX_QUEUED_TASKS: '100000', ...env } });
  const upload = async (name: string) => {
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(WAV)]), name);
    const res = await fetch(`${test.url}/tasks`, { method: 'POST', body });
    expect(res.status).toBe(202);
    return ((await res.json()) as { identifier: string }).identifier;
  };
  const done = await upload('done.wav');
  await waitFor(async () => (await test.server.tasks.get(done))?.status === 'completed');
  engine.setReady(0); // from here on nothing runs: later tasks stay queued
  const queued = await upload('queued.wav');
  const protectedIds = [done, queued];
  const snapshot = () => Promise.all(protectedIds.map(async (id) => {
    const t = await test.server.tasks.get(id);
    return t && { ...t, updatedAt: undefined, media: sha(t.mediaPath) };
  }));
  const before = JSON.stringify(await snapshot());
  return {
    test, engine, port: test.port, protectedIds,
    async assertIntact() {
      const live = await fetch(`${test.url}/health/live`);
      expect(live.status).toBe(200);
      expect(JSON.stringify(await snapshot())).toBe(before);
    },
    close: () => test.close(),
  };
}

/** Polls until the predicate holds (5 s at most). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends raw bytes as an HTTP request (no client-side checks or normalization) and resolves with
 * the status of the answer, or 0 when the server closed the connection without one.
 */
export function rawHttp(port: number, request: Buffer | string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 200))}`));
    }, timeoutMs);
    const finish = (status: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) finish(Number(m[1]));
    });
    socket.on('error', () => finish(0)); // a reset before any answer: the server refused the bytes
    socket.on('close', () => finish(0));
    socket.end(request);
  });
}
