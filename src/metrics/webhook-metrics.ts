import type { WebhookApi } from '../webhooks/webhook-types.ts';
import type { MetricFactory } from './metric-factory.ts';

/**
 * Webhook metrics: attempts by outcome (delivered, retrying, failed = given up), and the pending
 * deliveries with the age of the oldest, read from the outbox table at scrape time so that they
 * also count what a previous process left. Returns the unsubscribe function.
 */
export function attachWebhookMetrics(metrics: MetricFactory, webhooks: Pick<WebhookApi, 'pending' | 'onOutcome'>): () => void {
  const outcomes = metrics.counter('whisper_webhook_deliveries_total', 'Webhook delivery attempts by outcome: delivered, retrying (failed, will retry), failed (given up).', ['outcome']);
  for (const outcome of ['delivered', 'retrying', 'failed']) outcomes.inc({ outcome }, 0);
  metrics.gauge('whisper_webhook_pending', 'Webhook deliveries waiting to be sent or retried.', [], (g) => g.set(webhooks.pending().count));
  metrics.gauge('whisper_webhook_oldest_pending_age_seconds', 'Age of the oldest pending webhook delivery (0 when none is pending).', [], (g) =>
    g.set(Math.round(webhooks.pending().oldestAgeSeconds ?? 0)));
  return webhooks.onOutcome((outcome) => outcomes.inc({ outcome }));
}
