import { createTaskStore } from '../../src/db/task-store.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createEventBus, type EventBus } from '../../src/events/event-bus.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { createTaskService } from '../../src/tasks/task-service.ts';
import type { Logger } from '../../src/logger.ts';
import type { TaskServiceDeps } from '../../src/tasks/task-service-deps.ts';
import type { TaskService, TaskStore } from '../../src/tasks/task-service-types.ts';
import type { NewTask } from '../../src/tasks/task-record.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import { createFakeTranscriber, type FakeTranscriber } from '../helpers/fake-transcriber.ts';
import { PARAMS } from '../db/store-fixtures.ts';

/** A logger that keeps what it was told, for assertions, and prints nothing. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; message: string; fields: object }> } {
  const lines: Array<{ level: string; message: string; fields: object }> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Every event the bus carried, in order, as [name, payload]. */
export function recordEvents(bus: EventBus<TaskEventMap>): Array<[keyof TaskEventMap, unknown]> {
  const seen: Array<[keyof TaskEventMap, unknown]> = [];
  for (const name of ['task.created', 'task.progress', 'task.segment', 'task.completed', 'task.failed', 'task.deleted'] as const) {
    bus.on(name, (payload) => void seen.push([name, payload]));
  }
  return seen;
}

/** Resolves with the first payload of `name` that matches. */
export function nextEvent<K extends keyof TaskEventMap>(
  bus: EventBus<TaskEventMap>, name: K, match: (payload: TaskEventMap[K]) => boolean = () => true,
): Promise<TaskEventMap[K]> {
  return new Promise((resolve) => {
    const off = bus.on(name, (payload) => {
      if (!match(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/** Waits until the predicate holds, polling every few ms (fails the test after timeoutMs). */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${predicate.toString()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A new task input. */
export function input(name: string, params: Partial<TaskParams> = {}, mediaDuration: number | null = 10): NewTask {
  return { fileName: `${name}.wav`, mediaPath: `/nowhere/${name}.wav`, mediaDuration, params: { ...PARAMS, ...params }, owner: null };
}

/** A service over an in-memory store with a fake transcriber, built from overrides. */
export interface ServiceRig {
  service: TaskService;
  store: TaskStore;
  bus: EventBus<TaskEventMap>;
  engine: FakeTranscriber;
  logger: ReturnType<typeof recordingLogger>;
  /** Errors thrown by bus listeners (should stay empty). */
  busErrors: unknown[];
}

/** Builds a rig; the database handle may be shared between rigs to play a restart. */
export function serviceRig(h: DatabaseHandle, overrides: Partial<TaskServiceDeps> & { engine?: FakeTranscriber } = {}): ServiceRig {
  const store = overrides.store ?? createTaskStore(h, { soleWriter: true });
  const busErrors: unknown[] = [];
  const bus = overrides.bus ?? createEventBus<TaskEventMap>((error) => void busErrors.push(error));
  const engine = overrides.engine ?? createFakeTranscriber('manual');
  const logger = recordingLogger();
  let n = 0;
  const service = createTaskService({
    store, bus, transcriber: engine, logger, config: { WORKERS: 1, MAX_ATTEMPTS: 3 },
    idFactory: () => `task-${++n}-${Math.random().toString(36).slice(2, 6)}`, readyPollMs: 5, ...overrides,
  });
  return { service, store, bus, engine, logger, busErrors };
}
