import { describe, expect, it } from 'vitest';
import { taskError } from '../../src/tasks/errors.ts';
import { fakeSegment } from '../helpers/fake-transcriber.ts';
import { pollUntil, serveFetch } from '../helpers/start-service.ts';
import { buildTestApp, type TestApp } from './test-app.ts';

type Json = Record<string, any>;
async function call(t: TestApp, path: string, method = 'GET') {
  const res = await t.app.request(path, { method });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json, headers: res.headers };
}

/** Polls GET `path` until `done` holds (rows are written by the service after each event, some throttled). */
const pollJson = (t: TestApp, path: string, done: (json: Json) => boolean) => pollUntil(async () => (await call(t, path)).json, done, 10_000);

describe('task routes', () => {
  it('serves the polling fallback exactly as the contract names it', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    const job = await t.jobOf(id);
    job.started(11);
    job.progress(50);
    // Transcribing spans 10..40 % of the task; where in it comes from the service's estimate (time and engine).
    const json = await pollJson(t, `/tasks/${id}/progress`, (j) => j.progress_percentage > 10);
    // The contract's five fields, plus the stage's own progress and an estimate (additions).
    const number = (from: number, to: number) => expect.toSatisfy((n) => typeof n === 'number' && n >= from && n <= to);
    expect(json).toEqual({
      identifier: id, status: 'processing', progress_percentage: number(11, 40), progress_stage: 'transcribing', error: null,
      stage_progress: number(1, 100), eta_seconds: expect.toSatisfy((eta) => eta === null || eta >= 0),
    });
    job.fail(taskError('AUDIO_DECODE_FAILED', 'ffmpeg exit 1'));
    await t.settled(id, 'failed');
    const failed = await call(t, `/tasks/${id}/progress`);
    expect(failed.json.error).toEqual({ error_code: 'AUDIO_DECODE_FAILED', user_message: expect.stringMatching(/audio/), technical_detail: 'ffmpeg exit 1' });
  });

  it('answers repeated polls of a kept (frozen) progress row over Node, and the new state once it changes', async () => {
    // The SQLite store (sole writer) answers polls with the same frozen row until the row changes.
    const t = await buildTestApp();
    const first = await t.submit();
    const id = await t.submit(); // waits behind the first: one worker
    const server = await serveFetch(t.app.fetch);
    try {
      const url = `${server.url}/tasks/${id}/progress`;
      const poll = async () => {
        const res = await fetch(url);
        const text = await res.text();
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
        return JSON.parse(text) as Json;
      };
      for (let i = 0; i < 3; i++) expect(await poll()).toMatchObject({ identifier: id, status: 'queued', progress_percentage: 0 });
      (await t.jobOf(first)).succeed();
      const job = await t.jobOf(id);
      job.started(11);
      job.stage('aligning', 0.5);
      await pollUntil(poll, (j) => j.progress_stage === 'aligning', 10_000);
      expect(await poll()).toMatchObject({ status: 'processing', progress_stage: 'aligning', progress_percentage: expect.any(Number) });
    } finally {
      await server.close();
    }
  });

  it.each(['/tasks/nope', '/tasks/00000000-0000-4000-8000-000000000000/progress', '/tasks/a%2Fb/result', `/tasks/${'x'.repeat(5000)}`])(
    'answers 404 with a JSON body for the unknown id in %s',
    async (path) => {
      const { status, json } = await call(await buildTestApp(), path.slice(0, 6000));
      expect(status).toBe(404);
      expect(json.error.code).toBe('TASK_NOT_FOUND');
    },
  );

  it('answers unknown routes with a JSON 404', async () => {
    const { status, json } = await call(await buildTestApp(), '/nothing/here');
    expect([status, json.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('shows the queue position while queued, partial segments while running, the result once completed', async () => {
    const t = await buildTestApp();
    const [first, second, third] = [await t.submit(), await t.submit(), await t.submit({ word_timestamps: 'true' })];
    await t.jobOf(first); // one worker: the other two wait
    expect((await call(t, `/tasks/${third}`)).json.queue).toEqual({ position: 2, eta_seconds: expect.toSatisfy((eta) => eta === null || eta >= 0) });
    await t.service.tasks.cancel(first);
    await t.service.tasks.cancel(second);
    const job = await t.jobOf(third);
    job.started(11);
    job.progress(20);
    job.segment(fakeSegment(0, 'so far'));
    const running = await pollJson(t, `/tasks/${third}`, (j) => j.partial_segments?.length === 1);
    expect(running.partial_segments.map((s: Json) => s.text)).toEqual(['so far']);
    expect([running.status, running.result]).toEqual(['processing', null]);
    job.succeed();
    await t.settled(third, 'completed');
    const done = (await call(t, `/tasks/${third}`)).json;
    expect(done).toMatchObject({ identifier: third, status: 'completed', progress_percentage: 100, file_name: 'jfk.wav', params: { word_timestamps: true } });
    expect(done.result.segments[0]).toMatchObject({ text: 'so far', no_speech_prob: 0.01 });
  });

  it('serves the json result once completed and 409 before', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    const early = await call(t, `/tasks/${id}/result?format=json`);
    expect([early.status, early.json.error.code]).toEqual([409, 'TASK_NOT_COMPLETED']);
    const job = await t.jobOf(id);
    job.segment(fakeSegment(0, 'hello world'));
    job.succeed();
    await t.settled(id, 'completed');
    const res = await call(t, `/tasks/${id}/result?format=json`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ text: 'hello world', language: 'en' });
    expect((await call(t, `/tasks/${id}/result?format=docx`)).status).toBe(400);
  });

  it('lists with limit, offset and a status filter, validating them', async () => {
    const t = await buildTestApp();
    const ids = [await t.submit(), await t.submit(), await t.submit()];
    (await t.jobOf(ids[0]!)).succeed();
    (await t.jobOf(ids[1]!)).succeed();
    await t.settled(ids[1]!, 'completed');
    (await t.jobOf(ids[2]!)).fail(taskError('AUDIO_DECODE_FAILED', 'fake'));
    await t.settled(ids[2]!, 'failed');
    await t.service.tasks.remove(ids[0]!);
    await t.submit();
    const page = (await call(t, '/tasks?limit=2&offset=0')).json;
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
    expect(page.items).toHaveLength(2);
    const done = (await call(t, '/tasks?status=completed')).json;
    expect(done.items.map((i: Json) => i.identifier)).toEqual([ids[1]]);
    expect((await call(t, '/tasks?status=failed')).json.items.map((i: Json) => i.identifier)).toEqual([ids[2]]);
    for (const bad of ['/tasks?limit=0', '/tasks?limit=abc', '/tasks?status=weird', '/tasks?sort=asc', '/tasks?offset=-1']) {
      expect((await call(t, bad)).status, bad).toBe(400);
    }
  });

  it('cancels a queued task at once and refuses to cancel a finished one', async () => {
    const t = await buildTestApp();
    const other = await t.submit();
    const id = await t.submit(); // queued behind the other: one worker
    await t.jobOf(other);
    const res = await call(t, `/tasks/${id}/cancel`, 'POST');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'cancelled', error: { error_code: 'CANCELLED' } });
    expect(t.engine.jobs.map((j) => j.job.taskId)).toEqual([other]); // it never reached the engine
    (await t.jobOf(other)).succeed();
    await t.settled(other, 'completed');
    expect((await call(t, `/tasks/${other}/cancel`, 'POST')).status).toBe(409);
    expect((await call(t, '/tasks/nope/cancel', 'POST')).status).toBe(404);
  });

  it('deletes a task and then knows it no more', async () => {
    const t = await buildTestApp();
    const id = await t.submit();
    const job = await t.jobOf(id);
    expect((await call(t, `/tasks/${id}`, 'DELETE')).status).toBe(204);
    expect(job.cancelRequested).toBe(true); // its running job was stopped first
    expect((await call(t, `/tasks/${id}`)).status).toBe(404);
    expect((await call(t, `/tasks/${id}`, 'DELETE')).status).toBe(404);
  });

  it('turns an unexpected failure into a generic 500 and logs the detail', async () => {
    const t = await buildTestApp();
    // A store that throws something unexpected cannot be reached through the service: stub its read.
    t.tasks.get = () => {
      throw new Error('disk on fire');
    };
    const res = await call(t, '/tasks/abc');
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(res.json)).not.toContain('disk on fire');
    const logged = t.logger.lines.find((l) => l.level === 'error')?.args[0] as { err?: Error } | undefined;
    expect(logged?.err?.message).toBe('disk on fire');
  });
});

describe('health routes', () => {
  it('is live always and ready only with the database open and a worker loaded', async () => {
    const t = await buildTestApp();
    expect((await call(t, '/health/live')).status).toBe(200);
    expect((await call(t, '/health/ready')).status).toBe(200);
    t.engine.setReady(0);
    expect((await call(t, '/health/ready')).status).toBe(503);
    t.engine.setReady(2);
    expect((await call(t, '/health/ready')).status).toBe(200);
    // The database closed under a server that is not draining (a draining one answers 'shutting_down').
    await t.dispose();
    const res = await call(t, '/health/ready');
    expect([res.status, res.json.checks]).toEqual([503, { database: false, workers_ready: 2 }]);
  });
});
