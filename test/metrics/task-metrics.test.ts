import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createEventBus } from '../../src/events/event-bus.ts';
import { metricsIn } from '../../src/metrics/metric-factory.ts';
import { attachTaskMetrics } from '../../src/metrics/task-metrics.ts';
import { taskError } from '../../src/tasks/errors.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import type { Stage } from '../../src/contract/status.ts';
import type { TaskRecord } from '../../src/tasks/task-record.ts';
import { fakeResult, fakeSegment } from '../helpers/fake-transcriber.ts';

/** A queued task as the service announces it in task.created (these tests drive the bus, with their own clock). */
const queuedTask = (id: string): TaskRecord => ({
  id, status: 'queued', stage: 'queued', percentage: 0, message: 'Waiting in the queue', fileName: 'a.wav', mediaPath: null, mediaDuration: 24,
  params: { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0 },
  language: null, languageProbability: null, result: null, error: null, attempts: 0, owner: null,
  createdAt: '', startedAt: null, completedAt: null, updatedAt: '',
});

/** The value of one sample line, e.g. `name_count{stage="transcribing"}`. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('attachTaskMetrics', () => {
  it('measures queue wait, each stage, processing time and the real-time factor from bus events', async () => {
    let now = 0;
    const bus = createEventBus<TaskEventMap>();
    const registry = new Registry();
    attachTaskMetrics(bus, metricsIn(registry), () => now);
    const step = (id: string, stage: Stage, percentage: number, extra: object = {}) =>
      bus.emit('task.progress', { taskId: id, stage, percentage, message: '', timestamp: '', ...extra });

    const task = queuedTask('t1');
    bus.emit('task.created', { task }); // at t=0
    now = 2_000;
    step(task.id, 'queued', 0, { queuePosition: 1, etaSeconds: 30 });
    now = 5_000;
    step(task.id, 'transcribing', 10, { etaSeconds: 10 });
    now = 10_000;
    step(task.id, 'transcribing', 30);
    now = 15_000;
    step(task.id, 'aligning', 40);
    now = 17_000;
    step(task.id, 'complete', 100);
    bus.emit('task.completed', { taskId: task.id, result: fakeResult([fakeSegment(0)], { duration: 24 }), timestamp: '' });

    const text = await registry.metrics();
    expect(sample(text, 'whisper_queue_wait_seconds_sum')).toBe(5);
    expect(sample(text, 'whisper_stage_duration_seconds_sum{stage="transcribing"}')).toBe(10);
    expect(sample(text, 'whisper_stage_duration_seconds_sum{stage="aligning"}')).toBe(2);
    expect(text).not.toContain('stage="queued"');
    expect(text).not.toContain('stage="complete"');
    expect(sample(text, 'whisper_task_processing_seconds_sum')).toBe(12);
    expect(sample(text, 'whisper_real_time_factor_sum')).toBe(0.5);
    expect(sample(text, 'whisper_tasks_finished_total{status="completed",code=""}')).toBe(1);
  });

  it('counts failures by code and measures a task re-queued by a restart from its first queued event', async () => {
    let now = 0;
    const bus = createEventBus<TaskEventMap>();
    const registry = new Registry();
    attachTaskMetrics(bus, metricsIn(registry), () => now);
    bus.emit('task.progress', { taskId: 'old', stage: 'transcribing', percentage: 20, message: '', timestamp: '', queuePosition: 1 });
    now = 3_000;
    bus.emit('task.progress', { taskId: 'old', stage: 'transcribing', percentage: 25, message: '', timestamp: '' });
    now = 4_000;
    bus.emit('task.failed', { taskId: 'old', error: taskError('WORKER_CRASHED', 'x'), status: 'failed', timestamp: '' });
    bus.emit('task.failed', { taskId: 'never-seen', error: taskError('CANCELLED', 'x'), status: 'cancelled', timestamp: '' });
    const text = await registry.metrics();
    expect(sample(text, 'whisper_queue_wait_seconds_sum')).toBe(3);
    expect(sample(text, 'whisper_task_processing_seconds_sum')).toBe(1);
    expect(sample(text, 'whisper_tasks_finished_total{status="failed",code="WORKER_CRASHED"}')).toBe(1);
    expect(sample(text, 'whisper_tasks_finished_total{status="cancelled",code="CANCELLED"}')).toBe(1);
  });

  it('stops listening when detached', () => {
    const bus = createEventBus<TaskEventMap>();
    const detach = attachTaskMetrics(bus, metricsIn(new Registry()));
    expect(bus.listenerCount('task.progress')).toBe(1);
    detach();
    for (const name of ['task.created', 'task.progress', 'task.completed', 'task.failed', 'task.deleted'] as const) expect(bus.listenerCount(name)).toBe(0);
  });
});
