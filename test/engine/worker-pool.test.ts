import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/tasks/types.ts';
import { fakeJob as job, textOf, useFakePools } from '../helpers/fake-pool.ts';
import { loggerFrom } from '../../src/logger.ts';

const makePool = useFakePools();

describe('createWorkerPool', () => {
  it('runs a job on a worker and forwards started, progress and segment callbacks', async () => {
    const p = makePool();
    const seen: string[] = [];
    const outcome = await p.run(job('t1', 'slow:200', {
      onStarted: ({ durationSec }) => seen.push(`started ${durationSec}`),
      onProgress: (percent) => seen.push(`progress ${percent}`),
      onSegment: (segment) => seen.push(`segment ${segment.text}`),
    }));
    expect(outcome.ok).toBe(true);
    expect(textOf(outcome)).toMatch(/^done slow:200 by \d+$/);
    expect(seen[0]).toBe('started 11');
    expect(seen).toContain('segment done slow:200');
    expect(seen.at(-1)).toBe('progress 100');
    expect(p.readyCount()).toBe(1);
    expect(p.modelInfo()).toEqual({ name: 'fake', type: 'tiny', multilingual: false });
  });

  it('sends the media duration the job knows to the worker, and none when it is unknown', async () => {
    const p = makePool();
    const started = async (mediaDurationSec: number | null) => {
      let seen: number | undefined;
      await p.run(job(`d${mediaDurationSec}`, 'ok', { mediaDurationSec, onStarted: ({ durationSec }) => void (seen = durationSec) }));
      return seen;
    };
    // The fake worker answers `started` with the job's duration, or its own 11 s when it has none.
    expect(await started(42.5)).toBe(42.5);
    expect(await started(null)).toBe(11);
  });

  it('keeps one worker process for successive jobs (the model stays loaded)', async () => {
    const p = makePool();
    const first = textOf(await p.run(job('a', 'ok')));
    const second = textOf(await p.run(job('b', 'ok')));
    expect(first.split(' by ')[1]).toBe(second.split(' by ')[1]);
  });

  it('keeps no queue: refuses a job while every worker has one, and takes the next once one is free', async () => {
    const p = makePool();
    const running = p.run(job('r', 'slow:300'));
    await expect(p.run(job('extra', 'ok'))).rejects.toThrow(/task extra was handed over while all 1 workers have a job/);
    expect((await running).ok).toBe(true);
    expect((await p.run(job('next', 'ok'))).ok).toBe(true);
  });

  it('runs two jobs at once on two workers', async () => {
    const p = makePool({ workers: 2 });
    const events: string[] = [];
    const track = (id: string) => job(id, 'slow:800', { onStarted: () => events.push(`start ${id}`) });
    const done = (id: string) => (outcome: JobOutcome) => {
      events.push(`end ${id}`);
      return outcome;
    };
    const [a, b] = await Promise.all([p.run(track('a')).then(done('a')), p.run(track('b')).then(done('b'))]);
    // Both began before either ended, and on different processes.
    expect(events.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    expect(textOf(a!).split(' by ')[1]).not.toBe(textOf(b!).split(' by ')[1]);
  });

  it('hands jobs to workers still loading the model: each runs once its worker is ready, or ends at once if cancelled first', async () => {
    const p = makePool({ workers: 2, env: { FAKE_LOAD_MS: '300' } });
    expect(p.readyCount()).toBe(0);
    const first = p.run(job('a', 'ok'));
    const second = p.run(job('b', 'ok'));
    expect(p.cancel('b')).toBe(true);
    expect(textOf(await second)).toBe('failed CANCELLED');
    expect(textOf(await first)).toMatch(/^done ok by \d+$/);
    expect(p.cancel('unknown')).toBe(false);
  });

  it('cancels a running job through the worker, which survives', async () => {
    // A long grace: the worker's own answer, never the fallback kill, even on a loaded machine.
    const p = makePool({ cancelGraceMs: 30_000 });
    const before = textOf(await p.run(job('warm', 'ok'))).split(' by ')[1];
    let started!: () => void;
    const startedP = new Promise<void>((resolve) => (started = resolve));
    const hung = p.run(job('h', 'hang', { onStarted: () => started() }));
    await startedP;
    expect(p.cancel('h')).toBe(true);
    const outcome = await hung;
    expect(outcome.ok ? 'ok' : `${outcome.error.code} ${outcome.error.technicalDetail}`).toBe('CANCELLED fake: aborted');
    expect(textOf(await p.run(job('after', 'ok'))).split(' by ')[1]).toBe(before);
  });

  it('kills and replaces a worker that ignores cancel, still reporting CANCELLED', async () => {
    const p = makePool({ cancelGraceMs: 300 });
    const before = textOf(await p.run(job('warm', 'ok'))).split(' by ')[1];
    let started!: () => void;
    const startedP = new Promise<void>((resolve) => (started = resolve));
    const deaf = p.run(job('d', 'deaf', { onStarted: () => started() }));
    await startedP;
    p.cancel('d');
    const outcome = await deaf;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    const after = await p.run(job('after', 'ok'));
    expect(after.ok).toBe(true);
    expect(textOf(after).split(' by ')[1]).not.toBe(before);
  });

  it('fails a task that runs too long with TASK_TIMEOUT and replaces its worker', async () => {
    const p = makePool({ taskTimeoutMs: 400 });
    const outcome = await p.run(job('slow', 'hang'));
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('TASK_TIMEOUT');
    expect((await p.run(job('next', 'ok'))).ok).toBe(true);
  });

  it('survives callbacks that throw', async () => {
    const logged: string[] = [];
    const p = makePool({ log: loggerFrom((level, _fields, message) => logged.push(`${level} ${message}`)) });
    const outcome = await p.run(job('t', 'ok', { onProgress: () => { throw new Error('boom'); } }));
    expect(outcome.ok).toBe(true);
    expect(logged).toContain('error job onProgress callback threw');
  });

  it('runs workers at the parent\'s CPU priority by default', async () => {
    const p = makePool();
    await p.run(job('t', 'ok'));
    const [pid] = p.workerPids();
    expect(os.getPriority(pid)).toBe(os.getPriority());
  });

  it('runs workers at the nice level asked for, when it is lower priority than the parent\'s', async () => {
    const nice = Math.min(19, Math.max(10, os.getPriority() + 1));
    const p = makePool({ niceness: nice });
    await p.run(job('t', 'ok'));
    const [pid] = p.workerPids();
    expect(os.getPriority(pid)).toBe(nice);
  });
});
