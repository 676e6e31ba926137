import { rmSync } from 'node:fs';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrainGate } from '../../src/http/middleware/drain-gate.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { startService, submitFile, tempDataDir } from '../helpers/start-service.ts';
import { connect } from '../ws/mini-server.ts';

type Json = Record<string, any>;

describe('createDrainGate', () => {
  const gate = createDrainGate();
  const app = new Hono();
  app.use('*', gate.middleware);
  app.all('*', (c) => c.json({ passed: `${c.req.method} ${c.req.path}` }));
  const call = (method: string, path: string) => app.request(path, { method });

  it('passes every request through until drain() is called', async () => {
    expect(gate.isDraining()).toBe(false);
    for (const [method, path] of [['POST', '/tasks'], ['GET', '/health/ready'], ['POST', '/v1/audio/transcriptions']]) {
      expect(await (await call(method!, path!)).json()).toEqual({ passed: `${method} ${path}` });
    }
  });

  it('answers new work and readiness with 503 once draining, and serves everything else', async () => {
    gate.drain();
    expect(gate.isDraining()).toBe(true);
    for (const path of ['/tasks', '/tasks/']) {
      const refused = await call('POST', path);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN', message: expect.stringContaining('shutting down') } });
    }
    const openAi = await call('POST', '/v1/audio/translations');
    expect(openAi.status).toBe(503);
    expect(await openAi.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN', type: 'server_error' } });
    expect((await call('GET', '/health/ready')).status).toBe(503);
    // Reading, cancelling and deleting still work, and liveness stays up while the drain lasts.
    for (const [method, path] of [['GET', '/health/live'], ['GET', '/tasks/abc'], ['POST', '/tasks/abc/cancel'], ['DELETE', '/tasks/abc']]) {
      const response = await call(method!, path!);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ passed: `${method} ${path}` });
    }
  });
});

describe('RunningServer.close', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('closes sockets with 1001 at once, keeps answering (503 for new work) while the running task gets its grace, then stops the listener', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const engine = createFakeTranscriber('manual');
    cleanups.push(() => engine.close());
    const t = await startService({ engine, dataDir });
    const id = await submitFile(t.url);
    const [job] = await engine.waitForJobs(1);
    const watcher = await connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);

    let closed = false;
    const closing = t.server.close(60_000).then(() => (closed = true));
    expect(await watcher.closed).toMatchObject({ code: 1001 });
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect(closed).toBe(false); // still draining: the task has not ended
    job!.started(11);
    job!.succeed();
    await closing;
    await expect(fetch(`${t.url}/health/live`)).rejects.toThrow();

    const again = await startService({ engine: createFakeTranscriber({ stepMs: 1 }), dataDir });
    cleanups.push(() => again.close());
    expect(await (await fetch(`${again.url}/tasks/${id}`)).json()).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('gives up on a task that outlives the grace and leaves it processing for the next start', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const engine = createFakeTranscriber('manual');
    cleanups.push(() => engine.close());
    const t = await startService({ engine, dataDir });
    const id = await submitFile(t.url);
    const [job] = await engine.waitForJobs(1);
    await t.server.close(30);
    job!.succeed(); // too late: its outcome must not be written

    const resumed = createFakeTranscriber({ stepMs: 1 });
    const again = await startService({ engine: resumed, dataDir });
    cleanups.push(() => again.close());
    await resumed.waitForJobs(1);
    expect(resumed.jobs[0]!.job.taskId).toBe(id);
  });
});
