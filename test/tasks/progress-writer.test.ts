import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventBus, type EventBus } from '../../src/events/event-bus.ts';
import { taskError } from '../../src/tasks/errors.ts';
import { attachProgressWriter, type ProgressWriter } from '../../src/tasks/progress-writer.ts';
import type { ProgressEvent, TaskEventMap } from '../../src/tasks/task-events.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import type { TaskStore } from '../../src/tasks/task-service-types.ts';
import type { Stage } from '../../src/contract/status.ts';
import { recordingLogger } from './service-fixtures.ts';

describe('attachProgressWriter', () => {
  let bus: EventBus<TaskEventMap>;
  let writes: Array<{ id: string; at: number; patch: Partial<TaskRecord> }>;
  let writer: ProgressWriter;
  const step = (stage: Stage, percentage: number, taskId = 't'): ProgressEvent =>
    ({ taskId, stage, percentage, message: stage, timestamp: new Date().toISOString() });
  const progress = (stage: Stage, percentage: number, taskId = 't') => bus.emit('task.progress', step(stage, percentage, taskId));
  const written = () => writes.map((w) => `${w.patch.stage}:${w.patch.percentage}@${w.at}`);

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    bus = createEventBus<TaskEventMap>((e) => { throw e; });
    writes = [];
    const store = { update: async (id: string, patch: Partial<TaskRecord>) => void writes.push({ id, at: Date.now(), patch }) } as unknown as TaskStore;
    writer = attachProgressWriter({ bus, store, logger: recordingLogger(), intervalMs: 1000 });
  });
  afterEach(() => {
    writer.dispose();
    vi.useRealTimers();
  });

  it('writes the first step of a stage at once and then at most once a second, catching up at the end of the interval', () => {
    progress('transcribing', 10);
    vi.advanceTimersByTime(100);
    progress('transcribing', 11);
    vi.advanceTimersByTime(100);
    progress('transcribing', 12);
    expect(written()).toEqual(['transcribing:10@0']);
    vi.advanceTimersByTime(800);
    expect(written()).toEqual(['transcribing:10@0', 'transcribing:12@1000']);
    vi.advanceTimersByTime(5000);
    expect(writes).toHaveLength(2);
    progress('transcribing', 13);
    expect(written().at(-1)).toBe('transcribing:13@6000');
  });

  it('writes at once on a stage change and on completion, even inside the interval', () => {
    progress('transcribing', 10);
    vi.advanceTimersByTime(10);
    progress('transcribing', 39);
    progress('aligning', 40);
    vi.advanceTimersByTime(10);
    progress('complete', 100);
    expect(written()).toEqual(['transcribing:10@0', 'aligning:40@10', 'complete:100@20']);
    vi.advanceTimersByTime(2000);
    expect(writes).toHaveLength(3); // the throttled 39 was superseded, never written after 40
  });

  it('flushes the pending step when a task fails, and drops it when the task completes or is deleted', () => {
    progress('transcribing', 10, 'a');
    progress('transcribing', 30, 'a');
    bus.emit('task.failed', { taskId: 'a', status: 'failed', error: taskError('NO_AUDIO', 'x'), timestamp: '' });
    progress('transcribing', 10, 'b');
    progress('transcribing', 30, 'b');
    bus.emit('task.deleted', { taskId: 'b' });
    vi.advanceTimersByTime(2000);
    expect(writes.map((w) => `${w.id}:${w.patch.percentage}`)).toEqual(['a:10', 'a:30', 'b:10']);
  });

  it('skips steps identical to the last one written (queue-place updates)', () => {
    progress('queued', 0);
    vi.advanceTimersByTime(5000);
    progress('queued', 0);
    progress('queued', 0);
    expect(writes).toHaveLength(1);
  });

  it('keeps throttling separate per task', () => {
    progress('transcribing', 10, 'a');
    progress('transcribing', 10, 'b');
    progress('transcribing', 20, 'a');
    expect(writes.map((w) => `${w.id}:${w.patch.percentage}`)).toEqual(['a:10', 'b:10']);
    writer.flush();
    expect(writes.map((w) => `${w.id}:${w.patch.percentage}`)).toEqual(['a:10', 'b:10', 'a:20']);
  });
});
