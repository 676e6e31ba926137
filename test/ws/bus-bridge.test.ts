// The bridge's guard on what a socket is sent. The real service never emits a step that goes back, so
// out-of-order events cannot be brought about through it (test/ws/task-socket.test.ts): they are
// emitted on a bus here, as a second node's relayed events or a bug upstream would deliver them.
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/event-bus.ts';
import type { Stage } from '../../src/contract/status.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { fakeResult } from '../helpers/fake-transcriber.ts';
import { bridgeBusToRegistry } from '../../src/ws/bus-bridge.ts';
import { createRegistry, type WatchingSocket } from '../../src/ws/registry.ts';

/** A socket that keeps the frames it is sent and how it was closed. */
function recordingSocket() {
  const frames: Record<string, any>[] = [];
  const closes: number[] = [];
  const socket: WatchingSocket = {
    readyState: 1,
    send: (data) => void frames.push(JSON.parse(data.toString())),
    close: (code = 1005) => void closes.push(code),
  };
  return { socket, frames, closes };
}

describe('bus-to-socket bridge', () => {
  it('never sends a percentage that goes down or a stage that goes back, nor a second final message', () => {
    const bus = createEventBus<TaskEventMap>();
    const registry = createRegistry();
    const bridge = bridgeBusToRegistry(bus, registry);
    const watcher = recordingSocket();
    registry.add('t1', watcher.socket);
    const step = (stage: Stage, percentage: number) => bus.emit('task.progress', { taskId: 't1', stage, percentage, message: stage, timestamp: new Date().toISOString() });
    step('aligning', 45);
    step('transcribing', 30);
    step('aligning', 44);
    step('diarizing', 60);
    bus.emit('task.completed', { taskId: 't1', result: fakeResult([]), timestamp: new Date().toISOString() });
    step('complete', 100);
    bus.emit('task.failed', { taskId: 't1', error: taskError('PROCESSING_FAILED', 'late'), status: 'failed', timestamp: new Date().toISOString() });
    const progress = watcher.frames.filter((f) => f.type === 'progress').map((f) => `${f.stage}:${f.percentage}`);
    expect(progress).toEqual(['aligning:45', 'diarizing:60', 'complete:100']);
    expect(watcher.frames.filter((f) => f.type === 'error')).toEqual([]);
    expect(watcher.closes).toEqual([1000]); // closed once, after the final frame
    bridge.close();
  });
});
