import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import type { TaskProgress } from '../../src/tasks/task-service-types.ts';
import { taskError } from '../../src/tasks/errors.ts';
import { serveFetch } from '../helpers/start-service.ts';
import { buildTestApp } from './fake-test-app.ts';

type Json = Record<string, any>;
async function call(t: ReturnType<typeof buildTestApp>, path: string, method = 'GET') {
  const res = await t.app.request(path, { method });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json, headers: res.headers };
}

describe('task routes', () => {
  it('serves the polling fallback exactly as the contract names it', async () => {
    const t = buildTestApp();
    const task = t.tasks.seed();
    t.tasks.step(task.id, 'transcribing', 27);
    const { status, json } = await call(t, `/tasks/${task.id}/progress`);
    expect(status).toBe(200);
    // The contract's five fields, plus the stage's own progress and an estimate (additions).
    expect(json).toEqual({ identifier: task.id, status: 'processing', progress_percentage: 27, progress_stage: 'transcribing', error: null, stage_progress: 56, eta_seconds: null });
    t.tasks.fail(task.id, taskError('AUDIO_DECODE_FAILED', 'ffmpeg exit 1'));
    const failed = await call(t, `/tasks/${task.id}/progress`);
    expect(failed.json.error).toEqual({ error_code: 'AUDIO_DECODE_FAILED', user_message: expect.stringMatching(/audio/), technical_detail: 'ffmpeg exit 1' });
  });

  it('answers repeated polls of a kept (frozen) progress row over Node, and the new state once it changes', async () => {
    const t = buildTestApp();
    const task = t.tasks.seed();
    // Like the SQLite store: the same frozen object until the record changes.
    const kept = new WeakMap<TaskRecord, TaskProgress>();
    t.tasks.progress = async (id) => {
      const record = t.tasks.records.get(id);
      if (!record) return undefined;
      if (!kept.has(record)) kept.set(record, Object.freeze({ ...record }));
      return kept.get(record);
    };
    const server = await serveFetch(t.app.fetch);
    try {
      const url = `${server.url}/tasks/${task.id}/progress`;
      const poll = async () => {
        const res = await fetch(url);
        const text = await res.text();
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
        return JSON.parse(text) as Json;
      };
      for (let i = 0; i < 3; i++) expect(await poll()).toMatchObject({ identifier: task.id, status: 'queued', progress_percentage: 0 });
      t.tasks.step(task.id, 'aligning', 40, 'a longer message than before');
      expect(await poll()).toMatchObject({ status: 'processing', progress_stage: 'aligning', progress_percentage: 40 });
    } finally {
      await server.close();
    }
  });

  it.each(['/tasks/nope', '/tasks/00000000-0000-4000-8000-000000000000/progress', '/tasks/a%2Fb/result', `/tasks/${'x'.repeat(5000)}`])(
    'answers 404 with a JSON body for the unknown id in %s',
    async (path) => {
      const { status, json } = await call(buildTestApp(), path.slice(0, 6000));
      expect(status).toBe(404);
      expect(json.error.code).toBe('TASK_NOT_FOUND');
    },
  );

  it('answers unknown routes with a JSON 404', async () => {
    const { status, json } = await call(buildTestApp(), '/nothing/here');
    expect([status, json.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('shows the queue position while queued, partial segments while running, the result once completed', async () => {
    const t = buildTestApp();
    t.tasks.seed();
    const task = t.tasks.seed();
    expect((await call(t, `/tasks/${task.id}`)).json.queue).toEqual({ position: 2, eta_seconds: null });
    t.tasks.step(task.id, 'transcribing', 20);
    t.tasks.segment(task.id, { id: 0, start: 0, end: 1, text: 'so far', noSpeechProb: 0, avgLogprob: 0, tokens: [] });
    const running = (await call(t, `/tasks/${task.id}`)).json;
    expect(running.partial_segments.map((s: Json) => s.text)).toEqual(['so far']);
    expect(running.result).toBeNull();
    t.tasks.complete(task.id);
    const done = (await call(t, `/tasks/${task.id}`)).json;
    expect(done).toMatchObject({ identifier: task.id, status: 'completed', progress_percentage: 100, file_name: 'a.wav', params: { word_timestamps: true } });
    expect(done.result.segments[0]).toMatchObject({ text: 'hello world', no_speech_prob: 0.01 });
  });

  it('serves the json result once completed and 409 before', async () => {
    const t = buildTestApp();
    const task = t.tasks.seed();
    const early = await call(t, `/tasks/${task.id}/result?format=json`);
    expect([early.status, early.json.error.code]).toEqual([409, 'TASK_NOT_COMPLETED']);
    t.tasks.complete(task.id);
    const res = await call(t, `/tasks/${task.id}/result?format=json`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ text: 'hello world', language: 'en' });
    expect((await call(t, `/tasks/${task.id}/result?format=docx`)).status).toBe(400);
  });

  it('lists with limit, offset and a status filter, validating them', async () => {
    const t = buildTestApp();
    const ids = [t.tasks.seed(), t.tasks.seed(), t.tasks.seed()].map((r) => r.id);
    t.tasks.complete(ids[1]!);
    const page = (await call(t, '/tasks?limit=2&offset=0')).json;
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
    expect(page.items).toHaveLength(2);
    const done = (await call(t, '/tasks?status=completed')).json;
    expect(done.items.map((i: Json) => i.identifier)).toEqual([ids[1]]);
    for (const bad of ['/tasks?limit=0', '/tasks?limit=abc', '/tasks?status=weird', '/tasks?sort=asc', '/tasks?offset=-1']) {
      expect((await call(t, bad)).status, bad).toBe(400);
    }
  });

  it('cancels a queued task at once and refuses to cancel a finished one', async () => {
    const t = buildTestApp();
    const task = t.tasks.seed();
    const res = await call(t, `/tasks/${task.id}/cancel`, 'POST');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'cancelled', error: { error_code: 'CANCELLED' } });
    const other = t.tasks.seed();
    t.tasks.complete(other.id);
    expect((await call(t, `/tasks/${other.id}/cancel`, 'POST')).status).toBe(409);
    expect((await call(t, '/tasks/nope/cancel', 'POST')).status).toBe(404);
  });

  it('deletes a task and then knows it no more', async () => {
    const t = buildTestApp();
    const task = t.tasks.seed();
    expect((await call(t, `/tasks/${task.id}`, 'DELETE')).status).toBe(204);
    expect((await call(t, `/tasks/${task.id}`)).status).toBe(404);
    expect((await call(t, `/tasks/${task.id}`, 'DELETE')).status).toBe(404);
  });

  it('turns an unexpected failure into a generic 500 and logs the detail', async () => {
    const t = buildTestApp();
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
    const t = buildTestApp();
    expect((await call(t, '/health/live')).status).toBe(200);
    expect((await call(t, '/health/ready')).status).toBe(200);
    t.setReady({ db: true, workers: 0 });
    expect((await call(t, '/health/ready')).status).toBe(503);
    t.setReady({ db: false, workers: 2 });
    const res = await call(t, '/health/ready');
    expect([res.status, res.json.checks]).toEqual([503, { database: false, workers_ready: 2 }]);
  });
});
