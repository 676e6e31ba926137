import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createRetentionStore } from '../../src/db/retention-store.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { createMediaStore } from '../../src/media/media-store.ts';
import { measureDiskUsage } from '../../src/retention/disk-usage.ts';
import { createRetention } from '../../src/retention/retention-service.ts';
import { sweepRetention, type RetentionSweepDeps } from '../../src/retention/retention-sweep.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { TaskStatus } from '../../src/contract/status.ts';
import { newTask, segment } from '../db/store-fixtures.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
// The fake "now" every sweep runs at; rows are back-dated from it.
const NOW = Date.parse('2030-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('sweepRetention', () => {
  let dataDir: string;
  let h: DatabaseHandle;
  let tasks: TaskStore;
  let removed: string[];

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'retention-'));
    h = openDatabase(databaseFile(dataDir));
    await migrateToLatest(h.db);
    tasks = createTaskStore(h, { soleWriter: true });
    removed = [];
  });
  afterEach(async () => {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A task with its media in uploads/<folder>/media.wav, in `status`, ended (or created) `age` ago. */
  async function addTask(id: string, status: TaskStatus, ageMs: number): Promise<string> {
    const folder = path.join(dataDir, 'uploads', `upload-${id}`);
    mkdirSync(folder, { recursive: true });
    const media = path.join(folder, 'media.wav');
    writeFileSync(media, Buffer.alloc(1000));
    await tasks.insert(newTask(id, ago(ageMs + HOUR), { mediaPath: media }));
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    await tasks.update(id, { status, completedAt: finished ? ago(ageMs) : null, updatedAt: ago(ageMs) });
    await tasks.appendSegments(id, [segment(0, ' kept')]);
    return media;
  }

  function deps(extra: Partial<RetentionSweepDeps> = {}): RetentionSweepDeps {
    const media = createMediaStore(path.join(dataDir, 'uploads'), dataDir);
    return {
      store: createRetentionStore(h), media, mediaRetentionHours: 24, resultRetentionDays: 30, logger: quiet,
      async removeTask(id) {
        const task = (await tasks.get(id));
        if (!task || !(await tasks.remove(id))) return false;
        removed.push(id);
        await media.remove(task);
        return true;
      },
      ...extra,
    };
  }

  it('deletes the media of finished tasks past MEDIA_RETENTION_HOURS and keeps their rows and results', async () => {
    const old = await Promise.all((['completed', 'failed', 'cancelled'] as const).map((status) => addTask(`old-${status}`, status, 25 * HOUR)));
    const young = await addTask('young', 'completed', 23 * HOUR);
    const summary = await sweepRetention(deps(), NOW);
    expect(summary).toEqual({ mediaDeleted: 3, tasksDeleted: 0, orphansDeleted: 0 });
    for (const media of old) expect(existsSync(path.dirname(media))).toBe(false);
    for (const status of ['completed', 'failed', 'cancelled']) {
      expect((await tasks.get(`old-${status}`))).toMatchObject({ status, mediaPath: null });
      expect((await tasks.partialSegments(`old-${status}`))).toHaveLength(1);
    }
    expect(existsSync(young)).toBe(true);
    expect((await tasks.get('young'))?.mediaPath).toBe(young);
  });

  it('never touches queued or processing tasks, however old', async () => {
    const queued = await addTask('queued', 'queued', 400 * DAY);
    const processing = await addTask('processing', 'processing', 400 * DAY);
    const summary = await sweepRetention(deps({ mediaRetentionHours: 1, resultRetentionDays: 1, orphanMinAgeMs: 0 }), NOW);
    expect(summary).toEqual({ mediaDeleted: 0, tasksDeleted: 0, orphansDeleted: 0 });
    expect(existsSync(queued) && existsSync(processing)).toBe(true);
    expect((await tasks.get('queued'))).toMatchObject({ status: 'queued', mediaPath: queued });
    expect((await tasks.get('processing'))).toMatchObject({ status: 'processing', mediaPath: processing });
    expect((await tasks.partialSegments('processing'))).toHaveLength(1);
  });

  it('removes whole finished tasks past RESULT_RETENTION_DAYS: row, segments and files', async () => {
    const old = await addTask('old', 'completed', 31 * DAY);
    const oldFailed = await addTask('old-failed', 'failed', 31 * DAY);
    await addTask('recent', 'completed', 29 * DAY);
    const summary = await sweepRetention(deps(), NOW);
    expect(summary.tasksDeleted).toBe(2);
    expect(removed.sort()).toEqual(['old', 'old-failed']);
    expect((await tasks.get('old'))).toBeUndefined();
    expect((await tasks.partialSegments('old'))).toEqual([]);
    expect(existsSync(path.dirname(old)) || existsSync(path.dirname(oldFailed))).toBe(false);
    // The recent one lost only its media (older than 24 h), not its row.
    expect((await tasks.get('recent'))).toMatchObject({ status: 'completed', mediaPath: null });
    expect(summary.mediaDeleted).toBe(1);
  });

  it('keeps everything when both retention settings are 0', async () => {
    const media = await addTask('ancient', 'completed', 1000 * DAY);
    const summary = await sweepRetention(deps({ mediaRetentionHours: 0, resultRetentionDays: 0 }), NOW);
    expect(summary).toEqual({ mediaDeleted: 0, tasksDeleted: 0, orphansDeleted: 0 });
    expect(existsSync(media)).toBe(true);
    expect((await tasks.get('ancient'))?.mediaPath).toBe(media);
  });

  it('keeps results but deletes media with RESULT_RETENTION_DAYS=0, and the reverse', async () => {
    const a = await addTask('a', 'completed', 100 * DAY);
    await sweepRetention(deps({ resultRetentionDays: 0 }), NOW);
    expect((await tasks.get('a'))).toMatchObject({ mediaPath: null });
    expect(existsSync(a)).toBe(false);

    const b = await addTask('b', 'completed', 100 * DAY);
    await sweepRetention(deps({ mediaRetentionHours: 0, resultRetentionDays: 365 }), NOW);
    expect((await tasks.get('b'))?.mediaPath).toBe(b);
    expect(existsSync(b)).toBe(true);
  });

  it('works through more expired rows than one batch', async () => {
    for (let i = 0; i < 7; i++) await addTask(`t${i}`, 'completed', 2 * DAY);
    for (let i = 0; i < 5; i++) await addTask(`gone${i}`, 'cancelled', 40 * DAY);
    const summary = await sweepRetention(deps({ batchSize: 2 }), NOW);
    expect(summary).toMatchObject({ mediaDeleted: 7, tasksDeleted: 5 });
  });

  it('removes upload folders no task refers to once they are an hour old, and nothing else', async () => {
    const uploads = path.join(dataDir, 'uploads');
    const referenced = await addTask('live', 'queued', HOUR);
    const makeFolder = (name: string, ageMs: number) => {
      const folder = path.join(uploads, name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'media.mp3'), 'partial');
      const when = new Date(Date.now() - ageMs);
      utimesSync(path.join(folder, 'media.mp3'), when, when);
      utimesSync(folder, when, when);
      return folder;
    };
    const leftover = makeFolder('crash-leftover', 2 * HOUR);
    const arriving = makeFolder('still-uploading', 10 * 60 * 1000);
    const named = makeFolder('live', 5 * HOUR); // named after a task id: that task's own folder
    const strayFile = path.join(uploads, 'stray.tmp');
    writeFileSync(strayFile, 'x');
    utimesSync(strayFile, new Date(Date.now() - 3 * HOUR), new Date(Date.now() - 3 * HOUR));
    utimesSync(path.dirname(referenced), new Date(0), new Date(0));

    // Orphan ages are measured on real file times, so this sweep runs at the real now.
    const summary = await sweepRetention(deps(), Date.now());
    expect(summary.orphansDeleted).toBe(2);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(strayFile)).toBe(false);
    expect(existsSync(arriving)).toBe(true);
    expect(existsSync(named)).toBe(true);
    expect(existsSync(referenced)).toBe(true);
  });

  it('counts a folder as fresh when a file inside it was written recently, whatever the folder time says', async () => {
    const folder = path.join(dataDir, 'uploads', 'slow-upload');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'media.wav'), 'bytes still arriving');
    utimesSync(folder, new Date(0), new Date(0));
    expect((await sweepRetention(deps(), Date.now())).orphansDeleted).toBe(0);
    expect(existsSync(folder)).toBe(true);
  });
});

describe('createRetention', () => {
  const sweeps: number[] = [];
  const fakeDeps = (clock: () => number, extra: { hold?: Promise<void> } = {}) => ({
    store: {
      expiredMedia: async () => [], forgetMedia: async () => false, isFinished: async () => false, hasTask: async () => false, mediaPaths: async () => [],
      // Records the "now" each sweep ran at, read back from the cutoff it asks for.
      expiredTasks: async (cutoff: string): Promise<string[]> => {
        sweeps.push(Date.parse(cutoff) + 30 * DAY);
        return [];
      },
    },
    media: createMediaStore(path.join(os.tmpdir(), 'retention-no-such-dir'), os.tmpdir()),
    mediaRetentionHours: 24, resultRetentionDays: 30, logger: quiet, clock,
    removeTask: async () => {
      await extra.hold;
      return true;
    },
  });
  beforeEach(async () => void sweeps.splice(0));

  it('sweeps once at start, then on every interval, with the time its clock gives', async () => {
    let now = NOW;
    const retention = createRetention({ ...fakeDeps(() => now), intervalMs: 30 });
    retention.start();
    await new Promise((r) => setTimeout(r, 5));
    expect(sweeps).toEqual([NOW]);
    now = NOW + DAY;
    await new Promise((r) => setTimeout(r, 100));
    await retention.stop();
    expect(sweeps.length).toBeGreaterThanOrEqual(2);
    expect(sweeps.at(-1)).toBe(NOW + DAY);
    const count = sweeps.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(sweeps).toHaveLength(count); // stopped: no more sweeps
  });

  it('never runs two sweeps at once, and stop() waits for the running one', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const deps = fakeDeps(() => NOW, { hold });
    let calls = 0;
    deps.store.expiredTasks = async () => (calls++ === 0 ? ['x'] : []);
    deps.store.isFinished = async () => true;
    const retention = createRetention(deps);
    const first = retention.sweep();
    const second = retention.sweep();
    expect(second).toBe(first);
    let stopped = false;
    const stopping = retention.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await first).toMatchObject({ tasksDeleted: 1 });
  });
});

describe('measureDiskUsage', () => {
  let dataDir: string;
  beforeEach(async () => void (dataDir = mkdtempSync(path.join(os.tmpdir(), 'disk-usage-'))));
  afterEach(async () => rmSync(dataDir, { recursive: true, force: true }));

  it('adds up every file under uploads and the database with its WAL', async () => {
    const media = createMediaStore(path.join(dataDir, 'uploads'), dataDir);
    expect(await measureDiskUsage(dataDir, media)).toEqual({ uploadsBytes: 0, uploadsFiles: 0, databaseBytes: 0 });
    mkdirSync(path.join(dataDir, 'uploads/a/nested'), { recursive: true });
    writeFileSync(path.join(dataDir, 'uploads/a/media.wav'), Buffer.alloc(1234));
    writeFileSync(path.join(dataDir, 'uploads/a/nested/x'), Buffer.alloc(66));
    writeFileSync(path.join(dataDir, 'uploads/loose'), Buffer.alloc(100));
    writeFileSync(path.join(dataDir, 'unrelated.bin'), Buffer.alloc(5000)); // outside uploads: not counted
    const h = openDatabase(databaseFile(dataDir));
    await migrateToLatest(h.db);
    try {
      const file = databaseFile(dataDir);
      const expected = [file, `${file}-wal`, `${file}-shm`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
      const usage = await measureDiskUsage(dataDir, media);
      expect(usage).toEqual({ uploadsBytes: 1400, uploadsFiles: 3, databaseBytes: expected });
      expect(usage.databaseBytes).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
