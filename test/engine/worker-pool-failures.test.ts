import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/tasks/types.ts';
import { fakeJob as job, pidOf, useFakePools } from '../helpers/fake-pool.ts';

const errorOf = (outcome: JobOutcome) => (outcome.ok ? { code: 'OK', technicalDetail: '' } : outcome.error);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const makePool = useFakePools();

describe('createWorkerPool failures', () => {
  it.each([
    ['segv', /killed by SIGSEGV/],
    ['sigkill', /killed by SIGKILL/],
    ['exit', /exited with code 3/],
    ['garbage', /invalid message from worker/],
  ])('fails only the task whose worker died (%s) with WORKER_CRASHED and replaces the worker', async (command, detail) => {
    const p = makePool();
    const restarts: string[] = [];
    p.onWorkerRestart(({ slot, reason }) => restarts.push(`${slot} ${reason}`));
    const first = pidOf(await p.run(job('warm', 'ok')));
    const crashed = await p.run(job('crash', command));
    expect(errorOf(crashed).code).toBe('WORKER_CRASHED');
    expect(errorOf(crashed).technicalDetail).toMatch(detail);
    const next = await p.run(job('next', 'ok'));
    expect(next.ok).toBe(true);
    expect(pidOf(next)).not.toBe(first);
    expect(restarts).toEqual(['0 exited']);
  });

  it('puts the last lines of worker stderr in the crash detail', async () => {
    const p = makePool();
    const crashed = await p.run(job('crash', 'stderr-segv'));
    expect(errorOf(crashed).technicalDetail).toContain('fake: about to crash');
  });

  it('hands a job to a worker being replaced after a crash, and runs it on the replacement', async () => {
    const p = makePool();
    const first = pidOf(await p.run(job('warm', 'ok')));
    expect(errorOf(await p.run(job('crash', 'segv'))).code).toBe('WORKER_CRASHED');
    expect(p.readyCount()).toBe(0); // the replacement is loading: the job waits for it
    const next = await p.run(job('next', 'ok'));
    expect(next.ok).toBe(true);
    expect(pidOf(next)).not.toBe(first);
  });

  it('fails jobs fast with MODEL_UNAVAILABLE when the model cannot load, without respawning in a loop', async () => {
    let spawns = 0;
    const p = makePool({
      env: { FAKE_LOAD: 'fail' },
      restartBackoffMs: { initial: 60_000, max: 60_000 },
      spawn: (entry, options) => {
        spawns += 1;
        return fork(entry, [], options);
      },
    });
    const restarts: string[] = [];
    p.onWorkerRestart(({ reason }) => restarts.push(reason));
    const outcome = await p.run(job('t', 'ok'));
    expect(errorOf(outcome).code).toBe('MODEL_UNAVAILABLE');
    expect(errorOf(outcome).technicalDetail).toContain('fake: cannot open');
    const later = await p.run(job('t2', 'ok'));
    expect(errorOf(later).code).toBe('MODEL_UNAVAILABLE');
    await sleep(500);
    expect(spawns).toBe(1);
    expect(restarts).toEqual(['start_failed']);
    expect(p.readyCount()).toBe(0);
  });

  it('treats a crash while loading as MODEL_UNAVAILABLE', async () => {
    const p = makePool({ env: { FAKE_LOAD: 'crash' }, restartBackoffMs: { initial: 60_000, max: 60_000 } });
    const outcome = await p.run(job('t', 'ok'));
    expect(errorOf(outcome).code).toBe('MODEL_UNAVAILABLE');
    expect(errorOf(outcome).technicalDetail).toMatch(/SIGSEGV[\s\S]*fake: crashing while loading/);
  });

  it('recovers once a restarted worker can load the model', async () => {
    let spawns = 0;
    const p = makePool({
      restartBackoffMs: { initial: 100, max: 100 },
      spawn: (entry, options) => {
        spawns += 1;
        return fork(entry, [], { ...options, env: { ...options.env, FAKE_LOAD: spawns === 1 ? 'fail' : 'ok' } });
      },
    });
    expect(errorOf(await p.run(job('early', 'ok'))).code).toBe('MODEL_UNAVAILABLE');
    while (p.readyCount() === 0) await sleep(50);
    expect((await p.run(job('late', 'ok'))).ok).toBe(true);
    expect(spawns).toBe(2);
  });

  it('close() ends running jobs and jobs waiting for a worker, and kills workers that ignore shutdown', async () => {
    let spawns = 0;
    const p = makePool({
      workers: 2, env: { FAKE_IGNORE_SHUTDOWN: '1' }, shutdownGraceMs: 300,
      // The second worker is still loading when close() comes.
      spawn: (entry, options) => fork(entry, [], { ...options, env: { ...options.env, FAKE_LOAD_MS: ++spawns === 1 ? '0' : '60000' } }),
    });
    await p.run(job('warm', 'ok'));
    const pids = p.workerPids();
    const running = p.run(job('r', 'hang'));
    const waiting = p.run(job('w', 'ok'));
    await p.close();
    expect(errorOf(await running).code).toBe('CANCELLED');
    expect(errorOf(await waiting).code).toBe('CANCELLED');
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
    expect(errorOf(await p.run(job('after', 'ok'))).code).toBe('PROCESSING_FAILED');
  });
});
