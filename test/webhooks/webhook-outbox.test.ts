import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createSqliteTaskStore } from '../../src/db/sqlite-task-store.ts';
import { listDeliveries } from '../../src/db/webhook-repository.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { WebhookPayload } from '../../src/webhooks/webhook-events.ts';
import { withWebhookOutbox } from '../../src/webhooks/webhook-outbox.ts';
import { memoryDatabase, newTask } from '../db/store-fixtures.ts';

const CALLBACK = 'https://hooks.example.com/task';
const GLOBAL = 'https://ops.example.com/all';

describe('withWebhookOutbox', () => {
  let h: DatabaseHandle;
  let queued = 0;
  let ids = 0;
  const wrap = (globalUrl: string | null, inner?: TaskStore) =>
    withWebhookOutbox(inner ?? createSqliteTaskStore(h), h, { globalUrl, clock: () => Date.parse('2030-01-01T00:00:00Z'), newId: () => `msg_${++ids}`, onQueued: () => queued++ });
  const events = (taskId: string) => listDeliveries(h, taskId).map((d) => ({ event: d.event, url: d.url, payload: JSON.parse(d.payload) as WebhookPayload }));

  beforeEach(async () => {
    h = await memoryDatabase();
    queued = 0;
  });
  afterEach(async () => h.close());

  it('adds one delivery per stage change and one for the end, in order, with the row as it is after the change', () => {
    const store = wrap(null);
    store.insert(newTask('a', '2030-01-01T00:00:00Z', { webhook: { callbackUrl: CALLBACK, origin: 'https://stt.example.com' } }));
    store.update('a', { status: 'processing', attempts: 1 });
    store.update('a', { stage: 'transcribing', percentage: 10, message: 'Transcribing' });
    store.update('a', { stage: 'transcribing', percentage: 25, message: 'Transcribing' }); // same stage: no event
    store.update('a', { stage: 'aligning', percentage: 40, message: 'Aligning' });
    store.update('a', { status: 'completed', stage: 'complete', percentage: 100, message: 'done' });
    store.update('a', { stage: 'complete', percentage: 100, message: 'done' }); // a repeat of the final step: no event
    const got = events('a');
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

  it('reports failures and cancels with their error fields, to WEBHOOK_URL and the callback alike', () => {
    const store = wrap(GLOBAL);
    store.insert(newTask('f', '2030-01-01T00:00:00Z', { webhook: { callbackUrl: CALLBACK, origin: null } }));
    store.insert(newTask('c', '2030-01-01T00:00:00Z')); // no row of its own: WEBHOOK_URL only, relative links
    store.update('f', { status: 'failed', error: taskError('NO_AUDIO', 'silent file') });
    store.update('c', { status: 'cancelled', error: taskError('CANCELLED', 'asked') });
    const failed = events('f');
    expect(failed.map((e) => [e.event, e.url])).toEqual([['task.failed', GLOBAL], ['task.failed', CALLBACK]]);
    expect(failed[0]!.payload.data.error).toMatchObject({ error_code: 'NO_AUDIO', technical_detail: 'silent file' });
    expect(failed[0]!.payload.data.links.self).toBe('/tasks/f');
    expect(events('c').map((e) => [e.event, e.url, e.payload.data.error?.error_code])).toEqual([['task.cancelled', GLOBAL, 'CANCELLED']]);
  });

  it('writes nothing for a task with no target, and nothing for a re-queue', () => {
    const store = wrap(null);
    store.insert(newTask('n', '2030-01-01T00:00:00Z'));
    store.update('n', { stage: 'transcribing', percentage: 10 });
    expect(events('n')).toEqual([]);
    const withUrl = wrap(GLOBAL);
    withUrl.insert(newTask('r', '2030-01-01T00:00:00Z'));
    withUrl.update('r', { status: 'processing', stage: 'transcribing', percentage: 12 });
    withUrl.update('r', { status: 'queued', message: 'Waiting to resume after a server restart' });
    expect(events('r').map((e) => e.event)).toEqual(['task.progress']);
  });

  it('keeps the state change and its delivery together: when the write fails, neither is stored', () => {
    const inner = createSqliteTaskStore(h);
    const failing: TaskStore = {
      ...inner,
      update(id, patch) {
        inner.update(id, patch); // the row changes, then the store fails before the transaction ends
        throw new Error('disk full');
      },
    };
    const store = wrap(GLOBAL, failing);
    store.insert(newTask('x', '2030-01-01T00:00:00Z'));
    expect(() => store.update('x', { status: 'failed', error: taskError('NO_AUDIO', 'x') })).toThrow('disk full');
    expect(inner.get('x')?.status).toBe('queued');
    expect(events('x')).toEqual([]);
    expect(queued).toBe(0);
  });
});
