import type { WebhookApi } from '../webhooks/webhook-types.ts';
import type { MetricsRegistry } from './metrics-registry.ts';

/**
 * Webhook metrics: attempts by outcome (delivered, retrying, failed = given up), and the pending
 * deliveries with the age of the oldest, read from the outbox table at scrape time so that they
 * also count what a previous process left. Returns the unsubscribe function.
 */
export function attachWebhookMetrics(registry: MetricsRegistry, webhooks: Pick<WebhookApi, 'pending' | 'onOutcome'>): () => void {
  const outcomes = registry.counter('whisper_webhook_deliveries_total', 'Webhook delivery attempts by outcome: delivered, retrying (failed, will retry), failed (given up).');
  for (const outcome of ['delivered', 'retrying', 'failed']) outcomes.inc({ outcome }, 0);
  registry.gauge('whisper_webhook_pending', 'Webhook deliveries waiting to be sent or retried.', () => [{ value: webhooks.pending().count }]);
  registry.gauge('whisper_webhook_oldest_pending_age_seconds', 'Age of the oldest pending webhook delivery (0 when none is pending).', () =>
    [{ value: Math.round(webhooks.pending().oldestAgeSeconds ?? 0) }]);
  return webhooks.onOutcome((outcome) => outcomes.inc({ outcome }));
}
