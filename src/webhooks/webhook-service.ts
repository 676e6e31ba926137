import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { listDeliveries, pendingSummary, requeueDelivery } from '../db/webhook-repository.ts';
import { createAddressPolicy } from '../net/ip-policy.ts';
import type { Logger } from '../logger.ts';
import type { TaskStore } from '../tasks/task-service-types.ts';
import { createWebhookDispatcher, type DeliveryOutcome } from './webhook-dispatcher.ts';
import { withWebhookOutbox } from './webhook-outbox.ts';
import { sendWebhook } from './webhook-sender.ts';
import type { DeliveryView, WebhookApi } from './webhook-types.ts';
import { allowedAddress, parseWebhookUrl, type WebhookResolver } from './webhook-url.ts';

type WebhookConfig = Pick<Config, 'WEBHOOK_URL' | 'WEBHOOK_SECRET' | 'WEBHOOK_RETRY_BASE_MS' | 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_TIMEOUT_MS' | 'URL_FETCH_ALLOW_HOSTS'>;

/** The webhook service: the outbox around the task store, the dispatcher, and the delivery log. */
export interface WebhookService extends WebhookApi {
  /** The task store with deliveries written in the same transaction as the changes they report. */
  wrapStore(store: TaskStore): TaskStore;
  start(): void;
  stop(): Promise<void>;
}

/** Builds the service; without WEBHOOK_SECRET it is off (loadConfig refuses WEBHOOK_URL without it). */
export function createWebhookService(options: {
  h: DatabaseHandle;
  config: WebhookConfig;
  logger: Logger;
  clock?: () => number;
  random?: () => number;
  resolve?: WebhookResolver;
}): WebhookService {
  const { h, config, logger } = options;
  const clock = options.clock ?? Date.now;
  const enabled = config.WEBHOOK_SECRET !== '';
  // The same rules as URL ingestion, with the same allow-list.
  const policy = createAddressPolicy(config.URL_FETCH_ALLOW_HOSTS);
  const listeners = new Set<(outcome: DeliveryOutcome) => void>();
  // pending() serves the metrics scrape, which is synchronous: it reads this summary of the outbox
  // table, refreshed after every change this node makes and every 15 s (for other nodes' changes).
  let summary: { pending: number; oldestCreatedAt: string | null } = { pending: 0, oldestCreatedAt: null };
  let refresher: NodeJS.Timeout | undefined;
  let refreshes = 0;
  const refresh = async () => {
    if (!h.isOpen()) return;
    const asked = ++refreshes;
    try {
      const read = await pendingSummary(h.db);
      if (asked === refreshes) summary = read; // an older count that answers late does not overwrite a newer one
    } catch (error) {
      if (h.isOpen()) logger.warn({ err: error }, 'could not count pending webhook deliveries');
    }
  };
  const dispatcher = enabled
    ? createWebhookDispatcher({
      h, logger, clock, random: options.random, secret: config.WEBHOOK_SECRET,
      baseDelayMs: config.WEBHOOK_RETRY_BASE_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      // One deadline bounds an attempt (sendWebhook); the margin covers recording it and a busy event loop.
      claimMs: config.WEBHOOK_TIMEOUT_MS + 10_000,
      send: (url, body, headers, { signal }) => sendWebhook(url, body, headers, { policy, timeoutMs: config.WEBHOOK_TIMEOUT_MS, resolve: options.resolve, signal }),
      // Counted once the summary is fresh, so a scrape that shows the outcome shows the pending count after it.
      onOutcome: (outcome) => void refresh().then(() => listeners.forEach((listener) => listener(outcome))),
    })
    : undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  const views = async (taskId: string): Promise<DeliveryView[]> => (await listDeliveries(h.db, taskId)).map((d) => ({
    id: d.id, event: d.event, url: d.url, status: d.status as DeliveryView['status'], attempts: d.attempts, created_at: d.created_at,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_ms) : null, delivered_at: d.delivered_at,
    last_status_code: d.last_status_code, last_error: d.last_error,
    log: d.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at, status_code: a.status_code, error: a.error, duration_ms: a.duration_ms })),
  }));

  return {
    enabled,
    wrapStore: (store) => (enabled ? withWebhookOutbox(store, h, {
      globalUrl: config.WEBHOOK_URL || null, clock, onQueued: () => {
        dispatcher?.wake();
        void refresh();
      },
    }) : store),
    start() {
      dispatcher?.start();
      void refresh();
      clearInterval(refresher);
      refresher = setInterval(() => void refresh(), 15_000);
      refresher.unref();
    },
    async stop() {
      clearInterval(refresher);
      await dispatcher?.stop();
    },
    async checkCallbackUrl(raw) {
      const url = parseWebhookUrl(raw.trim());
      await allowedAddress(url, policy, options.resolve);
      return url.href;
    },
    deliveries: views,
    async redeliver(taskId, deliveryId) {
      if (!await requeueDelivery(h.db, taskId, deliveryId, clock())) return undefined;
      dispatcher?.wake();
      await refresh();
      return (await views(taskId)).find((d) => d.id === deliveryId);
    },
    pending() {
      const { pending, oldestCreatedAt } = summary;
      return { count: pending, oldestAgeSeconds: oldestCreatedAt === null ? null : Math.max(0, (clock() - Date.parse(oldestCreatedAt)) / 1000) };
    },
    onOutcome(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
