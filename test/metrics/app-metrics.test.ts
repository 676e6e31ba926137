import { register as processWideRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/event-bus.ts';
import { createAppMetrics, type AppMetrics, type AppMetricsDeps } from '../../src/metrics/app-metrics.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { samples } from '../helpers/metric-samples.ts';

const opened: AppMetrics[] = [];
afterEach(() => {
  for (const metrics of opened.splice(0)) metrics.close();
});

function build(extra: Partial<AppMetricsDeps> = {}): AppMetrics {
  const metrics = createAppMetrics({
    bus: createEventBus<TaskEventMap>(), tasks: { list: async () => ({ items: [], total: 0 }) }, sockets: () => 0, workersReady: () => 1, ...extra,
  });
  opened.push(metrics);
  return metrics;
}

describe('createAppMetrics', () => {
  it('records HTTP durations per method, route and status class in the documented buckets, skipping non-finite values', async () => {
    const metrics = build();
    for (const seconds of [0.003, 0.02, 0.02, 7, Number.NaN]) metrics.observeRequest({ method: 'GET', route: '/tasks/:id', status: 200 }, seconds);
    metrics.observeRequest({ method: 'GET', route: '/tasks/:id', status: 404 }, 0.001);
    const text = await metrics.render();
    const buckets = samples(text, 'whisper_http_request_duration_seconds_bucket');
    const series = 'method="GET",route="/tasks/:id",status_class="2xx"';
    expect(Object.keys(buckets).filter((k) => k.includes(series))).toEqual(
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '+Inf'].map((le) => `{le="${le}",${series}}`));
    expect(buckets[`{le="0.005",${series}}`]).toBe(1);
    expect(buckets[`{le="0.025",${series}}`]).toBe(3);
    expect(buckets[`{le="5",${series}}`]).toBe(3);
    expect(buckets[`{le="10",${series}}`]).toBe(4);
    expect(samples(text, 'whisper_http_request_duration_seconds_count')).toEqual({ [`{${series}}`]: 4, '{method="GET",route="/tasks/:id",status_class="4xx"}': 1 });
    expect(samples(text, 'whisper_http_request_duration_seconds_sum')[`{${series}}`]).toBeCloseTo(7.043, 6);
  });

  it('keeps at most 500 HTTP label sets and drops new ones past that', async () => {
    const metrics = build();
    for (let i = 0; i < 600; i++) metrics.observeRequest({ method: 'GET', route: `/r${i}`, status: 200 }, 0.01);
    metrics.observeRequest({ method: 'GET', route: '/r0', status: 200 }, 0.01); // a kept series still records
    const counts = samples(await metrics.render(), 'whisper_http_request_duration_seconds_count');
    expect(Object.keys(counts)).toHaveLength(500);
    expect(counts['{method="GET",route="/r0",status_class="2xx"}']).toBe(2);
    expect(counts['{method="GET",route="/r599",status_class="2xx"}']).toBeUndefined();
  });

  it('gives each app its own registry: two apps in one process count apart, and the process-wide registry stays empty', async () => {
    const before = processWideRegistry.getMetricsAsArray().length;
    const a = build({ sockets: () => 3 });
    const b = build({ sockets: () => 5 });
    a.observeRequest({ method: 'POST', route: '/tasks', status: 202 }, 0.01);
    const [textA, textB] = await Promise.all([a.render(), b.render()]);
    expect(samples(textA, 'whisper_websocket_connections')).toEqual({ '': 3 });
    expect(samples(textB, 'whisper_websocket_connections')).toEqual({ '': 5 });
    expect(samples(textA, 'whisper_http_request_duration_seconds_count')).toEqual({ '{method="POST",route="/tasks",status_class="2xx"}': 1 });
    expect(samples(textB, 'whisper_http_request_duration_seconds_count')).toEqual({});
    expect(processWideRegistry.getMetricsAsArray().length).toBe(before);
  });

  it('serves task counts, the queue depth and the process metrics, prom-client defaults included', async () => {
    const totals: Record<string, number> = { queued: 4, processing: 1, completed: 7 };
    const metrics = build({ tasks: { list: async ({ status }) => ({ items: [], total: totals[status ?? ''] ?? 0 }) } });
    const text = await metrics.render();
    expect(samples(text, 'whisper_tasks')).toEqual({
      '{status="queued"}': 4, '{status="processing"}': 1, '{status="completed"}': 7, '{status="failed"}': 0, '{status="cancelled"}': 0,
    });
    expect(samples(text, 'whisper_queue_depth')).toEqual({ '': 4 });
    expect(samples(text, 'process_resident_memory_bytes')['']).toBeGreaterThan(1_000_000);
    expect(samples(text, 'process_uptime_seconds')['']).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'process_cpu_user_seconds_total')['']).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'nodejs_heap_size_used_bytes')['']).toBeGreaterThan(0);
    expect(Object.keys(samples(text, 'nodejs_eventloop_lag_p99_seconds'))).toEqual(['']);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('shows no disk sample until DATA_DIR was measured, and counts failed measurements by code', async () => {
    let fail = true;
    const measureDisk = async () => {
      if (fail) throw Object.assign(new Error('denied'), { code: 'EACCES' });
      return { uploadsBytes: 2048, uploadsFiles: 2, databaseBytes: 4096 };
    };
    let now = 0;
    const metrics = build({ measureDisk, clock: () => now });
    let text = await metrics.render();
    expect(samples(text, 'whisper_disk_usage_bytes')).toEqual({});
    expect(samples(text, 'whisper_upload_files')).toEqual({});
    expect(samples(text, 'whisper_disk_usage_errors_total')).toEqual({ '{reason="EACCES"}': 1 });
    fail = false;
    now = 60_000; // past the 30 s cache
    text = await metrics.render();
    expect(samples(text, 'whisper_disk_usage_bytes')).toEqual({ '{area="uploads"}': 2048, '{area="database"}': 4096 });
    expect(samples(text, 'whisper_upload_files')).toEqual({ '': 2 });
  });
});
