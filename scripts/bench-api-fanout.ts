// WebSocket fan-out for `npm run bench:api`. The server side runs in a child process: the real
// createApp (registry, bus bridge, /ws/tasks/:id) over a stub task service, so progress events
// can be emitted at any rate. The parent connects the sockets and measures delivery.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.ts';
import { createEventBus } from '../src/events/event-bus.ts';
import { createApp } from '../src/http/app.ts';
import { createAppMetrics } from '../src/metrics/app-metrics.ts';
import { bridgeBusToRegistry } from '../src/ws/bus-bridge.ts';
import { createRegistry } from '../src/ws/registry.ts';
import { createMediaStore } from '../src/media/media-store.ts';
import type { TaskEventMap } from '../src/tasks/task-events.ts';
import type { TaskRecord } from '../src/tasks/task-record.ts';
import type { TaskService } from '../src/tasks/task-service-types.ts';
import { quantile } from './bench-api-http.ts';

const TASK_ID = 'fanout-bench-task';
type Command = { cmd: 'burst'; events: number; perTick: number } | { cmd: 'paced'; events: number; intervalMs: number } | { cmd: 'rss' };
type Reply = { port: number } | { done: true; rssPeak: number; cpuUs: number } | { rss: number };

/** Child side: serve createApp on port 0 and emit progress events when told to. */
async function serveHarness(): Promise<void> {
  const bus = createEventBus<TaskEventMap>();
  const unused = () => {
    throw new Error('not used by the fan-out bench');
  };
  const now = new Date().toISOString();
  const record: TaskRecord = {
    id: TASK_ID, status: 'processing', stage: 'transcribing', percentage: 10, message: 'start', fileName: 'bench.wav', mediaPath: null, mediaDuration: 60,
    params: { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 }, language: null, languageProbability: null,
    result: null, error: null, attempts: 1, owner: null, createdAt: now, startedAt: now, completedAt: null, updatedAt: now,
  };
  const tasks: TaskService = {
    submit: unused, get: async (id) => (id === TASK_ID ? record : undefined), progress: async (id) => (id === TASK_ID ? record : undefined),
    list: unused, cancel: unused, remove: unused, queueInfo: async () => undefined, start: async () => {}, stop: async () => {},
    snapshot: async (id) => (id === TASK_ID ? { kind: 'progress', event: { taskId: id, stage: 'transcribing', percentage: 10, message: 'start', timestamp: new Date().toISOString() } } : undefined),
  };
  const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'bench-fanout-')), MAX_WS_CONNECTIONS: '100000', MAX_WS_CONNECTIONS_PER_TASK: '100000' });
  const silent = () => {};
  // The socket side as src/service.ts composes it, over a task service that knows one running task.
  const registry = createRegistry();
  const bridge = bridgeBusToRegistry(bus, registry);
  const metrics = createAppMetrics({ bus, tasks, sockets: () => registry.count(), workersReady: () => 1 });
  const created = createApp({ config, tasks, media: createMediaStore(config.MEDIA_DIR, config.DATA_DIR), bus, registry, bridge, metrics, engine: { readyCount: () => 1, modelInfo: () => null }, dbReady: () => true, logger: { info: silent, warn: silent, error: silent, debug: silent } });
  const server = serve({ fetch: created.app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
    process.send!({ port: (server.address() as AddressInfo).port } satisfies Reply);
  });
  created.injectWebSocket(server as import('node:http').Server);
  const emit = () =>
    bus.emit('task.progress', { taskId: TASK_ID, stage: 'transcribing', percentage: 20, message: String(performance.timeOrigin + performance.now()), timestamp: new Date().toISOString() });
  // A normal exit writes the CPU profile when one was asked for.
  process.once('SIGTERM', () => process.exit(0));
  process.on('message', async (command: Command) => {
    let rssPeak = process.memoryUsage().rss;
    const sample = () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss));
    if (command.cmd === 'rss') return process.send!({ rss: process.memoryUsage().rss } satisfies Reply);
    const cpu = process.cpuUsage();
    for (let i = 0; i < command.events; i++) {
      emit();
      if (command.cmd === 'burst' && (i + 1) % command.perTick === 0) await new Promise((r) => setImmediate(r));
      if (command.cmd === 'paced') await new Promise((r) => setTimeout(r, command.intervalMs));
      if (i % 50 === 0) sample();
    }
    sample();
    // Let the last frames leave the socket buffers before the CPU time is read.
    await new Promise((r) => setTimeout(r, 200));
    const used = process.cpuUsage(cpu);
    process.send!({ done: true, rssPeak, cpuUs: used.user + used.system } satisfies Reply);
  });
}

/** What a fan-out run measured. */
export interface FanoutResult {
  sockets: number;
  burst: { messages: number; seconds: number; msgPerSec: number; p50: number; p99: number; lost: number; cpuUsPerMsg: number };
  paced: { messages: number; msgPerSec: number; p50: number; p99: number; lost: number };
  rss: { idle: number; withSockets: number; peak: number };
}

/** Parent side: start the harness (CPU-profiled into profileDir when given), connect `sockets` watchers, run a burst and a paced run. */
export async function runFanout(sockets: number, burstEvents: number, pacedEvents: number, pacedIntervalMs: number, profileDir?: string): Promise<FanoutResult> {
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--serve-fanout'], { execArgv: [...profile, '--import', 'tsx'], stdio: 'inherit' });
  try {
    const replies: Reply[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (m: Reply) => {
      replies.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const reply = async <K extends string>(key: K): Promise<Extract<Reply, Record<K, unknown>>> => {
      for (;;) {
        const index = replies.findIndex((r) => key in r);
        if (index >= 0) return replies.splice(index, 1)[0] as Extract<Reply, Record<K, unknown>>;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    const { port } = await reply('port');
    child.send({ cmd: 'rss' } satisfies Command);
    const idle = (await reply('rss')).rss;

    let received = 0;
    let latencies: number[] = [];
    let onAll: (() => void) | null = null;
    let expected = 0;
    const clients: WebSocket[] = [];
    for (let i = 0; i < sockets; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/tasks/${TASK_ID}`);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', (data: Buffer) => {
          // The current state comes first once the socket is registered; anything else is a refusal.
          const first = JSON.parse(data.toString()) as { type: string };
          if (first.type === 'progress') resolve();
          else reject(new Error(`socket ${i} was refused: ${data.toString()}`));
        });
        ws.once('error', reject);
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        const at = text.indexOf('"message":"');
        if (at < 0) return; // heartbeats
        latencies.push(performance.timeOrigin + performance.now() - Number(text.slice(at + 11, text.indexOf('"', at + 11))));
        if (++received === expected) onAll?.();
      });
      clients.push(ws);
    }
    child.send({ cmd: 'rss' } satisfies Command);
    const withSockets = (await reply('rss')).rss;

    const run = async (command: Command, events: number) => {
      received = 0;
      latencies = [];
      expected = events * sockets;
      let endedAt = 0;
      const all = new Promise<void>((resolve) => (onAll = () => resolve(void (endedAt = performance.now()))));
      const started = performance.now();
      child.send(command);
      const { rssPeak, cpuUs } = await reply('done');
      await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
      const seconds = ((endedAt || performance.now()) - started) / 1000;
      return { messages: received, seconds, msgPerSec: received / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), lost: expected - received, rssPeak, cpuUsPerMsg: cpuUs / Math.max(1, received) };
    };
    const burst = await run({ cmd: 'burst', events: burstEvents, perTick: 4 }, burstEvents);
    const paced = await run({ cmd: 'paced', events: pacedEvents, intervalMs: pacedIntervalMs }, pacedEvents);
    for (const ws of clients) ws.terminate();
    return {
      sockets,
      burst: { messages: burst.messages, seconds: burst.seconds, msgPerSec: burst.msgPerSec, p50: burst.p50, p99: burst.p99, lost: burst.lost, cpuUsPerMsg: burst.cpuUsPerMsg },
      paced: { messages: paced.messages, msgPerSec: paced.msgPerSec, p50: paced.p50, p99: paced.p99, lost: paced.lost },
      rss: { idle, withSockets, peak: Math.max(burst.rssPeak, paced.rssPeak) },
    };
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve-fanout')) await serveHarness();
