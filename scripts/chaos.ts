// `npm run chaos -- [--cycles 5] [--tasks 2] [--seed N] [--workers 1] [--grace-ms 2000] [--settle-s 900]`
// Runs the server as a process on a temporary DATA_DIR and, each cycle, submits tasks and then, at a
// random moment, SIGKILLs the server, SIGKILLs a worker, or SIGTERMs the server; the server is
// restarted on the same DATA_DIR. At the end every accepted task (answered 202) must be completed,
// or failed with a known code: the number lost (missing or never finished) must be 0.
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ERROR_CODES } from '../src/contract/task-error.ts';
import { JFK_WAV } from '../test/helpers/paths.ts';
import { spawnServerProcess, tempDataDir, type ServerProcess } from '../test/helpers/test-server.ts';
import { isAlive, workerPidsFromLogs } from './soak-stats.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '2' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    workers: { type: 'string', default: '1' },
    'grace-ms': { type: 'string', default: '2000' },
    'settle-s': { type: 'string', default: '900' },
    media: { type: 'string', default: JFK_WAV },
  },
});
type Json = Record<string, any>;
type Action = 'kill-server' | 'kill-worker' | 'term-server';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = mulberry32(Number(values.seed));
const media = readFileSync(values.media!);
const dataDir = tempDataDir();
const env = { WORKERS: values.workers!, SHUTDOWN_GRACE_MS: values['grace-ms']! };
const accepted: string[] = [];
const actions: Record<Action, number> = { 'kill-server': 0, 'kill-worker': 0, 'term-server': 0 };
let submitFailures = 0;
let orphanedWorkers = 0;
let unclean = 0;

async function main(): Promise<void> {
  console.log(`chaos: ${values.cycles} cycles, ${values.tasks} tasks each, seed ${values.seed}, DATA_DIR ${dataDir}`);
  const started = Date.now();
  let server: ServerProcess | null = null;
  for (let cycle = 1; cycle <= Number(values.cycles); cycle++) {
    server ??= await start();
    const submissions = Array.from({ length: Number(values.tasks) }, async () => {
      await sleep(random() * 2000);
      await submit(server!.url);
    });
    await sleep(300 + random() * 6000); // the moment of the blow: before, during or after uploads and decoding
    const roll = random();
    const workers = workerPidsFromLogs(server.logs);
    const action: Action = roll < 0.5 ? 'kill-server' : roll < 0.8 && workers.length > 0 ? 'kill-worker' : 'term-server';
    actions[action] += 1;
    console.log(`cycle ${cycle}: ${action} (${accepted.length} accepted so far)`);
    if (action === 'kill-worker') {
      process.kill(workers[Math.floor(random() * workers.length)]!, 'SIGKILL');
    } else {
      server.kill(action === 'kill-server' ? 'SIGKILL' : 'SIGTERM');
      const exit = await server.exited;
      if (action === 'term-server' && exit.code !== 0) unclean += 1;
      await reapOrphans(workers);
      server = null;
    }
    await Promise.all(submissions);
  }
  server ??= await start();
  const lost = await settle(server.url);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`\nactions: ${JSON.stringify(actions)}; SIGTERM exits not 0: ${unclean}; workers left running after their server died: ${orphanedWorkers}`);
  console.log(`submissions refused or cut off: ${submitFailures}; run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`LOST: ${lost}`);
  process.exitCode = lost === 0 && orphanedWorkers === 0 ? 0 : 1;
}

async function start(): Promise<ServerProcess> {
  const server = await spawnServerProcess(dataDir, env, 90_000);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && (await fetch(`${server.url}/health/ready`).then((r) => r.status, () => 0)) !== 200) await sleep(100);
  return server;
}

async function submit(base: string): Promise<void> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(media)]), 'chaos.wav');
  try {
    const res = await fetch(`${base}/tasks`, { method: 'POST', body, signal: AbortSignal.timeout(30_000) });
    if (res.status === 202) accepted.push(((await res.json()) as Json).identifier as string);
    else submitFailures += 1;
  } catch {
    submitFailures += 1; // the server died mid-upload: never acknowledged, so not counted as accepted
  }
}

/** Workers of a dead server must exit on their own (IPC disconnect); any still alive after 15 s is counted and killed. */
async function reapOrphans(pids: number[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(100);
  for (const pid of pids.filter(isAlive)) {
    orphanedWorkers += 1;
    process.kill(pid, 'SIGKILL');
  }
}

/** Waits for every accepted task to end; prints the outcome and returns how many were lost. */
async function settle(base: string): Promise<number> {
  const deadline = Date.now() + Number(values['settle-s']) * 1000;
  const finals = new Map<string, Json | null>();
  for (const id of accepted) {
    for (;;) {
      const res = await fetch(`${base}/tasks/${id}`);
      const task = res.status === 404 ? null : ((await res.json()) as Json);
      if (!task || !['queued', 'processing'].includes(task.status) || Date.now() > deadline) {
        finals.set(id, task);
        break;
      }
      await sleep(250);
    }
  }
  const counts: Record<string, number> = {};
  let lost = 0;
  for (const [id, task] of finals) {
    const code = task?.error?.error_code;
    const clear = task?.status === 'completed' || (task?.status === 'failed' && ERROR_CODES.includes(code) && task.error.user_message);
    const key = !task ? 'missing' : task.status === 'failed' ? `failed:${code}` : task.status;
    counts[key] = (counts[key] ?? 0) + 1;
    if (!clear && task?.status !== 'cancelled') {
      lost += 1;
      console.log(`lost: ${id} ${JSON.stringify(task)?.slice(0, 300)}`);
    }
  }
  console.log(`\naccepted ${accepted.length}: ${JSON.stringify(counts)}`);
  return lost;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

await main();
