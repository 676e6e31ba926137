import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { spawnServerProcess, type ServerProcess } from '../helpers/test-server.ts';
import { pollUntil, startService, submitFile, tempDataDir, type TestService } from '../helpers/start-service.ts';

interface Progress { identifier: string; status: string; progress_stage: string; progress_percentage: number; error: unknown }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function progress(url: string, id: string): Promise<Progress> {
  const response = await fetch(`${url}/tasks/${id}/progress`);
  expect(response.status).toBe(200);
  return (await response.json()) as Progress;
}

/** Whether a live process (zombies do not count: a container's PID 1 may never reap them) is in group `pgid`. */
const groupAlive = (pgid: number) => readdirSync('/proc').some((entry) => {
  if (!/^\d+$/.test(entry)) return false;
  try {
    const [state, , pgrp] = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(pgrp) === pgid && state !== 'Z';
  } catch {
    return false; // it ended while we looked
  }
});

/**
 * The pids of the server's ready workers, from its log. Readiness can answer before the log line has
 * been read from the server's stdout, so this waits for the line rather than reading the log once.
 */
async function workerPidsLogged(server: ServerProcess): Promise<number[]> {
  const pids = () => server.logs.filter((l) => l.msg === 'worker ready').map((l) => l.workerPid as number);
  return pollUntil(async () => pids(), (found) => found.length > 0, 10_000);
}

describe('crash recovery', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Starts a server process, waits until its worker is ready, submits jfk.wav and SIGKILLs it while processing. */
  async function crashWhileProcessing(dataDir: string): Promise<{ id: string; workerPids: number[] }> {
    const first: ServerProcess = await spawnServerProcess(dataDir);
    cleanups.push(() => first.stop());
    await pollUntil(() => fetch(`${first.url}/health/ready`).then((r) => r.status), (s) => s === 200, 60_000, 50);
    const workerPids = await workerPidsLogged(first);
    const id = await submitFile(first.url);
    await pollUntil(() => progress(first.url, id), (p) => p.status === 'processing', 30_000, 10);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    return { id, workerPids };
  }

  it('completes a task after the server is SIGKILLed while it is processing and restarted on the same DATA_DIR', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { id } = await crashWhileProcessing(dataDir);

    const second = await spawnServerProcess(dataDir);
    cleanups.push(() => second.stop());
    expect(second.logs.some((l) => l.msg === 're-queued a task interrupted by a restart' && l.taskId === id)).toBe(true);
    const seen: number[] = [];
    const final = await pollUntil(async () => {
      const p = await progress(second.url, id);
      seen.push(p.progress_percentage);
      return p;
    }, (p) => p.status !== 'queued' && p.status !== 'processing', 150_000, 100);
    expect(final).toMatchObject({ identifier: id, status: 'completed', progress_stage: 'complete', progress_percentage: 100, error: null });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const task = (await (await fetch(`${second.url}/tasks/${id}`)).json()) as { attempts: number };
    expect(task.attempts).toBe(2);
    const result = await fetch(`${second.url}/tasks/${id}/result?format=json`);
    expect(result.status).toBe(200);
  }, 240_000);

  it('lets the workers of a SIGKILLed server exit on their own', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { workerPids } = await crashWhileProcessing(dataDir);
    expect(workerPids).toHaveLength(1);
    // An orphan would hold a model's memory (and maybe CPU) beside the restarted server's own workers.
    await pollUntil(async () => workerPids.some(groupAlive), (anyAlive) => !anyAlive, 15_000, 100);
  }, 120_000);

  // The orphan bug: a worker whose first sends failed with EPIPE hung in Node's exit path, which joins
  // the thread pool while whisper_full waits there for the JS thread. Kill the server at moments spread
  // over the first second of a transcription; the kernel's parent-death signal must end the worker each time.
  it('leaves no worker (nor anything it started) alive 5 s after its server is SIGKILLed, at any moment of a transcription', async () => {
    const delaysMs = [0, 10, 50, 100, 200, 300, 450, 600, 800, 1000];
    const survivors: string[] = [];
    for (const delayMs of delaysMs) {
      const dataDir = tempDataDir();
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await spawnServerProcess(dataDir, { WHISPER_THREADS: '1' });
      cleanups.push(() => server.stop());
      await pollUntil(() => fetch(`${server.url}/health/ready`).then((r) => r.status), (s) => s === 200, 60_000, 50);
      const workerPid = (await workerPidsLogged(server))[0]!;
      expect(workerPid).toBeGreaterThan(0);
      const id = await submitFile(server.url);
      await pollUntil(() => progress(server.url, id), (p) => p.status === 'processing', 30_000, 5);
      await sleep(delayMs);
      server.kill('SIGKILL');
      await server.exited;
      // The worker leads its own process group: an empty group means no worker and no ffmpeg of its own.
      const gone = await pollUntil(async () => !groupAlive(workerPid), (g) => g, 5000, 50).catch(() => false);
      if (!gone) survivors.push(`worker ${workerPid} killed ${delayMs} ms into its task`);
    }
    expect(survivors).toEqual([]);
  }, 600_000);

  it('leaves a task that outlives the shutdown grace processing, and runs it again on the next start', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const hung = createFakeTranscriber('manual');
    const first: TestService = await startService({ engine: hung, dataDir });
    const id = await submitFile(first.url);
    await hung.waitForJobs(1);
    await first.close(50);
    await hung.close();

    const healthy = createFakeTranscriber({ stepMs: 2 });
    const second = await startService({ engine: healthy, dataDir });
    cleanups.push(() => second.close());
    const final = await pollUntil(() => progress(second.url, id), (p) => p.status === 'completed', 10_000);
    expect(final.progress_percentage).toBe(100);
    expect(healthy.jobs.map((j) => j.job.taskId)).toEqual([id]);
  });
});
