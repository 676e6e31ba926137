import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../helpers/db-engines.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { pollUntil, submitFile } from '../helpers/start-service.ts';
import { spawnServerProcess, type ServerProcess } from '../helpers/test-server.ts';

// Two api nodes and two worker nodes, each its own process, sharing one PostgreSQL database and one
// media folder, on loopback: what docs/compose.yaml's cluster variant runs.

interface Progress { identifier: string; status: string; progress_stage: string; progress_percentage: number; error: { code: string } | null }

const LEASE_MS = 3000;
const hasPg = Boolean(process.env.PG_TEST_URL);
if (!hasPg) console.warn('cluster tests SKIPPED: no PostgreSQL server (PG_TEST_URL); the vitest global setup starts one when PostgreSQL is installed');

describe.skipIf(!hasPg)('a cluster of api and worker nodes on PostgreSQL', () => {
  let root: string;
  let database: TestDatabase;
  let db: pg.Pool;
  let clip: string;
  const nodes = new Map<string, ServerProcess>();
  const env = (name: string, role: 'api' | 'worker') => ({
    DATABASE_URL: database.url, ROLE: role, NODE_NAME: name, MEDIA_DIR: path.join(root, 'media'), LEASE_TIMEOUT_MS: String(LEASE_MS),
    WHISPER_THREADS: '1', DATABASE_POOL_SIZE: '4',
  });
  const start = async (name: string, role: 'api' | 'worker') => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true });
    const node = await spawnServerProcess(dataDir, env(name, role));
    nodes.set(name, node);
    return node;
  };
  const api = (name: 'api-a' | 'api-b') => nodes.get(name)!.url;
  const progress = async (url: string, id: string) => (await (await fetch(`${url}/tasks/${id}/progress`)).json()) as Progress;
  const row = async (id: string) => (await db.query<{ status: string; lease_owner: string | null; attempts: number }>(
    'select status, lease_owner, attempts from tasks where id = $1', [id])).rows[0];
  const workersReady = (url: string) => pollUntil(async () => (await (await fetch(`${url}/health/ready`)).json()) as { checks: { workers_ready: number } },
    (body) => body.checks.workers_ready >= 2, 90_000, 200);

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cluster-'));
    database = await createPostgresDatabase({ migrated: false }); // the nodes migrate it, all at once
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    clip = path.join(root, 'clip.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-i', JFK_WAV, '-t', '3', clip]);
    await Promise.all([start('api-a', 'api'), start('api-b', 'api'), start('worker-1', 'worker'), start('worker-2', 'worker')]);
    await workersReady(api('api-a'));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...nodes.values()].map((node) => node.stop()));
    await db?.end();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves only health and metrics on a worker node', async () => {
    const worker = nodes.get('worker-1')!.url;
    expect((await fetch(`${worker}/health/live`)).status).toBe(200);
    expect((await fetch(`${worker}/metrics`)).status).toBe(200);
    const refused = await fetch(`${worker}/tasks`);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'NOT_SERVED_HERE', message: expect.stringContaining('worker node') } });
    const apiReady = await fetch(`${api('api-a')}/health/ready`);
    expect(apiReady.status).toBe(200);
    expect(await apiReady.json()).toMatchObject({ status: 'ready', role: 'api', checks: { database: true, workers_ready: 2 } });
  });

  it('shows a task submitted on one api node live on the other: snapshot, progress, segments and the final frame', async () => {
    // Both workers busy, so that the watcher joins while the task is queued and must see all of it.
    const blockers = [await submitFile(api('api-a')), await submitFile(api('api-b'))];
    await pollUntil(() => Promise.all(blockers.map(row)), (rows) => rows.every((r) => r?.status === 'processing'), 60_000, 20);
    const id = await submitFile(api('api-a'), clip);
    const frames: Array<Record<string, unknown>> = [];
    const socket = new WebSocket(`${api('api-b').replace('http', 'ws')}/ws/tasks/${id}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await pollUntil(async () => frames.length, (n) => n > 0, 10_000, 10);
    expect(frames[0]).toMatchObject({ type: 'progress', stage: 'queued' });
    for (const blocker of blockers) expect((await fetch(`${api('api-b')}/tasks/${blocker}/cancel`, { method: 'POST' })).status).toBeLessThan(300);
    expect(await Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no final frame within 90 s')), 90_000))])).toBe(1000);
    const progressFrames = frames.filter((f) => f.type === 'progress');
    expect(progressFrames.length).toBeGreaterThan(1);
    expect(progressFrames.at(-1)).toMatchObject({ stage: 'complete', percentage: 100 });
    const percentages = progressFrames.map((f) => f.percentage as number);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    // Polling any api node gives the same answer, and the result is there.
    expect(await progress(api('api-a'), id)).toEqual(await progress(api('api-b'), id));
    expect((await progress(api('api-b'), id)).status).toBe('completed');
    const result = (await (await fetch(`${api('api-b')}/tasks/${id}/result?format=json`)).json()) as { segments: Array<{ text: string }> };
    const segments = frames.filter((f) => f.type === 'segment').map((f) => (f.segment as { text: string }).text);
    expect(result.segments.length).toBeGreaterThan(0);
    expect(segments).toEqual(result.segments.map((seg) => seg.text)); // every one, as a watcher on the worker's own node sees them
    expect((await row(id))?.lease_owner).toMatch(/^worker-[12]$/);
  }, 120_000);

  it('cancels on one api node a task that runs on a worker node, within 2 s', async () => {
    const id = await submitFile(api('api-a'));
    await pollUntil(() => row(id), (r) => r?.status === 'processing', 60_000, 20);
    const asked = Date.now();
    const answer = await fetch(`${api('api-b')}/tasks/${id}/cancel`, { method: 'POST' });
    expect([200, 202]).toContain(answer.status);
    const ended = await pollUntil(() => progress(api('api-a'), id), (p) => p.status !== 'processing', 10_000, 20);
    expect(ended.status).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(2000 + 500); // the contract's 2 s, plus this poll's own latency
  }, 90_000);

  it('finishes on the other worker node a task whose node was SIGKILLed mid-task', async () => {
    const id = await submitFile(api('api-b'));
    const running = await pollUntil(() => row(id), (r) => r?.status === 'processing' && r.lease_owner !== null, 60_000, 20);
    const victim = nodes.get(running!.lease_owner!)!;
    victim.kill('SIGKILL');
    await victim.exited;
    const done = await pollUntil(() => progress(api('api-a'), id), (p) => p.status !== 'queued' && p.status !== 'processing', 150_000, 200);
    expect(done.status).toBe('completed');
    const after = await row(id);
    expect(after?.attempts).toBe(2);
    expect(after?.lease_owner).not.toBe(running!.lease_owner);
    // Bring the node back for the next test.
    await start(running!.lease_owner!, 'worker');
    await workersReady(api('api-a'));
  }, 240_000);

  it('loses no task of a burst spread over both api nodes', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => submitFile(api(i % 2 ? 'api-b' : 'api-a'), clip)));
    expect(new Set(ids).size).toBe(10);
    const ended = await pollUntil(async () => Promise.all(ids.map((id) => progress(api('api-b'), id))),
      (all) => all.every((p) => p.status === 'completed' || p.status === 'failed'), 240_000, 500);
    expect(ended.map((p) => p.status)).toEqual(Array(10).fill('completed'));
    const owners = new Set((await db.query<{ lease_owner: string }>('select lease_owner from tasks where id = any($1)', [ids])).rows.map((r) => r.lease_owner));
    expect(owners).toEqual(new Set(['worker-1', 'worker-2']));
  }, 300_000);
});
