// `npm run bench:cluster -- [--seconds 5] [--connections 50] [--sockets 200] [--tasks 10]`
// Scale-out on PostgreSQL against baselines measured in the same run: polling throughput and WebSocket
// fan-out on two api nodes vs one; submit-to-start latency and per-task queue overhead of api + worker
// nodes on PostgreSQL vs one SQLite process; cross-node event latency (worker node → socket on an api
// node) against the p99 ≤ 100 ms target. A benchmark, not a test: it prints figures, never fails on them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { longWav } from '../test/helpers/fixtures.ts';
import { FOR_TESTS_TINY_EN, SILERO_VAD, TINY_EN_RANDOM } from '../test/helpers/paths.ts';
import { startPgCluster } from '../test/helpers/pg-cluster.ts';
import type { ServerProcess } from '../test/helpers/test-server.ts';
import { quantile, runGetLoad } from './bench-api-http.ts';
import { ended, progressDelays, reachAllDelays, startNode, submit, task, until, watch, workersReady, type Watcher } from './bench-cluster-nodes.ts';

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' },
  sockets: { type: 'string', default: '200' }, tasks: { type: 'string', default: '20' },
} });
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SOCKETS = Number(values.sockets);
const TASKS = Number(values.tasks);
const P99_TARGET_MS = 100;
const VAD = { vad: 'true' };

const rows: Array<[string, string, string, string]> = [];
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const row = (what: string, baseline: number, measured: number, unit: string, digits = 1) =>
  rows.push([what, `${fmt(baseline, digits)} ${unit}`, `${fmt(measured, digits)} ${unit}`, `${fmt(measured / baseline, 2)}×`]);
const say = (line: string) => console.log(`[bench:cluster] ${line}`);
const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

/** Submit-to-start, one task at a time on an idle queue: client-seen (poll every 5 ms) and server-side (started_at − created_at). */
async function submitToStart(base: string, clip: string, count: number): Promise<{ client: number[]; server: number[] }> {
  const client: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = Date.now();
    const id = await submit(base, clip, VAD);
    await until(() => task(base, id), (t) => t.status !== 'queued', 30_000, 5);
    client.push(Date.now() - t0);
    const done = await ended(base, id);
    server.push(ms(done.started_at) - ms(done.created_at));
  }
  return { client, server };
}

/** K tasks submitted at once, one watcher each on `watchBase`: (wall time − sum of run times) ÷ K, and the watchers' event delays. */
async function queueOverhead(submitBase: string, watchBase: string, clip: string): Promise<{ perTask: number; wall: number; busy: number; delays: number[] }> {
  const ids: string[] = [];
  const watchers: Watcher[] = [];
  for (let i = 0; i < TASKS; i++) {
    ids.push(await submit(submitBase, clip, VAD));
    watchers.push(watch(watchBase, ids.at(-1)!));
  }
  const done = await Promise.all(ids.map((id) => ended(submitBase, id)));
  await Promise.all(watchers.map((w) => w.closed));
  const failed = done.filter((t) => t.status !== 'completed');
  if (failed.length > 0) throw new Error(`${failed.length} of ${TASKS} tasks did not complete: ${JSON.stringify(failed[0])}`);
  const wall = Math.max(...done.map((t) => ms(t.completed_at))) - Math.min(...done.map((t) => ms(t.created_at)));
  const busy = done.reduce((sum, t) => sum + ms(t.completed_at) - ms(t.started_at), 0);
  return { perTask: (wall - busy) / TASKS, wall, busy, delays: progressDelays(watchers) };
}

/** Polling load on the given nodes at once, CONNECTIONS split among them; total req/s and the worst p99. */
async function polling(bases: string[], id: string): Promise<{ rps: number; p99: number }> {
  const share = Math.ceil(CONNECTIONS / bases.length);
  const results = await Promise.all(bases.map((base) => runGetLoad(base, `/tasks/${id}/progress`, share, SECONDS * 1000)));
  return { rps: results.reduce((sum, r) => sum + r.rps, 0), p99: Math.max(...results.map((r) => r.p99)) };
}

/** SOCKETS watchers of one running task, spread over `bases`; the delay until every socket had each progress event. */
async function fanout(submitBase: string, bases: string[], media: string): Promise<{ reachAll: number[]; frames: number }> {
  const id = await submit(submitBase, media);
  const watchers = Array.from({ length: SOCKETS }, (_, i) => watch(bases[i % bases.length]!, id));
  await Promise.all(watchers.map((w) => w.opened));
  await Promise.all(watchers.map((w) => w.closed));
  return { reachAll: reachAllDelays(watchers), frames: watchers.reduce((n, w) => n + w.arrivals.length, 0) };
}

const root = mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
const nodes: ServerProcess[] = [];
const pg = startPgCluster();
try {
  const clip = path.join(root, 'noise-1s.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anoisesrc=r=16000:a=0.01:c=pink', '-t', '1', clip]);
  const media = longWav(60);
  // The queue is measured on 1 s of faint noise with vad=true: the VAD finds no speech and whisper_full is
  // skipped, so the run itself is small next to the overhead. Fan-out needs a task that runs a while
  // and reports as it goes: the random-weight tiny.en model on 60 s.
  const fast = { WHISPER_MODEL: FOR_TESTS_TINY_EN, WHISPER_VAD_MODEL: SILERO_VAD };
  say(`${os.cpus().length} CPUs; queue: ${TASKS} tasks of 1 s of faint noise with vad=true; fan-out: ${SOCKETS} sockets on 60 s with the random tiny.en; ` +
    `polling: ${CONNECTIONS} connections for ${SECONDS} s`);

  say('baseline: one SQLite process (ROLE=all)…');
  const single = await startNode(root, 'single', fast);
  nodes.push(single);
  const sqliteStart = await submitToStart(single.url, clip, 5);
  const sqliteQueue = await queueOverhead(single.url, single.url, clip);
  const sqlitePollId = await submit(single.url, clip, VAD);
  await ended(single.url, sqlitePollId);
  const sqlitePoll = await polling([single.url], sqlitePollId);
  await single.stop();
  nodes.length = 0;

  say('cluster: api-a, api-b and worker-1 on PostgreSQL…');
  const cluster = { DATABASE_URL: await pg.createDatabase(), MEDIA_DIR: path.join(root, 'media'), LEASE_TIMEOUT_MS: '30000', DATABASE_POOL_SIZE: '10' };
  const apiA = await startNode(root, 'api-a', { ...cluster, ...fast, ROLE: 'api' }); // first alone: it migrates the database
  nodes.push(apiA, ...(await Promise.all([startNode(root, 'api-b', { ...cluster, ...fast, ROLE: 'api' }), startNode(root, 'worker-1', { ...cluster, ...fast, ROLE: 'worker' })])));
  const apiB = nodes[1]!;
  await workersReady(apiA.url, 1);
  const pgStart = await submitToStart(apiA.url, clip, 5);
  const pgQueue = await queueOverhead(apiA.url, apiB.url, clip);
  const pollId = await submit(apiA.url, clip, VAD);
  await ended(apiA.url, pollId);
  const poll1 = await polling([apiA.url], pollId);
  const poll2 = await polling([apiA.url, apiB.url], pollId);
  say('fan-out: worker-1 replaced by worker-2 with the random tiny.en model…');
  await nodes[2]!.stop();
  nodes.push(await startNode(root, 'worker-2', { ...cluster, WHISPER_MODEL: TINY_EN_RANDOM, ROLE: 'worker' }));
  await until(() => fetch(`${apiA.url}/health/ready`).then((r) => r.status), (s) => s === 200, 120_000, 200);
  const fan1 = await fanout(apiA.url, [apiA.url], media);
  const fan2 = await fanout(apiA.url, [apiA.url, apiB.url], media);

  row('polling GET /progress: 1 SQLite process vs 1 api node', sqlitePoll.rps, poll1.rps, 'req/s', 0);
  row('polling GET /progress: 2 api nodes vs 1', poll1.rps, poll2.rps, 'req/s', 0);
  row('polling p99: 2 api nodes vs 1', poll1.p99, poll2.p99, 'ms');
  row(`fan-out ${SOCKETS} sockets, reach-all p50: 2 api nodes vs 1`, quantile(fan1.reachAll, 0.5), quantile(fan2.reachAll, 0.5), 'ms');
  row(`fan-out ${SOCKETS} sockets, reach-all p99: 2 api nodes vs 1`, quantile(fan1.reachAll, 0.99), quantile(fan2.reachAll, 0.99), 'ms');
  row('submit-to-start p50 (client): PostgreSQL vs SQLite', quantile(sqliteStart.client, 0.5), quantile(pgStart.client, 0.5), 'ms');
  row('submit-to-start p50 (started_at − created_at)', quantile(sqliteStart.server, 0.5), quantile(pgStart.server, 0.5), 'ms');
  row(`queue overhead per task, ${TASKS} at once`, sqliteQueue.perTask, pgQueue.perTask, 'ms');
  row('event latency p50: cross-node vs in-process', quantile(sqliteQueue.delays, 0.5), quantile(pgQueue.delays, 0.5), 'ms');
  row('event latency p99: cross-node vs in-process', quantile(sqliteQueue.delays, 0.99), quantile(pgQueue.delays, 0.99), 'ms');
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[['figure', 'baseline', 'measured', 'ratio'], ...rows].map((r) => r[c]!.length)));
  for (const r of [['figure', 'baseline', 'measured', 'ratio'], ...rows]) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  say(`queue: SQLite wall ${fmt(sqliteQueue.wall, 0)} ms, busy ${fmt(sqliteQueue.busy, 0)} ms; PostgreSQL wall ${fmt(pgQueue.wall, 0)} ms, busy ${fmt(pgQueue.busy, 0)} ms`);
  say(`fan-out frames delivered: 1 node ${fan1.frames} (${fan1.reachAll.length} events to all), 2 nodes ${fan2.frames} (${fan2.reachAll.length} events to all)`);
  const p99 = quantile(pgQueue.delays, 0.99);
  say(`cross-node event latency (worker node → socket on another api node, ${pgQueue.delays.length} frames): p50 ${fmt(quantile(pgQueue.delays, 0.5))} ms, ` +
    `p99 ${fmt(p99)} ms → ${p99 <= P99_TARGET_MS ? 'PASS' : 'FAIL'} (target p99 ≤ ${P99_TARGET_MS} ms; ${fmt(p99 / P99_TARGET_MS, 2)}× of it)`);
} finally {
  await Promise.all(nodes.map((node) => node.stop()));
  pg.stop();
  rmSync(root, { recursive: true, force: true });
}
