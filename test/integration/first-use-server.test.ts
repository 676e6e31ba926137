// Defects a new user met (issue 13), checked on a listening server: the drain keeps answering,
// sockets of finished tasks close with 1000, and slow or stalled uploads are stopped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { requestTimeoutMs } from '../../src/http/intake/upload-limits.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, submitFile, type TestService } from '../helpers/start-service.ts';
import { connect } from '../ws/mini-server.ts';

type Json = Record<string, any>;

/** Opens a multipart upload, sends `bodyStart` and then nothing; resolves with the answer's status line and body. */
function stalledUpload(port: number, bodyStart: string): { answer: Promise<string>; socket: net.Socket } {
  const socket = net.connect(port, '127.0.0.1');
  const head = `POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n`;
  socket.write(head + bodyStart);
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('utf8')));
  socket.on('error', () => undefined); // the server may cut the connection after answering
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return { answer, socket };
}
const FILE_PART = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF';

describe('a listening server', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function start(env: Record<string, string> = {}): Promise<{ t: TestService; engine: ReturnType<typeof createFakeTranscriber> }> {
    const engine = createFakeTranscriber('manual');
    cleanups.push(() => engine.close());
    const t = await startService({ engine, env });
    cleanups.push(() => t.close());
    return { t, engine };
  }

  it('keeps listening while it drains: new work gets 503 SHUTTING_DOWN, reads still answer, new sockets get 1001', async () => {
    const { t, engine } = await start();
    const id = await submitFile(t.url);
    const [job] = await engine.waitForJobs(1);
    const watcher = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    const closing = t.server.close(60_000);
    expect(await watcher.closed).toMatchObject({ code: 1001 });

    const form = new FormData();
    form.append('file', new Blob([readFileSync(JFK_WAV)]), 'jfk.wav');
    const refused = await fetch(`${t.url}/tasks`, { method: 'POST', body: form });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as Json).error.code).toBe('SHUTTING_DOWN');
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(503);
    expect(((await (await fetch(`${t.url}/tasks/${id}/progress`)).json()) as Json).status).toBe('processing');
    const late = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    expect(await late.closed).toMatchObject({ code: 1001 });
    expect(late.frames[0]).toMatchObject({ type: 'progress', task_id: id });

    job!.succeed();
    await closing;
    await expect(fetch(`${t.url}/health/live`)).rejects.toThrow(); // after the drain the listener is gone
  });

  it('closes a socket with 1000 right after the final frame, and at once for a task that already ended', async () => {
    const { t, engine } = await start();
    const id = await submitFile(t.url);
    const [job] = await engine.waitForJobs(1);
    const watcher = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    job!.started(11);
    job!.succeed();
    expect(await watcher.closed).toMatchObject({ code: 1000 });
    expect(watcher.frames.at(-1)).toMatchObject({ type: 'progress', stage: 'complete', percentage: 100 });
    expect(t.server.registry.count()).toBe(0);

    const late = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    expect(await late.closed).toMatchObject({ code: 1000 });
    expect(late.frames).toEqual([expect.objectContaining({ type: 'progress', stage: 'complete' })]);

    const failing = await submitFile(t.url);
    const [, second] = await engine.waitForJobs(2);
    const onFailing = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${failing}`);
    second!.fail({ code: 'AUDIO_DECODE_FAILED', userMessage: 'bad', technicalDetail: 'x' });
    expect(await onFailing.closed).toMatchObject({ code: 1000 });
    expect(onFailing.frames.at(-1)).toMatchObject({ type: 'error', error_code: 'AUDIO_DECODE_FAILED' });
  });

  it('stops an upload that stalls, answers 408 and keeps no partial file', async () => {
    const { t } = await start({ UPLOAD_IDLE_TIMEOUT_MS: '400' });
    const { answer } = stalledUpload(t.port, FILE_PART);
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toContain('UPLOAD_TIMEOUT');
    const uploads = path.join(t.dataDir, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
  });

  it('refuses uploads beyond MAX_CONCURRENT_UPLOADS with 503 and Retry-After', async () => {
    const { t } = await start({ MAX_CONCURRENT_UPLOADS: '1' });
    const first = stalledUpload(t.port, FILE_PART);
    cleanups.push(() => void first.socket.destroy());
    // The first upload holds the only slot once the server has begun to read it.
    for (let i = 0; i < 100 && readdirSync(path.join(t.dataDir, 'uploads')).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const form = new FormData();
    form.append('file', new Blob([readFileSync(JFK_WAV)]), 'jfk.wav');
    const busy = await fetch(`${t.url}/tasks`, { method: 'POST', body: form });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(((await busy.json()) as Json).error.code).toBe('TOO_MANY_UPLOADS');
    first.socket.destroy();
    await first.answer;
    // The slot is free again once that upload ended.
    for (let i = 0; ; i++) {
      const again = await fetch(`${t.url}/tasks`, { method: 'POST', body: form });
      if (again.status === 202 || i > 50) return expect(again.status).toBe(202);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('reports the stage\'s own progress and an ETA on frames, polling and the task view, and moves a short file before the engine reports', async () => {
    const { t, engine } = await start();
    const id = await submitFile(t.url);
    const [job] = await engine.waitForJobs(1);
    const watcher = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
    job!.started(3); // a short file: whisper.cpp would report nothing until it is done
    // From this server's expected speed alone, the stage moves while the engine is silent.
    const moving = await watcher.next((f) => f.type === 'progress' && f.stage === 'transcribing' && f.stage_progress > 0, 0, 15_000);
    expect(moving.percentage).toBeGreaterThanOrEqual(10);
    expect(moving.percentage).toBeLessThanOrEqual(40);
    job!.progress(50);
    const half = await watcher.next((f) => f.type === 'progress' && f.stage_progress >= 50, 0, 15_000);
    expect(half).toMatchObject({ stage: 'transcribing', percentage: expect.any(Number) });
    const polled = (await (await fetch(`${t.url}/tasks/${id}/progress`)).json()) as Json;
    expect(polled).toMatchObject({ status: 'processing', progress_stage: 'transcribing' });
    expect(polled.stage_progress).toBeGreaterThanOrEqual(50);
    expect(polled.eta_seconds === null || typeof polled.eta_seconds === 'number').toBe(true);
    const detail = (await (await fetch(`${t.url}/tasks/${id}`)).json()) as Json;
    expect(detail.stage_progress).toBeGreaterThanOrEqual(50);
    expect('eta_seconds' in detail).toBe(true);
    // Frames never go back, in percentage or (within a stage) in stage progress.
    const steps = watcher.frames.filter((f) => f.type === 'progress');
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.percentage).toBeGreaterThanOrEqual(steps[i - 1]!.percentage);
      if (steps[i]!.stage === steps[i - 1]!.stage) expect(steps[i]!.stage_progress ?? 0).toBeGreaterThanOrEqual(steps[i - 1]!.stage_progress ?? 0);
    }
    job!.succeed();
    expect(await watcher.closed).toMatchObject({ code: 1000 });
    const done = (await (await fetch(`${t.url}/tasks/${id}/progress`)).json()) as Json;
    expect(done).toMatchObject({ status: 'completed', stage_progress: 100, eta_seconds: 0 });
  });

  it('derives the request time limit from MAX_UPLOAD_BYTES and the minimum rate instead of Node\'s 300 s', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/unused' });
    expect(requestTimeoutMs(config)).toBe(Math.ceil(config.MAX_UPLOAD_BYTES / config.UPLOAD_MIN_BYTES_PER_SECOND) * 1000 + 60_000);
    expect(requestTimeoutMs(config)).toBeGreaterThan(300_000);
    expect(requestTimeoutMs(loadConfig({ DATA_DIR: '/tmp/unused', MAX_UPLOAD_BYTES: '1000' }))).toBe(300_000);
  });
});
