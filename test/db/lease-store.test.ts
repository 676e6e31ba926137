import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createLeaseStore, type LeaseStore } from '../../src/db/lease-repository.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import { testEngines } from '../helpers/db-engines.ts';
import { newTask } from './store-fixtures.ts';

describe.each(testEngines())('createLeaseStore on $name', ({ open }) => {
  let h: DatabaseHandle;
  let tasks: TaskStore;
  let leases: LeaseStore;
  const row = (id: string) => h.db.selectFrom('tasks').select(['status', 'lease_owner', 'lease_expires_ms', 'cancel_requested', 'progress_message', 'attempts'])
    .where('id', '=', id).executeTakeFirstOrThrow();
  beforeEach(async () => {
    h = await open();
    tasks = createTaskStore(h);
    leases = createLeaseStore(h);
  });
  afterEach(async () => h.close());

  it('claims the oldest queued task, insertion order breaking ties, each task once', async () => {
    await tasks.insert(newTask('b', '2025-01-01T00:00:01.000Z'));
    await tasks.insert(newTask('a', '2025-01-01T00:00:01.000Z'));
    await tasks.insert(newTask('c', '2025-01-01T00:00:00.000Z'));
    const claimed = [await leases.claimNext('n1', 5000), await leases.claimNext('n2', 5000), await leases.claimNext('n1', 5000)];
    expect(claimed.map((t) => t?.id)).toEqual(['c', 'b', 'a']);
    expect(claimed[0]).toMatchObject({ status: 'queued', attempts: 0 }); // the row as it was queued: the task layer marks the attempt
    // The row counts the attempt at the claim: a node that dies before its task layer writes has used one.
    expect(await row('b')).toMatchObject({ status: 'processing', lease_owner: 'n2', lease_expires_ms: 5000, attempts: 1 });
    expect(await leases.claimNext('n1', 5000)).toBeUndefined();
  });

  it('gives concurrent claims different tasks', async () => {
    for (let i = 0; i < 20; i++) await tasks.insert(newTask(`t${String(i).padStart(2, '0')}`, `2025-01-01T00:00:${String(i).padStart(2, '0')}.000Z`));
    const claims = await Promise.all(Array.from({ length: 24 }, (_, i) => leases.claimNext(`n${i % 4}`, 5000)));
    const ids = claims.flatMap((t) => (t ? [t.id] : []));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('renews only its own running leases and brings their cancel flags', async () => {
    for (const id of ['a', 'b', 'c']) await tasks.insert(newTask(id, `2025-01-01T00:00:0${id === 'a' ? 0 : id === 'b' ? 1 : 2}.000Z`));
    await leases.claimNext('n1', 1000);
    await leases.claimNext('n1', 1000);
    await leases.claimNext('n2', 1000);
    expect(await leases.requestCancel('b')).toBe(true);
    expect(await leases.requestCancel('missing')).toBe(false);
    const renewed = await leases.renew('n1', ['a', 'b', 'c'], 9000);
    expect([...renewed.held].sort()).toEqual(['a', 'b']);
    expect([...renewed.cancel]).toEqual(['b']);
    expect((await row('a')).lease_expires_ms).toBe(9000);
    expect((await row('c')).lease_expires_ms).toBe(1000);
  });

  it('finds expired leases, and only one of two sweepers re-queues or takes each', async () => {
    await tasks.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    await tasks.insert(newTask('b', '2025-01-01T00:00:01.000Z'));
    await leases.claimNext('dead', 1000);
    await leases.claimNext('alive', 10_000);
    expect((await leases.expired(5000, 10)).map((t) => t.id)).toEqual(['a']);
    const requeued = await Promise.all([leases.requeueExpired('a', 5000, 'back'), leases.requeueExpired('a', 5000, 'back')]);
    expect(requeued.filter(Boolean)).toHaveLength(1);
    expect(await row('a')).toMatchObject({ status: 'queued', lease_owner: null, progress_message: 'back' });
    expect(await leases.requeueExpired('b', 5000, 'back')).toBe(false); // still leased
    await leases.claimNext('dead', 1000);
    const taken = await Promise.all([leases.takeExpired('a', 5000), leases.takeExpired('a', 5000)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await leases.expired(5000, 10)).toEqual([]); // taken: held by the sweeper for a minute
  });

  it('cancels a queued task once and not a running one; releases a node’s tasks at shutdown', async () => {
    await tasks.insert(newTask('a', '2025-01-01T00:00:00.000Z'));
    await tasks.insert(newTask('b', '2025-01-01T00:00:01.000Z'));
    await tasks.insert(newTask('c', '2025-01-01T00:00:02.000Z'));
    expect(await leases.claimNext('n1', 1000)).toMatchObject({ id: 'a' });
    expect(await leases.cancelQueued('a')).toBe(false); // running: the node stops it
    expect(await leases.cancelQueued('c')).toBe(true);
    expect(await leases.cancelQueued('c')).toBe(false);
    expect(await leases.claimNext('n2', 1000)).toMatchObject({ id: 'b' }); // c is off the queue
    expect(await leases.release('n1', 'resumes elsewhere')).toBe(1);
    expect(await row('a')).toMatchObject({ status: 'queued', lease_owner: null, progress_message: 'resumes elsewhere' });
    expect((await row('b')).lease_owner).toBe('n2');
  });

  it('gives a queued task its place and the known media seconds ahead of it', async () => {
    await tasks.insert(newTask('a', '2025-01-01T00:00:00.000Z', { mediaDuration: 10 }));
    await tasks.insert(newTask('b', '2025-01-01T00:00:01.000Z', { mediaDuration: 20 }));
    await tasks.insert(newTask('c', '2025-01-01T00:00:01.000Z', { mediaDuration: null }));
    await tasks.insert(newTask('d', '2025-01-01T00:00:02.000Z', { mediaDuration: 5 }));
    expect(await leases.queuePlace('a')).toEqual({ position: 1, mediaSecondsAhead: 0, mediaSeconds: 10 });
    expect(await leases.queuePlace('c')).toEqual({ position: 3, mediaSecondsAhead: 30, mediaSeconds: null });
    expect(await leases.queuePlace('d')).toEqual({ position: 4, mediaSecondsAhead: null, mediaSeconds: 5 }); // c's length is unknown
    await leases.claimNext('n1', 1000);
    expect(await leases.queuePlace('a')).toBeUndefined();
    expect(await leases.queuePlace('b')).toEqual({ position: 1, mediaSecondsAhead: 0, mediaSeconds: 20 });
  });
});
