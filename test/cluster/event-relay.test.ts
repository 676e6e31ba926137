import { describe, expect, it } from 'vitest';
import { createEventRelay } from '../../src/cluster/event-relay.ts';
import { MAX_NOTIFY_BYTES } from '../../src/cluster/pg-channel.ts';
import { createEventBus } from '../../src/events/event-bus.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { fakeResult, fakeSegment } from '../helpers/fake-transcriber.ts';

const progress = (taskId: string, percentage: number) =>
  ({ taskId, stage: 'transcribing' as const, percentage, message: 'Transcribing', timestamp: '2030-01-01T00:00:00.000Z' });

/** A relay for node `a` over a channel that records what it would NOTIFY, and a store of canned rows. */
function rig(rows: Record<string, Partial<TaskRecord>> = {}, failing = new Set<string>()) {
  const bus = createEventBus<TaskEventMap>((error) => { throw error; });
  const sent: string[] = [];
  const errors: unknown[] = [];
  const heard: Array<[string, unknown]> = [];
  for (const name of ['task.progress', 'task.segment', 'task.completed', 'task.failed', 'task.deleted'] as const) {
    bus.on(name, (payload) => void heard.push([name, payload]));
  }
  const relay = createEventRelay({
    nodeId: 'a', bus, channel: { notify: async (_channel, payload) => void sent.push(payload) },
    store: {
      get: async (id) => {
        if (failing.has(id)) throw new Error('connection lost');
        return rows[id] as TaskRecord | undefined;
      },
    }, onError: (error) => void errors.push(error),
  });
  const from = (node: string, e: string, d: unknown) => relay.receive(JSON.stringify({ n: node, e, d }));
  return { bus, relay, sent, errors, heard, from };
}

describe('createEventRelay', () => {
  it('publishes this node’s events and replays other nodes’ without sending them back', async () => {
    const r = rig();
    r.bus.emit('task.progress', progress('t', 10));
    expect(r.sent.map((p) => JSON.parse(p))).toEqual([{ n: 'a', e: 'task.progress', d: progress('t', 10) }]);
    r.from('b', 'task.progress', progress('t', 20));
    r.from('a', 'task.progress', progress('t', 30)); // its own, echoed by PostgreSQL: ignored
    expect(r.heard).toEqual([['task.progress', progress('t', 10)], ['task.progress', progress('t', 20)]]);
    expect(r.sent).toHaveLength(1);
    expect(r.relay.replaying()).toBe(false);
  });

  it('sends a completion as its id and replays it with the result read from the row', async () => {
    const result = fakeResult([fakeSegment(0)]);
    const r = rig({ t: { id: 't', status: 'completed', result } });
    r.bus.emit('task.completed', { taskId: 't', result, timestamp: 'x' });
    expect(JSON.parse(r.sent[0]!)).toEqual({ n: 'a', e: 'task.completed', d: { taskId: 't', timestamp: 'x' } });
    r.from('b', 'task.completed', { taskId: 't', timestamp: 'y' });
    r.from('b', 'task.deleted', { taskId: 't' }); // must not overtake the completion being read
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.heard.slice(1)).toEqual([['task.completed', { taskId: 't', result, timestamp: 'y' }], ['task.deleted', { taskId: 't' }]]);
  });

  it('keeps a segment under the NOTIFY limit by dropping its tokens, then its words', () => {
    const r = rig();
    const big = { ...fakeSegment(0), tokens: Array.from({ length: 400 }, (_, i) => ({ id: i, text: ' tok', p: 0.5, t0: 0, t1: 1, tDtw: -1, special: false })) };
    r.bus.emit('task.segment', { taskId: 't', segment: big });
    const sent = JSON.parse(r.sent[0]!) as { d: { segment: { tokens: unknown[]; text: string } } };
    expect(Buffer.byteLength(r.sent[0]!)).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    expect(sent.d.segment).toMatchObject({ text: big.text, tokens: [] });
    const huge = { ...big, words: Array.from({ length: 400 }, (_, i) => ({ word: ' word', start: i, end: i + 1, probability: 0.5 })) };
    r.bus.emit('task.segment', { taskId: 't', segment: huge });
    expect(JSON.parse(r.sent[1]!).d.segment).not.toHaveProperty('words');
    expect(r.errors).toEqual([]);
  });

  it('after a lost connection, replays the end of every task it heard running elsewhere that has ended since', async () => {
    const result = fakeResult([]);
    const error = taskError('CANCELLED', 'by a client');
    const r = rig({
      done: { id: 'done', status: 'completed', result, completedAt: 'c1' },
      stopped: { id: 'stopped', status: 'cancelled', error, completedAt: 'c2' },
      running: { id: 'running', status: 'processing' },
    });
    for (const id of ['done', 'stopped', 'running', 'gone']) r.from('b', 'task.progress', progress(id, 40));
    r.heard.splice(0);
    await r.relay.resync();
    expect(r.heard).toEqual([
      ['task.completed', { taskId: 'done', result, timestamp: 'c1' }],
      ['task.failed', { taskId: 'stopped', error, status: 'cancelled', timestamp: 'c2' }],
      ['task.deleted', { taskId: 'gone' }],
    ]);
    expect(r.sent).toEqual([]); // replays are not published again
    r.heard.splice(0);
    await r.relay.resync();
    expect(r.heard).toEqual([]); // only `running` is left open, and it still runs
  });

  it('replays nothing for a task whose row could not be read on resync, and tries again next time', async () => {
    const failing = new Set(['t']);
    const r = rig({}, failing);
    r.from('b', 'task.progress', progress('t', 40));
    r.heard.splice(0);
    await r.relay.resync();
    expect(r.heard).toEqual([]); // not taken for deleted
    expect(r.errors).toHaveLength(1);
    failing.clear();
    await r.relay.resync();
    expect(r.heard).toEqual([['task.deleted', { taskId: 't' }]]);
  });
});
