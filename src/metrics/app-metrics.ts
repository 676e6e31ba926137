import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { TaskService } from '../tasks/task-service-types.ts';
import type { TaskStatus } from '../tasks/types.ts';
import { createMetricsRegistry } from './metrics-registry.ts';
import { attachTaskMetrics } from './task-metrics.ts';
import { attachWebhookMetrics } from './webhook-metrics.ts';
import type { WebhookApi } from '../webhooks/webhook-types.ts';

const STATUSES: TaskStatus[] = ['queued', 'processing', 'completed', 'failed', 'cancelled'];
/** Seconds: HTTP answers are expected in milliseconds; uploads and waits for /v1 take longer. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Cached HTTP series recorders; past this, rare label sets are looked up per request. */
const MAX_RECORDERS = 1000;
/** Walking DATA_DIR/uploads is not free: a scrape reuses a measurement this recent. */
const DISK_CACHE_MS = 30_000;

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
  close(): void;
}

/** Builds the registry, subscribes to the bus and the pool, and reads gauges from the store when scraped. */
export function createAppMetrics(deps: AppMetricsDeps): AppMetrics {
  const clock = deps.clock ?? Date.now;
  const registry = createMetricsRegistry();
  // Read from the database before each render (the gauges below only report them).
  let counts = new Map<TaskStatus, number>();
  const refreshCounts = async () => {
    const totals = await Promise.all(STATUSES.map(async (status) => [status, (await deps.tasks.list({ status, limit: 1, offset: 0 })).total] as const));
    counts = new Map(totals);
  };
  const count = (status: TaskStatus) => counts.get(status) ?? 0;
  let disk: Awaited<ReturnType<DiskMeasure>> | null = null;
  let diskAt = -Infinity;

  registry.gauge('whisper_tasks', 'Tasks in the database, by status.', () => STATUSES.map((status) => ({ labels: { status }, value: count(status) })));
  registry.gauge('whisper_queue_depth', 'Tasks waiting for a worker.', () => [{ value: count('queued') }]);
  const detach = attachTaskMetrics(deps.bus, registry, clock);
  const detachWebhooks = deps.webhooks && attachWebhookMetrics(registry, deps.webhooks);
  const restarts = registry.counter('whisper_worker_restarts_total', 'Worker processes replaced after they exited or failed to start.');
  restarts.inc({ reason: 'exited' }, 0);
  const offRestart = deps.onWorkerRestart?.((restart) => restarts.inc({ reason: restart.reason }));
  registry.gauge('whisper_workers_ready', 'Workers with the model loaded and able to take a task.', () => [{ value: deps.workersReady() }]);
  registry.gauge('whisper_websocket_connections', 'Open WebSocket connections watching tasks.', () => [{ value: deps.sockets() }]);
  const http = registry.histogram('whisper_http_request_duration_seconds', 'Time to answer HTTP requests (to the response headers), by route pattern and status class.', HTTP_BUCKETS);
  registry.gauge('whisper_disk_usage_bytes', 'Bytes stored under DATA_DIR, by area.', () =>
    disk ? [{ labels: { area: 'uploads' }, value: disk.uploadsBytes }, { labels: { area: 'database' }, value: disk.databaseBytes }] : []);
  registry.gauge('whisper_upload_files', 'Files under DATA_DIR/uploads.', () => (disk ? [{ value: disk.uploadsFiles }] : []));
  const diskErrors = registry.counter('whisper_disk_usage_errors_total', 'Failed measurements of DATA_DIR (the last good one is shown).');
  registry.gauge('process_resident_memory_bytes', 'Resident memory of the server process.', () => [{ value: process.memoryUsage.rss() }]);
  registry.gauge('process_uptime_seconds', 'Seconds since the server process started.', () => [{ value: Math.round(process.uptime()) }]);

  const refreshDisk = async () => {
    if (!deps.measureDisk || clock() - diskAt < DISK_CACHE_MS) return;
    diskAt = clock();
    try {
      disk = await deps.measureDisk();
    } catch (error) {
      diskErrors.inc({ reason: (error as NodeJS.ErrnoException).code ?? 'error' });
    }
  };

  // Every request lands here: keep one recorder per label set rather than look the labels up each time.
  // Methods (Node's parser knows a fixed few), route patterns and status classes bound the map.
  const recorders = new Map<string, (seconds: number) => void>();
  return {
    observeRequest({ method, route, status }, seconds) {
      const statusClass = `${Math.floor(status / 100)}xx`;
      const key = `${method} ${statusClass} ${route}`;
      let record = recorders.get(key);
      if (!record) {
        record = http.series({ method, route, status_class: statusClass });
        if (!record) return; // the metric is full; observe() would drop it too
        if (recorders.size < MAX_RECORDERS) recorders.set(key, record);
      }
      record(seconds);
    },
    async render() {
      await Promise.all([refreshDisk(), refreshCounts()]);
      return registry.render();
    },
    close() {
      detach();
      detachWebhooks?.();
      offRestart?.();
    },
  };
}
