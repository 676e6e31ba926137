import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createSqliteTaskStore } from '../../src/db/sqlite-task-store.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { TranscriptResult } from '../../src/tasks/types.ts';
import { memoryDatabase, newTask, PARAMS, segment } from './store-fixtures.ts';

const RESULT: TranscriptResult = {
  text: ' hello', language: 'en', languageProbability: 0.97, duration: 11, model: 'tiny.en',
  segments: [segment(0, ' hello')], timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 },
};

describe('createSqliteTaskStore', () => {
  let h: DatabaseHandle;
  let store: TaskStore;
  beforeEach(async () => {
    h = await memoryDatabase();
    store = createSqliteTaskStore(h, () => '2030-01-01T00:00:00.000Z');
  });
  afterEach(async () => h.close());

  it('inserts a queued task at 0 % and reads it back', () => {
    const inserted = store.insert(newTask('a', '2025-01-01T00:00:00.000Z', { owner: 'key-1', params: { ...PARAMS, minSpeakers: 2 } }));
    expect(inserted).toMatchObject({ id: 'a', status: 'queued', stage: 'queued', percentage: 0, attempts: 0, owner: 'key-1', result: null, error: null });
    expect(store.get('a')).toEqual(inserted);
    expect(store.get('a')?.params).toEqual({ ...PARAMS, minSpeakers: 2 });
    expect(store.get('missing')).toBeUndefined();
  });

  it('round-trips every patched field, including result and error', () => {
    store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    store.update('a', {
      status: 'failed', stage: 'transcribing', percentage: 27.6, message: 'm', mediaDuration: 12.5, language: 'en',
      languageProbability: 0.5, result: RESULT, error: taskError('NO_AUDIO', 'silent'), attempts: 2,
      startedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:02.000Z',
    });
    const got = store.get('a')!;
    expect(got).toMatchObject({
      status: 'failed', stage: 'transcribing', percentage: 28, message: 'm', mediaDuration: 12.5, language: 'en',
      languageProbability: 0.5, attempts: 2, startedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:02.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(got.result).toEqual(RESULT);
    expect(got.error).toEqual(taskError('NO_AUDIO', 'silent'));
    expect(store.list({ limit: 1, offset: 0 }).items[0]?.result).toEqual(RESULT);
    expect({ ...store.get('a') }.result).toEqual(RESULT); // an own enumerable property, loaded on access
    store.update('a', { error: null, result: null });
    expect(store.get('a')).toMatchObject({ error: null, result: null });
    expect(JSON.parse(JSON.stringify(store.get('a')))).toHaveProperty('result', null);
  });

  it('reads the polled fields alone, equal to those of get()', () => {
    store.insert(newTask('a', '2025-01-01T00:00:00.000Z', { owner: 'key-1' }));
    const pick = (id: string) => {
      const t = store.get(id)!;
      return { id: t.id, status: t.status, stage: t.stage, percentage: t.percentage, error: t.error, owner: t.owner };
    };
    expect(store.progress!('a')).toEqual(pick('a'));
    store.update('a', { status: 'failed', stage: 'transcribing', percentage: 41.4, error: taskError('NO_AUDIO', 'silent') });
    expect(store.progress!('a')).toEqual(pick('a'));
    expect(store.progress!('a')).toMatchObject({ status: 'failed', percentage: 41, error: taskError('NO_AUDIO', 'silent') });
    expect(store.progress!('missing')).toBeUndefined();
  });

  it('keeps the polled fields between writes, and every write through the store drops them', async () => {
    store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    const first = store.progress!('a')!;
    expect(store.progress!('a')).toBe(first); // no second read of the row
    expect(Object.isFrozen(first)).toBe(true);
    // The store is the only writer: a change behind its back shows only after its next write.
    h.sqlite.prepare("update tasks set progress_percentage = 55 where id = 'a'").run();
    expect(store.progress!('a')?.percentage).toBe(0);
    store.update('a', { stage: 'transcribing' });
    expect(store.progress!('a')).toMatchObject({ stage: 'transcribing', percentage: 55 });
    store.update('a', { status: 'cancelled', error: taskError('CANCELLED', 'by test') });
    expect(store.progress!('a')).toMatchObject({ status: 'cancelled', error: taskError('CANCELLED', 'by test') });
    expect(store.remove('a')).toBe(true);
    expect(store.progress!('a')).toBeUndefined();
    store.insert(newTask('a', '2025-01-02T00:00:00.000Z'));
    expect(store.progress!('a')).toMatchObject({ status: 'queued', percentage: 0, error: null });
  });

  it('lists newest first with filters, paging and a total', () => {
    for (let i = 0; i < 5; i++) store.insert(newTask(`t${i}`, `2025-01-01T00:00:0${i}.000Z`, { owner: i % 2 ? 'k' : null }));
    store.update('t1', { status: 'completed' });
    expect(store.list({ limit: 2, offset: 0 })).toMatchObject({ total: 5, items: [{ id: 't4' }, { id: 't3' }] });
    expect(store.list({ limit: 10, offset: 3 }).items.map((t) => t.id)).toEqual(['t1', 't0']);
    expect(store.list({ status: 'queued', limit: 10, offset: 0 }).items.map((t) => t.id)).toEqual(['t4', 't3', 't2', 't0']);
    expect(store.list({ owner: 'k', limit: 10, offset: 0 }).items.map((t) => t.id)).toEqual(['t3', 't1']);
    expect(store.list({ owner: null, status: 'queued', limit: 10, offset: 0 }).total).toBe(3);
  });

  it('gives ids by status oldest first, insertion order breaking ties', () => {
    store.insert(newTask('b', '2025-01-01T00:00:01.000Z'));
    store.insert(newTask('a', '2025-01-01T00:00:01.000Z'));
    store.insert(newTask('c', '2025-01-01T00:00:00.000Z'));
    store.update('a', { status: 'processing' });
    expect(store.idsByStatus('queued')).toEqual(['c', 'b']);
    expect(store.idsByStatus('processing')).toEqual(['a']);
    expect(store.countByStatus()).toEqual({ queued: 2, processing: 1, completed: 0, failed: 0, cancelled: 0 });
  });

  it('appends segments in arrival order across calls, clears them, and removes them with the task', () => {
    store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    store.appendSegments('a', [segment(0, ' one')]);
    store.appendSegments('a', [segment(1, ' two'), segment(2, ' three')]);
    expect(store.partialSegments('a').map((s) => s.text)).toEqual([' one', ' two', ' three']);
    expect(store.partialSegments('a')[1]).toEqual(segment(1, ' two'));
    store.clearSegments('a');
    expect(store.partialSegments('a')).toEqual([]);
    store.appendSegments('a', [segment(0, ' again')]);
    expect(store.remove('a')).toBe(true);
    expect(store.remove('a')).toBe(false);
    expect(h.sqlite.prepare('select count(*) as n from segments').get()).toEqual({ n: 0 });
  });
});

describe('openDatabase', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a file in WAL mode with foreign keys and keeps rows across reopen', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
    const file = path.join(dir, 'nested/tasks.sqlite');
    const first = openDatabase(file);
    await migrateToLatest(first.db);
    expect(first.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(first.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    createSqliteTaskStore(first).insert(newTask('kept', '2025-01-01T00:00:00.000Z'));
    await first.close();
    expect(first.isOpen()).toBe(false);
    const second = openDatabase(file);
    await migrateToLatest(second.db);
    expect(createSqliteTaskStore(second).get('kept')?.status).toBe('queued');
    await second.close();
  });
});
