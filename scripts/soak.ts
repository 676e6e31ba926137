// `npm run soak -- [--duration 60] [--sockets 200] [--pollers 20] [--pending 2] [--heartbeat-ms 1000]
//                  [--sample-s 5] [--url http://host:port --pid PID] [--media file.wav]`
// Holds many WebSockets (each reconnecting to a recent task every 5-20 s), keeps tasks running and
// polls progress for the whole duration, then prints the server's RSS trend (samples and slope) and
// the heartbeats that came late (a gap over 1.5x the interval). Without --url it starts the server
// itself (random tiny.en model, temporary DATA_DIR); with --url give --pid to see its RSS.
import { readFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { JFK_WAV } from '../test/helpers/paths.ts';
import { spawnServerProcess, tempDataDir } from '../test/helpers/test-server.ts';
import { linearSlope, processRss, workerPidsFromLogs } from './soak-stats.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    sockets: { type: 'string', default: '200' },
    pollers: { type: 'string', default: '20' },
    pending: { type: 'string', default: '2' },
    'heartbeat-ms': { type: 'string', default: '1000' },
    'sample-s': { type: 'string', default: '5' },
    url: { type: 'string' },
    pid: { type: 'string' },
    media: { type: 'string', default: JFK_WAV },
  },
});
const durationMs = Number(values.duration) * 1000;
const socketCount = Number(values.sockets);
const heartbeatMs = Number(values['heartbeat-ms']);
const late = heartbeatMs * 1.5;
type Json = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

const stats = {
  submitted: 0, completed: 0, failed: 0, submitErrors: 0, polls: 0, pollErrors: 0, http5xx: 0,
  connects: 0, connectErrors: 0, heartbeats: 0, missedHeartbeats: 0, socketsWithMisses: 0, maxGapMs: 0,
  closesByCode: {} as Record<string, number>,
};
const recent: string[] = []; // newest last; sockets and pollers pick from these

async function main(): Promise<void> {
  const dataDir = values.url ? null : tempDataDir();
  const server = dataDir
    ? await spawnServerProcess(dataDir, { HEARTBEAT_INTERVAL_MS: String(heartbeatMs), MAX_WS_CONNECTIONS_PER_TASK: String(socketCount) })
    : null;
  const base = values.url ?? server!.url;
  const pid = server?.pid ?? (values.pid ? Number(values.pid) : null);
  console.log(`soak: ${base}, ${values.duration} s, ${socketCount} sockets, ${values.pollers} pollers, heartbeat ${heartbeatMs} ms`);
  const media = readFileSync(values.media!);
  const lag = monitorEventLoopDelay();
  lag.enable();
  const started = Date.now();
  const deadline = started + durationMs;
  const samples: Array<{ t: number; rssMb: number | null; workersMb: number | null; open: number; done: number }> = [];
  let open = 0;
  const sample = () => {
    const workers = server ? workerPidsFromLogs(server.logs).map(processRss).filter((x): x is number => x !== null) : [];
    samples.push({
      t: (Date.now() - started) / 1000, rssMb: pid ? mb(processRss(pid)) : null,
      workersMb: workers.length ? mb(workers.reduce((a, b) => a + b, 0)) : null, open, done: stats.completed + stats.failed,
    });
  };
  sample();
  const sampler = setInterval(sample, Number(values['sample-s']) * 1000);

  const submitLoop = async () => {
    while (Date.now() < deadline) {
      const id = await submit(base, media);
      if (!id) {
        await sleep(1000);
        continue;
      }
      recent.push(id);
      if (recent.length > 20) recent.shift();
      for (;;) {
        const p = await getJson(`${base}/tasks/${id}/progress`);
        if (p?.status === 'completed') stats.completed += 1;
        if (p?.status === 'failed' || p?.status === 'cancelled') stats.failed += 1;
        if (p && !['queued', 'processing'].includes(p.status)) break;
        if (Date.now() > deadline + 120_000) break;
        await sleep(250);
      }
    }
  };
  const socketLoop = async (index: number) => {
    await sleep((index * 1000) / Math.max(1, socketCount) * 5); // spread the first connects over 5 s
    while (Date.now() < deadline) {
      const id = pick(recent);
      if (!id) {
        await sleep(200);
        continue;
      }
      open += 1;
      await watchFor(`${base.replace(/^http/, 'ws')}/ws/tasks/${id}`, Math.min(5000 + Math.random() * 15_000, deadline - Date.now()));
      open -= 1;
    }
  };
  const pollLoop = async () => {
    for (let n = 0; Date.now() < deadline; n++) {
      const id = pick(recent);
      await getJson(n % 10 === 9 || !id ? `${base}/tasks?limit=20` : `${base}/tasks/${id}/progress`);
      await sleep(200 + Math.random() * 300);
    }
  };
  const loops = [
    ...Array.from({ length: Number(values.pending) }, submitLoop),
    ...Array.from({ length: socketCount }, (_, i) => socketLoop(i)),
    ...Array.from({ length: Number(values.pollers) }, pollLoop),
  ];
  await Promise.all(loops);
  clearInterval(sampler);
  sample();
  lag.disable();

  report(samples, lag.percentile(99) / 1e6);
  if (server) {
    const stopAt = Date.now();
    server.kill('SIGTERM');
    const exit = await server.exited;
    console.log(`server stop: exit ${exit.code ?? exit.signal} after ${Date.now() - stopAt} ms`);
    await server.stop();
    rmSync(dataDir!, { recursive: true, force: true });
  }
  process.exitCode = stats.http5xx + stats.pollErrors > 0 ? 1 : 0;
}

/** Opens a socket, checks the gaps between heartbeats while it is open, closes it after `forMs`. */
function watchFor(url: string, forMs: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let last = 0;
    let missed = 0;
    const beat = (now: number) => {
      const gap = now - last;
      stats.maxGapMs = Math.max(stats.maxGapMs, gap);
      if (gap > late) missed += 1;
      last = now;
    };
    ws.on('open', () => {
      stats.connects += 1;
      last = Date.now();
      setTimeout(() => ws.close(1000), Math.max(0, forMs));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Json;
      if (frame.type !== 'heartbeat') return;
      stats.heartbeats += 1;
      beat(Date.now());
    });
    ws.on('error', () => (stats.connectErrors += 1));
    ws.on('close', (code) => {
      // The time since the last heartbeat counts too: a silent socket must not hide its gap.
      if (last > 0 && Date.now() - last > late) missed += 1;
      stats.closesByCode[code] = (stats.closesByCode[code] ?? 0) + 1;
      stats.missedHeartbeats += missed;
      if (missed > 0) stats.socketsWithMisses += 1;
      resolve();
    });
  });
}

async function submit(base: string, media: Buffer): Promise<string | null> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(media)]), 'soak.wav');
  try {
    const res = await fetch(`${base}/tasks`, { method: 'POST', body });
    if (res.status >= 500) stats.http5xx += 1;
    if (res.status !== 202) {
      stats.submitErrors += 1;
      return null;
    }
    stats.submitted += 1;
    return ((await res.json()) as Json).identifier as string;
  } catch {
    stats.submitErrors += 1; // counted and reported; the loop tries again
    return null;
  }
}

async function getJson(url: string): Promise<Json | null> {
  stats.polls += 1;
  try {
    const res = await fetch(url);
    if (res.status >= 500) stats.http5xx += 1;
    return (await res.json()) as Json;
  } catch {
    stats.pollErrors += 1; // counted and reported
    return null;
  }
}

function report(samples: Array<{ t: number; rssMb: number | null; workersMb: number | null; open: number; done: number }>, lagP99Ms: number): void {
  console.log('\n   t (s)   server RSS (MB)   workers RSS (MB)   open sockets   tasks done');
  for (const s of samples) {
    console.log(`${s.t.toFixed(0).padStart(8)}${fmt(s.rssMb).padStart(18)}${fmt(s.workersMb).padStart(19)}${String(s.open).padStart(15)}${String(s.done).padStart(13)}`);
  }
  // The trend is taken under load only; samples after the deadline show what is kept once the load stops.
  const loadS = durationMs / 1000;
  const points = samples.filter((s) => s.rssMb !== null && s.t <= loadS).map((s) => ({ x: s.t / 60, y: s.rssMb! }));
  const half = points.filter((p) => p.x * 60 >= loadS / 2);
  const after = samples.at(-1)!;
  console.log(`\nserver RSS under load: ${fmt(points[0]?.y ?? null)} -> ${fmt(points.at(-1)?.y ?? null)} MB; slope ${fmt(linearSlope(points))} MB/min over the load, ${fmt(linearSlope(half))} MB/min over its second half; ${fmt(after.rssMb)} MB at ${after.t.toFixed(0)} s, after the load`);
  console.log(`heartbeats: ${stats.heartbeats} received, ${stats.missedHeartbeats} late (> ${late} ms) on ${stats.socketsWithMisses} of ${stats.connects} connections; longest gap ${stats.maxGapMs} ms; client event-loop p99 lag ${lagP99Ms.toFixed(1)} ms`);
  console.log(`tasks: ${stats.submitted} submitted, ${stats.completed} completed, ${stats.failed} failed, ${stats.submitErrors} refused/errors`);
  console.log(`http: ${stats.polls} polls, ${stats.pollErrors} network errors, ${stats.http5xx} answers 5xx; socket closes by code ${JSON.stringify(stats.closesByCode)}, ${stats.connectErrors} socket errors`);
}

const mb = (bytes: number | null) => (bytes === null ? null : bytes / (1024 * 1024));
const fmt = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(1));

await main();
