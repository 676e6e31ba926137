import type { DeliveryOutcome } from './webhook-dispatcher.ts';

/** One delivery as GET /tasks/{id}/webhooks shows it, with its attempts. */
export interface DeliveryView {
  id: string;
  event: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  log: Array<{ attempt: number; at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

/** What the HTTP layer and the metrics use of the webhook service. */
export interface WebhookApi {
  /** True when WEBHOOK_SECRET is set: callback URLs are accepted and deliveries sent. */
  readonly enabled: boolean;
  /** Checks a callback URL against the SSRF policy; returns it normalized. Throws WebhookUrlError. */
  checkCallbackUrl(raw: string): Promise<string>;
  /** A task's deliveries, oldest first. */
  deliveries(taskId: string): Promise<DeliveryView[]>;
  /** Queues a delivery again at once (same webhook-id, fresh retry budget); undefined when unknown. */
  redeliver(taskId: string, deliveryId: string): Promise<DeliveryView | undefined>;
  /** Pending deliveries and the age of the oldest, in seconds, as last counted (at most 15 s ago while started). */
  pending(): { count: number; oldestAgeSeconds: number | null };
  /** Calls the listener after every recorded attempt. */
  onOutcome(listener: (outcome: DeliveryOutcome) => void): () => void;
}
