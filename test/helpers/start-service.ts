// The one way tests start a server in-process: the real service (SQLite, task service, HTTP, WebSocket,
// webhooks, retention) through src/server.ts's startServer, on port 0 over a throwaway DATA_DIR. The
// engine is the real worker pool with the random tiny.en model, or a Transcriber (a fake) for speed.
// serveFetch() is the listener alone, for an app built in the test (test/http/test-app.ts's service, test/e2e/fake-api.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type RunningServer, type ServerOverrides } from '../../src/server.ts';
import type { Transcriber } from '../../src/tasks/types.ts';
import { JFK_WAV, NATIVE_LIB, requireFile, TINY_EN_RANDOM } from './paths.ts';

/** A running in-process service. */
export interface TestService {
  url: string;
  port: number;
  /** The WebSocket URL watching a task. */
  wsUrl(taskId: string): string;
  dataDir: string;
  config: Config;
  server: RunningServer;
  /** Graceful close (grace 0 unless given), then removes DATA_DIR unless it was passed in. */
  close(graceMs?: number): Promise<void>;
}

/** What to start: the engine ('real' = worker pool + random tiny.en model, or a Transcriber), env, and the rest of startServer's overrides. */
export interface ServiceOptions {
  engine?: 'real' | Transcriber;
  env?: Record<string, string>;
  /** Reuse a DATA_DIR (it is then left in place on close), e.g. to start again over the same database. */
  dataDir?: string;
  overrides?: Omit<ServerOverrides, 'transcriber'>;
}

/** The environment a test service runs with: port 0, quiet logs, the random model, the built library. */
export function testEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    WHISPER_MODEL: TINY_EN_RANDOM,
    WORKERS: '1',
    WHISPER_THREADS: '2',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '0',
    ...(existsSync(NATIVE_LIB) ? { WHISPER_LIB_PATH: NATIVE_LIB } : {}),
    ...env,
  };
}

/** A fresh temporary DATA_DIR (the caller removes it). */
export function tempDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'whisper-tasks-'));
}

/** Starts the whole service in this process and resolves once it listens. */
export async function startService(options: ServiceOptions = {}): Promise<TestService> {
  const engine = options.engine ?? 'real';
  if (engine === 'real') requireFile(TINY_EN_RANDOM);
  const dataDir = options.dataDir ?? tempDataDir();
  const config = loadConfig(testEnv(dataDir, options.env));
  const server = await startServer(config, { ...options.overrides, ...(engine === 'real' ? {} : { transcriber: engine }) });
  return {
    url: server.url,
    port: server.port,
    wsUrl: (taskId) => `ws://127.0.0.1:${server.port}/ws/tasks/${taskId}`,
    dataDir,
    config,
    server,
    async close(graceMs = 0) {
      await server.close(graceMs);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fetch handler listening on 127.0.0.1, on a free port. */
export interface Listening {
  server: ServerType;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `fetch` (an app's) on 127.0.0.1:0 and resolves once it listens. */
export async function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<Listening> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    }),
  };
}

/** POSTs a file to `${url}/tasks` (jfk.wav unless given) and returns the new task's id; anything but 202 throws with the answer. */
export async function submitFile(url: string, file = JFK_WAV): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'audio/wav' }), path.basename(file));
  const response = await fetch(`${url}/tasks`, { method: 'POST', body: form });
  const body = await response.text();
  if (response.status !== 202) throw new Error(`POST /tasks answered ${response.status}: ${body}`);
  return (JSON.parse(body) as { identifier: string }).identifier;
}

/** Reads until `done` holds and returns that value; throws with the last one after timeoutMs. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`gave up after ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
