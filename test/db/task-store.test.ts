import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { TranscriptResult } from '../../src/contract/transcript.ts';
import { testEngines } from '../helpers/db-engines.ts';
import { newTask, PARAMS, segment } from './store-fixtures.ts';

const RESULT: TranscriptResult = {
  text: ' hello', language: 'en', languageProbability: 0.97, duration: 11, model: 'tiny.en',
  segments: [segment(0, ' hello')], timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 },
};

describe.each(testEngines())('createTaskStore on $name', ({ open }) => {
  let h: DatabaseHandle;
  let store: TaskStore;
  beforeEach(async () => {
    h = await open();
    store = createTaskStore(h, { now: () => '2030-01-01T00:00:00.000Z', soleWriter: true });
  });
  afterEach(async () => h.close());

  it('inserts a queued task at 0 % and reads it back', async () => {
    const inserted = await store.insert(newTask('a', '2025-01-01T00:00:00.000Z', { owner: 'key-1', params: { ...PARAMS, minSpeakers: 2 } }));
    expect(inserted).toMatchObject({ id: 'a', status: 'queued', stage: 'queued', percentage: 0, attempts: 0, owner: 'key-1', result: null, error: null });
    expect(await store.get('a')).toEqual(inserted);
    expect((await store.get('a'))?.params).toEqual({ ...PARAMS, minSpeakers: 2 });
    expect(await store.get('missing')).toBeUndefined();
  });

  it('round-trips every patched field, including result and error, at full precision', async () => {
    await store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    await store.update('a', {
      status: 'failed', stage: 'transcribing', percentage: 27.6, message: 'm', mediaDuration: 12.345678901, language: 'en',
      languageProbability: 0.123456789, result: RESULT, error: taskError('NO_AUDIO', 'silent'), attempts: 2,
      startedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:02.000Z',
    });
    const got = (await store.get('a'))!;
    expect(got).toMatchObject({
      status: 'failed', stage: 'transcribing', percentage: 28, message: 'm', mediaDuration: 12.345678901, language: 'en',
      languageProbability: 0.123456789, attempts: 2, startedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:02.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(got.result).toEqual(RESULT);
    expect(got.error).toEqual(taskError('NO_AUDIO', 'silent'));
    expect({ ...got }.result).toEqual(RESULT); // an own enumerable property, parsed on access
    // A list never shows results: its rows are read without them.
    expect((await store.list({ limit: 1, offset: 0 })).items[0]).toMatchObject({ id: 'a', result: null });
    await store.update('a', { error: null, result: null });
    expect(await store.get('a')).toMatchObject({ error: null, result: null });
    expect(JSON.parse(JSON.stringify(await store.get('a')))).toHaveProperty('result', null);
  });

  it('reads the polled fields alone, equal to those of get()', async () => {
    await store.insert(newTask('a', '2025-01-01T00:00:00.000Z', { owner: 'key-1' }));
    const pick = async (id: string) => {
      const t = (await store.get(id))!;
      return { id: t.id, status: t.status, stage: t.stage, percentage: t.percentage, error: t.error, owner: t.owner };
    };
    expect(await store.progress('a')).toEqual(await pick('a'));
    await store.update('a', { status: 'failed', stage: 'transcribing', percentage: 41.4, error: taskError('NO_AUDIO', 'silent') });
    expect(await store.progress('a')).toEqual(await pick('a'));
    expect(await store.progress('a')).toMatchObject({ status: 'failed', percentage: 41, error: taskError('NO_AUDIO', 'silent') });
    expect(await store.progress('missing')).toBeUndefined();
  });

  it('keeps the polled fields between writes as the sole writer, and every write through the store drops them', async () => {
    await store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    const first = (await store.progress('a'))!;
    expect(await store.progress('a')).toBe(first); // no second read of the row
    expect(Object.isFrozen(first)).toBe(true);
    // The store is the only writer: a change behind its back shows only after its next write.
    await sql`update tasks set progress_percentage = 55 where id = 'a'`.execute(h.db);
    expect((await store.progress('a'))?.percentage).toBe(0);
    await store.update('a', { stage: 'transcribing' });
    expect(await store.progress('a')).toMatchObject({ stage: 'transcribing', percentage: 55 });
    await store.update('a', { status: 'cancelled', error: taskError('CANCELLED', 'by test') });
    expect(await store.progress('a')).toMatchObject({ status: 'cancelled', error: taskError('CANCELLED', 'by test') });
    expect(await store.remove('a')).toBe(true);
    expect(await store.progress('a')).toBeUndefined();
    await store.insert(newTask('a', '2025-01-02T00:00:00.000Z'));
    expect(await store.progress('a')).toMatchObject({ status: 'queued', percentage: 0, error: null });
  });

  it('reads every poll from the row when other nodes write too', async () => {
    const shared = createTaskStore(h); // soleWriter off: a cluster node
    await shared.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    expect((await shared.progress('a'))?.percentage).toBe(0);
    await sql`update tasks set progress_percentage = 55 where id = 'a'`.execute(h.db);
    expect((await shared.progress('a'))?.percentage).toBe(55);
  });

  it('applies writes to one task in call order even when they are not awaited', async () => {
    await store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    const writes = [];
    for (let i = 0; i < 20; i++) {
      writes.push(store.appendSegments('a', [segment(i, ` s${i}`)]));
      writes.push(store.update('a', { percentage: i }));
    }
    writes.push(store.update('a', { status: 'completed', percentage: 100 }));
    await Promise.all(writes);
    expect((await store.partialSegments('a')).map((s) => s.text)).toEqual(Array.from({ length: 20 }, (_, i) => ` s${i}`));
    expect(await store.get('a')).toMatchObject({ status: 'completed', percentage: 100 });
  });

  it('lists newest first with filters, paging and a total', async () => {
    for (let i = 0; i < 5; i++) await store.insert(newTask(`t${i}`, `2025-01-01T00:00:0${i}.000Z`, { owner: i % 2 ? 'k' : null }));
    await store.update('t1', { status: 'completed' });
    expect(await store.list({ limit: 2, offset: 0 })).toMatchObject({ total: 5, items: [{ id: 't4' }, { id: 't3' }] });
    expect((await store.list({ limit: 10, offset: 3 })).items.map((t) => t.id)).toEqual(['t1', 't0']);
    expect((await store.list({ status: 'queued', limit: 10, offset: 0 })).items.map((t) => t.id)).toEqual(['t4', 't3', 't2', 't0']);
    expect((await store.list({ owner: 'k', limit: 10, offset: 0 })).items.map((t) => t.id)).toEqual(['t3', 't1']);
    expect((await store.list({ owner: null, status: 'queued', limit: 10, offset: 0 })).total).toBe(3);
  });

  it('gives ids by status oldest first, insertion order breaking ties', async () => {
    await store.insert(newTask('b', '2025-01-01T00:00:01.000Z'));
    await store.insert(newTask('a', '2025-01-01T00:00:01.000Z'));
    await store.insert(newTask('c', '2025-01-01T00:00:00.000Z'));
    await store.update('a', { status: 'processing' });
    expect(await store.idsByStatus('queued')).toEqual(['c', 'b']);
    expect(await store.idsByStatus('processing')).toEqual(['a']);
    expect(await store.countByStatus()).toEqual({ queued: 2, processing: 1, completed: 0, failed: 0, cancelled: 0 });
  });

  it('appends segments in arrival order across calls, clears them, and removes them with the task', async () => {
    await store.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    await store.appendSegments('a', [segment(0, ' one')]);
    await store.appendSegments('a', [segment(1, ' two'), segment(2, ' three')]);
    expect((await store.partialSegments('a')).map((s) => s.text)).toEqual([' one', ' two', ' three']);
    expect((await store.partialSegments('a'))[1]).toEqual(segment(1, ' two'));
    await store.clearSegments('a');
    expect(await store.partialSegments('a')).toEqual([]);
    await store.appendSegments('a', [segment(0, ' again')]);
    expect(await store.remove('a')).toBe(true);
    expect(await store.remove('a')).toBe(false);
    const left = await h.db.selectFrom('segments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    expect(Number(left?.n)).toBe(0);
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
    expect(first.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(first.sqlite!.pragma('busy_timeout', { simple: true })).toBe(5000);
    await createTaskStore(first).insert(newTask('kept', '2025-01-01T00:00:00.000Z'));
    await first.close();
    expect(first.isOpen()).toBe(false);
    const second = openDatabase(file);
    await migrateToLatest(second.db);
    expect((await createTaskStore(second).get('kept'))?.status).toBe('queued');
    await second.close();
  });
});
