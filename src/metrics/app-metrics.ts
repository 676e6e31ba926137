import { Registry, type Histogram } from 'prom-client';
import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { TaskService } from '../tasks/task-service-types.ts';
import type { TaskStatus } from '../contract/status.ts';
import type { WebhookApi } from '../webhooks/webhook-types.ts';
import { collectReleasableDefaults } from './default-metrics.ts';
import { metricsIn } from './metric-factory.ts';
import { attachTaskMetrics } from './task-metrics.ts';
import { attachWebhookMetrics } from './webhook-metrics.ts';

const STATUSES: TaskStatus[] = ['queued', 'processing', 'completed', 'failed', 'cancelled'];
/** Seconds: HTTP answers are expected in milliseconds; uploads and waits for /v1 take longer. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** HTTP label sets kept; past this, new ones are dropped, so that odd requests cannot grow memory. */
const MAX_HTTP_SERIES = 500;
/** Walking DATA_DIR/uploads is not free: a scrape reuses a measurement this recent. */
const DISK_CACHE_MS = 30_000;

/** One cached series of the HTTP histogram. */
type HttpSeries = Histogram.Internal<'method' | 'route' | 'status_class'>;

/** Sizes under DATA_DIR (src/retention measures them). */
export type DiskMeasure = () => Promise<{ uploadsBytes: number; uploadsFiles: number; databaseBytes: number }>;

/** What the metrics read and listen to. */
export interface AppMetricsDeps {
  bus: EventBus<TaskEventMap>;
  tasks: Pick<TaskService, 'list'>;
  /** Open WebSockets right now. */
  sockets(): number;
  workersReady(): number;
  onWorkerRestart?(listener: (restart: { slot: number; reason: string }) => void): () => void;
  measureDisk?: DiskMeasure;
  /** Webhook outcomes and the pending outbox (absent when the app runs without the service). */
  webhooks?: Pick<WebhookApi, 'pending' | 'onOutcome'>;
  clock?: () => number;
}

/** The service's metrics: fed by the bus, the HTTP middleware and the worker pool; read at scrape time. */
export interface AppMetrics {
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** Unsubscribes from the bus, the pool and the webhooks, and stops the event-loop monitor and GC observer. */
  close(): void;
}

/**
 * Builds this app's own prom-client registry (never the process-wide default: tests start many apps
 * in one process) with prom-client's default process metrics, subscribes to the bus and the pool,
 * and reads gauges from the store when scraped.
 */
export function createAppMetrics(deps: AppMetricsDeps): AppMetrics {
  const clock = deps.clock ?? Date.now;
  const registry = new Registry();
  const metrics = metricsIn(registry);
  // Process CPU and memory (process_resident_memory_bytes among them), heap, handles, event-loop lag, GC.
  const defaults = collectReleasableDefaults(registry);
  // Read from the database before each render (the gauges below only report them).
  let counts = new Map<TaskStatus, number>();
  const refreshCounts = async () => {
    const totals = await Promise.all(STATUSES.map(async (status) => [status, (await deps.tasks.list({ status, limit: 1, offset: 0 })).total] as const));
    counts = new Map(totals);
  };
  const count = (status: TaskStatus) => counts.get(status) ?? 0;
  let disk: Awaited<ReturnType<DiskMeasure>> | null = null;
  let diskAt = -Infinity;

  metrics.gauge('whisper_tasks', 'Tasks in the database, by status.', ['status'], (g) => {
    for (const status of STATUSES) g.set({ status }, count(status));
  });
  metrics.gauge('whisper_queue_depth', 'Tasks waiting for a worker.', [], (g) => g.set(count('queued')));
  const detach = attachTaskMetrics(deps.bus, metrics, clock);
  const detachWebhooks = deps.webhooks && attachWebhookMetrics(metrics, deps.webhooks);
  const restarts = metrics.counter('whisper_worker_restarts_total', 'Worker processes replaced after they exited or failed to start.', ['reason']);
  restarts.inc({ reason: 'exited' }, 0);
  const offRestart = deps.onWorkerRestart?.((restart) => restarts.inc({ reason: restart.reason }));
  metrics.gauge('whisper_workers_ready', 'Workers with the model loaded and able to take a task.', [], (g) => g.set(deps.workersReady()));
  metrics.gauge('whisper_websocket_connections', 'Open WebSocket connections watching tasks.', [], (g) => g.set(deps.sockets()));
  const http = metrics.histogram('whisper_http_request_duration_seconds', 'Time to answer HTTP requests (to the response headers), by route pattern and status class.',
    HTTP_BUCKETS, ['method', 'route', 'status_class']);
  // Until DATA_DIR has been measured once, these two have no sample rather than a false 0.
  metrics.gauge('whisper_disk_usage_bytes', 'Bytes stored under DATA_DIR, by area.', ['area'], (g) => {
    g.reset();
    if (!disk) return;
    g.set({ area: 'uploads' }, disk.uploadsBytes);
    g.set({ area: 'database' }, disk.databaseBytes);
  });
  metrics.gauge('whisper_upload_files', 'Files under DATA_DIR/uploads.', [], (g) => (disk ? g.set(disk.uploadsFiles) : g.remove()));
  const diskErrors = metrics.counter('whisper_disk_usage_errors_total', 'Failed measurements of DATA_DIR (the last good one is shown).', ['reason']);
  metrics.gauge('process_uptime_seconds', 'Seconds since the server process started.', [], (g) => g.set(Math.round(process.uptime())));

  const refreshDisk = async () => {
    if (!deps.measureDisk || clock() - diskAt < DISK_CACHE_MS) return;
    diskAt = clock();
    try {
      disk = await deps.measureDisk();
    } catch (error) {
      diskErrors.inc({ reason: (error as NodeJS.ErrnoException).code ?? 'error' });
    }
  };

  // Every request lands here: keep prom-client's child per label set rather than resolve the labels
  // each time, found by route, then method, then status class without building a key string.
  // Methods (Node's parser knows a fixed few), route patterns and status classes bound the maps.
  const recorders = new Map<string, Map<string, Array<HttpSeries | undefined>>>();
  let series = 0;
  const addSeries = (method: string, route: string, statusClass: number): HttpSeries | undefined => {
    if (series >= MAX_HTTP_SERIES) return undefined;
    series += 1;
    let byMethod = recorders.get(route);
    if (!byMethod) recorders.set(route, (byMethod = new Map()));
    let byClass = byMethod.get(method);
    if (!byClass) byMethod.set(method, (byClass = []));
    return (byClass[statusClass] = http.labels({ method, route, status_class: `${statusClass}xx` }));
  };
  return {
    observeRequest({ method, route, status }, seconds) {
      if (!Number.isFinite(seconds)) return; // prom-client would throw
      const statusClass = Math.floor(status / 100);
      const record = recorders.get(route)?.get(method)?.[statusClass] ?? addSeries(method, route, statusClass);
      record?.observe(seconds);
    },
    async render() {
      await Promise.all([refreshDisk(), refreshCounts()]);
      return registry.metrics();
    },
    close() {
      detach();
      detachWebhooks?.();
      offRestart?.();
      defaults.close();
    },
  };
}
