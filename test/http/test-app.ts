// The one way HTTP unit tests build the server: the real service (src/service.ts: SQLite over Kysely,
// task service, webhooks, sockets, metrics, the Hono app) over `:memory:` SQLite, with the fake
// transcriber in 'manual' mode playing the worker, driven in-process with app.request(). Tasks are
// made through the API (submit) and moved by their fake job (jobOf), never written by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import type { TaskStatus } from '../../src/contract/status.ts';
import { createService, type ServiceOverrides } from '../../src/service.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { createFakeTranscriber, type FakeJobControl, type FakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { pollUntil } from '../helpers/start-service.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A logger that keeps what it was told, so tests can check that failures are logged. */
export function createMemoryLogger() {
  const lines: { level: string; args: unknown[] }[] = [];
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, args });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A config over a fresh temporary DATA_DIR, with overrides; the folder is removed after the test (or the file, outside a test). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: tempDir('wt-http-'), LOG_LEVEL: 'silent', WORKERS: '1', ...env });
}

/** What buildTestApp may change besides the env: the service's overrides, the engine, and whether to start the scheduler. */
export interface TestAppOptions extends Omit<ServiceOverrides, 'transcriber' | 'sqliteFile'> {
  /** The fake engine (default: a manual one with one ready worker). */
  engine?: FakeTranscriber;
  /** False: the scheduler never starts, so submitted tasks stay queued (default true). */
  start?: boolean;
}

/** A form with a WAV file (jfk.wav unless given) and the fields given. */
export function wavForm(fields: Record<string, string> = {}, file = JFK_WAV, name = path.basename(file)): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(readFileSync(file))], { type: 'audio/wav' }), name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}

/** The real service over `:memory:` SQLite and a fake engine, closed after the current test (or suite, outside a test). */
export async function buildTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}) {
  const { engine: given, start = true, ...overrides } = options;
  const config = testConfig(env);
  const logger = createMemoryLogger();
  const engine = given ?? createFakeTranscriber('manual');
  // A logger given (a real pino one, say) replaces the memory logger, whose lines then stay empty.
  const service = await createService(config, { canDiarize: false, canVad: true, logger, ...overrides, transcriber: engine, sqliteFile: ':memory:' });
  let closing: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  let disposed: Promise<void> | undefined;
  /** The service's drain with no grace, once (jobs the test left waiting are left behind, as by a stop past its grace). */
  const drain = () => (draining ??= service.drain(0));
  /** Closes the app, bus subscriptions and database without a drain (a server whose database went away). */
  const dispose = () => (disposed ??= service.dispose());
  const close = () => (closing ??= (async () => {
    await drain();
    await dispose();
  })());
  try {
    onTestFinished(close);
  } catch {
    afterAll(close);
  }
  if (start) await service.start();
  const { app } = service.app;

  /** Waits until the task's row says `status` (rows are written by the service after each event). */
  const settled = (id: string, status: TaskStatus, timeoutMs = 10_000) =>
    pollUntil(async () => (await service.tasks.get(id))!, (task: TaskRecord | undefined) => task?.status === status, timeoutMs, 5);

  return {
    app, service, config, logger, engine, drain, close, dispose, settled,
    tasks: service.tasks,
    registry: service.registry,
    injectWebSocket: service.app.injectWebSocket,
    /** POSTs /tasks with a WAV (jfk.wav unless given, under its own name unless given) and the fields given; throws unless answered 202; returns the task id. */
    async submit(fields: Record<string, string> = {}, options: { headers?: Record<string, string>; file?: string; name?: string } = {}): Promise<string> {
      const { headers = {}, file = JFK_WAV, name } = options;
      const res = await app.request('/tasks', { method: 'POST', body: wavForm(fields, file, name), headers });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`POST /tasks answered ${res.status}: ${text}`);
      return (JSON.parse(text) as { identifier: string }).identifier;
    },
    /** How many tasks the service holds, of any owner and status. */
    taskCount: async () => (await service.tasks.list({ limit: 1, offset: 0 })).total,
    /** The fake job of a task, once the scheduler has handed it to the engine. */
    async jobOf(id: string, timeoutMs = 10_000): Promise<FakeJobControl> {
      const found = () => engine.jobs.find((j) => j.job.taskId === id);
      await pollUntil(async () => found(), (job) => job !== undefined, timeoutMs, 5);
      return found()!;
    },
  };
}

/** What buildTestApp resolves to. */
export type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
