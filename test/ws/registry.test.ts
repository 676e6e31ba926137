import { describe, expect, it } from 'vitest';
import { createRegistry, type WatchingSocket } from '../../src/ws/registry.ts';

function fakeSocket(readyState = 1) {
  const sent: string[] = [];
  const closed: [number | undefined, string | undefined][] = [];
  const socket: WatchingSocket & { sent: string[]; closed: typeof closed } = {
    readyState,
    sent,
    closed,
    send: (data) => void sent.push(data.toString()),
    close: (code, reason) => void closed.push([code, reason]),
  };
  return socket;
}

describe('createRegistry', () => {
  it('broadcasts one serialized frame to every open socket of a task only', () => {
    const registry = createRegistry();
    const [a, b, other, closing] = [fakeSocket(), fakeSocket(), fakeSocket(), fakeSocket(2)];
    registry.add('t1', a);
    registry.add('t1', b);
    registry.add('t1', closing);
    registry.add('t2', other);
    expect(registry.broadcast('t1', { type: 'progress', percentage: 5 })).toBe(2);
    expect(a.sent).toEqual(['{"type":"progress","percentage":5}']);
    expect(b.sent).toEqual(a.sent);
    expect(closing.sent).toEqual([]);
    expect(other.sent).toEqual([]);
    expect(registry.broadcast('nobody', { type: 'x' })).toBe(0);
  });

  it('holds each socket\'s stream corked for the rest of the turn, so one turn\'s frames leave in one write', async () => {
    const registry = createRegistry();
    const log: string[] = [];
    const stream = { cork: () => void log.push('cork'), uncork: () => void log.push('uncork') };
    const a = fakeSocket();
    const b = fakeSocket();
    a.send = (data) => void log.push(`send ${data.toString()}`);
    registry.add('t1', a, stream);
    registry.add('t1', b); // no stream known: sent as before
    registry.broadcast('t1', { n: 1 });
    registry.broadcast('t1', { n: 2 });
    expect(log).toEqual(['cork', 'send {"n":1}', 'send {"n":2}']);
    expect(b.sent).toEqual(['{"n":1}', '{"n":2}']);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(log.slice(3)).toEqual(['uncork']);
    registry.broadcast('t1', { n: 3 });
    await new Promise((resolve) => process.nextTick(resolve));
    expect(log.slice(4)).toEqual(['cork', 'send {"n":3}', 'uncork']);
  });

  it('never keeps an empty entry and reports when a task loses its last watcher', () => {
    const registry = createRegistry();
    const emptied: string[] = [];
    registry.onEmpty((id) => emptied.push(id));
    const [a, b] = [fakeSocket(), fakeSocket()];
    registry.add('t1', a);
    registry.add('t1', a); // the same socket twice counts once
    registry.add('t1', b);
    expect(registry.count('t1')).toBe(2);
    expect(registry.remove('t1', a)).toBe(true);
    expect(registry.remove('t1', a)).toBe(false);
    expect([registry.has('t1'), emptied]).toEqual([true, []]);
    registry.remove('t1', b);
    expect([registry.has('t1'), registry.count(), registry.taskIds(), emptied]).toEqual([false, 0, [], ['t1']]);
  });

  it('closes and forgets the sockets of one task or of all tasks', () => {
    const registry = createRegistry();
    const [a, b, c] = [fakeSocket(), fakeSocket(), fakeSocket()];
    registry.add('t1', a);
    registry.add('t1', b);
    registry.add('t2', c);
    registry.closeAll(4404, 'task deleted', 't1');
    expect([a.closed, b.closed, c.closed]).toEqual([[[4404, 'task deleted']], [[4404, 'task deleted']], []]);
    expect(registry.taskIds()).toEqual(['t2']);
    registry.closeAll(1001, 'shutting down');
    expect([c.closed, registry.count()]).toEqual([[[1001, 'shutting down']], 0]);
  });
});
