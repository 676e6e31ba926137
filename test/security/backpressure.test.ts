import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTranscriber, fakeSegment } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';
import { buildTestApp, wavForm } from '../http/test-app.ts';
import { connect } from '../ws/mini-server.ts';

const wav = readFileSync(JFK_WAV);
const uploads = (dataDir: string) => (existsSync(path.join(dataDir, 'uploads')) ? readdirSync(path.join(dataDir, 'uploads')) : []);

/** A body that counts how often it is read from; nothing is pulled until someone reads. */
function watchedBody() {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls += 1;
      controller.enqueue(new Uint8Array(64 * 1024));
    },
  }, { highWaterMark: 0 });
  return { body, pulls: () => pulls };
}

let server: TestService | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('MAX_QUEUED_TASKS', () => {
  it('answers 429 QUEUE_FULL with Retry-After before reading any of the upload', async () => {
    const t = await buildTestApp({ MAX_QUEUED_TASKS: '2' }, { start: false }); // nothing starts: both stay queued
    await t.submit();
    const newest = await t.submit();
    const stored = uploads(t.config.DATA_DIR);
    expect(stored).toHaveLength(2);
    const watched = watchedBody();
    const res = await t.app.request('/tasks', {
      method: 'POST', body: watched.body, duplex: 'half', headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    } as RequestInit);
    expect(res.status).toBe(429);
    // The newest queued task's ETA (from the media's length, before any speed is measured) spread over the queue.
    const eta = (await t.tasks.queueInfo(newest))!.etaSeconds!;
    expect(eta).toBeGreaterThan(0);
    expect(res.headers.get('retry-after')).toBe(String(Math.ceil(eta / 2)));
    expect(((await res.json()) as any).error).toMatchObject({ code: 'QUEUE_FULL', details: { queued: 2, max_queued: 2 } });
    expect(watched.pulls()).toBe(0);
    expect(uploads(t.config.DATA_DIR)).toEqual(stored); // nothing of the refused one

    const v1 = await t.app.request('/v1/audio/transcriptions', { method: 'POST', body: new FormData() });
    expect(v1.status).toBe(429);
    expect(((await v1.json()) as any).error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
    // Reads and other writes are not affected by a full queue.
    expect((await t.app.request('/tasks')).status).toBe(200);
  });

  it('estimates Retry-After from the ETA of the newest queued task', async () => {
    const t = await buildTestApp({ MAX_QUEUED_TASKS: '2' }, { start: false });
    await t.submit();
    await t.submit();
    // A given ETA cannot be brought about through the service (it comes from measured speed): stub the queue's answer.
    t.tasks.queueInfo = async () => ({ position: 2, etaSeconds: 121 });
    const res = await t.app.request('/tasks', { method: 'POST', body: new FormData() });
    expect(res.headers.get('retry-after')).toBe('61');
  });

  it('accepts again once the queue has room', async () => {
    const t = await buildTestApp({ MAX_QUEUED_TASKS: '1' });
    const running = await t.submit();
    const job = await t.jobOf(running);
    const queued = await t.submit(); // waits for the one worker
    expect((await t.app.request('/tasks', { method: 'POST', body: wavForm() })).status).toBe(429);
    job.succeed(); // the queued one starts
    await t.jobOf(queued);
    expect((await t.app.request('/tasks', { method: 'POST', body: wavForm() })).status).toBe(202);
  });
});

describe('queue place and ETA', () => {
  it('appear in GET /tasks/:id and in progress frames while queued, and move as the queue does', async () => {
    const engine = createFakeTranscriber('manual');
    server = await startService({ engine, env: { MAX_QUEUED_TASKS: '2' } });
    const submit = async () => {
      const body = new FormData();
      body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
      return fetch(`${server!.url}/tasks`, { method: 'POST', body });
    };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await submit()).json()) as { identifier: string }).identifier);
    const [job] = await engine.waitForJobs(1);
    expect(job!.job.taskId).toBe(ids[0]);

    const detail = async (id: string) => (await (await fetch(`${server!.url}/tasks/${id}`)).json()) as Record<string, any>;
    const second = await detail(ids[1]!);
    const third = await detail(ids[2]!);
    expect(second.queue.position).toBe(1);
    expect(third.queue.position).toBe(2);
    expect(third.queue.eta_seconds).toBeGreaterThan(second.queue.eta_seconds);
    expect((await detail(ids[0]!)).queue).toBeNull(); // running: no queue place

    const watcher = await connect(`${server.url.replace('http', 'ws')}/ws/tasks/${ids[2]}`);
    const first = await watcher.next((f) => f.type === 'progress');
    expect(first).toMatchObject({ stage: 'queued', queue_position: 2 });
    expect(first.eta_seconds).toBeGreaterThan(0);

    // Full: the fourth is refused, with a Retry-After from the ETA.
    const refused = await submit();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    job!.started(11);
    job!.segment(fakeSegment(0));
    job!.succeed({ duration: 11 });
    await watcher.next((f) => f.type === 'progress' && f.queue_position === 1, watcher.frames.length - 1);
    expect((await detail(ids[2]!)).queue.position).toBe(1);
    watcher.ws.close();
  });
});
