// Graceful shutdown of a real server process (`node --import tsx src/main.ts`) with its worker pool
// and the random tiny.en model: watchers are told 1001, the process exits 0, the database is closed
// cleanly, and the task that was running is either finished within the grace or resumed next start.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile } from '../../src/db/database.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { spawnServerProcess, type ServerProcess } from '../helpers/test-server.ts';
import { pollUntil, submitFile, tempDataDir } from '../helpers/start-service.ts';
import { connect } from '../ws/mini-server.ts';

type Json = Record<string, any>;

const getJson = async (url: string): Promise<Json> => (await fetch(url)).json() as Promise<Json>;
const refused = (url: string) => fetch(`${url}/health/live`).then(() => false, () => true);

/** The WAL left beside the database: absent or empty once SQLite was closed cleanly. */
function walBytes(dataDir: string): number {
  const wal = `${databaseFile(dataDir)}-wal`;
  return existsSync(wal) ? statSync(wal).size : 0;
}

describe('graceful shutdown', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startProcess(dataDir: string, env: Record<string, string>): Promise<ServerProcess> {
    const server = await spawnServerProcess(dataDir, env);
    cleanups.push(() => server.stop());
    await pollUntil(() => fetch(`${server.url}/health/ready`).then((r) => r.status), (s) => s === 200, 90_000);
    return server;
  }

  /** Submits jfk.wav, watches it over a socket, and waits until a worker is on it. */
  async function runningTask(server: ServerProcess) {
    const id = await submitFile(server.url);
    const watcher = await connect(`${server.url.replace('http', 'ws')}/ws/tasks/${id}`);
    cleanups.push(() => watcher.ws.terminate());
    await watcher.next((f) => f.type === 'progress' && f.stage === 'transcribing', 0, 60_000);
    return { id, watcher };
  }

  it('on SIGTERM closes sockets with 1001, exits 0, and the unfinished task resumes and completes after a restart', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const graceMs = 0; // no time to finish: the running task must be left for the next start
    const first = await startProcess(dataDir, { SHUTDOWN_GRACE_MS: String(graceMs) });
    const { id, watcher } = await runningTask(first);

    const signalled = Date.now();
    first.kill('SIGTERM');
    expect(await watcher.closed).toMatchObject({ code: 1001 });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    // A hang bound, not a speed target: stopping must not wait for the transcription.
    expect(Date.now() - signalled).toBeLessThan(graceMs + 20_000);
    expect(first.logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(await refused(first.url)).toBe(true);
    expect(walBytes(dataDir)).toBe(0);

    const second = await startProcess(dataDir, {});
    const final = await pollUntil(() => getJson(`${second.url}/tasks/${id}/progress`),
      (p) => p.status !== 'queued' && p.status !== 'processing', 150_000, 100);
    expect(final).toMatchObject({ status: 'completed', progress_percentage: 100, error: null });
    expect(second.logs.some((l) => l.msg === 're-queued a task interrupted by a restart' && l.taskId === id)).toBe(true);
    expect((await getJson(`${second.url}/tasks/${id}`)).attempts).toBe(2);
  }, 300_000);

  it('on SIGINT lets a running task finish within a long grace, then exits 0 with the task completed', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startProcess(dataDir, { SHUTDOWN_GRACE_MS: '150000' });
    const { id, watcher } = await runningTask(first);

    first.kill('SIGINT');
    expect(await watcher.closed).toMatchObject({ code: 1001 });
    // While the task drains the server still listens: new work gets 503 SHUTTING_DOWN, liveness 200.
    const form = new FormData();
    form.append('file', new Blob([readFileSync(JFK_WAV)], { type: 'audio/wav' }), 'jfk.wav');
    const late = await fetch(`${first.url}/tasks`, { method: 'POST', body: form });
    expect(late.status).toBe(503);
    expect(((await late.json()) as Json).error.code).toBe('SHUTTING_DOWN');
    expect((await fetch(`${first.url}/health/live`)).status).toBe(200);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(await refused(first.url)).toBe(true);
    expect(walBytes(dataDir)).toBe(0);

    const second = await startProcess(dataDir, {});
    const task = await getJson(`${second.url}/tasks/${id}`);
    expect(task).toMatchObject({ status: 'completed', attempts: 1 });
    expect(second.logs.some((l) => l.msg === 're-queued a task interrupted by a restart')).toBe(false);
  }, 300_000);
});
