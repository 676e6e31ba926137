import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { ProgressEvent } from '../../src/tasks/task-events.ts';
import { STAGES, type Stage } from '../../src/contract/status.ts';
import type { Segment } from '../../src/contract/transcript.ts';
import { createFakeTranscriber, fakeSegment } from '../helpers/fake-transcriber.ts';
import { testEngines } from '../helpers/db-engines.ts';
import { input, nextEvent, recordEvents, serviceRig, until, type ServiceRig } from './service-fixtures.ts';

const steps = (events: Array<[PropertyKey, unknown]>, taskId: string) =>
  events.filter(([name, p]) => name === 'task.progress' && (p as ProgressEvent).taskId === taskId)
    .map(([, p]) => `${(p as ProgressEvent).stage}:${(p as ProgressEvent).percentage}`)
    .filter((s, i, all) => s !== all[i - 1]); // queue-position updates repeat a step

/**
 * The steps a task showed never go back, start and end as expected, and reach every expected step
 * (a step of the same stage at least as far). Between the engine's reports the service adds
 * estimated steps once a second and from segments, so on a slow machine an estimate may pass a
 * reported percentage before the report arrives; the stages and the anchors must all be there.
 */
function expectSteps(actual: string[], expected: string[]): void {
  const parse = (s: string) => { const [stage, pct] = s.split(':'); return { stage: stage as Stage, pct: Number(pct) }; };
  const rank = (s: string) => STAGES.indexOf(parse(s).stage) * 1000 + parse(s).pct;
  for (let i = 1; i < actual.length; i++) expect(rank(actual[i]!)).toBeGreaterThanOrEqual(rank(actual[i - 1]!));
  expect([actual[0], actual[1], actual.at(-1)]).toEqual([expected[0], expected[1], expected.at(-1)]);
  const missed = expected.filter((e) => !actual.some((a) => parse(a).stage === parse(e).stage && parse(a).pct >= parse(e).pct));
  expect(missed).toEqual([]);
  expect(new Set(actual.map((a) => parse(a).stage))).toEqual(new Set(expected.map((e) => parse(e).stage)));
}

describe.each(testEngines())('createTaskService on $name', ({ open }) => {
  let h: DatabaseHandle;
  let rig: ServiceRig;
  beforeEach(async () => { h = await open(); });
  afterEach(async () => {
    await rig.service.stop(0);
    expect(rig.busErrors).toEqual([]);
    await h.close();
  });

  it('inserts a submitted task as queued at 0 % and announces it with its place', async () => {
    rig = serviceRig(h);
    const events = recordEvents(rig.bus);
    const task = (await rig.service.submit(input('a')));
    expect((await rig.store.get(task.id))).toMatchObject({ status: 'queued', stage: 'queued', percentage: 0, attempts: 0 });
    expect(events[0]).toEqual(['task.created', { task }]);
    expect(events[1]).toEqual(['task.progress', expect.objectContaining({ taskId: task.id, stage: 'queued', percentage: 0, queuePosition: 1 })]);
  });

  it('runs tasks first in, first out on one worker', async () => {
    rig = serviceRig(h);
    await rig.service.start();
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c']) ids.push((await rig.service.submit(input(n))).id);
    await rig.engine.waitForJobs(1);
    expect((await rig.service.queueInfo(ids[2]!))).toMatchObject({ position: 2 });
    for (let i = 0; i < 3; i++) {
      await rig.engine.waitForJobs(i + 1);
      expect(rig.engine.jobs[i]!.job.taskId).toBe(ids[i]);
      expect((await rig.store.countByStatus()).processing).toBe(1);
      rig.engine.jobs[i]!.succeed();
    }
    await until(async () => (await rig.store.countByStatus()).completed === 3);
  });

  it('runs at most min(WORKERS, readyCount) jobs and picks up workers that become ready', async () => {
    rig = serviceRig(h, { config: { WORKERS: 2, MAX_ATTEMPTS: 3 }, engine: createFakeTranscriber('manual', { ready: 0 }) });
    await rig.service.start();
    for (const n of ['a', 'b', 'c']) (await rig.service.submit(input(n)));
    await new Promise((r) => setTimeout(r, 30));
    expect(rig.engine.jobs).toHaveLength(0);
    rig.engine.setReady(1);
    await rig.engine.waitForJobs(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(rig.engine.jobs).toHaveLength(1);
    rig.engine.setReady(5);
    await rig.engine.waitForJobs(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(rig.engine.jobs).toHaveLength(2);
    expect((await rig.store.countByStatus())).toMatchObject({ processing: 2, queued: 1 });
  });

  it('marks a started task processing, maps engine progress into transcribing and completes at 100', async () => {
    rig = serviceRig(h);
    const events = recordEvents(rig.bus);
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const [job] = await rig.engine.waitForJobs(1);
    expect((await rig.store.get(id))).toMatchObject({ status: 'processing', attempts: 1, stage: 'transcribing', percentage: 10 });
    expect((await rig.store.get(id))?.startedAt).not.toBeNull();
    job!.started(12.5);
    job!.progress(50);
    job!.segment(fakeSegment(0));
    job!.progress(100);
    expect((await rig.store.get(id))?.mediaDuration).toBe(12.5);
    expect(await rig.service.partialSegments!(id)).toEqual([fakeSegment(0)]);
    job!.succeed({ language: 'en', languageProbability: 0.8, duration: 12.5 });
    const done = await nextEvent(rig.bus, 'task.completed');
    expect(done.result.segments).toEqual([fakeSegment(0)]);
    expectSteps(steps(events, id), ['queued:0', 'transcribing:10', 'transcribing:25', 'transcribing:40', 'complete:100']);
    const row = (await rig.store.get(id))!;
    expect(row).toMatchObject({ status: 'completed', stage: 'complete', percentage: 100, language: 'en', languageProbability: 0.8, error: null });
    expect(row.result?.segments).toHaveLength(1);
    expect(row.completedAt).not.toBeNull();
    expect((await rig.store.partialSegments(id))).toEqual([]); // superseded by the result
    expect(events.filter(([n]) => n === 'task.segment')).toHaveLength(1);
  });

  it('aligns words and passes on the speaker stage of the worker only when asked, in stage order', async () => {
    rig = serviceRig(h, { engine: createFakeTranscriber({ stepMs: 1 }) });
    const events = recordEvents(rig.bus);
    await rig.service.start();
    const both = (await rig.service.submit(input('both', { wordTimestamps: true, diarize: true }))).id;
    const plain = (await rig.service.submit(input('plain'))).id;
    // The row is completed just before the last events go out: wait for the events.
    await until(() => events.filter(([name]) => name === 'task.completed').length === 2);
    expectSteps(steps(events, both), ['queued:0', 'transcribing:10', 'transcribing:17', 'transcribing:25', 'transcribing:32',
      'transcribing:40', 'aligning:40', 'diarizing:60', 'diarizing:70', 'diarizing:80', 'complete:100']);
    expectSteps(steps(events, plain), ['queued:0', 'transcribing:10', 'transcribing:17', 'transcribing:25', 'transcribing:32',
      'transcribing:40', 'complete:100']);
    expect(steps(events, plain)).not.toContain('aligning:40');
    const result = (await rig.store.get(both))!.result!;
    expect(result.segments.every((s) => s.speaker === 'SPEAKER_00' && s.words?.length === 1)).toBe(true);
    expect(result.turns).toEqual([{ speaker: 'SPEAKER_00', start: 0, end: 5 }]);
    expect((await rig.store.get(plain))!.result!.segments.some((s) => s.words || s.speaker)).toBe(false);
  });

  it('cancels a queued task at once without running it', async () => {
    rig = serviceRig(h);
    await rig.service.start();
    const first = (await rig.service.submit(input('a'))).id;
    const second = (await rig.service.submit(input('b'))).id;
    await rig.engine.waitForJobs(1);
    const failed = nextEvent(rig.bus, 'task.failed');
    const after = await rig.service.cancel(second);
    expect(after).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(await failed).toMatchObject({ taskId: second, status: 'cancelled', error: { code: 'CANCELLED' } });
    rig.engine.jobs[0]!.succeed();
    await until(async () => (await rig.store.get(first))?.status === 'completed');
    await new Promise((r) => setTimeout(r, 20));
    expect(rig.engine.jobs.map((j) => j.job.taskId)).toEqual([first]);
  });

  it('cancels a running task through the engine and ends it cancelled', async () => {
    rig = serviceRig(h);
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const [job] = await rig.engine.waitForJobs(1);
    job!.progress(40);
    const after = await rig.service.cancel(id);
    expect(job!.cancelRequested).toBe(true);
    expect(after).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' }, stage: 'transcribing', percentage: 22 });
  });

  it('stops a task cancelled while its start is being written, without handing it to the engine', async () => {
    const store = createTaskStore(h, { soleWriter: true });
    let writing = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const update: typeof store.update = async (id, patch) => {
      if (patch.status === 'processing') {
        writing = true;
        await held;
      }
      return store.update(id, patch);
    };
    rig = serviceRig(h, { store: { ...store, update } });
    await rig.service.start();
    const { id } = await rig.service.submit(input('a'));
    await until(() => writing);
    const cancelling = rig.service.cancel(id);
    release();
    expect(await cancelling).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(rig.engine.jobs).toHaveLength(0);
  });

  it('ends cancelled even when the engine finishes the job before it hears the cancel', async () => {
    rig = serviceRig(h, { engine: createFakeTranscriber('manual', { ignoreCancel: true }) });
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const [job] = await rig.engine.waitForJobs(1);
    const cancelling = rig.service.cancel(id);
    job!.succeed();
    expect(await cancelling).toMatchObject({ status: 'cancelled', result: null, error: { code: 'CANCELLED' } });
  });

  it('stores all three error fields of a failure and keeps the segments that arrived before it', async () => {
    rig = serviceRig(h);
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const [job] = await rig.engine.waitForJobs(1);
    job!.segment(fakeSegment(0));
    job!.segment(fakeSegment(1));
    const failed = nextEvent(rig.bus, 'task.failed');
    job!.fail(taskError('WORKER_CRASHED', 'worker pid 42 killed by SIGSEGV'));
    expect(await failed).toMatchObject({ taskId: id, status: 'failed', error: { code: 'WORKER_CRASHED' } });
    const row = (await rig.store.get(id))!;
    expect(row.status).toBe('failed');
    expect(row.error).toEqual(taskError('WORKER_CRASHED', 'worker pid 42 killed by SIGSEGV'));
    expect(row.error?.userMessage.length).toBeGreaterThan(20);
    expect((await rig.service.partialSegments!(id)).map((s) => s.text)).toEqual([' word0', ' word1']);
    expect((await rig.service.snapshot(id))).toMatchObject({ kind: 'error', taskId: id, error: { code: 'WORKER_CRASHED' } });
  });

  it('streams and stores the words the worker built, and builds none itself', async () => {
    rig = serviceRig(h);
    const events = recordEvents(rig.bus);
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a', { wordTimestamps: true })));
    const [job] = await rig.engine.waitForJobs(1);
    expect(job!.job.mediaDurationSec).toBe(10); // the intake's duration goes with the job
    job!.segment(fakeSegment(0)); // the fake, as a worker, adds the words
    const live = events.find(([name]) => name === 'task.segment')?.[1] as { segment: Segment } | undefined;
    expect(live?.segment.words?.map((w) => w.word)).toEqual([' word0']);
    // A segment that comes without words stays without: the server no longer makes them.
    job!.succeed({ segments: [live!.segment, fakeSegment(1)] });
    await until(async () => (await rig.store.get(id))?.status === 'completed');
    expect((await rig.store.get(id))!.result!.segments.map((s) => s.words?.length)).toEqual([1, undefined]);
  });

  it('removes a running task: cancels it, deletes row and segments, deletes its media', async () => {
    const deleteMedia = vi.fn(async () => {});
    rig = serviceRig(h, { deleteMedia });
    await rig.service.start();
    const { id } = (await rig.service.submit(input('a')));
    const [job] = await rig.engine.waitForJobs(1);
    job!.segment(fakeSegment(0));
    const deleted = nextEvent(rig.bus, 'task.deleted');
    expect(await rig.service.remove(id)).toBe(true);
    await deleted;
    expect(job!.cancelRequested).toBe(true);
    expect((await rig.store.get(id))).toBeUndefined();
    expect(await h.db.selectFrom('segments').selectAll().execute()).toEqual([]);
    expect(deleteMedia).toHaveBeenCalledWith(expect.objectContaining({ id, mediaPath: '/nowhere/a.wav' }));
    expect(await rig.service.remove(id)).toBe(false);
  });

  it('gives late joiners the freshest step, queue places and an ETA from measured speed', async () => {
    rig = serviceRig(h);
    await rig.service.start();
    const a = (await rig.service.submit(input('a', {}, 10))).id;
    const b = (await rig.service.submit(input('b', {}, 20))).id;
    const [job] = await rig.engine.waitForJobs(1);
    job!.progress(50);
    expect((await rig.service.snapshot(a))).toMatchObject({ kind: 'progress', event: { taskId: a, stage: 'transcribing', percentage: 25 } });
    const waiting = (await rig.service.snapshot(b));
    expect(waiting).toMatchObject({ kind: 'progress', event: { stage: 'queued', percentage: 0, queuePosition: 1 } });
    // Nothing measured yet: the default factor of 0.5 s per media second.
    expect((await rig.service.queueInfo(b))?.etaSeconds).toBeCloseTo(5 + 10, 0);
    expect((await rig.service.snapshot('nope'))).toBeUndefined();
    expect((await rig.service.queueInfo('nope'))).toBeUndefined();
  });
});
