// `npm run bench:api -- [--url http://host:port] [--seconds 10] [--connections 50] [--sockets 1000]` (--help lists all)
// Measures GET /tasks/{id}/progress throughput and latency idle and while a transcription runs,
// task-create latency, and WebSocket fan-out to many sockets. A benchmark, not a test: it prints
// figures and their ratio to the targets of issue 3 and never fails on them.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { longWav } from '../test/helpers/fixtures.ts';
import { ROOT } from '../test/helpers/paths.ts';
import { tempDataDir, testEnv } from '../test/helpers/start-service.ts';
import { runFanout } from './bench-api-fanout.ts';
import { quantile, runGetLoad, type LoadResult } from './bench-api-http.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    creates: { type: 'string', default: '200' },
    sockets: { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'warn' },
    only: { type: 'string', default: 'idle,create,busy,fanout' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:api -- [options]
  --url URL           measure a running server instead of spawning one (server CPU is then not reported)
  --seconds N         length of each polling run (default 10)
  --connections N     keep-alive connections of the polling load (default 50)
  --creates N         POST /tasks measured one at a time (default 200)
  --sockets N         WebSocket watchers of the fan-out run (default 1000)
  --log-level LEVEL   LOG_LEVEL of the spawned server (default warn)
  --only LIST         parts to run, comma-separated: idle,create,busy,fanout (default all)
  --cpu-prof DIR      write V8 CPU profiles of the spawned server and the fan-out harness into DIR`);
  process.exit(0);
}
const parts = new Set(values.only.split(',').map((part) => part.trim()));
const profileArgs = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const creates = Number(values.creates);
const sockets = Number(values.sockets);
const TARGETS = { idleRps: 12_000, busyRps: 8_000, p99Ms: 10, fanoutMsgPerSec: 80_000 };

type Json = Record<string, any>;
const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(base: string, file: string): Promise<string> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(readFileSync(file))]), 'bench.wav');
  const res = await fetch(`${base}/tasks`, { method: 'POST', body });
  if (res.status !== 202) throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as Json).identifier as string;
}
const progress = async (base: string, id: string) => (await (await fetch(`${base}/tasks/${id}/progress`)).json()) as Json;
const cancel = (base: string, id: string) => fetch(`${base}/tasks/${id}/cancel`, { method: 'POST' });
const remove = (base: string, id: string) => fetch(`${base}/tasks/${id}`, { method: 'DELETE' });

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

/** Starts `src/main.ts` as its own process (own process group, so its workers can be reached too). */
async function spawnServer(dataDir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const env = testEnv(dataDir, {
    PORT: String(port), LOG_LEVEL: values['log-level'], RATE_LIMIT_PER_MINUTE: '0', WORKERS: '1', WHISPER_THREADS: String(os.cpus().length),
  });
  const child = spawn(process.execPath, [...profileArgs, '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(base: string): Promise<void> {
  for (const end = Date.now() + 120_000; Date.now() < end; await sleep(200)) {
    if ((await fetch(`${base}/health/ready`).catch(() => null))?.status === 200) return;
  }
  throw new Error(`${base} did not become ready within 120 s`);
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where that cannot be read. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return null; // not Linux, or the process is gone: the figure is left out
  }
}

/** Runs a load and the server's CPU time over it, so a result can be judged apart from the shared CPU. */
async function measuredLoad(base: string, path: string, pid: number | undefined): Promise<LoadResult & { serverCpuMsPerReq: number | null }> {
  const before = cpuSeconds(pid);
  const result = await runGetLoad(base, path, connections, seconds * 1000);
  const after = cpuSeconds(pid);
  const serverCpuMsPerReq = before === null || after === null ? null : ((after - before) * 1000) / Math.max(1, result.requests);
  return { ...result, serverCpuMsPerReq };
}

function describeLoad(name: string, r: LoadResult & { serverCpuMsPerReq: number | null }, targetRps: number): void {
  log(`${name}: ${r.rps.toFixed(0)} req/s (${r.requests} in ${r.seconds.toFixed(1)} s), p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms` +
    `, non-2xx ${r.non2xx}, errors ${r.errors}`);
  if (r.serverCpuMsPerReq !== null) {
    log(`  server CPU: ${(r.serverCpuMsPerReq * 1000).toFixed(0)} µs per request → about ${(1000 / r.serverCpuMsPerReq).toFixed(0)} req/s per core given to the server alone`);
  }
  log(`  vs target: throughput ${(r.rps / targetRps).toFixed(2)}× of ${targetRps} req/s; p99 ${(r.p99 / TARGETS.p99Ms).toFixed(2)}× of ${TARGETS.p99Ms} ms (≤ 1 meets it)`);
}

async function taskCreate(base: string, file: string): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < creates; i++) {
    const start = performance.now();
    const id = await submit(base, file);
    latencies.push(performance.now() - start);
    await remove(base, id); // so that no transcription runs during the next create
  }
  log(`task create (POST /tasks, ${(readFileSync(file).length / 1024).toFixed(0)} KiB WAV, one at a time, each deleted after, ${creates}×): ` +
    `p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms`);
}

/** Polling idle, task create and polling while transcribing, as `--only` asks. */
async function pollingParts(base: string, pid: number | undefined): Promise<void> {
  await waitReady(base);
  const short = longWav(2);
  const idleId = await submit(base, short);
  await cancel(base, idleId); // a finished task: polling it involves no transcription
  if (parts.has('idle')) {
    await runGetLoad(base, `/tasks/${idleId}/progress`, connections, 2000); // warm-up
    describeLoad(`GET /tasks/{id}/progress idle, ${connections} connections`, await measuredLoad(base, `/tasks/${idleId}/progress`, pid), TARGETS.idleRps);
  }
  if (parts.has('create')) await taskCreate(base, short);
  if (parts.has('busy')) {
    const busyId = await submit(base, longWav(600));
    for (const end = Date.now() + 60_000; (await progress(base, busyId)).progress_stage !== 'transcribing' && Date.now() < end; ) await sleep(100);
    if (!parts.has('idle')) await runGetLoad(base, `/tasks/${busyId}/progress`, connections, 2000); // warm-up
    const busy = await measuredLoad(base, `/tasks/${busyId}/progress`, pid);
    const after = await progress(base, busyId);
    describeLoad(`GET /tasks/{id}/progress while transcribing (${after.status} at the end, ${after.progress_percentage} %), ${connections} connections`, busy, TARGETS.busyRps);
    await cancel(base, busyId);
  }
  await remove(base, idleId);
}

async function main(): Promise<void> {
  const cores = os.cpus().length;
  log(`bench:api — ${cores} CPU core(s) (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`);
  log(`NOTE: the load generator runs on the same ${cores} core(s) as the server (and, while transcribing, the worker), so it takes CPU from what it measures; figures are a floor.`);
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  let dataDir: string | undefined;
  let base = values.url?.replace(/\/$/, '');
  const http = parts.has('idle') || parts.has('create') || parts.has('busy');
  if (!base && http) {
    dataDir = tempDataDir();
    server = await spawnServer(dataDir);
    base = server.url;
    log(`server: ${base} (pid ${server.child.pid}, random-weight tiny.en model, 1 worker, LOG_LEVEL=${values['log-level']}, rate limit off)`);
  }
  try {
    if (base && http) await pollingParts(base, server?.child.pid);
  } finally {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  if (!parts.has('fanout')) return;

  const fan = await runFanout(sockets, 200, 100, 20, values['cpu-prof']);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  log(`WebSocket fan-out to ${fan.sockets} sockets on one task (own createApp harness process; parent holds the clients):`);
  log(`  burst: ${fan.burst.msgPerSec.toFixed(0)} msg/s (${fan.burst.messages} in ${fan.burst.seconds.toFixed(2)} s, lost ${fan.burst.lost}), delivery p50 ${fan.burst.p50.toFixed(1)} ms, p99 ${fan.burst.p99.toFixed(1)} ms` +
    ` — ${(fan.burst.msgPerSec / TARGETS.fanoutMsgPerSec).toFixed(2)}× of ${TARGETS.fanoutMsgPerSec} msg/s`);
  log(`  paced (one event per 20 ms): ${fan.paced.msgPerSec.toFixed(0)} msg/s, delivery p50 ${fan.paced.p50.toFixed(2)} ms, p99 ${fan.paced.p99.toFixed(2)} ms, lost ${fan.paced.lost}`);
  log(`  harness CPU during the burst: ${fan.burst.cpuUsPerMsg.toFixed(1)} µs per delivered message → about ${(1e6 / fan.burst.cpuUsPerMsg).toFixed(0)} msg/s per core given to the server alone`);
  log(`  server RSS: ${mb(fan.rss.idle)} idle, ${mb(fan.rss.withSockets)} with ${fan.sockets} sockets, ${mb(fan.rss.peak)} peak during the runs`);
}

await main();
