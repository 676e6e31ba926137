import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createEventBus, type EventBus } from '../../src/events/event-bus.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskError } from '../../src/contract/task-error.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import type { NewTask, TaskRecord } from '../../src/tasks/task-record.ts';
import type { TaskService, TaskSnapshot } from '../../src/tasks/task-service-types.ts';
import type { Stage } from '../../src/contract/status.ts';
import type { Segment, TranscriptResult } from '../../src/contract/transcript.ts';

/** An in-memory TaskService that tests drive by hand, emitting on a real bus like the real one. */
export interface FakeTasks extends TaskService {
  bus: EventBus<TaskEventMap>;
  records: Map<string, TaskRecord>;
  segments: Map<string, Segment[]>;
  step(id: string, stage: Stage, percentage: number, message?: string): void;
  segment(id: string, segment: Segment): void;
  complete(id: string, result?: TranscriptResult): void;
  fail(id: string, error?: TaskError): void;
  /** Inserts a task directly (no upload). */
  seed(patch?: Partial<TaskRecord>): TaskRecord;
}

const now = () => new Date().toISOString();

/** A small transcript for fakes. */
export function sampleResult(text = 'hello world'): TranscriptResult {
  const segment: Segment = { id: 0, start: 0, end: 1.5, text, noSpeechProb: 0.01, avgLogprob: -0.2, tokens: [], words: [{ word: 'hello', start: 0, end: 0.5, probability: 0.9 }] };
  return { text, language: 'en', languageProbability: 1, duration: 1.5, model: 'fake', segments: [segment], timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 } };
}

/** Creates the fake with its own bus. */
export function createFakeTasks(bus: EventBus<TaskEventMap> = createEventBus<TaskEventMap>()): FakeTasks {
  const records = new Map<string, TaskRecord>();
  const segments = new Map<string, Segment[]>();
  const patch = (id: string, p: Partial<TaskRecord>) => {
    const r = records.get(id)!;
    records.set(id, { ...r, ...p, updatedAt: now() });
  };
  const fake: FakeTasks = {
    bus,
    records,
    segments,
    async submit(task: NewTask) {
      return fake.seed({ fileName: task.fileName, mediaPath: task.mediaPath, mediaDuration: task.mediaDuration, params: task.params, owner: task.owner });
    },
    seed(p = {}) {
      const t = now();
      const record: TaskRecord = {
        id: randomUUID(), status: 'queued', stage: 'queued', percentage: 0, message: 'Waiting in the queue', fileName: 'a.wav', mediaPath: null,
        mediaDuration: null, params: { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0 },
        language: null, languageProbability: null, result: null, error: null, attempts: 0, owner: null, createdAt: t, startedAt: null,
        completedAt: null, updatedAt: t, ...p,
      };
      records.set(record.id, record);
      bus.emit('task.created', { task: record });
      return record;
    },
    get: async (id) => records.get(id),
    progress: async (id) => records.get(id),
    async list(q) {
      const all = [...records.values()].filter((r) => (!q.status || r.status === q.status) && (q.owner === undefined || r.owner === q.owner));
      return { items: all.slice(q.offset, q.offset + q.limit), total: all.length };
    },
    async cancel(id) {
      const r = records.get(id);
      if (!r) return undefined;
      if (r.status === 'queued' || r.status === 'processing') fake.fail(id, taskError('CANCELLED', 'cancelled by a client'));
      return records.get(id);
    },
    async remove(id) {
      const r = records.get(id);
      if (!r) return false;
      if (r.status === 'queued' || r.status === 'processing') await fake.cancel(id);
      records.delete(id);
      if (r.mediaPath) await rm(path.dirname(r.mediaPath), { recursive: true, force: true });
      bus.emit('task.deleted', { taskId: id });
      return true;
    },
    async snapshot(id): Promise<TaskSnapshot | undefined> {
      const r = records.get(id);
      if (!r) return undefined;
      if (r.error) return { kind: 'error', taskId: id, error: r.error, timestamp: r.updatedAt };
      return { kind: 'progress', event: { taskId: id, stage: r.stage, percentage: r.percentage, message: r.message, timestamp: r.updatedAt } };
    },
    partialSegments: async (id) => segments.get(id) ?? [],
    async queueInfo(id) {
      const queued = [...records.values()].filter((r) => r.status === 'queued');
      const index = queued.findIndex((r) => r.id === id);
      return index < 0 ? undefined : { position: index + 1, etaSeconds: null };
    },
    async start() {},
    async stop() {},
    step(id, stage, percentage, message = `${stage} ${percentage}%`) {
      patch(id, { status: stage === 'queued' ? 'queued' : 'processing', stage, percentage, message });
      bus.emit('task.progress', { taskId: id, stage, percentage, message, timestamp: now() });
    },
    segment(id, segment) {
      segments.set(id, [...(segments.get(id) ?? []), segment]);
      bus.emit('task.segment', { taskId: id, segment });
    },
    complete(id, result = sampleResult()) {
      patch(id, { status: 'completed', stage: 'complete', percentage: 100, result, completedAt: now() });
      bus.emit('task.completed', { taskId: id, result, timestamp: now() });
    },
    fail(id, error = taskError('PROCESSING_FAILED', 'fake failure')) {
      const status = error.code === 'CANCELLED' ? 'cancelled' : 'failed';
      patch(id, { status, error });
      bus.emit('task.failed', { taskId: id, error, status, timestamp: now() });
    },
  };
  return fake;
}
