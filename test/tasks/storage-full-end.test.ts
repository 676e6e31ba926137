import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTaskStore } from '../../src/db/task-store.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';
import { input, serviceRig, until, type ServiceRig } from './service-fixtures.ts';

// What better-sqlite3 throws when the disk is full.
const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

/** The real store, except that writing a task's end (completed / failed) fails as on a full disk. */
function fullOnEnd(store: TaskStore, full: { on: boolean }): TaskStore {
  return {
    ...store,
    async update(id, patch) {
      if (full.on && (patch.status === 'completed' || patch.status === 'failed')) throw sqliteFull();
      return store.update(id, patch);
    },
  };
}

describe('a full disk when a task ends', () => {
  let h: DatabaseHandle;
  let rig: ServiceRig | undefined;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  beforeEach(async () => {
    h = await memoryDatabase();
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(async () => {
    await rig?.service.stop(0);
    process.off('unhandledRejection', onRejection);
    await h.close();
  });

  it('leaves the task processing, logs it, rejects nothing, and the next task still runs', async () => {
    const full = { on: true };
    rig = serviceRig(h, { store: fullOnEnd(createTaskStore(h, { soleWriter: true }), full) });
    await rig.service.start();
    const first = (await rig.service.submit(input('a'))).id;
    const [job] = await rig.engine.waitForJobs(1);
    job!.succeed(); // complete() throws SQLITE_FULL, and so would endWithError
    await until(async () => rig!.logger.lines.some((l) => l.level === 'error' && /disk full|could not store/.test(l.message)));
    await new Promise((r) => setTimeout(r, 50)); // let any stray rejection surface
    expect(rejections).toEqual([]);
    expect((await rig.store.get(first))?.status).toBe('processing');

    full.on = false;
    const second = (await rig.service.submit(input('b'))).id;
    const [, next] = await rig.engine.waitForJobs(2);
    next!.succeed();
    await until(async () => (await rig!.store.get(second))?.status === 'completed');
  });

  it('keeps done from rejecting when storing a failure fails too', async () => {
    rig = serviceRig(h, { store: fullOnEnd(createTaskStore(h, { soleWriter: true }), { on: true }) });
    await rig.service.start();
    const id = (await rig.service.submit(input('a'))).id;
    const [job] = await rig.engine.waitForJobs(1);
    job!.fail({ code: 'AUDIO_DECODE_FAILED', userMessage: 'bad', technicalDetail: 'bad file' });
    await until(async () => rig!.logger.lines.some((l) => l.level === 'error' && /could not store|disk full/.test(l.message)));
    await new Promise((r) => setTimeout(r, 50));
    expect(rejections).toEqual([]);
    expect((await rig.store.get(id))?.status).toBe('processing');
  });
});
