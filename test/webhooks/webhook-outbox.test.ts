import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { listDeliveries } from '../../src/db/webhook-repository.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { WebhookPayload } from '../../src/webhooks/webhook-events.ts';
import { withWebhookOutbox } from '../../src/webhooks/webhook-outbox.ts';
import { newTask } from '../db/store-fixtures.ts';
import { testEngines } from '../helpers/db-engines.ts';

const CALLBACK = 'https://hooks.example.com/task';
const GLOBAL = 'https://ops.example.com/all';

describe.each(testEngines())('withWebhookOutbox on $name', ({ open }) => {
  let h: DatabaseHandle;
  let queued = 0;
  let ids = 0;
  const wrap = (globalUrl: string | null, inner?: TaskStore) =>
    withWebhookOutbox(inner ?? createTaskStore(h), h, { globalUrl, clock: () => Date.parse('2030-01-01T00:00:00Z'), newId: () => `msg_${++ids}`, onQueued: () => queued++ });
  const events = async (taskId: string) =>
    (await listDeliveries(h.db, taskId)).map((d) => ({ event: d.event, url: d.url, payload: JSON.parse(d.payload) as WebhookPayload }));

  beforeEach(async () => {
    h = await open();
    queued = 0;
  });
  afterEach(async () => h.close());

  it('adds one delivery per stage change and one for the end, in order, with the row as it is after the change', async () => {
    const store = wrap(null);
    // Fired without waiting, as the task layer does: the writes still land in call order.
    const writes = [
      store.insert(newTask('a', '2030-01-01T00:00:00Z', { webhook: { callbackUrl: CALLBACK, origin: 'https://stt.example.com' } })),
      store.update('a', { status: 'processing', attempts: 1 }),
      store.update('a', { stage: 'transcribing', percentage: 10, message: 'Transcribing' }),
      store.update('a', { message: 'Transcribing (model loaded)' }), // passes straight to the store, between outbox writes
      store.update('a', { stage: 'transcribing', percentage: 25, message: 'Transcribing' }), // same stage: no event
      store.update('a', { stage: 'aligning', percentage: 40, message: 'Aligning' }),
      store.update('a', { status: 'completed', stage: 'complete', percentage: 100, message: 'done' }),
      store.update('a', { stage: 'complete', percentage: 100, message: 'done' }), // a repeat of the final step: no event
    ];
    await Promise.all(writes);
    expect(await store.get('a')).toMatchObject({ stage: 'complete', percentage: 100, message: 'done' });
    const got = await events('a');
    expect(got.map((e) => [e.event, e.payload.data.stage, e.payload.data.percentage])).toEqual([
      ['task.progress', 'transcribing', 10], ['task.progress', 'aligning', 40], ['task.completed', 'complete', 100],
    ]);
    expect(got.every((e) => e.url === CALLBACK)).toBe(true);
    expect(got[2]!.payload).toMatchObject({
      type: 'task.completed', timestamp: '2030-01-01T00:00:00.000Z',
      data: { id: 'a', status: 'completed', error: null, links: { self: 'https://stt.example.com/tasks/a', websocket: 'wss://stt.example.com/ws/tasks/a' } },
    });
    expect(queued).toBe(3);
  });

  it('reports failures and cancels with their error fields, to WEBHOOK_URL and the callback alike', async () => {
    const store = wrap(GLOBAL);
    await store.insert(newTask('f', '2030-01-01T00:00:00Z', { webhook: { callbackUrl: CALLBACK, origin: null } }));
    await store.insert(newTask('c', '2030-01-01T00:00:00Z')); // no row of its own: WEBHOOK_URL only, relative links
    await store.update('f', { status: 'failed', error: taskError('NO_AUDIO', 'silent file') });
    await store.update('c', { status: 'cancelled', error: taskError('CANCELLED', 'asked') });
    const failed = await events('f');
    expect(failed.map((e) => [e.event, e.url])).toEqual([['task.failed', GLOBAL], ['task.failed', CALLBACK]]);
    expect(failed[0]!.payload.data.error).toMatchObject({ error_code: 'NO_AUDIO', technical_detail: 'silent file' });
    expect(failed[0]!.payload.data.links.self).toBe('/tasks/f');
    expect((await events('c')).map((e) => [e.event, e.url, e.payload.data.error?.error_code])).toEqual([['task.cancelled', GLOBAL, 'CANCELLED']]);
  });

  it('writes nothing for a task with no target, and nothing for a re-queue', async () => {
    const store = wrap(null);
    await store.insert(newTask('n', '2030-01-01T00:00:00Z'));
    await store.update('n', { stage: 'transcribing', percentage: 10 });
    expect(await events('n')).toEqual([]);
    expect((await store.get('n'))?.percentage).toBe(10);
    const withUrl = wrap(GLOBAL);
    await withUrl.insert(newTask('r', '2030-01-01T00:00:00Z'));
    await withUrl.update('r', { status: 'processing', stage: 'transcribing', percentage: 12 });
    await withUrl.update('r', { status: 'queued', message: 'Waiting to resume after a server restart' });
    expect((await events('r')).map((e) => e.event)).toEqual(['task.progress']);
  });

  it('drops what a sole-writer store cached of a task when the outbox writes it', async () => {
    const store = wrap(GLOBAL, createTaskStore(h, { soleWriter: true }));
    await store.insert(newTask('p', '2030-01-01T00:00:00Z'));
    expect((await store.progress('p'))?.status).toBe('queued');
    expect((await store.progress('p'))?.status).toBe('queued'); // served from the cache now
    await store.update('p', { status: 'processing', stage: 'transcribing', percentage: 5 });
    expect(await store.progress('p')).toMatchObject({ status: 'processing', stage: 'transcribing', percentage: 5 });
  });

  it('refuses a store that cannot run its writes in the task order', () => {
    const { write: _write, ...unordered } = createTaskStore(h);
    expect(() => wrap(GLOBAL, unordered)).toThrow(/write\(\)/);
  });

  it('keeps the state change and its delivery together: when the delivery cannot be written, the change is not stored either', async () => {
    const store = wrap(GLOBAL);
    await store.insert(newTask('x', '2030-01-01T00:00:00Z'));
    // The task row changes first, then the delivery insert fails before the transaction ends.
    await h.db.schema.dropTable('webhook_attempts').execute();
    await h.db.schema.dropTable('webhook_deliveries').execute();
    await expect(store.update('x', { status: 'failed', error: taskError('NO_AUDIO', 'x') })).rejects.toThrow(/webhook_deliveries/);
    expect((await store.get('x'))?.status).toBe('queued');
    expect(queued).toBe(0);
    // The next write of the task still runs: a failed one does not block the task's order.
    await store.update('x', { attempts: 2 });
    expect((await store.get('x'))?.attempts).toBe(2);
  });
});
